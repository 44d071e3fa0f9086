"""Every row of the input-classes table in docs/input-validation.md is a test.

A row names where the input goes (``EmailChannel``, ``SenderConfig.from_environ``...), the input
as Python keyword arguments, and the message it gets (``accepted`` when none). The test feeds the
row's input to that entry point and asserts the row's message is in the error it raises.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_

from constructs_pinpoint import (
    ConstructValidationError,
    EmailChannel,
    PinpointApp,
    SesEmailSending,
)
from constructs_pinpoint.sending import (
    EmailMessage,
    EmailSendingError,
    PinpointEmailSender,
    SenderConfig,
    SesV2EmailSender,
)

TABLE = Path(__file__).parent.parent / "docs" / "input-validation.md"
ENV = cdk.Environment(account="111111111111", region="eu-west-1")
APP_ID = "0123456789abcdef0123456789abcdef"
IDENTITY = "arn:aws:ses:eu-west-1:111111111111:identity/example.com"
ACCEPTED = "accepted"
COLUMNS = ["id", "defect", "input class", "where", "input", "message"]


def _rows() -> list[dict[str, str]]:
    lines = TABLE.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| id |"))
    header = [cell.strip() for cell in lines[start].strip("|").split("|")]
    assert header == COLUMNS
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
        assert len(cells) == len(COLUMNS), line
        rows.append(dict(zip(COLUMNS, (_unquote(cell) for cell in cells), strict=True)))
    return rows


def _unquote(cell: str) -> str:
    return cell[1:-1] if len(cell) >= 2 and cell[0] == "`" == cell[-1] else cell


def _stack() -> cdk.Stack:
    return cdk.Stack(cdk.App(analytics_reporting=False), "S", env=ENV)


def _arguments(source: str, stack: cdk.Stack) -> dict[str, Any]:
    """The row's input, ``name=value, ...``: literals, plus a few named helpers."""
    names: dict[str, Any] = {
        "RemovalPolicy": cdk.RemovalPolicy,
        "role": lambda arn: iam.Role.from_role_arn(stack, "Role", arn),
        "imported_function": lambda arn: lambda_.Function.from_function_arn(stack, "Fn", arn),
    }
    call = ast.parse(f"f({source})", mode="eval").body
    assert isinstance(call, ast.Call) and not call.args
    values: dict[str, Any] = {}
    for keyword in call.keywords:
        assert keyword.arg is not None
        try:
            values[keyword.arg] = ast.literal_eval(keyword.value)
        except ValueError:
            code = compile(ast.Expression(keyword.value), "<row>", "eval")
            values[keyword.arg] = eval(code, {"__builtins__": {}}, names)
    return values


def _channel(stack: cdk.Stack, **given: Any) -> object:
    props: dict[str, Any] = {
        "from_address": "noreply@example.com",
        "identity": IDENTITY,
    }
    props.update(given)
    if "application" not in props:
        props["application"] = PinpointApp.from_application_id(stack, "App", APP_ID)
    return EmailChannel(stack, "Email", **props)


def _ses_sending(stack: cdk.Stack, **given: Any) -> object:
    props: dict[str, Any] = {"from_address": "noreply@example.com", "identity": IDENTITY}
    props.update(given)
    return SesEmailSending(stack, "Sending", **props)


def _configure_sender(stack: cdk.Stack, function: Any) -> object:
    channel = _channel(stack)
    assert isinstance(channel, EmailChannel)
    return channel.configure_sender(function)


def _from_environ(stack: cdk.Stack, **given: Any) -> object:
    environ = {
        "PINPOINT_EMAIL_BACKEND": "pinpoint",
        "PINPOINT_EMAIL_APPLICATION_ID": APP_ID,
        "PINPOINT_EMAIL_IDENTITY_ARN": IDENTITY,
    }
    environ.update(given)
    return SenderConfig.from_environ(environ)


class _NeverCalled:
    """A client whose operations exist; every row fails before any call."""

    def send_messages(self, **kwargs: Any) -> Any:
        raise AssertionError("no call expected")

    send_users_messages = send_email = send_messages


def _send(stack: cdk.Stack, **given: Any) -> object:
    sender = PinpointEmailSender(_NeverCalled(), APP_ID)
    return sender.send_to_addresses(EmailMessage(subject="s", text_body="t"), given["addresses"])


ENTRY_POINTS: dict[str, Callable[..., object]] = {
    "EmailChannel": _channel,
    "SesEmailSending": _ses_sending,
    "PinpointApp.from_application_id": lambda stack, **given: PinpointApp.from_application_id(
        stack, "App", **given
    ),
    "PinpointApp.from_application_arn": lambda stack, **given: PinpointApp.from_application_arn(
        stack, "App", **given
    ),
    "configure_sender": lambda stack, **given: _configure_sender(stack, **given),
    "SenderConfig.from_environ": _from_environ,
    "PinpointEmailSender": lambda stack, **given: PinpointEmailSender(_NeverCalled(), **given),
    "SesV2EmailSender": lambda stack, **given: SesV2EmailSender(_NeverCalled(), **given),
    "send_to_addresses": _send,
}
OUR_ERRORS = (ConstructValidationError, EmailSendingError, TypeError)


def _error_text(error: BaseException) -> str:
    if isinstance(error, ConstructValidationError):
        return "\n".join(error.problems)
    return str(error)


ROWS = _rows()


def test_the_table_has_a_row_for_every_defect_with_inputs() -> None:
    assert {row["defect"] for row in ROWS} >= {"1", "2", "3", "5", "6", "7", "8"}
    assert len({row["id"] for row in ROWS}) == len(ROWS)


@pytest.mark.parametrize("row", [pytest.param(row, id=row["id"]) for row in ROWS])
def test_row(row: dict[str, str]) -> None:
    if row["where"].startswith("handler"):
        pytest.skip(
            "a handler event, not a construct or sender input: its row is in the handler's "
            "fault matrix (docs/reliability.md, tests/handler/test_handler_faults.py)"
        )
    stack = _stack()
    call = ENTRY_POINTS[row["where"]]
    arguments = _arguments(row["input"], stack)
    if row["message"] == ACCEPTED:
        call(stack, **arguments)
        return
    with pytest.raises(OUR_ERRORS) as caught:
        call(stack, **arguments)
    text = _error_text(caught.value)
    assert row["message"] in text
    if row["where"] in ("SesEmailSending", "SesV2EmailSender"):
        assert "Pinpoint" not in text
