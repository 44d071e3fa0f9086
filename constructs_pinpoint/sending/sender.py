"""The backend-neutral sender interface and the recipient checks every backend shares."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol, runtime_checkable

from .errors import EmailMessageError, PersonalizationError, RecipientError, SenderArgumentError
from .message import EmailMessage
from .personalization import AddressConfiguration, check_subject_substitutions
from .results import RecipientKind, SendReport
from .rules import a_type, control_character_reason, recipient_reason, shorten
from .types import DeliveryBackend

__all__ = [
    "EmailSender",
    "LambdaContext",
    "Recipients",
    "SendDeadline",
    "check_client",
    "check_message",
    "check_personalization",
    "check_trace_id",
    "merged_substitutions",
    "normalize_addresses",
    "normalize_ids",
    "personalized_addresses",
    "personalized_ids",
]

Recipients = Iterable[str] | Mapping[str, AddressConfiguration | None]
"""Recipients of a ``send_to_*`` call: an iterable of ids/addresses, or a mapping of each to
its :class:`AddressConfiguration` (None: the message as it is)."""


class LambdaContext(Protocol):
    """What ``deadline=`` reads of a Lambda handler's ``context``."""

    def get_remaining_time_in_millis(self) -> int: ...


SendDeadline = LambdaContext | float | None
"""``deadline=`` of a ``send_to_*`` call: the Lambda ``context``, an absolute ``time.time()``
timestamp, or None (no deadline)."""


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

    def send_to_addresses(
        self,
        message: EmailMessage,
        addresses: Recipients,
        *,
        trace_id: str | None = None,
        deadline: SendDeadline = None,
    ) -> SendReport:
        """Send ``message`` to e-mail addresses (a single string counts as one), or to a
        mapping of address to :class:`AddressConfiguration`.

        ``deadline``: a Lambda ``context`` or a ``time.time()`` timestamp; the send stops
        before it and reports the recipients not tried as NOT_SENT.
        """
        ...

    def send_to_endpoints(
        self,
        message: EmailMessage,
        endpoint_ids: Recipients,
        *,
        trace_id: str | None = None,
        deadline: SendDeadline = None,
    ) -> SendReport:
        """Send ``message`` to Pinpoint endpoint ids (Pinpoint backend only)."""
        ...

    def send_to_users(
        self,
        message: EmailMessage,
        user_ids: Recipients,
        *,
        trace_id: str | None = None,
        deadline: SendDeadline = None,
    ) -> SendReport:
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


def _configurations(
    given: Mapping[Any, Any], what: str
) -> tuple[list[Any], dict[Any, AddressConfiguration]]:
    keys = list(given.keys())
    configs: dict[Any, AddressConfiguration] = {}
    wrong: list[str] = []
    for key, config in given.items():
        if config is None:
            continue
        if not isinstance(config, AddressConfiguration):
            wrong.append(f"{key!r}: {config!r} is {a_type(config)}")
            continue
        if not config.is_empty:
            configs[key] = config
    if wrong:
        raise RecipientError(
            f"{what} map each recipient to an AddressConfiguration (or None); got "
            + "; ".join(wrong),
            tuple(str(key) for key in keys),
        )
    return keys, configs


def _merge_repeats(
    keys: list[Any],
    configs: dict[Any, AddressConfiguration],
    fold: Any,
    kept: tuple[str, ...],
    what: str,
) -> dict[str, AddressConfiguration]:
    by_fold: dict[str, AddressConfiguration | None] = {}
    conflicts: list[str] = []
    for key in keys:
        folded = fold(key)
        config = configs.get(key)
        if folded in by_fold and by_fold[folded] != config:
            conflicts.append(repr(key))
        by_fold.setdefault(folded, config)
    if conflicts:
        raise RecipientError(
            f"{what} given more than once with different configurations: "
            + ", ".join(conflicts)
            + " (a repeated recipient is sent to once, so give it one configuration)",
            tuple(conflicts),
        )
    result: dict[str, AddressConfiguration] = {}
    for recipient in kept:
        config = by_fold.get(fold(recipient))
        if config is not None:
            result[recipient] = config
    return result


def personalized_addresses(
    addresses: Recipients,
) -> tuple[tuple[str, ...], dict[str, AddressConfiguration]]:
    """:func:`normalize_addresses` for an iterable, or a mapping address → configuration.

    Returns the distinct addresses in order and the non-empty configuration of each.
    """
    if not isinstance(addresses, Mapping):
        return normalize_addresses(addresses), {}
    keys, configs = _configurations(addresses, "addresses")
    kept = normalize_addresses(keys)
    return kept, _merge_repeats(keys, configs, str.casefold, kept, "addresses")


def personalized_ids(
    ids: Recipients, kind: RecipientKind
) -> tuple[tuple[str, ...], dict[str, AddressConfiguration]]:
    """:func:`normalize_ids` for an iterable, or a mapping id → configuration."""
    if not isinstance(ids, Mapping):
        return normalize_ids(ids, kind), {}
    keys, configs = _configurations(ids, f"{kind.value} ids")
    kept = normalize_ids(keys, kind)
    return kept, _merge_repeats(keys, configs, lambda key: key, kept, f"{kind.value} ids")


def merged_substitutions(
    message: EmailMessage, config: AddressConfiguration | None
) -> dict[str, tuple[str, ...]]:
    """The message's substitutions with the recipient's on top (the recipient's win)."""
    merged = {name: tuple(values) for name, values in message.substitutions.items()}
    if config is not None:
        merged.update((name, tuple(values)) for name, values in config.substitutions.items())
    return merged


def check_personalization(
    message: EmailMessage, configs: Mapping[str, AddressConfiguration]
) -> None:
    """Refuse configurations that do not fit ``message`` (before any call).

    Raw MIME has no substitutions, title or body to override; a substitution value that
    reaches the (overridden) subject must not hold CR, LF or other control characters.
    """
    for recipient, config in configs.items():
        if message.raw_mime is not None:
            given = [
                name
                for name, present in (
                    ("substitutions", bool(config.substitutions)),
                    ("title_override", config.title_override is not None),
                    ("body_override", config.body_override is not None),
                )
                if present
            ]
            if given:
                raise PersonalizationError(
                    f"recipient {recipient!r} has {', '.join(given)}, but the message is raw "
                    "MIME: render each recipient's raw_mime yourself (only context applies "
                    "to raw messages)",
                    recipient=recipient,
                )
            continue
        subject = config.title_override or message.subject or ""
        check_subject_substitutions(
            f"recipient {recipient!r} substitutions",
            subject,
            merged_substitutions(message, config),
        )


def check_trace_id(trace_id: object) -> str | None:
    """``trace_id`` if None or a non-empty string without control characters."""
    if trace_id is None:
        return None
    if not isinstance(trace_id, str) or not trace_id:
        raise SenderArgumentError(
            f"trace_id {shorten(trace_id)} is {a_type(trace_id)}: give a non-empty string or None",
            "trace_id",
        )
    reason = control_character_reason(trace_id)
    if reason is not None:
        raise SenderArgumentError(f"trace_id {shorten(trace_id)}: {reason}", "trace_id")
    return trace_id
