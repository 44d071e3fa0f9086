"""Per-recipient personalization: :class:`AddressConfiguration` and the shared value checks.

Standard library only (plus our errors and rules), so the message types import without boto3.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from .errors import EmailMessageError, HeaderValueError
from .rules import a_type, control_character_reason, shorten

__all__ = [
    "AddressConfiguration",
    "Substitutions",
    "check_header_text",
    "normalize_context",
    "normalize_substitutions",
    "template_variables",
]

Substitutions = Mapping[str, Sequence[str]]

# A Pinpoint/SES (Handlebars) variable reference: {{Name}}, {{ Name }}, {{{Name}}}.
_VARIABLE = re.compile(r"\{\{\{?\s*([^{}\s]+)\s*\}?\}\}")


def template_variables(text: str) -> frozenset[str]:
    """The variable names ``{{Name}}`` that ``text`` references."""
    return frozenset(match.group(1) for match in _VARIABLE.finditer(text))


def check_header_text(what: str, value: str) -> None:
    """Refuse ``value`` (rendered into a header) if it holds CR, LF or another control character."""
    reason = control_character_reason(value)
    if reason is not None:
        raise HeaderValueError(f"{what} {shorten(value)} is refused: {reason}", value)


def check_subject_substitutions(
    what: str, subject: str, substitutions: Mapping[str, Sequence[str]]
) -> None:
    """Refuse substitution values that reach ``subject`` and hold control characters."""
    for name in sorted(template_variables(subject)):
        for value in substitutions.get(name, ()):
            check_header_text(f"{what}[{name!r}] (used in the subject)", value)


def _no_substitutions() -> Mapping[str, Sequence[str]]:
    return MappingProxyType({})


def _no_context() -> Mapping[str, str]:
    return MappingProxyType({})


def normalize_substitutions(given: object, what: str) -> Mapping[str, tuple[str, ...]]:
    """Pinpoint-style ``{name: [values]}`` (a string counts as one value), read-only, or raise."""
    if not isinstance(given, Mapping):
        raise EmailMessageError(
            f"{what} must be a mapping of name to values, got {type(given).__name__}"
        )
    normalized: dict[str, tuple[str, ...]] = {}
    for name, values in given.items():
        if not isinstance(name, str) or not name.strip():
            raise EmailMessageError(f"substitution names must be non-empty strings, got {name!r}")
        if any(ch in name for ch in "{}") or name != name.strip():
            raise EmailMessageError(
                f"substitution name {name!r} must not contain braces or surrounding "
                "whitespace (write the name only: 'FirstName' for {{FirstName}})"
            )
        if isinstance(values, str):
            values = (values,)
        if not isinstance(values, Sequence) or not values:
            raise EmailMessageError(
                f"{what}[{name!r}] must be a non-empty list of strings, got {shorten(values)}"
            )
        if not all(isinstance(value, str) for value in values):
            raise EmailMessageError(
                f"{what}[{name!r}] must contain strings only, got {shorten(values)}"
            )
        normalized[name] = tuple(values)
    return MappingProxyType(normalized)


def normalize_context(given: object, what: str) -> Mapping[str, str]:
    """A ``{key: value}`` mapping of non-empty string keys to strings, read-only, or raise.

    The keys and values are checked against a backend's rules (SES tags) when sending.
    """
    if not isinstance(given, Mapping):
        raise EmailMessageError(
            f"{what} must be a mapping of string keys to string values, got {type(given).__name__}"
        )
    normalized: dict[str, str] = {}
    for key, value in given.items():
        if not isinstance(key, str) or not key or key != key.strip():
            raise EmailMessageError(
                f"{what} keys must be non-empty strings without surrounding whitespace, "
                f"got {shorten(key)}"
            )
        if not isinstance(value, str):
            raise EmailMessageError(
                f"{what}[{key!r}] must be a string, got {shorten(value)} ({a_type(value)})"
            )
        normalized[key] = value
    return MappingProxyType(normalized)


@dataclass(frozen=True, kw_only=True)
class AddressConfiguration:
    """How one recipient's copy differs from the message (Pinpoint's ``AddressConfiguration`` /
    ``EndpointSendConfiguration``).  Pass a mapping recipient → configuration to ``send_to_*``.

    Attributes:
        substitutions: ``{name: [values]}`` for this recipient; a name given here overrides the
            message's value of that name (the others still apply).
        context: ``{key: value}`` for this recipient, added to (and overriding) the message's
            context: Pinpoint ``Context``, SES message tags.
        title_override: this recipient's subject instead of the message's (no control
            characters; ``{{Name}}`` variables allowed).
        body_override: this recipient's body instead of the message's (Pinpoint only; the SES
            backend refuses it, see docs/sending.md).

    Raises:
        EmailMessageError: on an invalid value, naming the field.
    """

    substitutions: Mapping[str, Sequence[str]] = field(
        default_factory=_no_substitutions, hash=False
    )
    context: Mapping[str, str] = field(default_factory=_no_context, hash=False)
    title_override: str | None = None
    body_override: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "substitutions", normalize_substitutions(self.substitutions, "substitutions")
        )
        object.__setattr__(self, "context", normalize_context(self.context, "context"))
        title = self.title_override
        if title is not None:
            if not isinstance(title, str) or not title.strip():
                raise EmailMessageError(
                    f"title_override must be a non-empty string or None, got {shorten(title)}"
                )
            check_header_text("title_override", title)
            check_subject_substitutions("substitutions", title, self.substitutions)
        body = self.body_override
        if body is not None and (not isinstance(body, str) or not body):
            raise EmailMessageError(
                f"body_override must be a non-empty string or None, got {shorten(body)}"
            )

    @property
    def is_empty(self) -> bool:
        """True when this configuration changes nothing."""
        return not (
            self.substitutions
            or self.context
            or self.title_override is not None
            or self.body_override is not None
        )
