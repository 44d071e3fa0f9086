"""Turn the string-typed properties CloudFormation sends into a typed EmailChannelRequest."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from . import contract

_BOOLEANS = {"true": True, "false": False}
# The most of any one value (a property, a service message, an exception's text) a Reason quotes:
# a Reason lives in a 4096-byte body, and quoting a bounded prefix keeps building it linear.
MAX_QUOTED_CHARS = 1024
_PATH_SAFE_APPLICATION_ID = re.compile(contract.PATH_SAFE_APPLICATION_ID)


class InvalidProperties(ValueError):
    """The resource properties cannot make a valid UpdateEmailChannel request."""


def as_mapping(properties: Any) -> Mapping[str, Any]:
    """``ResourceProperties`` as a mapping; anything else is reported, never an AttributeError."""
    if properties is None:
        return {}
    if not isinstance(properties, Mapping):
        raise InvalidProperties(
            f"ResourceProperties must be a JSON object, got {type(properties).__name__}"
        )
    return properties


def application_id_problem(value: Any) -> str | None:
    """Why ``value`` must not be put into a Pinpoint request path, or None when it is safe."""
    if not isinstance(value, str):
        return f"{contract.PROP_APPLICATION_ID} must be a string, got {type(value).__name__}"
    if not _PATH_SAFE_APPLICATION_ID.fullmatch(value):
        return (
            f"{contract.PROP_APPLICATION_ID} {_shorten(value)!r} is not a Pinpoint application "
            "id: use the app's id (32 hexadecimal characters), e.g. PinpointApp.application_id"
        )
    return None


def strict_delete(properties: Mapping[str, Any]) -> bool:
    """True only when the user opted in: the value, trimmed and case-folded, is "true" (so
    " TRUE " and "True" are strict). Absent, "false", "yes" or anything else keeps the lenient
    default on Delete."""
    value = properties.get(contract.PROP_STRICT_DELETE)
    return isinstance(value, str) and _folded(value) == contract.STRICT_DELETE_ON


def _folded(value: str) -> str:
    # Cut before case-folding: a 32 KB value is never folded whole.
    return value.strip()[:64].casefold()


def bounded(value: Any, limit: int = MAX_QUOTED_CHARS) -> str:
    """At most ``limit`` characters of ``value`` (a prefix, marked " [...]" when cut).

    Linear in ``limit``, not in the value: longer text is sliced before anything else."""
    text = value if isinstance(value, str) else _safe_str(value)
    return text if len(text) <= limit else text[: max(0, limit - 6)] + " [...]"


def _safe_str(value: Any) -> str:
    try:
        return str(value)
    except Exception:  # a __str__ that raises
        return f"<{type(value).__name__}>"


@dataclass(frozen=True)
class ChannelSettings:
    application_id: str
    from_address: str
    identity: str
    enabled: bool
    configuration_set: str | None = None
    role_arn: str | None = None
    orchestration_sending_role_arn: str | None = None

    @classmethod
    def from_properties(cls, raw: Any) -> ChannelSettings:
        """Parse ``ResourceProperties``; every problem is reported at once, by property name."""
        properties = as_mapping(raw)
        problems: list[str] = []
        for name in contract.REQUIRED_PROPERTIES:
            value = properties.get(name)
            if value is None or (isinstance(value, str) and not value.strip()):
                problems.append(f"required property {name} is missing or empty")
            elif not isinstance(value, str):
                problems.append(_not_a_string(name, value))
        for name in contract.OPTIONAL_STRING_PROPERTIES:
            value = properties.get(name)
            if value is not None and not isinstance(value, str):
                problems.append(_not_a_string(name, value))
        application_id = properties.get(contract.PROP_APPLICATION_ID)
        if isinstance(application_id, str) and application_id.strip():
            problem = application_id_problem(application_id)
            if problem:
                problems.append(problem)
        enabled = _parse_bool(properties.get(contract.PROP_ENABLED, "true"), problems)
        strict = properties.get(contract.PROP_STRICT_DELETE)
        if strict is not None and (not isinstance(strict, str) or _folded(strict) not in _BOOLEANS):
            problems.append(
                f'property {contract.PROP_STRICT_DELETE} must be "true" or "false" (or absent), '
                f"got {_short_repr(strict)}"
            )
        if problems:
            raise InvalidProperties("; ".join(problems))
        return cls(
            application_id=properties[contract.PROP_APPLICATION_ID],
            from_address=properties[contract.PROP_FROM_ADDRESS],
            identity=properties[contract.PROP_IDENTITY],
            enabled=enabled,
            configuration_set=properties.get(contract.PROP_CONFIGURATION_SET) or None,
            role_arn=properties.get(contract.PROP_ROLE_ARN) or None,
            orchestration_sending_role_arn=(
                properties.get(contract.PROP_ORCHESTRATION_SENDING_ROLE_ARN) or None
            ),
        )

    def email_channel_request(self) -> dict[str, Any]:
        """The full EmailChannelRequest: Pinpoint requires FromAddress and Identity every time."""
        request: dict[str, Any] = {
            "FromAddress": self.from_address,
            "Identity": self.identity,
            "Enabled": self.enabled,
        }
        if self.configuration_set:
            request["ConfigurationSet"] = self.configuration_set
        if self.role_arn:
            request["RoleArn"] = self.role_arn
        if self.orchestration_sending_role_arn:
            request["OrchestrationSendingRoleArn"] = self.orchestration_sending_role_arn
        return request


def _not_a_string(name: str, value: Any) -> str:
    return (
        f"{name} must be a string, got {type(value).__name__} {_short_repr(value)}: "
        "CloudFormation passes every custom-resource property as a string"
    )


def _shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _short_repr(value: Any, limit: int = 80) -> str:
    """``repr`` of a bounded prefix: repr of a 32 KB string is never built whole."""
    if isinstance(value, str) and len(value) > limit:
        value = value[:limit]
    return _shorten(repr(value), limit)


def _parse_bool(value: Any, problems: list[str]) -> bool:
    # CloudFormation delivers every custom-resource property as a string ("true"/"false").
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _BOOLEANS:
        return _BOOLEANS[value.strip().lower()]
    problems.append(
        f'property {contract.PROP_ENABLED} must be "true" or "false", got {_short_repr(value)}'
    )
    return True
