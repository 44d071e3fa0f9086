"""The backend-neutral e-mail message."""

from __future__ import annotations

import codecs
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from .addresses import AddressProblem, check_address, check_sender_address
from .errors import EmailMessageError
from .personalization import (
    check_header_text,
    check_subject_substitutions,
    normalize_context,
    normalize_substitutions,
)
from .rules import shorten

__all__ = ["DEFAULT_CHARSET", "EmailMessage"]

DEFAULT_CHARSET = "UTF-8"


def _no_substitutions() -> Mapping[str, Sequence[str]]:
    return MappingProxyType({})


def _no_context() -> Mapping[str, str]:
    return MappingProxyType({})


@dataclass(frozen=True, kw_only=True)
class EmailMessage:
    """An immutable e-mail message that every backend can send.

    Give either *simple* content — ``subject`` plus ``html_body`` and/or
    ``text_body``, encoded with ``charset`` — or ``raw_mime``, a complete MIME
    message as bytes (``email.message.EmailMessage().as_bytes()``).  Everything
    is checked here, so an invalid message never reaches AWS.

    Attributes:
        subject: subject line of a simple message (no line breaks).
        html_body: HTML part of a simple message.
        text_body: plain-text part of a simple message.
        charset: character set of the simple parts (default ``UTF-8``); every
            part must be encodable in it.
        raw_mime: a complete raw MIME message (headers, blank line, body).
        from_address: overrides the configured sender for this message; a
            verified address, optionally ``Name <address>``.
        reply_to_addresses: Reply-To addresses (a single string counts as one).
        feedback_forwarding_address: where bounces and complaints are forwarded.
        substitutions: Pinpoint-style message variables: ``{{Name}}`` in the
            subject or bodies is replaced by the value.  Values are lists, as in
            Pinpoint; a single string counts as a one-element list.  The SES v2
            backend uses the *first* value of each list.  Only for simple
            content.  A recipient's :class:`AddressConfiguration` substitutions override these.
        context: ``{key: value}`` attributes of the message: Pinpoint ``Context``, SES message
            tags (``DefaultEmailTags``; SES allows only ASCII letters, digits, ``_`` and ``-``).

    Values rendered into a header (the subject, substitution values used in the subject,
    addresses and display names) must not hold CR, LF or other control characters.

    Stored sequences are tuples and ``substitutions`` is a read-only mapping of
    tuples, so a message can be shared between threads and sends.

    Raises:
        EmailMessageError: on invalid content, naming the field and the value.
    """

    subject: str | None = None
    html_body: str | None = None
    text_body: str | None = None
    charset: str = DEFAULT_CHARSET
    raw_mime: bytes | None = None
    from_address: str | None = None
    reply_to_addresses: Sequence[str] = ()
    feedback_forwarding_address: str | None = None
    substitutions: Mapping[str, Sequence[str]] = field(
        default_factory=_no_substitutions, hash=False
    )
    context: Mapping[str, str] = field(default_factory=_no_context, hash=False)

    def __post_init__(self) -> None:
        if not isinstance(self.charset, str) or not self.charset.strip():
            raise EmailMessageError(f"charset must be a non-empty string, got {self.charset!r}")
        simple_given = any(
            part is not None for part in (self.subject, self.html_body, self.text_body)
        )
        if self.raw_mime is not None:
            if simple_given:
                raise EmailMessageError(
                    "give either raw_mime or simple content (subject/html_body/text_body), not both"
                )
            self._check_raw()
        elif not simple_given:
            raise EmailMessageError(
                "the message has no content: give subject plus html_body and/or text_body, "
                "or raw_mime"
            )
        else:
            self._check_simple()
        self._check_addresses()
        self._check_substitutions()

    @property
    def is_raw(self) -> bool:
        """True if the message is a raw MIME message."""
        return self.raw_mime is not None

    def _check_raw(self) -> None:
        raw = self.raw_mime
        if not isinstance(raw, bytes | bytearray | memoryview):
            raise EmailMessageError(
                f"raw_mime must be bytes (e.g. message.as_bytes()), got {type(raw).__name__}"
            )
        data = bytes(raw)
        if not data.strip():
            raise EmailMessageError("raw_mime is empty")
        if b"\n\n" not in data.replace(b"\r\n", b"\n"):
            raise EmailMessageError(
                "raw_mime has no blank line between headers and body; "
                "build it with email.message.EmailMessage and .as_bytes()"
            )
        object.__setattr__(self, "raw_mime", data)

    def _check_simple(self) -> None:
        subject = self.subject
        if not isinstance(subject, str) or not subject.strip():
            raise EmailMessageError(
                f"subject must be a non-empty string for a simple message, got {subject!r}"
            )
        check_header_text("subject", subject)
        if self.html_body is None and self.text_body is None:
            raise EmailMessageError("a simple message needs html_body and/or text_body")
        for name in ("html_body", "text_body"):
            body = getattr(self, name)
            if body is None:
                continue
            if not isinstance(body, str):
                raise EmailMessageError(f"{name} must be a string, got {type(body).__name__}")
            if not body:
                raise EmailMessageError(f"{name} is empty; leave it None to omit that part")
        charset = self.charset
        try:
            codecs.lookup(charset)
        except (LookupError, ValueError):
            raise EmailMessageError(f"charset {charset!r} is not a known character set") from None
        for name in ("subject", "html_body", "text_body"):
            value = getattr(self, name)
            if value is None:
                continue
            try:
                value.encode(charset)
            except UnicodeEncodeError as exc:
                raise EmailMessageError(
                    f"{name} contains {value[exc.start : exc.end]!r}, which charset "
                    f"{charset!r} cannot encode; use charset='UTF-8'"
                ) from None
            except (UnicodeError, LookupError) as exc:
                raise EmailMessageError(
                    f"charset {charset!r} cannot encode {name} ({exc}); use charset='UTF-8'"
                ) from None

    def _check_addresses(self) -> None:
        if self.from_address is not None:
            _checked("from_address", self.from_address, sender=True)
        replies = self.reply_to_addresses
        if isinstance(replies, str):
            replies = (replies,)
        elif not isinstance(replies, Sequence):
            raise EmailMessageError(
                f"reply_to_addresses must be a sequence of addresses, got {type(replies).__name__}"
            )
        for index, address in enumerate(replies):
            _checked(f"reply_to_addresses[{index}]", address, sender=True)
        object.__setattr__(self, "reply_to_addresses", tuple(replies))
        if self.feedback_forwarding_address is not None:
            _checked("feedback_forwarding_address", self.feedback_forwarding_address, sender=False)

    def _check_substitutions(self) -> None:
        normalized = normalize_substitutions(self.substitutions, "substitutions")
        if normalized and self.raw_mime is not None:
            raise EmailMessageError(
                "substitutions apply to simple content only; render raw_mime yourself"
            )
        object.__setattr__(self, "substitutions", normalized)
        if self.subject is not None:
            check_subject_substitutions("substitutions", self.subject, normalized)
        object.__setattr__(self, "context", normalize_context(self.context, "context"))


def _checked(what: str, value: object, *, sender: bool) -> None:
    try:
        if sender:
            check_sender_address(value)
        else:
            check_address(value)
    except AddressProblem as problem:
        raise EmailMessageError(
            f"{what} {shorten(value)} is not a valid e-mail address: {problem}"
        ) from None
