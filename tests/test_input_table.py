"""Every row of the input-classes table in docs/input-validation.md is a test.

A row names where the input goes (``EmailChannel``, ``SenderConfig.from_environ``...), the input
as Python keyword arguments, and the message it gets (``accepted`` when none). The test feeds the
row's input to that entry point and asserts the row's message is in the error it raises. Two more
kinds of message are checked on the synthesized stack: ``info: <text>`` (an info annotation with
the text, and no warning) and ``policy: <resource>`` (an IAM policy Resource, exactly).
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk.assertions import Annotations, Match, Template

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
INFO = "info: "
POLICY = "policy: "
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


def _other_stack(stack: cdk.Stack, account: str | None, region: str | None) -> cdk.Stack:
    """Stack ``Other`` of the same App, in the given environment (None: agnostic)."""
    env = cdk.Environment(account=account, region=region) if account or region else None
    return cdk.Stack(stack.node.root, "Other", env=env)


def _function(scope: cdk.Stack, id: str = "Fn") -> lambda_.Function:
    return lambda_.Function(
        scope,
        id,
        runtime=lambda_.Runtime.PYTHON_3_14,
        handler="index.handler",
        code=lambda_.Code.from_inline("def handler(event, context): pass"),
    )


def _arguments(source: str, stack: cdk.Stack) -> dict[str, Any]:
    """The row's input, ``name=value, ...``: literals, plus a few named helpers."""
    made: dict[str, Any] = {}
    imports = itertools.count()

    def once(key: str, build: Callable[[], Any]) -> Any:
        if key not in made:
            made[key] = build()
        return made[key]

    names: dict[str, Any] = {
        "RemovalPolicy": cdk.RemovalPolicy,
        "role": lambda arn: iam.Role.from_role_arn(stack, "Role", arn),
        "imported_function": lambda arn: lambda_.Function.from_function_arn(stack, "Fn", arn),
        # A function of this stack, or of stack Other in ``region`` (account 111111111111).
        "function": lambda region=None: _function(
            _other_stack(stack, "111111111111", region) if region else stack
        ),
        # An application created in, or imported (by id) into, stack Other.
        "app_in": lambda account=None, region=None: PinpointApp(
            _other_stack(stack, account, region), "App"
        ),
        "import_in": lambda account=None, region=None: PinpointApp.from_application_id(
            _other_stack(stack, account, region), "App", APP_ID
        ),
        # The same CfnParameter's value, however often it is named.
        "parameter": lambda name: once(name, lambda: cdk.CfnParameter(stack, name).value_as_string),
        # A new application of this stack, the same one however often it is named.
        "new_app": lambda: once("new_app", lambda: PinpointApp(stack, "NewApp")),
        "import_arn": lambda arn: PinpointApp.from_application_arn(
            stack, f"Import{next(imports)}", arn
        ),
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


def _grant_send(stack: cdk.Stack, grantee: Any) -> object:
    channel = _channel(stack)
    assert isinstance(channel, EmailChannel)
    return channel.grant_send(grantee)


def _configure_twice(stack: cdk.Stack, function: Any, then: str) -> object:
    """``configure_sender`` on the channel, then again: on the same channel, another channel, or
    an ``SesEmailSending``."""
    channel = _channel(stack)
    assert isinstance(channel, EmailChannel)
    channel.configure_sender(function)
    second: Any = {
        "same channel": lambda: channel,
        "another channel": lambda: EmailChannel(
            stack,
            "Other",
            application=PinpointApp.from_application_id(stack, "OtherApp", "f" * 32),
            from_address="noreply@example.com",
            identity=IDENTITY,
        ),
        "SesEmailSending": lambda: _ses_sending(stack),
    }[then]()
    return second.configure_sender(function)


def _ses_sender(stack: cdk.Stack, **given: Any) -> object:
    sending = _ses_sending(stack, **given)
    assert isinstance(sending, SesEmailSending)
    return sending.configure_sender(_function(stack))


def _two_channels(stack: cdk.Stack, first: Any, second: Any) -> object:
    _channel(stack, application=first)
    return EmailChannel(
        stack,
        "Second",
        application=second,
        from_address="noreply@example.com",
        identity=IDENTITY,
    )


def _agnostic(entry: Callable[..., object]) -> Callable[..., object]:
    """``entry`` in stack ``S`` of the same App with no account or region."""

    def call(stack: cdk.Stack, **given: Any) -> object:
        agnostic = cdk.Stack(stack.node.root, "Agnostic")
        return entry(agnostic, **given)

    return call


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

    send_users_messages = send_email = send_bulk_email = get_account = send_messages


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
    "configure_sender, then again": _configure_twice,
    "grant_send": _grant_send,
    "SesEmailSending, configure_sender": _ses_sender,
    "two EmailChannels": _two_channels,
    "EmailChannel, agnostic stack": _agnostic(_channel),
    "SesEmailSending, agnostic stack": _agnostic(_ses_sending),
    "PinpointApp.from_application_arn, agnostic stack": _agnostic(
        lambda stack, **given: PinpointApp.from_application_arn(stack, "App", **given)
    ),
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


# The handler rows are events, not construct or sender inputs: each is a test of the handler's
# (the fault matrix's row, or a test function), named here.
HANDLER_TESTS = {
    "handler-property-type": ("test_handler_faults.py", "property-of-the-wrong-json-type"),
    "handler-context-none": (
        "test_handler_faults.py",
        "test_context_without_a_usable_deadline_still_answers_once",
    ),
    "handler-file-url": (
        "test_handler_faults.py",
        "test_response_url_that_is_not_https_is_never_opened",
    ),
    "handler-url-redaction": (
        "test_handler_logs.py",
        "test_reformatted_response_url_in_an_error_is_redacted_everywhere",
    ),
    "handler-oversized-field": ("test_handler_faults.py", "test_oversized_event_field_is_cut"),
    "handler-dotdot-app": (
        "test_handler_faults.py",
        "test_application_id_unsafe_in_a_request_path_never_reaches_pinpoint",
    ),
}


def _handler_test_names(module: str) -> set[str]:
    """The test functions of a handler test module, and the fault matrix's row names."""
    tree = ast.parse((Path(__file__).parent / "handler" / module).read_text())
    names = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Dict)
            and any(isinstance(t, ast.Name) and t.id == "ROWS" for t in node.targets)
        ):
            names |= {k.value for k in node.value.keys if isinstance(k, ast.Constant)}
    return names


def test_every_handler_row_is_a_test_of_the_handler() -> None:
    handler_rows = {row["id"] for row in ROWS if row["where"].startswith("handler")}
    assert handler_rows == set(HANDLER_TESTS)
    for row_id, (module, name) in HANDLER_TESTS.items():
        assert name in _handler_test_names(module), (row_id, module, name)


@pytest.mark.parametrize(
    "row",
    [pytest.param(row, id=row["id"]) for row in ROWS if not row["where"].startswith("handler")],
)
def test_row(row: dict[str, str]) -> None:
    stack = _stack()
    call = ENTRY_POINTS[row["where"]]
    arguments = _arguments(row["input"], stack)
    if row["message"] == ACCEPTED:
        call(stack, **arguments)
        return
    if row["message"].startswith((INFO, POLICY)):
        call(stack, **arguments)
        _assert_synthesized(stack, row["message"])
        return
    with pytest.raises(OUR_ERRORS) as caught:
        call(stack, **arguments)
    text = _error_text(caught.value)
    assert row["message"] in text
    if row["where"] in ("SesEmailSending", "SesV2EmailSender"):
        assert "Pinpoint" not in text


def _assert_synthesized(stack: cdk.Stack, message: str) -> None:
    """``info: <text>``: one stack of the App has it as an info annotation, and none has a
    warning with it; ``policy: <resource>``: a policy of the stack has exactly that Resource."""
    if message.startswith(INFO):
        text = message.removeprefix(INFO)
        stacks = [s for s in stack.node.root.node.children if isinstance(s, cdk.Stack)]
        infos = [
            str(m.entry.data)
            for s in stacks
            for m in Annotations.from_stack(s).find_info("*", Match.any_value())
        ]
        warnings = [
            str(m.entry.data)
            for s in stacks
            for m in Annotations.from_stack(s).find_warning("*", Match.any_value())
        ]
        assert [info for info in infos if text in info], infos
        assert not [warning for warning in warnings if text in warning]
        return
    resource = message.removeprefix(POLICY)
    policies = Template.from_stack(stack).find_resources("AWS::IAM::Policy")
    resources = [
        listed
        for policy in policies.values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        for listed in (
            statement["Resource"]
            if isinstance(statement["Resource"], list)
            else [statement["Resource"]]
        )
    ]
    assert resource in resources, resources
