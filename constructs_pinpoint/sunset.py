"""What is still on Pinpoint email in a synthesized cloud assembly, and the next step for each.

``python -m constructs_pinpoint.sunset [CDK_OUT] [--json]`` (default ``cdk.out``) reads the
assembly's manifest.json and templates, nested stages included. It makes no AWS call and imports
no aws_cdk. Per stack it lists every Pinpoint email channel (ours, ``Custom::PinpointEmailChannel``,
and native, ``AWS::Pinpoint::EmailChannel``) and every Lambda function that still sends through
Pinpoint (``PINPOINT_EMAIL_BACKEND=pinpoint`` in its environment, or a ``mobiletargeting:Send*``
grant on its role), with the next migration step from docs/moving-to-ses.md.

Exit status: 0 when nothing is left on Pinpoint email, 1 when something is, 2 when the assembly
is missing, unreadable or invalid (one error line on stderr).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from .handler.contract import PROP_APPLICATION_ID, PROP_STRICT_DELETE, RESOURCE_TYPE
from .sending.config import ENV_APPLICATION_ID, ENV_BACKEND, DeliveryBackend

__all__ = [
    "EXIT_CLEAN",
    "EXIT_INVALID",
    "EXIT_REMAINING",
    "NATIVE_RESOURCE_TYPE",
    "AssemblyError",
    "Channel",
    "Sender",
    "StackInventory",
    "inventory",
    "main",
]

NATIVE_RESOURCE_TYPE = "AWS::Pinpoint::EmailChannel"
SEND_ACTIONS = ("mobiletargeting:SendMessages", "mobiletargeting:SendUsersMessages")
EXIT_CLEAN, EXIT_REMAINING, EXIT_INVALID = 0, 1, 2
# DeletionPolicy values under which removing the resource from a deployed stack makes no call.
_RETAINED = ("Retain", "RetainExceptOnCreate")

DOC = "docs/moving-to-ses.md"
# Anchors of the sections of DOC (GitHub's heading slugs); tests/test_sunset.py checks each.
STEP_SWITCH = f"{DOC}#step-1-switch-the-senders-to-ses-v2"
STEP_RETAIN = f"{DOC}#step-2-retain-the-channel"
STEP_REMOVE = f"{DOC}#step-3-remove-the-channel"
NATIVE_RETAIN = f"{DOC}#native-step-1-retain-every-cfnemailchannel"
NATIVE_SENDERS = f"{DOC}#native-step-2-move-the-senders-to-ses"
NATIVE_REMOVE = f"{DOC}#native-step-3-remove-the-cfnemailchannel"
ANCHORS = (STEP_SWITCH, STEP_RETAIN, STEP_REMOVE, NATIVE_RETAIN, NATIVE_SENDERS, NATIVE_REMOVE)

_SWITCH = "set delivery_backend=DeliveryBackend.SES_V2 on the EmailChannel, deploy"
_RETAIN = "set removal_policy=RemovalPolicy.RETAIN (or add RetainEmailChannels), deploy"
_REPLACE = "replace the EmailChannel by SesEmailSending, deploy (no Pinpoint call)"
_NATIVE_RETAIN = "add cdk.Aspects.of(scope).add(RetainEmailChannels()), deploy"
_NATIVE_SENDERS = "move the senders listed to SesEmailSending(...).configure_sender(fn), deploy"
_NATIVE_REMOVE = "remove the CfnEmailChannel from the code, deploy (retained: no Pinpoint call)"


class AssemblyError(Exception):
    """The directory is not a readable cloud assembly; the message says which file and why."""


@dataclass(frozen=True)
class Step:
    next: str
    then: str
    docs: str


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
class Sender:
    logical_id: str
    path: str | None
    backend: str | None  # PINPOINT_EMAIL_BACKEND as written, if literal
    application: str | None
    grants: list[str]  # "<action> (<policy logical id>)"
    step: Step


@dataclass
class StackInventory:
    stack: str
    template: str
    channels: list[Channel] = field(default_factory=list)
    senders: list[Sender] = field(default_factory=list)

    @property
    def remaining(self) -> int:
        return len(self.channels) + len(self.senders)


# --- reading the assembly -------------------------------------------------------------------


@dataclass(frozen=True)
class _Stack:
    name: str
    template_file: Path
    template: dict[str, Any]
    paths: dict[str, str]  # logical id -> construct path, from the stack's metadata


def _read_json(path: Path, what: str) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AssemblyError(f"{path}: no such file ({what})") from None
    except (OSError, UnicodeDecodeError) as error:
        raise AssemblyError(f"{path}: cannot read {what}: {error}") from None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise AssemblyError(
            f"{path}: not valid JSON ({error.msg}, line {error.lineno} column {error.colno}): "
            "synthesize again with `cdk synth`"
        ) from None
    if not isinstance(value, dict):
        raise AssemblyError(f"{path}: expected a JSON object ({what}), got {type(value).__name__}")
    return value


def _construct_paths(directory: Path, artifact: dict[str, Any]) -> dict[str, str]:
    """Construct paths by logical id, for display only: a missing or broken metadata file (the
    CLI writes it beside the template) leaves the paths out and is no error."""
    metadata = artifact.get("metadata")
    extra = artifact.get("additionalMetadataFile")
    if isinstance(extra, str):
        with contextlib.suppress(OSError, UnicodeDecodeError, json.JSONDecodeError):
            metadata = json.loads((directory / extra).read_text(encoding="utf-8"))
    paths: dict[str, str] = {}
    for path, entries in metadata.items() if isinstance(metadata, dict) else ():
        for entry in entries if isinstance(entries, list) else ():
            if isinstance(entry, dict) and entry.get("type") == "aws:cdk:logicalId":
                paths[str(entry.get("data"))] = _owner(str(path))
    return paths


def _owner(path: str) -> str:
    """The construct a reader wrote: ``Stack/Email``, not ``/Stack/Email/Resource/Default``."""
    path = path.lstrip("/")
    for suffix in ("/Resource/Default", "/Resource", "/Default"):
        if path.endswith(suffix):
            return path[: -len(suffix)]
    return path


def _stacks(directory: Path, depth: int = 0) -> Iterator[_Stack]:
    if depth > 20:
        raise AssemblyError(f"{directory}: nested assemblies more than 20 deep")
    manifest_path = directory / "manifest.json"
    if depth == 0 and not directory.is_dir():
        raise AssemblyError(
            f"{directory}: no cloud assembly there: run `cdk synth` first, or pass the "
            "directory it wrote (CDK_OUT)"
        )
    manifest = _read_json(manifest_path, "cloud assembly manifest")
    artifacts = manifest.get("artifacts", {})
    if not isinstance(artifacts, dict):
        raise AssemblyError(f"{manifest_path}: 'artifacts' is not an object")
    for artifact_id, artifact in artifacts.items():
        if not isinstance(artifact, dict):
            raise AssemblyError(f"{manifest_path}: artifact {artifact_id!r} is not an object")
        properties = artifact.get("properties") or {}
        if not isinstance(properties, dict):
            raise AssemblyError(f"{manifest_path}: properties of {artifact_id!r} not an object")
        kind = artifact.get("type")
        if kind == "aws:cloudformation:stack":
            template_file = properties.get("templateFile")
            if not isinstance(template_file, str):
                raise AssemblyError(f"{manifest_path}: stack {artifact_id!r} has no templateFile")
            path = directory / template_file
            template = _read_json(path, f"template of stack {artifact_id}")
            resources = template.get("Resources", {})
            if not isinstance(resources, dict) or not all(
                isinstance(r, dict) for r in resources.values()
            ):
                raise AssemblyError(f"{path}: 'Resources' is not an object of objects")
            name = artifact.get("displayName")
            paths = _construct_paths(directory, artifact)
            yield _Stack(name if isinstance(name, str) else artifact_id, path, template, paths)
        elif kind == "cdk:cloud-assembly":
            nested = properties.get("directoryName")
            if not isinstance(nested, str):
                raise AssemblyError(
                    f"{manifest_path}: nested assembly {artifact_id!r} has no directoryName"
                )
            yield from _stacks(directory / nested, depth + 1)


# --- rendering references -------------------------------------------------------------------


class _Template:
    """One stack's template, with the look-ups the inventory needs."""

    def __init__(self, stack: _Stack, exports: dict[str, tuple[_Template, Any]]) -> None:
        self.name = stack.name
        self.file = stack.template_file
        self.resources: dict[str, dict[str, Any]] = stack.template.get("Resources", {})
        parameters = stack.template.get("Parameters", {})
        self.parameters: dict[str, Any] = parameters if isinstance(parameters, dict) else {}
        self.exports = exports
        self.paths = stack.paths

    def of_type(self, resource_type: str) -> Iterator[tuple[str, dict[str, Any]]]:
        for logical_id, resource in self.resources.items():
            if resource.get("Type") == resource_type:
                yield logical_id, resource

    def path(self, logical_id: str) -> str | None:
        metadata = self.resources.get(logical_id, {}).get("Metadata")
        path = metadata.get("aws:cdk:path") if isinstance(metadata, dict) else None
        return _owner(path) if isinstance(path, str) else self.paths.get(logical_id)

    def properties(self, logical_id: str) -> dict[str, Any]:
        properties = self.resources.get(logical_id, {}).get("Properties")
        return properties if isinstance(properties, dict) else {}

    def resolve(self, value: Any) -> tuple[_Template, Any]:
        """Follow an ``Fn::ImportValue`` of a literal export name to the exporting stack."""
        if isinstance(value, dict) and set(value) == {"Fn::ImportValue"}:
            name = value["Fn::ImportValue"]
            if isinstance(name, str) and name in self.exports:
                return self.exports[name]
        return self, value

    def render(self, value: Any) -> str:
        """A reference as a reader writes it: ``!Ref X (AWS::Pinpoint::App)``,
        ``ssm:/name``, ``Stack: !Ref X`` for an import, ``${X.Arn}/messages`` for a join."""
        template, value = self.resolve(value)
        prefix = f"{template.name}: " if template is not self else ""
        if isinstance(value, dict) and set(value) == {"Ref"} and isinstance(value["Ref"], str):
            target = value["Ref"]
            parameter = template.parameters.get(target)
            if isinstance(parameter, dict) and "SSM::Parameter::Value" in str(
                parameter.get("Type")
            ):
                return f"{prefix}ssm:{parameter.get('Default', target)}"
            resource = template.resources.get(target)
            if resource is not None:
                return f"{prefix}!Ref {target} ({resource.get('Type')})"
            return f"{prefix}!Ref {target}"
        if isinstance(value, dict) and set(value) == {"Fn::GetAtt"}:
            return f"{prefix}!GetAtt {template._inline(value)[2:-1]}"
        return prefix + template._inline(value)

    def _inline(self, value: Any) -> str:
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
            if (
                function == "Fn::Join"
                and isinstance(argument, list)
                and len(argument) == 2
                and isinstance(argument[0], str)
                and isinstance(argument[1], list)
            ):
                return argument[0].join(self._inline(part) for part in argument[1])
            if function == "Fn::ImportValue":
                template, resolved = self.resolve(value)
                if template is not self:
                    return f"${{{template.name}: {template._inline(resolved)}}}"
        return json.dumps(value, sort_keys=True)

    def key(self, value: Any) -> str:
        """One string per distinct value, imports followed: matches a sender to its channel."""
        template, value = self.resolve(value)
        return f"{template.file}|{json.dumps(value, sort_keys=True)}"


def _templates(stacks: Sequence[_Stack]) -> list[_Template]:
    exports: dict[str, tuple[_Template, Any]] = {}
    templates = [_Template(stack, exports) for stack in stacks]
    for template, stack in zip(templates, stacks, strict=True):
        outputs = stack.template.get("Outputs", {})
        for output in outputs.values() if isinstance(outputs, dict) else ():
            export = output.get("Export") if isinstance(output, dict) else None
            name = export.get("Name") if isinstance(export, dict) else None
            if isinstance(name, str):
                exports[name] = (template, output.get("Value"))
    return templates


# --- what sends through Pinpoint ------------------------------------------------------------


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _grants_send(action: Any) -> bool:
    """``mobiletargeting:SendMessages`` and patterns that cover it (``mobiletargeting:*``,
    ``mobiletargeting:Send*``). A bare ``*`` is an administrator grant, not a sign of sending."""
    if not isinstance(action, str) or not action.lower().startswith("mobiletargeting:"):
        return False
    return any(fnmatchcase(send.lower(), action.lower()) for send in SEND_ACTIONS)


def _send_actions(document: Any) -> list[str]:
    if not isinstance(document, dict):
        return []
    found = []
    for statement in _as_list(document.get("Statement", [])):
        if isinstance(statement, dict) and statement.get("Effect") == "Allow":
            found += [a for a in _as_list(statement.get("Action", [])) if _grants_send(a)]
    return found


def _role_grants(template: _Template, role: str) -> list[str]:
    """Send grants reaching the role: its inline Policies, AWS::IAM::Policy and ManagedPolicy
    resources listing it in Roles, and managed policies of this template in its
    ManagedPolicyArns."""
    grants: list[str] = []
    role_properties = template.properties(role)
    for policy in _as_list(role_properties.get("Policies", [])):
        if isinstance(policy, dict):
            name = policy.get("PolicyName", "inline")
            grants += [
                f"{a} ({role} inline {name})" for a in _send_actions(policy.get("PolicyDocument"))
            ]
    attached = {
        arn["Ref"]
        for arn in _as_list(role_properties.get("ManagedPolicyArns", []))
        if isinstance(arn, dict) and isinstance(arn.get("Ref"), str)
    }
    for policy_type in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
        for logical_id, _ in template.of_type(policy_type):
            properties = template.properties(logical_id)
            if {"Ref": role} in _as_list(properties.get("Roles", [])) or logical_id in attached:
                actions = _send_actions(properties.get("PolicyDocument"))
                grants += [f"{action} ({logical_id})" for action in actions]
    return grants


def _function_role(template: _Template, properties: dict[str, Any]) -> str | None:
    role = properties.get("Role")
    if isinstance(role, dict):
        target = role.get("Fn::GetAtt")
        if isinstance(target, list) and len(target) == 2 and target[0] in template.resources:
            return str(target[0])
        if isinstance(target, str) and target.split(".")[0] in template.resources:
            return target.split(".")[0]
    return None


@dataclass(frozen=True)
class _Found:
    template: _Template
    logical_id: str
    backend: str | None
    application: Any
    grants: list[str]


def _senders(template: _Template) -> Iterator[_Found]:
    for logical_id, _ in template.of_type("AWS::Lambda::Function"):
        properties = template.properties(logical_id)
        environment = properties.get("Environment")
        variables = environment.get("Variables") if isinstance(environment, dict) else None
        variables = variables if isinstance(variables, dict) else {}
        backend = variables.get(ENV_BACKEND)
        backend = backend if isinstance(backend, str) else None
        role = _function_role(template, properties)
        grants = _role_grants(template, role) if role else []
        if backend == DeliveryBackend.PINPOINT.value or grants:
            yield _Found(template, logical_id, backend, variables.get(ENV_APPLICATION_ID), grants)


# --- the inventory --------------------------------------------------------------------------


def _channel_step(kind: str, retained: bool, senders_on_pinpoint: bool) -> Step:
    if kind == "custom":
        if senders_on_pinpoint:
            then = _REPLACE if retained else f"{_RETAIN}; then {_REPLACE}"
            return Step(_SWITCH, then, STEP_SWITCH)
        if not retained:
            return Step(_RETAIN, _REPLACE, STEP_RETAIN)
        return Step(_REPLACE, "nothing: the move is done", STEP_REMOVE)
    if not retained:
        return Step(_NATIVE_RETAIN, f"{_NATIVE_SENDERS}; then {_NATIVE_REMOVE}", NATIVE_RETAIN)
    if senders_on_pinpoint:
        return Step(_NATIVE_SENDERS, _NATIVE_REMOVE, NATIVE_SENDERS)
    return Step(_NATIVE_REMOVE, "nothing: the move is done", NATIVE_REMOVE)


def _sender_step(found: _Found, wired_by: Channel | None) -> Step:
    if found.backend == DeliveryBackend.PINPOINT.value:
        where = f" ({wired_by.path or wired_by.logical_id})" if wired_by else ""
        return Step(
            f"set delivery_backend=DeliveryBackend.SES_V2 on the EmailChannel that wires it"
            f"{where}, deploy: its environment and grant move to SES, its code does not change",
            "remove the channel (steps 2 and 3)",
            STEP_SWITCH,
        )
    if found.backend is not None:
        return Step(
            "remove the leftover mobiletargeting grant from its role, deploy: its environment "
            "sends through SES already",
            "nothing",
            NATIVE_SENDERS,
        )
    return Step(
        "wire it with SesEmailSending(...).configure_sender(function) and send with "
        "constructs_pinpoint.sending (or SES v2 SendEmail); drop its mobiletargeting grant",
        "remove the Pinpoint email channel it used",
        NATIVE_SENDERS,
    )


def inventory(cdk_out: Path) -> list[StackInventory]:
    """Every stack of the assembly at ``cdk_out`` (nested stages included), with what is still
    on Pinpoint email. Raises :class:`AssemblyError` when it cannot be read."""
    templates = _templates(list(_stacks(cdk_out)))

    found = [sender for template in templates for sender in _senders(template)]
    pinpoint_apps = {
        f.template.key(f.application) for f in found if f.backend == DeliveryBackend.PINPOINT.value
    }
    channel_apps = {
        template.key(template.properties(logical_id).get(PROP_APPLICATION_ID))
        for template in templates
        for resource_type in (RESOURCE_TYPE, NATIVE_RESOURCE_TYPE)
        for logical_id, _ in template.of_type(resource_type)
    }
    # A sender that matches no channel (a grant with no environment of ours, or an application
    # reference this assembly cannot follow, such as an SSM parameter) could use any of them:
    # every channel waits for it.
    unmatched = any(f.backend is None for f in found) or not pinpoint_apps <= channel_apps

    result: list[StackInventory] = []
    wiring: dict[str, Channel] = {}
    for template in templates:
        stack = StackInventory(template.name, str(template.file))
        for kind, resource_type in (("custom", RESOURCE_TYPE), ("native", NATIVE_RESOURCE_TYPE)):
            for logical_id, resource in template.of_type(resource_type):
                properties = template.properties(logical_id)
                application = properties.get(PROP_APPLICATION_ID)
                strict = properties.get(PROP_STRICT_DELETE)
                deletion = str(resource.get("DeletionPolicy", "Delete"))
                key = template.key(application)
                channel = Channel(
                    kind=kind,
                    type=resource_type,
                    logical_id=logical_id,
                    path=template.path(logical_id),
                    application=template.render(application),
                    deletion_policy=deletion,
                    update_replace_policy=str(resource.get("UpdateReplacePolicy", "Delete")),
                    strict_delete=None if strict is None else str(strict).lower() == "true",
                    step=_channel_step(
                        kind, deletion in _RETAINED, unmatched or key in pinpoint_apps
                    ),
                )
                if kind == "custom":
                    wiring.setdefault(key, channel)
                stack.channels.append(channel)
        result.append(stack)
    by_name = {stack.template: stack for stack in result}
    for f in found:
        wired_by = wiring.get(f.template.key(f.application)) if f.application else None
        by_name[str(f.template.file)].senders.append(
            Sender(
                logical_id=f.logical_id,
                path=f.template.path(f.logical_id),
                backend=f.backend,
                application=None if f.application is None else f.template.render(f.application),
                grants=f.grants,
                step=_sender_step(f, wired_by),
            )
        )
    return result


# --- output ---------------------------------------------------------------------------------


def _text(cdk_out: Path, stacks: list[StackInventory]) -> str:
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
        for sender in stack.senders:
            lines.append(
                f"  sender {sender.logical_id}  AWS::Lambda::Function  {sender.path or ''}"
            )
            if sender.backend is not None:
                lines.append(f"    {ENV_BACKEND}={sender.backend}")
            if sender.application is not None:
                lines.append(f"    application: {sender.application}")
            for grant in sender.grants:
                lines.append(f"    grant: {grant}")
            lines += _step_lines(sender.step)
    channels = sum(len(stack.channels) for stack in stacks)
    senders = sum(len(stack.senders) for stack in stacks)
    lines.append("")
    if channels + senders:
        lines.append(
            f"Still on Pinpoint email: {channels} channel(s), {senders} sender(s) "
            f"in {sum(1 for s in stacks if s.remaining)} of {len(stacks)} stack(s). See {DOC}."
        )
    else:
        lines.append(f"Nothing left on Pinpoint email in {len(stacks)} stack(s).")
    return "\n".join(lines)


def _step_lines(step: Step) -> list[str]:
    return [f"    next: {step.next}", f"    then: {step.then}", f"    see:  {step.docs}"]


def _json(cdk_out: Path, stacks: list[StackInventory]) -> str:
    remaining = sum(stack.remaining for stack in stacks)
    document = {
        "assembly": str(cdk_out),
        "remaining": remaining,
        "stacks": [
            {
                "stack": stack.stack,
                "template": stack.template,
                "channels": [asdict(channel) for channel in stack.channels],
                "senders": [asdict(sender) for sender in stack.senders],
            }
            for stack in stacks
        ],
    }
    return json.dumps(document, indent=2)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m constructs_pinpoint.sunset",
        description="List what a synthesized CDK app still has on Pinpoint email, and the next "
        "step of the move to SES for each. Reads the cloud assembly only: no AWS call.",
        epilog="exit status: 0 nothing left on Pinpoint email, 1 something is, 2 no readable "
        "cloud assembly",
    )
    parser.add_argument(
        "cdk_out",
        nargs="?",
        default="cdk.out",
        type=Path,
        metavar="CDK_OUT",
        help="the cloud assembly directory `cdk synth` wrote (default: cdk.out)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON for pipelines")
    arguments = parser.parse_args(argv)
    try:
        stacks = inventory(arguments.cdk_out)
    except AssemblyError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_INVALID
    render = _json if arguments.json else _text
    try:
        print(render(arguments.cdk_out, stacks))
        sys.stdout.flush()
    except BrokenPipeError:  # `| head`: the reader has what it wanted
        sys.stdout = None
    return EXIT_REMAINING if any(stack.remaining for stack in stacks) else EXIT_CLEAN


if __name__ == "__main__":
    sys.exit(main())
