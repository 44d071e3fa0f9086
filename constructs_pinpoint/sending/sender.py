"""The backend-neutral sender interface and the recipient checks every backend shares."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, runtime_checkable

from .errors import EmailMessageError, RecipientError, SenderArgumentError
from .message import EmailMessage
from .results import RecipientKind, SendReport
from .rules import a_type, recipient_reason
from .types import DeliveryBackend

__all__ = ["EmailSender", "check_client", "check_message", "normalize_addresses", "normalize_ids"]


@runtime_checkable
class EmailSender(Protocol):
    """Sends an :class:`EmailMessage`; implemented by every backend.

    Every method checks all recipients before calling AWS, and returns one
    :class:`DeliveryResult` per distinct recipient (per endpoint, for users) in
    the order given.  A recipient given more than once is sent to once.  API
    failures raise :class:`EmailApiError`; per-recipient failures are results.
    """

    @property
    def backend(self) -> DeliveryBackend:
        """The backend this sender uses."""
        ...

    def send_to_addresses(self, message: EmailMessage, addresses: Iterable[str]) -> SendReport:
        """Send ``message`` to e-mail addresses (a single string counts as one)."""
        ...

    def send_to_endpoints(self, message: EmailMessage, endpoint_ids: Iterable[str]) -> SendReport:
        """Send ``message`` to Pinpoint endpoint ids (Pinpoint backend only)."""
        ...

    def send_to_users(self, message: EmailMessage, user_ids: Iterable[str]) -> SendReport:
        """Send ``message`` to all e-mail endpoints of Pinpoint users (Pinpoint backend only)."""
        ...


def check_message(message: object) -> EmailMessage:
    """``message`` if it is an :class:`EmailMessage`, else :class:`EmailMessageError`."""
    if not isinstance(message, EmailMessage):
        raise EmailMessageError(
            f"message {message!r} is {a_type(message)}: build an EmailMessage, e.g. "
            "EmailMessage(subject='Hi', text_body='Hello')"
        )
    return message


def check_client(client: object, service: str, *operations: str) -> None:
    """Refuse a ``client`` that lacks the operations a sender calls, before any send."""
    missing = [name for name in operations if not callable(getattr(client, name, None))]
    if missing:
        raise SenderArgumentError(
            f"client {type(client).__name__} has no {', '.join(missing)}: pass "
            f"boto3.client({service!r})",
            "client",
        )


def _as_list(values: Iterable[str], what: str) -> list[str]:
    if isinstance(values, str):
        return [values]
    if isinstance(values, bytes | bytearray) or not isinstance(values, Iterable):
        raise RecipientError(
            f"{what} {values!r} is {a_type(values)}: give a string or a list of strings"
        )
    return list(values)


def normalize_addresses(addresses: Iterable[str]) -> tuple[str, ...]:
    """Check e-mail recipients and drop repeats.

    Repeats are detected case-insensitively (mailbox providers treat addresses
    that way); the first spelling is kept.  Raises :class:`RecipientError`
    listing every invalid address, or if there is none at all.
    """
    candidates = _as_list(addresses, "addresses")
    if not candidates:
        raise RecipientError("no recipient addresses were given")
    problems: list[str] = []
    invalid: list[str] = []
    for value in candidates:
        reason = recipient_reason(value)
        if reason is not None:
            invalid.append(repr(value) if not isinstance(value, str) else value)
            problems.append(f"{value!r} ({reason})")
    if problems:
        raise RecipientError(
            f"{len(problems)} invalid recipient address(es): " + "; ".join(problems),
            tuple(invalid),
        )
    unique: dict[str, str] = {}
    for value in candidates:
        unique.setdefault(value.casefold(), value)
    return tuple(unique.values())


def normalize_ids(ids: Iterable[str], kind: RecipientKind) -> tuple[str, ...]:
    """Check endpoint or user ids (non-empty strings without surrounding
    whitespace) and drop exact repeats, keeping the order."""
    what = f"{kind.value} ids"
    candidates = _as_list(ids, what)
    if not candidates:
        raise RecipientError(f"no {what} were given")
    invalid = [
        value
        for value in candidates
        if not isinstance(value, str) or not value.strip() or value != value.strip()
    ]
    if invalid:
        raise RecipientError(
            f"invalid {what} (must be non-empty strings without surrounding whitespace): "
            + ", ".join(repr(value) for value in invalid),
            tuple(str(value) for value in invalid),
        )
    return tuple(dict.fromkeys(candidates))
