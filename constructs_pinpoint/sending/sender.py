"""The backend-neutral sender interface and the recipient checks every backend shares."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, runtime_checkable

from .addresses import AddressProblem, check_address
from .config import DeliveryBackend
from .errors import RecipientError
from .message import EmailMessage
from .results import RecipientKind, SendReport

__all__ = ["EmailSender", "normalize_addresses", "normalize_ids"]


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


def _as_list(values: Iterable[str], what: str) -> list[str]:
    if isinstance(values, str):
        return [values]
    if isinstance(values, bytes | bytearray):
        raise RecipientError(f"{what} must be strings, got bytes")
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
        try:
            check_address(value)
        except AddressProblem as problem:
            invalid.append(repr(value) if not isinstance(value, str) else value)
            problems.append(f"{value!r} ({problem})")
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
