"""Translation of botocore failures into retryable / permanent library errors."""

from __future__ import annotations

from typing import Any, NoReturn

import pytest
from botocore.exceptions import EndpointConnectionError, NoCredentialsError, ReadTimeoutError
from botocore.stub import Stubber

from constructs_pinpoint.sending import (
    EmailApiError,
    EmailMessage,
    EmailSendingError,
    PermanentEmailApiError,
    PinpointEmailSender,
    RetryableEmailApiError,
    SesV2EmailSender,
)
from constructs_pinpoint.sending.errors import is_retryable_error_code

MESSAGE = EmailMessage(subject="s", text_body="t")
APP_ID = "0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize(
    ("code", "status", "retryable"),
    [
        ("TooManyRequestsException", 429, True),
        ("Throttling", 400, True),
        ("ThrottlingException", 400, True),
        ("TooManyRequests", 429, True),
        ("LimitExceededException", 400, True),
        ("InternalServerErrorException", 500, True),
        ("SomethingNew", 503, True),
        ("SomethingNew", 429, True),
        ("BadRequestException", 400, False),
        ("NotFoundException", 404, False),
        ("ForbiddenException", 403, False),
        ("MessageRejected", 400, False),
        ("AccountSuspendedException", 400, False),
        ("SendingPausedException", 400, False),
        ("MailFromDomainNotVerifiedException", 400, False),
        ("BadRequestException", 500, False),
        ("SomethingNew", 400, False),
        ("SomethingNew", None, False),
    ],
)
def test_classification(code: str, status: int | None, retryable: bool) -> None:
    assert is_retryable_error_code(code, status) is retryable


def test_pinpoint_throttling_is_retryable_and_keeps_code_message_status_request_id(
    pinpoint_client: Any, pinpoint_stub: Stubber
) -> None:
    pinpoint_stub.add_client_error(
        "send_messages",
        service_error_code="TooManyRequestsException",
        service_message="Rate exceeded",
        http_status_code=429,
        response_meta={"RequestId": "rid-42"},
    )
    with pytest.raises(RetryableEmailApiError) as caught:
        PinpointEmailSender(pinpoint_client, APP_ID).send_to_addresses(MESSAGE, ["a@example.com"])
    error = caught.value
    assert isinstance(error, EmailApiError) and isinstance(error, EmailSendingError)
    assert (error.code, error.message, error.http_status, error.request_id) == (
        "TooManyRequestsException",
        "Rate exceeded",
        429,
        "rid-42",
    )
    assert error.retryable is True
    assert type(error.__cause__).__name__ == "TooManyRequestsException"
    assert "retryable" in str(error) and "rid-42" in str(error)


def test_server_error_with_unknown_code_is_retryable(
    sesv2_client: Any, sesv2_stub: Stubber
) -> None:
    sesv2_stub.add_client_error(
        "send_email", service_error_code="ServiceUnavailable", http_status_code=503
    )
    with pytest.raises(RetryableEmailApiError) as caught:
        SesV2EmailSender(sesv2_client, "from@example.com", max_send_rate=5).send_to_addresses(
            MESSAGE, ["a@example.com"]
        )
    assert caught.value.http_status == 503


class RaisingClient:
    """A client whose calls fail below HTTP, as botocore does on network trouble."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def send_email(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise self.error

    def send_bulk_email(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise self.error

    def send_messages(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise self.error

    def send_users_messages(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise self.error


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (EndpointConnectionError(endpoint_url="https://email.us-east-1.amazonaws.com"), True),
        (ReadTimeoutError(endpoint_url="https://pinpoint.us-east-1.amazonaws.com"), True),
        (NoCredentialsError(), False),
    ],
)
def test_errors_below_http_are_translated(error: Exception, expected: bool) -> None:
    expected_type = RetryableEmailApiError if expected else PermanentEmailApiError
    with pytest.raises(expected_type) as caught:
        SesV2EmailSender(
            RaisingClient(error), "from@example.com", max_send_rate=5
        ).send_to_addresses(MESSAGE, ["a@example.com"])
    assert caught.value.code == type(error).__name__
    assert caught.value.http_status is None
    assert caught.value.__cause__ is error
    with pytest.raises(expected_type):
        PinpointEmailSender(RaisingClient(error), APP_ID).send_to_endpoints(MESSAGE, ["ep"])
