"""The enumerations every sending module shares, at the bottom of the import graph."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["DeliveryBackend", "RecipientKind"]


class DeliveryBackend(StrEnum):
    """Which AWS API delivers the e-mail."""

    PINPOINT = "pinpoint"
    """Amazon Pinpoint SendMessages / SendUsersMessages (end of support 2026-10-30)."""

    SES_V2 = "sesv2"
    """Amazon SES API v2 SendEmail, the replacement AWS recommends."""


class RecipientKind(StrEnum):
    """What a :attr:`DeliveryResult.recipient` string identifies."""

    ADDRESS = "address"
    """An e-mail address."""
    ENDPOINT = "endpoint"
    """A Pinpoint endpoint id."""
    USER = "user"
    """A Pinpoint user id (one result per endpoint of the user)."""
