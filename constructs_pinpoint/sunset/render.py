"""The inventory as text for a reader, and as versioned JSON for a pipeline.

JSON schema (``schema_version`` 1; documented in the guide, section "JSON output"): an object
with ``schema_version``, ``assembly``, ``guide`` (the command that prints the guide),
``remaining`` (the number of findings), ``counts`` (findings by kind) and ``stacks``: one
object per template with ``stack``, ``template`` and the lists ``channels``, ``resources``,
``functions``, ``roles`` and ``checks``. Every finding has a ``step`` object with ``next``,
``then`` and ``docs`` (a section of the guide). A new key may appear within a version; a
renamed or removed key, or a changed meaning, bumps the version.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from ..handler.contract import MOVING_TO_SES_GUIDE_COMMAND
from ..sending._text import counted
from ..sending.config import ENV_BACKEND
from . import guide
from .model import StackInventory, Step

__all__ = ["SCHEMA_VERSION", "counts", "to_json", "to_text"]

SCHEMA_VERSION = 1


def counts(stacks: list[StackInventory]) -> dict[str, int]:
    return {
        "channels": sum(len(s.channels) for s in stacks),
        "resources": sum(len(s.resources) for s in stacks),
        "functions": sum(len(s.functions) for s in stacks),
        "roles": sum(len(s.roles) for s in stacks),
        "checks": sum(len(s.checks) for s in stacks),
    }


def _step_lines(step: Step) -> list[str]:
    return [f"    next: {step.next}", f"    then: {step.then}", f"    see:  {guide.see(step.docs)}"]


def to_text(cdk_out: Path | str, stacks: list[StackInventory]) -> str:
    lines = [f"Pinpoint email inventory of {cdk_out}"]
    for stack in stacks:
        lines.append("")
        if not stack.remaining:
            lines.append(f"{stack.stack}: nothing on Pinpoint email")
            continue
        lines.append(f"{stack.stack}:")
        for channel in stack.channels:
            what = "channel (ours)" if channel.kind == "custom" else "channel (native)"
            lines.append(f"  {what} {channel.logical_id}  {channel.type}  {channel.path or ''}")
            lines.append(f"    application: {channel.application}")
            policy = f"DeletionPolicy {channel.deletion_policy}"
            if channel.update_replace_policy != channel.deletion_policy:
                policy += f", UpdateReplacePolicy {channel.update_replace_policy}"
            if channel.strict_delete is not None:
                policy += f", StrictDelete {str(channel.strict_delete).lower()}"
            lines.append(f"    {policy}")
            lines += _step_lines(channel.step)
        for resource in stack.resources:
            lines.append(
                f"  {resource.kind} {resource.logical_id}  {resource.type}  {resource.path or ''}"
            )
            if resource.application is not None:
                lines.append(f"    application: {resource.application}")
            lines.append(f"    {resource.detail}")
            lines += _step_lines(resource.step)
        for function in stack.functions:
            what = "sender" if "send" in function.uses else "function"
            lines.append(f"  {what} {function.logical_id}  {function.type}  {function.path or ''}")
            if function.backend is not None:
                lines.append(f"    {ENV_BACKEND}={function.backend}")
            if function.application is not None:
                lines.append(f"    application: {function.application}")
            lines.append(f"    on Pinpoint email: {', '.join(function.uses) or 'nothing'}")
            if function.role is not None:
                lines.append(f"    role: {function.role}")
            lines += _step_lines(function.step)
        for role in stack.roles:
            lines.append(f"  role {role.name}  {role.path or ''}".rstrip())
            lines.append(f"    functions: {', '.join(role.functions) or 'none in the assembly'}")
            lines += [f"    grant: {grant}" for grant in role.grants]
            if role.keep:
                lines.append(f"    covers SMS, voice or push too: {', '.join(role.keep)}")
            lines += _step_lines(role.step)
        for check in stack.checks:
            lines.append(f"  check {check.subject}: {check.reason}")
            lines += _step_lines(check.step)
    total = counts(stacks)
    lines.append("")
    if sum(total.values()):
        found = ", ".join(
            counted(number, kind.removesuffix("s"), kind)
            for kind, number in total.items()
            if number
        )
        lines.append(
            f"Still on Pinpoint email: {found} in {sum(1 for s in stacks if s.remaining)} of "
            f"{counted(len(stacks), 'stack')}. The guide: {MOVING_TO_SES_GUIDE_COMMAND}"
        )
    else:
        lines.append(f"Nothing left on Pinpoint email in {counted(len(stacks), 'stack')}.")
    return "\n".join(lines)


def to_json(cdk_out: Path | str, stacks: list[StackInventory]) -> str:
    document = {
        "schema_version": SCHEMA_VERSION,
        "assembly": str(cdk_out),
        "guide": MOVING_TO_SES_GUIDE_COMMAND,
        "remaining": sum(stack.remaining for stack in stacks),
        "counts": counts(stacks),
        "stacks": [
            {
                "stack": stack.stack,
                "template": stack.template,
                "channels": [asdict(item) for item in stack.channels],
                "resources": [asdict(item) for item in stack.resources],
                "functions": [asdict(item) for item in stack.functions],
                "roles": [asdict(item) for item in stack.roles],
                "checks": [asdict(item) for item in stack.checks],
            }
            for stack in stacks
        ],
    }
    return json.dumps(document, indent=2)
