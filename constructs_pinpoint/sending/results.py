"""Typed, immutable per-recipient results, identical in shape for every backend."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import overload

from .types import DeliveryBackend, RecipientKind

__all__ = ["DeliveryOutcome", "DeliveryResult", "RecipientKind", "SendReport"]


class DeliveryOutcome(StrEnum):
    """Per-recipient outcome; the values are Pinpoint's ``DeliveryStatus`` values.

    ``SUCCESSFUL`` means the service *accepted* the message for delivery (Pinpoint
    status SUCCESSFUL, or an SES v2 MessageId); bounces and complaints arrive
    later as events, not here.
    """

    SUCCESSFUL = "SUCCESSFUL"
    THROTTLED = "THROTTLED"
    """Pinpoint throttled this recipient: retry later."""
    TEMPORARY_FAILURE = "TEMPORARY_FAILURE"
    """A temporary error; Pinpoint does not retry by itself: retry later."""
    PERMANENT_FAILURE = "PERMANENT_FAILURE"
    """Delivery failed and will fail again; do not retry."""
    UNKNOWN_FAILURE = "UNKNOWN_FAILURE"
    """Unknown error, or no result was returned for this recipient. Not retried
    automatically: the message may have been sent."""
    OPT_OUT = "OPT_OUT"
    """The recipient opted out; do not retry."""
    DUPLICATE = "DUPLICATE"
    """Another recipient of the same request has the same address; that one
    received the message."""
    NOT_SENT = "NOT_SENT"
    """The send stopped (its deadline came) before this recipient was tried: nothing was
    sent to it, so sending it later cannot duplicate.  Not a Pinpoint status."""

    @classmethod
    def from_pinpoint(cls, status: object) -> DeliveryOutcome:
        """Map a Pinpoint ``DeliveryStatus``; unknown values map to UNKNOWN_FAILURE."""
        if isinstance(status, str):
            try:
                return cls(status)
            except ValueError:
                pass
        return cls.UNKNOWN_FAILURE

    @property
    def succeeded(self) -> bool:
        return self is DeliveryOutcome.SUCCESSFUL

    @property
    def retryable(self) -> bool:
        """True for THROTTLED, TEMPORARY_FAILURE and NOT_SENT only."""
        return self in (
            DeliveryOutcome.THROTTLED,
            DeliveryOutcome.TEMPORARY_FAILURE,
            DeliveryOutcome.NOT_SENT,
        )


@dataclass(frozen=True, kw_only=True)
class DeliveryResult:
    """The outcome of sending one message to one recipient.

    Attributes:
        recipient: the address, endpoint id or user id the caller passed.
        recipient_kind: which of the three ``recipient`` is.
        status: the outcome.
        message_id: the service's message id, when the message was accepted.
        status_message: the service's explanation, when it gave one.
        status_code: the downstream status code Pinpoint reports; 200 for an
            SES v2 message that was accepted.
        address: the e-mail address the message went (or would go) to, when
            known: the recipient itself for addresses, Pinpoint's reported
            address for endpoints and users.
        endpoint_id: for user recipients, the endpoint of the user this result
            is about (a user may have several).
        service_status: the per-entry status exactly as the service gave it, when it
            differs in detail from ``status`` (SES SendBulkEmail: ``SUCCESS``,
            ``MESSAGE_REJECTED``, ``ACCOUNT_THROTTLED``...).
        attempts: how many calls carried this recipient (more than one after the
            library retried a throttled or transient entry); 0 when NOT_SENT.
    """

    recipient: str
    recipient_kind: RecipientKind
    status: DeliveryOutcome
    message_id: str | None = None
    status_message: str | None = None
    status_code: int | None = None
    address: str | None = None
    endpoint_id: str | None = None
    service_status: str | None = field(default=None, compare=False)
    attempts: int = field(default=1, compare=False)

    @property
    def succeeded(self) -> bool:
        return self.status.succeeded

    @property
    def retryable(self) -> bool:
        """True if the status is THROTTLED, TEMPORARY_FAILURE or NOT_SENT."""
        return self.status.retryable

    @property
    def sent(self) -> bool:
        """True if the service accepted the message for this recipient."""
        return self.status.succeeded

    @property
    def unsent(self) -> bool:
        """True if the send stopped before this recipient was tried."""
        return self.status is DeliveryOutcome.NOT_SENT


@dataclass(frozen=True)
class SendReport(Sequence[DeliveryResult]):
    """The results of one ``send_to_*`` call, in recipient order.

    Behaves as an immutable sequence of :class:`DeliveryResult`, one per distinct
    recipient (per endpoint, for users).  Recipients that were given more than once
    appear once.  At a glance: :attr:`sent`, :attr:`failed` and :attr:`unsent`
    (and their ``*_count``), or :meth:`summary`.

    Attributes:
        results: the results, in recipient order.
        backend: the backend that sent.
        deadline_reached: True if the send stopped at its deadline; the recipients
            not tried are NOT_SENT results (:attr:`unsent`).
    """

    results: tuple[DeliveryResult, ...]
    backend: DeliveryBackend
    deadline_reached: bool = False

    @overload
    def __getitem__(self, index: int) -> DeliveryResult: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[DeliveryResult, ...]: ...

    def __getitem__(self, index: int | slice) -> DeliveryResult | tuple[DeliveryResult, ...]:
        return self.results[index]

    def __len__(self) -> int:
        return len(self.results)

    def __iter__(self) -> Iterator[DeliveryResult]:
        return iter(self.results)

    @property
    def all_succeeded(self) -> bool:
        return all(result.succeeded for result in self.results)

    @property
    def succeeded(self) -> tuple[DeliveryResult, ...]:
        return tuple(result for result in self.results if result.succeeded)

    @property
    def sent(self) -> tuple[DeliveryResult, ...]:
        """Results the service accepted (same as :attr:`succeeded`)."""
        return self.succeeded

    @property
    def failed(self) -> tuple[DeliveryResult, ...]:
        """Results of recipients that were tried and not accepted (any status but
        SUCCESSFUL and NOT_SENT); see ``result.retryable``."""
        return tuple(
            result
            for result in self.results
            if not result.succeeded and result.status is not DeliveryOutcome.NOT_SENT
        )

    @property
    def unsent(self) -> tuple[DeliveryResult, ...]:
        """Results of recipients the send never tried (it stopped at its deadline)."""
        return tuple(result for result in self.results if result.unsent)

    @property
    def sent_count(self) -> int:
        return sum(1 for result in self.results if result.succeeded)

    @property
    def failed_count(self) -> int:
        return len(self.results) - self.sent_count - self.unsent_count

    @property
    def unsent_count(self) -> int:
        return sum(1 for result in self.results if result.unsent)

    def unsent_recipients(self) -> tuple[str, ...]:
        """Recipients never tried, once each, in order: send them again later."""
        return tuple(dict.fromkeys(result.recipient for result in self.unsent))

    def summary(self) -> str:
        """One line: ``"3 sent, 1 failed (1 retryable), 2 unsent (deadline) of 6 on sesv2"``."""
        failed = self.failed
        retryable = sum(1 for result in failed if result.retryable)
        text = (
            f"{self.sent_count} sent, {len(failed)} failed ({retryable} retryable), "
            f"{self.unsent_count} unsent"
        )
        if self.deadline_reached:
            text += " (deadline)"
        return f"{text} of {len(self.results)} on {self.backend.value}"

    @property
    def retryable(self) -> tuple[DeliveryResult, ...]:
        return tuple(result for result in self.results if result.retryable)

    def recipients_to_retry(self) -> tuple[str, ...]:
        """Recipients with a retryable result, once each, in order."""
        return tuple(dict.fromkeys(result.recipient for result in self.retryable))
