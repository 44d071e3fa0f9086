"""Structural types for the boto3 clients the senders call.

Any object with these methods works: a boto3 client (typed by boto3-stubs or
not), or a test double.
"""

from __future__ import annotations

from typing import Any, Protocol

__all__ = ["PinpointClient", "SesV2Client"]


class PinpointClient(Protocol):
    """The part of ``boto3.client("pinpoint")`` the Pinpoint sender uses."""

    def send_messages(self, *args: Any, **kwargs: Any) -> Any: ...

    def send_users_messages(self, *args: Any, **kwargs: Any) -> Any: ...


class SesV2Client(Protocol):
    """The part of ``boto3.client("sesv2")`` the SES v2 sender uses."""

    def send_email(self, *args: Any, **kwargs: Any) -> Any: ...

    def send_bulk_email(self, *args: Any, **kwargs: Any) -> Any: ...
