"""The inventory's findings: what each kind records, and its next step. Standard library only."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .assembly import Template

__all__ = [
    "Channel",
    "Check",
    "Function",
    "FunctionFacts",
    "PinpointResource",
    "Role",
    "StackInventory",
    "Step",
]


@dataclass(frozen=True)
class Step:
    next: str
    then: str
    docs: str  # a section of the guide (guide.SECTIONS)


@dataclass(frozen=True)
class Channel:
    kind: str  # "custom" (ours) or "native"
    type: str
    logical_id: str
    path: str | None
    application: str
    deletion_policy: str
    update_replace_policy: str
    strict_delete: bool | None
    step: Step


@dataclass(frozen=True)
class PinpointResource:
    """An email campaign, an email template, or an event stream that carries only email."""

    kind: str  # "campaign", "email template", "event stream"
    type: str
    logical_id: str
    path: str | None
    application: str | None
    detail: str
    step: Step


@dataclass(frozen=True)
class Function:
    logical_id: str
    type: str  # AWS::Lambda::Function or AWS::Serverless::Function
    path: str | None
    backend: str | None  # PINPOINT_EMAIL_BACKEND as written, if literal
    application: str | None
    role: str | None  # the role's display name, when it holds email grants
    uses: list[str]  # what it does on Pinpoint email: "send", "campaign", "journey", ...
    step: Step


@dataclass(frozen=True)
class Role:
    name: str  # logical id, or the name of a role defined outside the assembly
    logical_id: str | None  # of the role, or of its first function (SAM, outside roles)
    path: str | None
    functions: list[str]  # "Stack: LogicalId", each function that uses the role
    grants: list[str]  # "<pattern> (<source>)"
    email_actions: list[str]
    keep: list[str]  # surviving actions (or wildcards covering some) to keep
    step: Step


@dataclass(frozen=True)
class Check:
    subject: str
    logical_id: str | None  # the resource the check is about
    reason: str
    step: Step


@dataclass
class StackInventory:
    stack: str
    template: str
    channels: list[Channel] = field(default_factory=list)
    resources: list[PinpointResource] = field(default_factory=list)
    functions: list[Function] = field(default_factory=list)
    roles: list[Role] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)

    @property
    def senders(self) -> list[Function]:
        """Functions that still send email through Pinpoint (environment or send grant)."""
        return [f for f in self.functions if "send" in f.uses]

    @property
    def remaining(self) -> int:
        return (
            len(self.channels)
            + len(self.resources)
            + len(self.functions)
            + len(self.roles)
            + len(self.checks)
        )


@dataclass
class FunctionFacts:
    template: Template
    logical_id: str
    type: str
    backend: str | None
    application: Any
    role: tuple[str, str] | None
    handler: bool  # our own channel handler
