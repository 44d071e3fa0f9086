"""References between templates: imports, nested stacks' parameters, how a value reads.

Standard library only.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from .assembly import AssemblyError, Template

__all__ = ["Assembly", "get_att_target", "location"]


class Assembly:
    def __init__(self, templates: Sequence[Template]) -> None:
        self.templates = list(templates)
        self.exports: dict[str, tuple[Template, Any]] = {}
        for template in self.templates:
            outputs = template.data.get("Outputs", {})
            for output in outputs.values():
                export = output.get("Export") if isinstance(output, dict) else None
                name = export.get("Name") if isinstance(export, dict) else None
                if isinstance(name, str):
                    self.exports[name] = (template, output.get("Value"))

    def resolve(self, template: Template, value: Any) -> tuple[Template, Any]:
        """Follow an ``Fn::ImportValue`` of a literal export name to the exporting stack, and a
        nested stack's parameter to the value its parent passes."""
        for _ in range(10):
            if isinstance(value, dict) and set(value) == {"Fn::ImportValue"}:
                name = value["Fn::ImportValue"]
                if isinstance(name, str) and name in self.exports:
                    template, value = self.exports[name]
                    continue
            if isinstance(value, dict) and set(value) == {"Ref"} and template.parent is not None:
                name = value["Ref"]
                if isinstance(name, str) and name in template.passed:
                    template, value = template.parent, template.passed[name]
                    continue
            break
        return template, value

    def key(self, template: Template, value: Any) -> str:
        """One string per distinct value, imports followed: matches a sender to its channel."""
        template, value = self.resolve(template, value)
        return f"{template.file}|{json.dumps(value, sort_keys=True)}"

    def render(self, template: Template, value: Any) -> str:
        """A reference as a reader writes it: ``!Ref X (AWS::Pinpoint::App)``, ``ssm:/name``,
        ``Stack: !Ref X`` for an import, ``${X.Arn}/messages`` for a join."""
        source, value = self.resolve(template, value)
        prefix = f"{source.name}: " if source is not template else ""
        if isinstance(value, dict) and set(value) == {"Ref"} and isinstance(value["Ref"], str):
            target = value["Ref"]
            parameter = source.parameters.get(target)
            if isinstance(parameter, dict) and "SSM::Parameter::Value" in str(
                parameter.get("Type")
            ):
                return f"{prefix}ssm:{parameter.get('Default', target)}"
            resource = source.resources.get(target)
            if resource is not None:
                return f"{prefix}!Ref {target} ({resource['Type']})"
            return f"{prefix}!Ref {target}"
        if isinstance(value, dict) and set(value) == {"Fn::GetAtt"}:
            return f"{prefix}!GetAtt {self.inline(source, value)[2:-1]}"
        return prefix + self.inline(source, value)

    def inline(self, template: Template, value: Any) -> str:
        if isinstance(value, str):
            return value
        if isinstance(value, dict) and len(value) == 1:
            ((function, argument),) = value.items()
            if function == "Ref" and isinstance(argument, str):
                return f"${{{argument}}}"
            if function == "Fn::GetAtt" and isinstance(argument, list):
                return "${" + ".".join(str(part) for part in argument) + "}"
            if function == "Fn::GetAtt" and isinstance(argument, str):
                return f"${{{argument}}}"
            if function == "Fn::Sub" and isinstance(argument, str):
                return argument
            if (
                function == "Fn::Join"
                and isinstance(argument, list)
                and len(argument) == 2
                and isinstance(argument[0], str)
                and isinstance(argument[1], list)
            ):
                return argument[0].join(self.inline(template, part) for part in argument[1])
            if function == "Fn::ImportValue":
                source, resolved = self.resolve(template, value)
                if source is not template:
                    return f"${{{source.name}: {self.inline(source, resolved)}}}"
        return json.dumps(value, sort_keys=True)


def location(template: Template, logical_id: str) -> str:
    return f"{template.file}: resource {logical_id!r}"


def get_att_target(value: Any, where: str) -> str | None:
    """The logical id a ``Fn::GetAtt`` names, or None for any other value."""
    if not isinstance(value, dict) or set(value) != {"Fn::GetAtt"}:
        return None
    target = value["Fn::GetAtt"]
    if isinstance(target, str):
        return target.split(".", 1)[0]
    if (
        isinstance(target, list)
        and len(target) == 2
        and isinstance(target[0], str)
        and isinstance(target[1], str | dict)
    ):
        return target[0]
    raise AssemblyError(f"{where}: Fn::GetAtt takes [logical id, attribute], got {target!r:.80}")
