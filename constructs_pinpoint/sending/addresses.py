"""Address checks that raise: the rules themselves live in :mod:`.rules`."""

from __future__ import annotations

from .errors import EmailSendingError
from .rules import MAX_ADDRESS_LENGTH, MAX_LOCAL_PART_LENGTH, address_reason, sender_reason

__all__ = [
    "MAX_ADDRESS_LENGTH",
    "MAX_LOCAL_PART_LENGTH",
    "AddressProblem",
    "check_address",
    "check_sender_address",
]


class AddressProblem(EmailSendingError, ValueError):
    """Why a string is not an acceptable address (the reason only, without the value)."""


def check_address(value: object) -> str:
    """Return ``value`` if it is a bare ``local@domain`` address, else raise
    :class:`AddressProblem` explaining what is wrong."""
    reason = address_reason(value)
    if reason is not None:
        raise AddressProblem(reason)
    assert isinstance(value, str)
    return value


def check_sender_address(value: object) -> str:
    """Like :func:`check_address`, but also accepts ``Display Name <address>``."""
    reason = sender_reason(value)
    if reason is not None:
        raise AddressProblem(reason)
    assert isinstance(value, str)
    return value
