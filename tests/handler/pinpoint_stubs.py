"""Pinpoint as the handler sees it: a real botocore client with a ``Stubber``.

The Stubber checks every request against the Pinpoint model (and the expected parameters), and
every stubbed response against the model's output shape.
"""

from __future__ import annotations

import datetime
import functools
import threading
from typing import Any

import boto3
from botocore.stub import Stubber
from handler_package import contract

APP = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
OTHER_APP = "a1b2c3d4e5f60718293a4b5c6d7e8f90"
IDENTITY = "arn:aws:ses:us-east-1:123456789012:identity/example.com"
FROM = "Example <hello@example.com>"

STATUS = {
    "TooManyRequestsException": 429,
    "InternalServerErrorException": 500,
    "NotFoundException": 404,
    "ForbiddenException": 403,
    "AccessDeniedException": 403,
    "BadRequestException": 400,
    "MethodNotAllowedException": 405,
    "PayloadTooLargeException": 413,
    # Shapes a discontinued API may take (AWS documents none): an unknown operation, a 404 that is
    # not NotFoundException, 410 Gone.
    "UnknownOperationException": 404,
    "404": 404,
    "GoneException": 410,
    "410": 410,
}


@functools.cache
def _session() -> boto3.session.Session:
    # One session for the run: it caches the loaded service model, so each client is cheap.
    return boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )


def new_client() -> Any:
    return _session().client("pinpoint")


def properties(app: str = APP, **overrides: str) -> dict[str, str]:
    """ResourceProperties as CloudFormation delivers them: every value a string."""
    values = {
        contract.PROP_APPLICATION_ID: app,
        contract.PROP_FROM_ADDRESS: FROM,
        contract.PROP_IDENTITY: IDENTITY,
        contract.PROP_ENABLED: "true",
    }
    values.update(overrides)
    return {name: value for name, value in values.items() if value != "<absent>"}


def request(**overrides: Any) -> dict[str, Any]:
    """The EmailChannelRequest the handler must send for ``properties(**same)``."""
    values: dict[str, Any] = {"FromAddress": FROM, "Identity": IDENTITY, "Enabled": True}
    values.update(overrides)
    return values


def channel(app: str = APP, *, enabled: bool = True, version: int = 1) -> dict[str, Any]:
    return {
        "EmailChannelResponse": {
            "ApplicationId": app,
            "Enabled": enabled,
            "FromAddress": FROM,
            "Identity": IDENTITY,
            "Id": "email",
            "IsArchived": False,
            "MessagesPerSecond": 14,
            "Platform": "EMAIL",
            "Version": version,
        }
    }


def expect_update(
    stubber: Stubber, app: str = APP, *, version: int = 1, **request_overrides: Any
) -> None:
    sent = request(**request_overrides)
    stubber.add_response(
        "update_email_channel",
        channel(app, enabled=sent["Enabled"], version=version),
        {"ApplicationId": app, "EmailChannelRequest": sent},
    )


def expect_delete(stubber: Stubber, app: str = APP) -> None:
    stubber.add_response("delete_email_channel", channel(app), {"ApplicationId": app})


def expect_error(
    stubber: Stubber,
    operation: str,
    code: str,
    message: str,
    *,
    app: str = APP,
    status: int | None = None,
    **request_overrides: Any,
) -> None:
    expected: dict[str, Any] = {"ApplicationId": app}
    if operation == "update_email_channel":
        expected["EmailChannelRequest"] = request(**request_overrides)
    stubber.add_client_error(
        operation,
        service_error_code=code,
        service_message=message,
        http_status_code=status or STATUS[code],
        expected_params=expected,
    )


class BlockingClient:
    """Delegates to a (stubbed) client, but each call first waits for ``release``."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.entered = threading.Event()
        self.release = threading.Event()
        self.returned = threading.Event()

    def update_email_channel(self, **kwargs: Any) -> Any:
        return self._blocked(self.client.update_email_channel, kwargs)

    def delete_email_channel(self, **kwargs: Any) -> Any:
        return self._blocked(self.client.delete_email_channel, kwargs)

    def _blocked(self, call: Any, kwargs: dict[str, Any]) -> Any:
        self.entered.set()
        self.release.wait(10)
        try:
            return call(**kwargs)
        finally:
            self.returned.set()


class FailingClient:
    """Raises ``error`` from every call and counts the calls."""

    def __init__(self, error: BaseException) -> None:
        self.error = error
        self.calls = 0

    def update_email_channel(self, **kwargs: Any) -> Any:
        self.calls += 1
        raise self.error

    delete_email_channel = update_email_channel


def new_cloudformation_client() -> Any:
    return _session().client("cloudformation")


def stack_description(stack_id: str, status: str) -> dict[str, Any]:
    """A DescribeStacks response for one stack in ``status``."""
    name = stack_id.split("/")[1] if stack_id.count("/") >= 2 else stack_id
    return {
        "Stacks": [
            {
                "StackId": stack_id,
                "StackName": name,
                "CreationTime": datetime.datetime(2026, 11, 28, 16, 32, tzinfo=datetime.UTC),
                "StackStatus": status,
            }
        ]
    }


def expect_describe_stacks(stubber: Stubber, stack_id: str, status: str) -> None:
    stubber.add_response(
        "describe_stacks", stack_description(stack_id, status), {"StackName": stack_id}
    )


def expect_describe_stacks_error(
    stubber: Stubber, stack_id: str, code: str, message: str, status: int = 400
) -> None:
    stubber.add_client_error(
        "describe_stacks",
        service_error_code=code,
        service_message=message,
        http_status_code=status,
        expected_params={"StackName": stack_id},
    )


# How a refused call may look now that Pinpoint email is past its end of support: AWS documents
# no error for a discontinued API, so every non-transient shape, and throttling that outlasts the
# handler's retries. name -> (error code, message, how many times Pinpoint answers it).
RETRY_ATTEMPTS = 5  # the handler's RetryPolicy.max_attempts
REFUSALS: dict[str, tuple[str, str, int]] = {
    "403-access-denied": ("AccessDeniedException", "User is not authorized", 1),
    "403-forbidden": ("ForbiddenException", "Forbidden", 1),
    "400-bad-request": ("BadRequestException", "Email channels are no longer supported", 1),
    "404-unknown-operation": ("UnknownOperationException", "Unknown operation", 1),
    "404-without-a-code": ("404", "Not Found", 1),
    "405-method-not-allowed": ("MethodNotAllowedException", "Method not allowed", 1),
    "410-gone": ("GoneException", "This API is no longer available", 1),
    "410-without-a-code": ("410", "Gone", 1),
    "throttled-past-the-retries": ("TooManyRequestsException", "Rate exceeded", RETRY_ATTEMPTS),
}


def expect_refusal(
    stubber: Stubber, operation: str, shape: str, *, app: str = APP, **request_overrides: Any
) -> str:
    """Queue Pinpoint's answers for ``shape``; returns the "code: message" a Reason quotes."""
    code, message, times = REFUSALS[shape]
    for _ in range(times):
        expect_error(stubber, operation, code, message, app=app, **request_overrides)
    detail = f"{code}: {message}"
    return detail + (f" (still failing after {times} attempts)" if times > 1 else "")
