"""Turn the string-typed properties CloudFormation sends into a typed EmailChannelRequest."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

REQUIRED = ("ApplicationId", "FromAddress", "Identity")
OPTIONAL = ("ConfigurationSet", "RoleArn", "OrchestrationSendingRoleArn")
_BOOLEANS = {"true": True, "false": False}


class InvalidProperties(ValueError):
    """The resource properties cannot make a valid UpdateEmailChannel request."""


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
    def from_properties(cls, properties: Mapping[str, Any]) -> ChannelSettings:
        """Parse ``ResourceProperties``; every problem is reported at once, by property name."""
        problems: list[str] = []
        for name in REQUIRED:
            value = properties.get(name)
            if not isinstance(value, str) or not value.strip():
                problems.append(f"required property {name} is missing or empty")
        for name in OPTIONAL:
            value = properties.get(name)
            if value is not None and not isinstance(value, str):
                problems.append(f"property {name} must be a string, got {type(value).__name__}")
        enabled = _parse_bool(properties.get("Enabled", "true"), problems)
        if problems:
            raise InvalidProperties("; ".join(problems))
        return cls(
            application_id=properties["ApplicationId"],
            from_address=properties["FromAddress"],
            identity=properties["Identity"],
            enabled=enabled,
            configuration_set=properties.get("ConfigurationSet") or None,
            role_arn=properties.get("RoleArn") or None,
            orchestration_sending_role_arn=properties.get("OrchestrationSendingRoleArn") or None,
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


def _parse_bool(value: Any, problems: list[str]) -> bool:
    # CloudFormation delivers every custom-resource property as a string ("true"/"false").
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _BOOLEANS:
        return _BOOLEANS[value.strip().lower()]
    problems.append(f'property Enabled must be "true" or "false", got {value!r}')
    return True
