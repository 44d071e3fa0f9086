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
from handler_package import contract, ownership

APP = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
OTHER_APP = "a1b2c3d4e5f60718293a4b5c6d7e8f90"
IDENTITY = "arn:aws:ses:us-east-1:123456789012:identity/example.com"
FROM = "Example <hello@example.com>"
REGION = "us-east-1"
ACCOUNT = "123456789012"
STACK_NAME = "pinpoint-demo"
LOGICAL_ID = "WelcomeChannel8E3B1C2A"
OWNER = contract.OWNER_TAG
PREVIOUS = contract.PREVIOUS_OWNER_TAG


def stack_arn(
    stack_name: str = STACK_NAME, unique: str = "5b1c9e40-8d7a-11f0-9f3e-0affd3c1a2b3"
) -> str:
    return f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/{stack_name}/{unique}"


def app_arn(app: str = APP) -> str:
    return f"arn:aws:mobiletargeting:{REGION}:{ACCOUNT}:apps/{app}"


def owner_of(logical_id: str = LOGICAL_ID, stack_id: str | None = None) -> str:
    """The owner tag value of a resource (by default, the tests' usual one)."""
    return str(ownership.owner_value(stack_id or stack_arn(), logical_id))


ME = owner_of()

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
    stubber: Stubber,
    app: str = APP,
    *,
    version: int = 1,
    claim: bool = True,
    **request_overrides: Any,
) -> None:
    """UpdateEmailChannel, then (``claim``) the claim of an app without ownership tags."""
    sent = request(**request_overrides)
    stubber.add_response(
        "update_email_channel",
        channel(app, enabled=sent["Enabled"], version=version),
        {"ApplicationId": app, "EmailChannelRequest": sent},
    )
    if claim:
        expect_claim(stubber, app)


def expect_claim(stubber: Stubber, app: str = APP, *, me: str = ME) -> None:
    """ListTagsForResource (no tags), then TagResource with this resource as the owner."""
    expect_tags(stubber, app, {})
    expect_tag(stubber, app, {OWNER: me})


def expect_tags(stubber: Stubber, app: str = APP, tags: dict[str, str] | None = None) -> None:
    stubber.add_response(
        "list_tags_for_resource",
        {"TagsModel": {"tags": dict(tags or {})}},
        {"ResourceArn": app_arn(app)},
    )


def expect_tag(stubber: Stubber, app: str, tags: dict[str, str]) -> None:
    stubber.add_response(
        "tag_resource", {}, {"ResourceArn": app_arn(app), "TagsModel": {"tags": tags}}
    )


def expect_untag(stubber: Stubber, app: str, keys: list[str]) -> None:
    stubber.add_response("untag_resource", {}, {"ResourceArn": app_arn(app), "TagKeys": keys})


def expect_delete(stubber: Stubber, app: str = APP, *, owner: str | None = ME) -> None:
    """A Delete's calls when ``owner`` (default: this resource) owns the channel: read the tags,
    DeleteEmailChannel, remove the owner tag. ``owner=None``: a channel without tags."""
    expect_tags(stubber, app, {OWNER: owner} if owner else {})
    stubber.add_response("delete_email_channel", channel(app), {"ApplicationId": app})
    if owner:
        expect_untag(stubber, app, [OWNER])


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
    if operation in ("list_tags_for_resource", "tag_resource", "untag_resource"):
        expected = {"ResourceArn": app_arn(app), **request_overrides}
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

    def list_tags_for_resource(self, **kwargs: Any) -> Any:
        return self._blocked(self.client.list_tags_for_resource, kwargs)

    def tag_resource(self, **kwargs: Any) -> Any:
        return self._blocked(self.client.tag_resource, kwargs)

    def untag_resource(self, **kwargs: Any) -> Any:
        return self._blocked(self.client.untag_resource, kwargs)

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
    list_tags_for_resource = update_email_channel


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
    """Queue Pinpoint's answers for ``shape``; returns the "code: message" a Reason quotes.

    A refused DeleteEmailChannel is preceded by the Delete's read of the tags (this resource
    owns the channel); a refused ownership call (``list_tags_for_resource``, ``tag_resource``)
    takes the app's ARN."""
    code, message, times = REFUSALS[shape]
    if operation == "delete_email_channel":
        expect_tags(stubber, app, {OWNER: ME})
    for _ in range(times):
        expect_error(stubber, operation, code, message, app=app, **request_overrides)
    detail = f"{code}: {message}"
    return detail + (f" (still failing after {times} attempts)" if times > 1 else "")
