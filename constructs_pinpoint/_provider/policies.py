"""The handler role's grants, and the one routine that shards them across IAM policies.

Each grant is an exact resource (no wildcard) of one statement kind (``Grant``): the channel
actions on ``<app arn>/channels/email``, ``iam:PassRole`` on a role passed to Pinpoint. (The
ownership tags are one fixed statement of the inline policy, not a grant per app.)
``Shards.place`` puts the resources of one channel or one role into the first policy with room
for them at their longest (``budget``): the role's inline policy (shared with the log,
DescribeStacks and ownership statements) until that family of grants first overflows it, then the
family's managed policies, one after another. IAM's limits (contract.py): 10,240 characters of
inline policy per role, 6,144 per managed policy, 10 managed policies per role; past them, synth
stops with a ``ConstructValidationError`` that says what does not fit.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..handler.contract import (
    CHANNEL_ACTIONS,
    IAM_MANAGED_POLICIES_PER_ROLE,
    IAM_MANAGED_POLICY_CHARS,
)

# Service Authorization Reference, "Actions, resources, and condition keys for Amazon Pinpoint":
# UpdateEmailChannel lists iam:PassRole as a dependent action, and its API operations table gives
# iam:PassedToService = mobiletargeting.amazonaws.com for Pinpoint's PassRole dependencies.
PASSED_TO_SERVICE = "mobiletargeting.amazonaws.com"


def statement(
    actions: Sequence[str], resources: list[Any], condition: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A statement as aws-cdk-lib's PolicyStatement renders it (one value: no list)."""
    rendered: dict[str, Any] = {"Action": actions[0] if len(actions) == 1 else list(actions)}
    if condition is not None:
        rendered["Condition"] = condition
    rendered["Effect"] = "Allow"
    rendered["Resource"] = resources[0] if len(resources) == 1 else resources
    return rendered


def document(statements: Iterable[dict[str, Any]]) -> dict[str, Any]:
    return {"Statement": list(statements), "Version": "2012-10-17"}


def chars(value: dict[str, Any]) -> int:
    """Characters IAM counts: the JSON without whitespace."""
    return len(json.dumps(value, separators=(",", ":")))


@dataclass(frozen=True)
class Grant:
    """One kind of statement of the handler role: its actions, and condition."""

    actions: tuple[str, ...]
    condition: dict[str, Any] | None = field(default=None, hash=False, compare=False)

    def statement(self, resources: list[Any]) -> dict[str, Any]:
        return statement(self.actions, resources, self.condition)

    @property
    def overhead(self) -> int:
        """The statement's characters besides its resources (each item_chars), the comma that
        separates it from the statement before included."""
        return chars(self.statement([]))


CHANNELS = Grant(CHANNEL_ACTIONS)
PASS_ROLE = Grant(("iam:PassRole",), {"StringEquals": {"iam:PassedToService": PASSED_TO_SERVICE}})
# The order statements are written in, in every policy.
GRANTS = (CHANNELS, PASS_ROLE)

Item = tuple[Grant, str, int]
"""One resource to grant: its statement, the resource (escaped), its characters at worst."""


class Shard:
    """One policy document of the role, filled up to ``limit`` characters at worst."""

    def __init__(self, limit: int, fixed: Sequence[dict[str, Any]] = (), worst: int = 0) -> None:
        """``fixed``: statements written before the grants; ``worst``: their characters at
        worst, the document's own included (default: as rendered)."""
        self.fixed = list(fixed)
        self.limit = limit
        self.used = worst or chars(document(self.fixed))
        self.resources: dict[Grant, list[str]] = {}

    def add(self, items: Sequence[Item]) -> bool:
        """Add every item, or none if they do not all fit."""
        cost = sum(item_chars for _, _, item_chars in items)
        cost += sum(grant.overhead for grant in {g for g, _, _ in items} - self.resources.keys())
        if self.used + cost > self.limit:
            return False
        self.used += cost
        for grant, resource, _ in items:
            self.resources.setdefault(grant, []).append(resource)
        return True

    def document(self) -> dict[str, Any]:
        statements = list(self.fixed)
        for grant in GRANTS:
            resources = self.resources.get(grant)
            if resources:
                statements.append(grant.statement(resources))
        return document(statements)


@dataclass(frozen=True)
class Family:
    """Managed policies of one kind of grant: ``<prefix><k>``, described by ``description``."""

    prefix: str
    description: str  # with {k}


CHANNEL_POLICIES = Family(
    "ChannelsPolicy", "Email channels {k} of the Custom::PinpointEmailChannel handler"
)
PASS_ROLE_POLICIES = Family(
    "PassRolePolicy", "Roles {k} the Custom::PinpointEmailChannel handler passes to Pinpoint"
)
FAMILIES = (CHANNEL_POLICIES, PASS_ROLE_POLICIES)

NewManaged = Callable[[Family, int, Shard], None]
TooMany = Callable[[str], Exception]


class Shards:
    """The role's inline policy, then managed policies per family, filled in order."""

    def __init__(self, inline: Shard, new_managed: NewManaged, too_many: TooMany) -> None:
        self.inline = inline
        self.managed: dict[Family, list[Shard]] = {family: [] for family in FAMILIES}
        self._new_managed = new_managed
        self._too_many = too_many

    def place(self, family: Family, items: Sequence[Item]) -> Shard:
        """Put ``items`` into one policy; returns it."""
        shards = self.managed[family]
        current = shards[-1] if shards else self.inline
        if current.add(items):
            return current
        count = sum(len(s) for s in self.managed.values())
        if count >= IAM_MANAGED_POLICIES_PER_ROLE:
            raise self._too_many(
                f"needs more than {IAM_MANAGED_POLICIES_PER_ROLE} managed policies (IAM's "
                f"default quota per role) of {IAM_MANAGED_POLICY_CHARS:,} characters each, "
                "counted with every ARN at its longest"
            )
        shard = Shard(IAM_MANAGED_POLICY_CHARS)
        if not shard.add(items):
            resources = ", ".join(resource for _, resource, _ in items)
            raise self._too_many(
                f"cannot grant {resources}: at its longest it does not fit in one managed policy "
                f"of {IAM_MANAGED_POLICY_CHARS:,} characters"
            )
        shards.append(shard)
        self._new_managed(family, len(shards), shard)
        return shard
