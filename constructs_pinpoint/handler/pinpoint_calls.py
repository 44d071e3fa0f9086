"""The two Pinpoint calls the handler makes, with bounded retries for transient errors.

botocore's own retries are switched off for this client: the retry loop below knows the
Lambda's deadline, and botocore's does not.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError, ConnectionError, HTTPClientError

from . import contract
from .properties import MAX_QUOTED_CHARS, ChannelSettings, bounded

RETRYABLE_CODES = frozenset(
    {
        "TooManyRequestsException",
        "InternalServerErrorException",
        "ThrottlingException",
        "Throttling",  # CloudFormation's code for a throttled DescribeStacks
        "ServiceUnavailable",
        "RequestTimeout",
    }
)
NOT_FOUND_CODE = "NotFoundException"
# The value of a Data key that only Pinpoint's response could have given.
UNKNOWN = ""
# Appended to every refused Create or Update: after the end of support, a refusal may mean that
# Pinpoint no longer accepts email channels at all.
SES_POINTER = (
    f"Pinpoint email reached end of support on {contract.PINPOINT_EMAIL_END_OF_SUPPORT}: "
    f"move email to SES ({contract.MOVING_TO_SES_DOC})."
)


def with_ses_pointer(reason: str) -> str:
    return f"{reason.rstrip()}{'' if reason.rstrip().endswith('.') else '.'} {SES_POINTER}"


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 8.0

    def delay(self, attempt: int) -> float:
        # Full jitter: a throttled account is not hit by every channel of a stack in lockstep.
        return float(random.uniform(0, min(self.max_delay, self.base_delay * 2 ** (attempt - 1))))


DEFAULT_RETRY = RetryPolicy()
# Looked up at call time, like DEFAULT_RETRY, so tests can run the retry path without waiting.
backoff_sleep: Callable[[float], None] = time.sleep


class PinpointCallFailed(Exception):
    """A call failed for good; ``reason`` is what CloudFormation shows the user.

    ``detail`` is the service's own "code: message" (what a "left in place" answer quotes).
    """

    def __init__(self, reason: str, code: str | None = None, detail: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code
        self.detail = detail or reason


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _is_retryable(error: Exception) -> bool:
    if isinstance(error, ClientError):
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        return error_code(error) in RETRYABLE_CODES or int(status or 0) >= 500
    return isinstance(error, ConnectionError | HTTPClientError)


def describe(error: BaseException) -> str:
    """The service's "code: message", falling back to the HTTP status, then the exception type.

    The message (and the code) are quoted up to ``MAX_QUOTED_CHARS``: a service or an exception
    can echo a property value of any length, and a Reason quotes a bounded prefix."""
    if isinstance(error, ClientError):
        message = error.response.get("Error", {}).get("Message") or str(error)
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        code = error_code(error) or (f"HTTP {status}" if status else "UnknownError")
        return f"{bounded(code, 128)}: {bounded(message)}"
    if isinstance(error, PinpointCallFailed):
        return bounded(error.detail, 2 * MAX_QUOTED_CHARS)
    return f"{type(error).__name__}: {bounded(error)}"


def call_with_retries(
    call: Callable[[], dict[str, Any]],
    *,
    operation: str,
    seconds_left: Callable[[], float],
    retry: RetryPolicy | None = None,
    sleep: Callable[[float], None] | None = None,
    service: str = "Pinpoint",
) -> dict[str, Any]:
    """Run ``call``; retry transient errors while attempts and time remain."""
    retry = retry or DEFAULT_RETRY
    pause = sleep or backoff_sleep
    attempt = 0
    while True:
        attempt += 1
        try:
            return call()
        except (ClientError, ConnectionError, HTTPClientError) as error:
            if not _is_retryable(error):
                raise
            delay = retry.delay(attempt)
            if attempt >= retry.max_attempts or delay >= seconds_left():
                raise PinpointCallFailed(
                    f"{operation} still failing after {attempt} attempts ({describe(error)}). "
                    f"{service} is throttling or unavailable: deploy again later.",
                    error_code(error) if isinstance(error, ClientError) else None,
                    f"{describe(error)} (still failing after {attempt} attempts)",
                ) from error
            pause(delay)


def update_email_channel(
    client: Any, settings: ChannelSettings, *, seconds_left: Callable[[], float], **kwargs: Any
) -> dict[str, str]:
    """UpdateEmailChannel with the full request; returns the attributes for ``Data``."""
    try:
        response = call_with_retries(
            lambda: client.update_email_channel(
                ApplicationId=settings.application_id,
                EmailChannelRequest=settings.email_channel_request(),
            ),
            operation=f"UpdateEmailChannel for application {settings.application_id}",
            seconds_left=seconds_left,
            **kwargs,
        )
    except ClientError as error:
        raise PinpointCallFailed(
            with_ses_pointer(_explain(error, settings.application_id)),
            error_code(error),
            describe(error),
        ) from error
    channel = response.get("EmailChannelResponse", {})
    return {
        contract.DATA_APPLICATION_ID: str(channel.get("ApplicationId", settings.application_id)),
        contract.DATA_MESSAGES_PER_SECOND: str(channel.get("MessagesPerSecond", UNKNOWN)),
        contract.DATA_VERSION: str(channel.get("Version", UNKNOWN)),
        contract.DATA_ENABLED: str(channel.get("Enabled", settings.enabled)).lower(),
    }


def data_without_response(application_id: str, enabled: str) -> dict[str, str]:
    """``Data`` of an answer given without a Pinpoint response (a rollback left in place).

    CloudFormation reads GetAtt values from the latest answer only, so every key is there; what
    only Pinpoint knows (MessagesPerSecond, Version) is ``UNKNOWN``.
    """
    data = dict.fromkeys(contract.DATA_KEYS, UNKNOWN)
    data[contract.DATA_APPLICATION_ID] = application_id
    data[contract.DATA_ENABLED] = enabled
    return data


def delete_email_channel(
    client: Any, application_id: str, *, seconds_left: Callable[[], float], **kwargs: Any
) -> bool:
    """DeleteEmailChannel; returns False when there was nothing to delete."""
    try:
        call_with_retries(
            lambda: client.delete_email_channel(ApplicationId=application_id),
            operation=f"DeleteEmailChannel for application {application_id}",
            seconds_left=seconds_left,
            **kwargs,
        )
    except ClientError as error:
        # Matched by error code: the app or its channel is gone already, which is what Delete wants.
        if error_code(error) == NOT_FOUND_CODE:
            return False
        raise PinpointCallFailed(
            _explain(error, application_id), error_code(error), describe(error)
        ) from error
    return True


def _explain(error: ClientError, application_id: str) -> str:
    code = error_code(error)
    detail = describe(error)
    if code == NOT_FOUND_CODE:
        return (
            f"Pinpoint application {application_id} was not found in this account and region "
            f"({detail}). Check the application id, or create the app before the channel."
        )
    if code in ("ForbiddenException", "AccessDeniedException"):
        return (
            f"Pinpoint refused access to application {application_id} ({detail}). The handler's "
            "role allows only the email channels of the apps declared in this stack."
        )
    if code == "BadRequestException":
        return f"Pinpoint rejected the email channel of application {application_id}: {detail}"
    return f"Pinpoint call for application {application_id} failed: {detail}"
