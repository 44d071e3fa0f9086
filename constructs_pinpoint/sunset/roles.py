"""Which role each function uses, and every grant that reaches each role.

Roles of the assembly are keyed by (template file, logical id); roles defined outside it by
("name", role name), from a function's ``Role`` ARN or a policy's ``Roles: ["name"]``. Grants come
from ``AWS::IAM::Policy``, ``AWS::IAM::ManagedPolicy`` (its ``Roles``, or a role's
``ManagedPolicyArns``), ``AWS::IAM::RolePolicy``, a role's inline ``Policies``, and a SAM
function's ``Policies``. Standard library only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .assembly import AssemblyError, Template
from .iam import SAM_POLICY_TEMPLATES, Grant, grants_of, managed_policy
from .references import Assembly, get_att_target, location

__all__ = ["OUTSIDE", "RoleFacts", "Roles", "as_list", "sam_role"]


OUTSIDE = "the role's own policies"
_ROLE_NAME = re.compile(r":role/(?:[\x21-\x7e]*/)?([A-Za-z0-9_+=,.@-]{1,64})$")


# --- roles and grants -----------------------------------------------------------------------


@dataclass
class RoleFacts:
    name: str
    template: Template | None  # None: defined outside the assembly
    logical_id: str | None
    grants: list[Grant] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    functions: list[tuple[Template, str]] = field(default_factory=list)
    handler_only: bool = True


class Roles:
    """Every role a function uses or a policy names, keyed by (file, logical id) for roles of
    the assembly and by ("name", name) for roles defined outside it."""

    def __init__(self, assembly: Assembly) -> None:
        self.assembly = assembly
        self.roles: dict[tuple[str, str], RoleFacts] = {}
        self.by_name: dict[str, tuple[str, str]] = {}
        for template in assembly.templates:
            for logical_id, _ in template.of_type("AWS::IAM::Role"):
                key = (str(template.file), logical_id)
                self.roles[key] = RoleFacts(logical_id, template, logical_id)
                name = template.properties(logical_id).get("RoleName")
                if isinstance(name, str):
                    self.by_name[name] = key
        for template in assembly.templates:
            self._read(template)

    def key_of(self, template: Template, value: Any, where: str) -> tuple[str, str] | None:
        """The role a ``Role`` or ``Roles`` entry names: a GetAtt or Ref of a role of the
        assembly (imports followed), or an ARN or name of a role defined outside it."""
        source, value = self.assembly.resolve(template, value)
        target = get_att_target(value, where)
        if target is None and isinstance(value, dict) and set(value) == {"Ref"}:
            target = value["Ref"] if isinstance(value["Ref"], str) else None
        if target is not None and target in source.resources:
            key = (str(source.file), target)
            return key if key in self.roles else None
        text = self.assembly.inline(source, value) if not isinstance(value, str) else value
        match = _ROLE_NAME.search(text)
        name = match.group(1) if match else None
        if name is None and isinstance(value, str) and re.fullmatch(r"[\w+=,.@-]{1,64}", value):
            name = value
        if name is None or "$" in name or "{" in name:
            return None
        if name in self.by_name:
            return self.by_name[name]
        key = ("name", name)
        self.roles.setdefault(key, RoleFacts(name, None, None))
        return key

    def _attach(self, key: tuple[str, str] | None, found: tuple[list[Grant], list[str]]) -> None:
        if key is not None:
            self.roles[key].grants += found[0]
            self.roles[key].unknown += found[1]

    def _read(self, template: Template) -> None:
        managed: dict[str, tuple[list[Grant], list[str]]] = {}
        for logical_id, _ in template.of_type("AWS::IAM::ManagedPolicy"):
            where = location(template, logical_id)
            document = template.properties(logical_id).get("PolicyDocument")
            managed[logical_id] = grants_of(document, logical_id, where)
        for logical_id, _ in template.of_type("AWS::IAM::Role"):
            where = location(template, logical_id)
            facts = self.roles[(str(template.file), logical_id)]
            properties = template.properties(logical_id)
            for policy in as_list(properties.get("Policies", []), where, "Policies"):
                if not isinstance(policy, dict):
                    raise AssemblyError(f"{where}: an entry of Policies is not an object")
                name = policy.get("PolicyName", "inline")
                source = f"{logical_id} inline {name if isinstance(name, str) else 'policy'}"
                self._attach(
                    (str(template.file), logical_id),
                    grants_of(policy.get("PolicyDocument"), source, where),
                )
            for arn in as_list(properties.get("ManagedPolicyArns", []), where, "ManagedPolicyArns"):
                self._managed_arn(template, facts, arn, logical_id, managed, where)
        for logical_id, _ in template.of_type("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            where = location(template, logical_id)
            properties = template.properties(logical_id)
            found = managed.get(logical_id) or grants_of(
                properties.get("PolicyDocument"), logical_id, where
            )
            for role in as_list(properties.get("Roles", []), where, "Roles"):
                self._attach(self.key_of(template, role, where), found)
        for logical_id, _ in template.of_type("AWS::IAM::RolePolicy"):
            where = location(template, logical_id)
            properties = template.properties(logical_id)
            found = grants_of(properties.get("PolicyDocument"), logical_id, where)
            self._attach(self.key_of(template, properties.get("RoleName"), where), found)

    def _managed_arn(
        self,
        template: Template,
        facts: RoleFacts,
        arn: Any,
        role: str,
        managed: dict[str, tuple[list[Grant], list[str]]],
        where: str,
    ) -> None:
        source, value = self.assembly.resolve(template, arn)
        text = self.assembly.inline(source, value)
        if isinstance(value, dict) and set(value) == {"Ref"}:
            target = value["Ref"]
            if isinstance(target, str) and target in source.resources:
                if source is not template or target not in managed:
                    policy_where = location(source, target)
                    document = source.properties(target).get("PolicyDocument")
                    found = grants_of(document, target, policy_where)
                else:
                    found = managed[target]
                facts.grants += found[0]
                facts.unknown += found[1]
                return
        grants, unknown = managed_policy(text, f"ManagedPolicyArns of {role}")
        facts.grants += grants
        facts.unknown += unknown


def as_list(value: Any, where: str, what: str) -> list[Any]:
    if isinstance(value, list):
        return value
    if isinstance(value, dict) and len(value) == 1 and next(iter(value)).startswith("Fn::"):
        return []  # computed: nothing to read offline
    if isinstance(value, dict | str):
        return [value]
    raise AssemblyError(f"{where}: {what} is {type(value).__name__}, expected a list")


def sam_role(
    template: Template,
    logical_id: str,
    properties: dict[str, Any],
    roles: Roles,
    where: str,
) -> tuple[str, str]:
    """The role SAM makes for a function without ``Role``: named ``<LogicalId>Role``, with the
    function's ``Policies`` (managed policy names or ARNs, policy documents, policy templates)."""
    key = (str(template.file), f"{logical_id}Role")
    facts = roles.roles.setdefault(key, RoleFacts(f"{logical_id}Role", template, None))
    source = f"SAM Policies of {logical_id}"
    for policy in as_list(properties.get("Policies", []), where, "Policies"):
        if isinstance(policy, str):
            grants, unknown = managed_policy(policy, source)
        elif isinstance(policy, dict) and "Statement" in policy:
            grants, unknown = grants_of(policy, source, where)
        elif isinstance(policy, dict) and len(policy) == 1:
            ((name, _),) = policy.items()
            actions = SAM_POLICY_TEMPLATES.get(name, ())
            document = {"Statement": [{"Effect": "Allow", "Action": list(actions)}]}
            grants, unknown = grants_of(document, f"{source}: {name}", where)
            if name.startswith("Fn::"):
                unknown = [f"Policies computed by {name} ({source})"]
        else:
            raise AssemblyError(f"{where}: an entry of Policies is not a string or an object")
        facts.grants += grants
        facts.unknown += unknown
    return key
