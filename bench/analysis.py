"""Read a synthesized cloud assembly: resource counts, sizes, assets, invocations, IAM sizes.

Used by ``bench/run.py`` and ``bench/iam_scale.py``; no CDK import (plain JSON reading).
"""

from __future__ import annotations

import io
import json
import re
import sys
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from constructs_pinpoint.handler.contract import (
    IAM_INLINE_POLICY_CHARS,
    IAM_MANAGED_POLICIES_PER_ROLE,
    IAM_MANAGED_POLICY_CHARS,
)

STACK_RESOURCE_LIMIT = 500
# IAM quotas (IAM and AWS STS quotas, "IAM object quotas"), characters without whitespace: the
# library's own (constructs_pinpoint/handler/contract.py, standard library only, no CDK import).
INLINE_ROLE_POLICY_LIMIT = IAM_INLINE_POLICY_CHARS  # aggregate of all inline policies of a role
MANAGED_POLICY_LIMIT = IAM_MANAGED_POLICY_CHARS  # each managed policy
MANAGED_POLICIES_PER_ROLE = IAM_MANAGED_POLICIES_PER_ROLE  # default quota (adjustable to 20)
CHANNEL_POLICY_PREFIX = "PinpointEmailChannelProviderChannelsPolicy"
DEFAULT_POLICY_PREFIX = "PinpointEmailChannelProviderRoleDefaultPolicy"

# Environments used to render intrinsic functions to the strings IAM would see.
TYPICAL_ENV = {"partition": "aws", "region": "eu-central-1", "account": "123456789012"}
LONGEST_ENV = {"partition": "aws-us-gov", "region": "us-gov-west-1", "account": "123456789012"}


@dataclass
class PolicyInfo:
    logical_id: str
    type: str
    roles: list[str]
    chars: int
    statements: int
    resources: list[str] = field(default_factory=list)


@dataclass
class IamReport:
    policies: list[PolicyInfo]
    inline_chars_by_role: dict[str, int]
    managed_count_by_role: dict[str, int]
    max_managed_chars: int
    fits: bool
    problems: list[str]


def load_template(outdir: Path, stack: str = "Bench") -> dict[str, Any]:
    return json.loads((outdir / f"{stack}.template.json").read_text())


def asset_bytes(outdir: Path, stack: str = "Bench") -> tuple[int, int, int]:
    """(files, bytes of the files, bytes zipped with deflate) over the stack's file assets,
    the template itself excluded."""
    manifest = json.loads((outdir / f"{stack}.assets.json").read_text())
    files = raw = 0
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for asset_hash, asset in sorted(manifest.get("files", {}).items()):
            source = asset["source"]["path"]
            if source.endswith(".template.json"):
                continue
            path = outdir / source
            paths = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
            for item in paths:
                data = item.read_bytes()
                files += 1
                raw += len(data)
                archive.writestr(
                    f"{asset_hash}/{item.relative_to(path) if path.is_dir() else item.name}", data
                )
    return files, raw, len(buffer.getvalue())


def channel_resources(template: dict[str, Any]) -> list[str]:
    return [
        logical_id
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] in ("AWS::Pinpoint::EmailChannel", "Custom::PinpointEmailChannel")
        or resource["Type"] == "Custom::AWS"
    ]


def invocations_per_event(template: dict[str, Any]) -> tuple[int, str]:
    """Lambda invocations CloudFormation causes per Create/Update/Delete of one channel, derived
    from the template: 0 for a native resource type; otherwise 1 for the ServiceToken function,
    plus 1 when that function is the Provider framework's onEvent (it invokes the user's on_event,
    named in its USER_ON_EVENT_FUNCTION_ARN), plus polling when an isComplete handler exists."""
    channels = channel_resources(template)
    if not channels:
        return 0, "no channel"
    resource = template["Resources"][channels[0]]
    if resource["Type"].startswith("AWS::"):
        return 0, "native resource type: CloudFormation calls Pinpoint itself"
    token = resource["Properties"]["ServiceToken"]
    function_id = token.get("Fn::GetAtt", [None])[0] if isinstance(token, dict) else None
    function = template["Resources"].get(function_id or "", {})
    variables = function.get("Properties", {}).get("Environment", {}).get("Variables", {})
    if "USER_IS_COMPLETE_FUNCTION_ARN" in variables:
        return 3, "framework onEvent + user onEvent + >=1 isComplete poll (state machine)"
    if "USER_ON_EVENT_FUNCTION_ARN" in variables:
        return 2, "framework onEvent Lambda (ServiceToken) invokes the user on_event Lambda"
    return 1, "the ServiceToken Lambda answers CloudFormation itself"


# --- IAM ----------------------------------------------------------------------------------------


def _suffix(logical_id: str) -> str:
    return "AbCdEfGhIjKl"  # the 12-character random suffix CloudFormation appends to names


def render(value: Any, template: dict[str, Any], env: dict[str, str], stack: str = "Bench") -> Any:
    """Resolve the intrinsics of ``value`` to the literal strings IAM would store."""
    if isinstance(value, list):
        return [render(v, template, env, stack) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        ((key, arg),) = value.items()
        if key == "Ref":
            pseudo = {
                "AWS::Partition": env["partition"],
                "AWS::Region": env["region"],
                "AWS::AccountId": env["account"],
                "AWS::URLSuffix": "amazonaws.com",
                "AWS::StackName": stack,
                # Worst case: a 128-character stack name and CloudFormation's stack UUID.
                "AWS::StackId": (
                    f"arn:{env['partition']}:cloudformation:{env['region']}:{env['account']}:"
                    f"stack/{stack:x<128}/00000000-0000-0000-0000-000000000000"
                ),
            }
            if arg in pseudo:
                return pseudo[arg]
            return f"{stack}-{arg}-{_suffix(arg)}"
        if key == "Fn::GetAtt":
            return _attribute(arg[0], arg[1], template, env, stack)
        if key == "Fn::Join":
            separator, parts = arg
            return separator.join(str(render(p, template, env, stack)) for p in parts)
        if key == "Fn::Sub":
            text = arg if isinstance(arg, str) else arg[0]
            variables = {} if isinstance(arg, str) else arg[1]
            return re.sub(
                r"\$\{([^}]+)\}",
                lambda m: str(
                    render(variables[m[1]], template, env, stack)
                    if m[1] in variables
                    else render({"Ref": m[1]}, template, env, stack)
                ),
                text,
            )
    return {k: render(v, template, env, stack) for k, v in value.items()}


def _attribute(
    logical_id: str, attribute: str, template: dict[str, Any], env: dict[str, str], stack: str
) -> str:
    resource_type = template["Resources"].get(logical_id, {}).get("Type", "")
    name = f"{stack}-{logical_id}-{_suffix(logical_id)}"
    prefix = f"arn:{env['partition']}"
    if resource_type == "AWS::Logs::LogGroup":
        return f"{prefix}:logs:{env['region']}:{env['account']}:log-group:{name}:*"
    if resource_type == "AWS::Lambda::Function":
        return f"{prefix}:lambda:{env['region']}:{env['account']}:function:{name}"
    if resource_type == "AWS::IAM::Role":
        return f"{prefix}:iam::{env['account']}:role/{name}"
    if resource_type == "AWS::Pinpoint::App" and attribute == "Arn":
        return f"{prefix}:mobiletargeting:{env['region']}:{env['account']}:apps/{'0' * 32}"
    return f"{prefix}:unknown:{env['region']}:{env['account']}:{name}/{attribute}"


def _role_ids(roles: list[Any]) -> list[str]:
    return [r["Ref"] if isinstance(r, dict) and "Ref" in r else str(r) for r in roles]


def iam_report(template: dict[str, Any], env: dict[str, str]) -> IamReport:
    """Render every AWS::IAM::Policy / ManagedPolicy and check IAM's size and count quotas."""
    policies: list[PolicyInfo] = []
    inline: Counter[str] = Counter()
    managed: Counter[str] = Counter()
    problems: list[str] = []
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] not in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            continue
        properties = resource["Properties"]
        document = render(properties["PolicyDocument"], template, env)
        chars = len(json.dumps(document, separators=(",", ":")))
        roles = _role_ids(properties.get("Roles", []))
        statements = document.get("Statement", [])
        resources = [
            r
            for s in statements
            for r in (
                s.get("Resource") if isinstance(s.get("Resource"), list) else [s.get("Resource")]
            )
            if isinstance(r, str)
        ]
        policies.append(
            PolicyInfo(logical_id, resource["Type"], roles, chars, len(statements), resources)
        )
        for role in roles:
            if resource["Type"] == "AWS::IAM::Policy":
                inline[role] += chars
            else:
                managed[role] += 1
        if resource["Type"] == "AWS::IAM::ManagedPolicy" and chars > MANAGED_POLICY_LIMIT:
            problems.append(
                f"{logical_id}: {chars} chars > {MANAGED_POLICY_LIMIT} (managed policy)"
            )
    for role_id, role in template["Resources"].items():
        if role["Type"] != "AWS::IAM::Role":
            continue
        for embedded in role["Properties"].get("Policies", []):
            inline[role_id] += len(
                json.dumps(render(embedded["PolicyDocument"], template, env), separators=(",", ":"))
            )
        managed[role_id] += len(role["Properties"].get("ManagedPolicyArns", []))
    for role, chars in inline.items():
        if chars > INLINE_ROLE_POLICY_LIMIT:
            problems.append(
                f"role {role}: inline policies {chars} chars > {INLINE_ROLE_POLICY_LIMIT}"
            )
    for role, count in managed.items():
        if count > MANAGED_POLICIES_PER_ROLE:
            problems.append(
                f"role {role}: {count} managed policies > {MANAGED_POLICIES_PER_ROLE} "
                "(default quota)"
            )
    max_managed = max((p.chars for p in policies if p.type == "AWS::IAM::ManagedPolicy"), default=0)
    return IamReport(policies, dict(inline), dict(managed), max_managed, not problems, problems)


def channel_arn_coverage(
    template: dict[str, Any], env: dict[str, str], channel_app_ids: list[str]
) -> tuple[int, int, list[str]]:
    """(apps whose exact channel ARN is granted, apps, wildcard resources on channel actions)."""
    granted: set[str] = set()
    wildcards: list[str] = []
    for resource in template["Resources"].values():
        if resource["Type"] not in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            continue
        document = render(resource["Properties"]["PolicyDocument"], template, env)
        for statement in document.get("Statement", []):
            actions = statement.get("Action", [])
            actions = actions if isinstance(actions, list) else [actions]
            if not any(a.startswith("mobiletargeting:") and "EmailChannel" in a for a in actions):
                continue
            resources = statement.get("Resource", [])
            for arn in resources if isinstance(resources, list) else [resources]:
                if "*" in arn:
                    wildcards.append(arn)
                match = re.search(r":apps/([0-9a-f]{32})/channels/email$", arn)
                if match:
                    granted.add(match[1])
    return len(granted & set(channel_app_ids)), len(channel_app_ids), wildcards


def function_depends_on_policies(template: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """For each Lambda function: the role policies (inline and managed) it does NOT depend on."""
    result = []
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] != "AWS::Lambda::Function":
            continue
        role = resource["Properties"].get("Role", {})
        role_id = role.get("Fn::GetAtt", [None])[0] if isinstance(role, dict) else None
        depends = resource.get("DependsOn", [])
        depends = set(depends if isinstance(depends, list) else [depends])
        missing = [
            pid
            for pid, policy in template["Resources"].items()
            if policy["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy")
            and role_id in _role_ids(policy["Properties"].get("Roles", []))
            and pid not in depends
        ]
        result.append((logical_id, missing))
    return result


def warnings(outdir: Path) -> list[str]:
    """The warning annotations left in the cloud assembly (acknowledged ones are removed): what
    ``cdk synth`` would print."""
    manifest = json.loads((outdir / "manifest.json").read_text())
    found = []
    for artifact in manifest.get("artifacts", {}).values():
        metadata = dict(artifact.get("metadata", {}))
        # Schema 55 moves a stack's metadata out of the manifest into its own file.
        if "additionalMetadataFile" in artifact:
            metadata.update(json.loads((outdir / artifact["additionalMetadataFile"]).read_text()))
        found += [
            f"{path}: {entry['data']}"
            for path, entries in metadata.items()
            for entry in entries
            if entry.get("type") == "aws:cdk:warning"
        ]
    return found


def shard_model(template: dict[str, Any]) -> tuple[int, int] | None:
    """(channels in the handler role's inline policy, channels per ChannelsPolicy<k>) of ours,
    read off a template with at least one full managed policy; None when it has none."""
    counts: dict[str, int] = {}
    for logical_id, resource in template["Resources"].items():
        if not logical_id.startswith((CHANNEL_POLICY_PREFIX, DEFAULT_POLICY_PREFIX)):
            continue
        for statement in resource["Properties"]["PolicyDocument"]["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else []
            if "mobiletargeting:UpdateEmailChannel" in actions:
                resources = statement["Resource"]
                counts[logical_id] = len(resources) if isinstance(resources, list) else 1
    inline = sum(c for lid, c in counts.items() if lid.startswith(DEFAULT_POLICY_PREFIX))
    managed = [c for lid, c in counts.items() if lid.startswith(CHANNEL_POLICY_PREFIX)]
    return (inline, max(managed)) if managed else None


def template_metrics(outdir: Path, stack: str = "Bench") -> dict[str, Any]:
    template_path = outdir / f"{stack}.template.json"
    template = load_template(outdir, stack)
    types = Counter(r["Type"] for r in template["Resources"].values())
    files, raw, zipped = asset_bytes(outdir, stack)
    invocations, why = invocations_per_event(template)
    iam = iam_report(template, TYPICAL_ENV)
    return {
        "resources": sum(types.values()),
        "types": dict(types),
        "lambdas": types.get("AWS::Lambda::Function", 0),
        "iam_inline": types.get("AWS::IAM::Policy", 0),
        "iam_managed": types.get("AWS::IAM::ManagedPolicy", 0),
        "template_bytes": template_path.stat().st_size,
        "asset_files": files,
        "asset_bytes": raw,
        "asset_zip_bytes": zipped,
        "invocations": invocations,
        "invocations_why": why,
        "iam_fits": iam.fits,
        "iam_problems": iam.problems,
        "iam_max_inline_chars": max(iam.inline_chars_by_role.values(), default=0),
        "iam_max_managed_chars": iam.max_managed_chars,
        "warnings": warnings(outdir),
        "shard_model": shard_model(template),
    }
