"""Exceptions raised by the runtime sending module.

Every exception derives from :class:`EmailSendingError`, so callers can catch
the whole family with one ``except`` clause.  Problems with the input (message
content, recipients, arguments, configuration) are also :class:`ValueError`
subclasses; errors returned by the AWS API are :class:`EmailApiError` subclasses
that say whether a retry can help.
"""

from __future__ import annotations

from ._text import counted
from .results import SendReport
from .rules import a_type
from .types import DeliveryBackend, RecipientKind

__all__ = [
    "EmailApiError",
    "EmailMessageError",
    "EmailSendingError",
    "HeaderValueError",
    "PermanentEmailApiError",
    "PersonalizationError",
    "RecipientError",
    "RetryableEmailApiError",
    "SenderArgumentError",
    "SenderConfigError",
    "UnsupportedRecipientKindError",
    "is_retryable_error_code",
]


class EmailSendingError(Exception):
    """Base class of every exception raised by ``constructs_pinpoint.sending``."""


class EmailMessageError(EmailSendingError, ValueError):
    """An :class:`~constructs_pinpoint.sending.EmailMessage` is invalid.

    Raised when the message is constructed, so an invalid message never reaches
    an AWS API.
    """


class RecipientError(EmailMessageError):
    """The recipients passed to a ``send_to_*`` method are unusable.

    ``invalid`` lists the offending values (empty when the problem is that
    there are no recipients at all).
    """

    def __init__(self, message: str, invalid: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.invalid: tuple[str, ...] = invalid


class HeaderValueError(EmailMessageError):
    """A value that would be written into a mail header (the subject after substitution, a
    From/Reply-To address or display name, a title override) holds CR, LF or another control
    character.  Refused before any API call; ``value`` is the offending value."""

    def __init__(self, message: str, value: str) -> None:
        super().__init__(message)
        self.value: str = value


class PersonalizationError(EmailMessageError):
    """A per-recipient configuration (or the message's context or trace id) cannot be sent.

    Either it does not fit the message (substitutions for a raw MIME message) or the backend
    cannot express it (an SES tag with a character SES refuses, a body override on SES).
    ``recipient`` names the recipient whose configuration is refused (None for the message
    itself); ``backend`` is set when only that backend refuses it.  Raised before any call.
    """

    def __init__(
        self,
        message: str,
        *,
        recipient: str | None = None,
        backend: DeliveryBackend | None = None,
    ) -> None:
        super().__init__(message)
        self.recipient: str | None = recipient
        self.backend: DeliveryBackend | None = backend


class SenderConfigError(EmailSendingError, ValueError):
    """The environment does not describe a usable sender.

    ``variable`` names the environment variable that is missing or invalid.
    """

    def __init__(self, message: str, variable: str) -> None:
        super().__init__(message)
        self.variable: str = variable


class SenderArgumentError(EmailSendingError, ValueError):
    """An argument of a sender, the factory or a helper has the wrong type or value.

    ``argument`` names the parameter.
    """

    def __init__(self, message: str, argument: str) -> None:
        super().__init__(message)
        self.argument: str = argument


class UnsupportedRecipientKindError(EmailSendingError):
    """The backend cannot address this kind of recipient.

    Amazon SES has no Pinpoint endpoints or users: resolve them to e-mail
    addresses first and call ``send_to_addresses``.
    """

    def __init__(
        self, message: str, *, backend: DeliveryBackend, recipient_kind: RecipientKind
    ) -> None:
        super().__init__(message)
        self.backend: DeliveryBackend = backend
        self.recipient_kind: RecipientKind = recipient_kind


class EmailApiError(EmailSendingError):
    """An AWS API call failed as a whole (no per-recipient result exists).

    Attributes:
        backend: the backend whose API failed.
        operation: the API operation, e.g. ``"SendMessages"`` or ``"SendEmail"``.
        code: the service error code, unchanged (e.g. ``"TooManyRequestsException"``);
            for failures below the HTTP layer, the botocore exception class name.
        message: the service error message, unchanged.
        http_status: the HTTP status code, when there was an HTTP response.
        request_id: the AWS request id, when known.
        retryable: whether repeating the same call later can succeed.
        completed: results of the calls that had already succeeded before this
            one failed (a multi-call send stops at the first failed call).
        unsent: recipients that were not sent to because of this failure (the
            failed call's recipients and those of the calls not made).

    The original botocore exception is chained as ``__cause__``.
    """

    def __init__(
        self,
        *,
        backend: DeliveryBackend,
        operation: str,
        code: str,
        message: str,
        http_status: int | None,
        request_id: str | None,
        retryable: bool,
        completed: SendReport,
        unsent: tuple[str, ...],
    ) -> None:
        self.backend: DeliveryBackend = backend
        self.operation: str = operation
        self.code: str = code
        self.message: str = message
        self.http_status: int | None = http_status
        self.request_id: str | None = request_id
        self.retryable: bool = retryable
        self.completed: SendReport = completed
        self.unsent: tuple[str, ...] = unsent
        super().__init__(self._describe())

    def with_progress(self, completed: SendReport, unsent: tuple[str, ...]) -> EmailApiError:
        """The same failure (same class, same cause) with the progress of the whole send."""
        rebuilt = type(self)(
            backend=self.backend,
            operation=self.operation,
            code=self.code,
            message=self.message,
            http_status=self.http_status,
            request_id=self.request_id,
            retryable=self.retryable,
            completed=completed,
            unsent=unsent,
        )
        rebuilt.__cause__ = self.__cause__
        return rebuilt

    def _describe(self) -> str:
        status = f"HTTP {self.http_status}" if self.http_status is not None else "no HTTP response"
        kind = "retryable" if self.retryable else "permanent"
        text = (
            f"{self.operation} ({self.backend.value}) failed: {self.code}: {self.message} "
            f"[{status}, {kind}"
        )
        if self.request_id:
            text += f", request id {self.request_id}"
        text += "]"
        if len(self.completed):
            text += f"; {counted(len(self.completed), 'result')} from earlier calls in .completed"
        if self.unsent:
            text += f"; {counted(len(self.unsent), 'recipient')} not sent, listed in .unsent"
        return text


class RetryableEmailApiError(EmailApiError):
    """A throttling, server-side or network failure: retry later with backoff.

    For timeouts and 5xx errors the request may have been processed anyway, so
    a retry can deliver a message twice (at-least-once semantics).
    """


class PermanentEmailApiError(EmailApiError):
    """A failure that repeating the same request will not fix (bad request,
    missing or forbidden resource, rejected message, suspended account...)."""


# Error codes that mean "slow down": the sender backs off and repeats the call (_delivery).
THROTTLE_CODES = frozenset(
    {
        "TooManyRequestsException",
        "TooManyRequests",
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottled",
        "RequestThrottledException",
    }
)
# Error codes that mean "try again" on Pinpoint and SES v2, plus the generic AWS spellings.
# LimitExceededException is SES v2's answer when a sending quota is exhausted: it clears with
# time, so it is retryable.
_RETRYABLE_CODES = THROTTLE_CODES | frozenset(
    {
        "RequestLimitExceeded",
        "LimitExceededException",
        "InternalServerErrorException",
        "InternalServerError",
        "InternalFailure",
        "InternalError",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "RequestTimeout",
        "RequestTimeoutException",
    }
)

# Codes that are permanent whatever the HTTP status says.
_PERMANENT_CODES = frozenset(
    {
        "BadRequestException",
        "BadRequest",
        "NotFoundException",
        "NotFound",
        "ForbiddenException",
        "Forbidden",
        "AccessDenied",
        "AccessDeniedException",
        "MethodNotAllowedException",
        "PayloadTooLargeException",
        "ValidationException",
        "MessageRejected",
        "AccountSuspendedException",
        "SendingPausedException",
        "MailFromDomainNotVerifiedException",
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "ExpiredTokenException",
    }
)


def is_retryable_error_code(code: str, http_status: int | None) -> bool:
    """Classify an AWS error: ``True`` if a later retry of the same call can succeed.

    Known codes decide first; otherwise HTTP 429 and 5xx are retryable and
    everything else (4xx, or no status) is permanent.
    """
    if not isinstance(code, str):
        raise SenderArgumentError(
            f"code {code!r} is {a_type(code)}: give the AWS error code string", "code"
        )
    if http_status is not None and (
        not isinstance(http_status, int) or isinstance(http_status, bool)
    ):
        raise SenderArgumentError(
            f"http_status {http_status!r} is not an int: give the HTTP status code, or None",
            "http_status",
        )
    if code in _RETRYABLE_CODES:
        return True
    if code in _PERMANENT_CODES:
        return False
    if http_status is None:
        return False
    return http_status == 429 or http_status >= 500
