"""Pinpoint as the handler sees it: a real botocore client with a ``Stubber``.

The Stubber checks every request against the Pinpoint model (and the expected parameters), and
every stubbed response against the model's output shape.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

import boto3
from botocore.stub import Stubber

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
    values = {"ApplicationId": app, "FromAddress": FROM, "Identity": IDENTITY, "Enabled": "true"}
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
    **request_overrides: Any,
) -> None:
    expected: dict[str, Any] = {"ApplicationId": app}
    if operation == "update_email_channel":
        expected["EmailChannelRequest"] = request(**request_overrides)
    stubber.add_client_error(
        operation,
        service_error_code=code,
        service_message=message,
        http_status_code=STATUS[code],
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
        self.entered.set()
        self.release.wait(10)
        try:
            return self.client.update_email_channel(**kwargs)
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
