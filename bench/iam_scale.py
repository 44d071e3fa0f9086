#!/usr/bin/env python3
"""The handler role's policies as channels grow: IAM's quotas and CloudFormation's 500 resources.

    python bench/iam_scale.py            # ~1 min

Synthesizes ``ours`` (imported apps, validation off) at N = 10, 40, 41, 90, 91, 150, 450, the
largest N (CloudFormation's 500 resources bind before IAM's quotas) and that N + 1, plus the
largest N with the ``@aws-cdk/aws-iam:minimizePolicies`` feature flag on (``cdk init``'s default
for new projects).
For each it reports: the resources; the inline policy of the handler role (its DefaultPolicy)
rendered in IAM characters without whitespace, in the longest environment (aws-us-gov /
us-gov-west-1) and a typical one (aws / eu-central-1), against IAM's 10,240 per role; the managed
policies (``ChannelsPolicy<k>``): how many (10 per role by default), the largest in characters
(6,144 each) and in ARNs; whether every channel's exact ARN is granted with no wildcard (least
privilege); whether the handler function's DependsOn lists every policy of its role; and
whether the stack stays within 500 resources. One more case passes 100 distinct roles (names of
64 characters, the longest IAM allows) across 200 channels: the PassRole grants shard like the
channel ARNs (``PassRolePolicy<k>``), each with its ``iam:PassedToService`` condition.

The largest N is worked out from the library's sharding, read off the N = 150 template (channels
of the inline policy, channels per managed policy, at most 10 managed policies per role: IAM's
default quota) and the resource constant read off the N = 10
template, then verified with one synth at that N and one at N + 1 (which must fail).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))

import analysis  # noqa: E402
import run  # noqa: E402  (the shard model: no aws_cdk import)

PROVIDER_ROLE = "PinpointEmailChannelProviderRole"
MINIMIZE = "@aws-cdk/aws-iam:minimizePolicies=true"
FIXED_NS = (10, 40, 41, 90, 91, 150, 450)
ROLES = 100
WITH_ROLES_N = 200
# 200 channels on imported apps, 100 roles imported by name (64 characters), in one stack "Bench".
WITH_ROLES = f"""
import sys, aws_cdk as cdk
from aws_cdk import aws_iam as iam
from constructs_pinpoint import END_OF_SUPPORT_WARNING, EmailChannel, PinpointApp
app = cdk.App(outdir=sys.argv[1], analytics_reporting=False,
              builtin_cloud_formation_validation=False)
stack = cdk.Stack(app, "Bench")
roles = [iam.Role.from_role_name(stack, f"Role{{i}}", f"events-{{i:03d}}-".ljust(64, "r"))
         for i in range({ROLES})]
for i in range({WITH_ROLES_N}):
    EmailChannel(stack, f"Channel{{i}}",
                 application=PinpointApp.from_application_id(stack, f"App{{i}}", f"{{i + 1:032x}}"),
                 from_address="noreply@example.com",
                 identity="arn:aws:ses:us-east-1:123456789012:identity/example.com",
                 role=roles[i % {ROLES}])
cdk.Annotations.of(app).acknowledge_warning(END_OF_SUPPORT_WARNING, "bench")
app.synth()
"""


def synth(n: int, context: list[str], outdir: Path) -> tuple[bool, str]:
    env = dict(os.environ)
    node_bin = ROOT / "node_modules" / ".bin"
    env["PATH"] = f"{node_bin}{os.pathsep}{env.get('PATH', '')}"
    command = [
        sys.executable,
        str(BENCH_DIR / "synth_one.py"),
        "--design",
        "ours",
        "--n",
        str(n),
        "--validation",
        "off",
        "--outdir",
        str(outdir),
    ]
    for item in context:
        command += ["--context", item]
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    errors = [
        line.strip()
        for line in result.stderr.splitlines()
        if "Error" in line or "Number of resources" in line
    ]
    return result.returncode == 0, (errors[-1] if errors else result.stderr.strip()[-200:])


def synth_with_roles(outdir: Path) -> tuple[bool, str]:
    env = dict(os.environ)
    env["PATH"] = f"{ROOT / 'node_modules' / '.bin'}{os.pathsep}{env.get('PATH', '')}"
    command = [sys.executable, "-c", WITH_ROLES, str(outdir)]
    result = subprocess.run(command, env=env, capture_output=True, text=True, cwd=ROOT)
    return result.returncode == 0, result.stderr.strip()[-200:]


def predicted_max_n(constant: int, shards: tuple[int, int] | None) -> int:
    """Largest N with N + constant + managed policies(N) <= 500, within the role's IAM quotas."""
    n = analysis.STACK_RESOURCE_LIMIT - constant
    while n + constant + run.ours_managed_policies(n, shards) > analysis.STACK_RESOURCE_LIMIT:
        n -= 1
    by_iam = run.iam_max_n(shards)
    return n if by_iam is None else min(n, by_iam)


def measure(n: int, template: dict[str, Any]) -> dict[str, Any]:
    shard_model = analysis.shard_model(template)
    typical = analysis.iam_report(template, analysis.TYPICAL_ENV)
    longest = analysis.iam_report(template, analysis.LONGEST_ENV)
    covered, total, wildcards = analysis.channel_arn_coverage(
        template, analysis.TYPICAL_ENV, [f"{i + 1:032x}" for i in range(n)]
    )
    managed = [p for p in longest.policies if p.type == "AWS::IAM::ManagedPolicy"]
    return {
        "shard_model": shard_model,
        "resources": len(template["Resources"]),
        "inline_longest": max(longest.inline_chars_by_role.values(), default=0),
        "inline_typical": max(typical.inline_chars_by_role.values(), default=0),
        "managed": len(managed),
        "managed_per_role": max(longest.managed_count_by_role.values(), default=0),
        "managed_max_chars": max((p.chars for p in managed), default=0),
        "managed_max_arns": max((len(p.resources) for p in managed), default=0),
        "covered": covered,
        "passed_roles": sum(
            ":iam::" in arn for p in longest.policies for arn in p.resources if ":role/" in arn
        ),
        "total": total,
        "wildcards": wildcards,
        "missing": [m for _, ms in analysis.function_depends_on_policies(template) for m in ms],
        "fits_typical": typical.fits,
        "fits_longest": longest.fits,
        "problems": longest.problems,
    }


def main() -> int:
    started = time.perf_counter()
    scratch = Path(tempfile.mkdtemp(prefix="bench-iam-"))

    results: dict[tuple[int, str], dict[str, Any] | str] = {}

    def case(n: int, context: list[str]) -> dict[str, Any] | str:
        label = " +minimizePolicies" if context else ""
        outdir = scratch / f"n{n}-{len(context)}"
        ok, message = synth(n, context, outdir)
        result: dict[str, Any] | str
        result = measure(n, analysis.load_template(outdir)) if ok else message
        results[(n, label)] = result
        return result

    for n in FIXED_NS:
        case(n, [])
    first = results[(FIXED_NS[0], "")]
    assert isinstance(first, dict), first
    constant = first["resources"] - FIXED_NS[0]  # no managed policy at N = 10
    model = results[(150, "")]
    assert isinstance(model, dict), model
    shards = model["shard_model"]
    inline, per_policy = shards or (0, 0)
    max_n = predicted_max_n(constant, shards)
    at_max = case(max_n, [])
    over = case(max_n + 1, [])
    case(max_n, [MINIMIZE])
    ok, message = synth_with_roles(scratch / "roles")
    results[(WITH_ROLES_N, f" +{ROLES} roles")] = (
        measure(WITH_ROLES_N, analysis.load_template(scratch / "roles")) if ok else message
    )

    rows = []
    for (n, label), m in sorted(results.items()):
        if isinstance(m, str):
            rows.append(f"| {n}{label} | synth fails: `{m[:150]}` | | | | | | |")
            continue
        roles = f", PassRole on {m['passed_roles']} roles" if m["passed_roles"] else ""
        rows.append(
            f"| {n}{label} | {m['resources']} ({'yes' if m['resources'] <= 500 else 'no'}) | "
            f"{m['inline_longest']:,} / {m['inline_typical']:,} | "
            f"{m['managed']} (per role {m['managed_per_role']}): max {m['managed_max_chars']:,} "
            f"chars, {m['managed_max_arns']} ARNs | "
            f"{m['covered']}/{m['total']}{' + wildcards' if m['wildcards'] else ''}"
            f"{roles} | "
            f"{', '.join(x.replace(PROVIDER_ROLE, '…') for x in m['missing']) or 'none'} | "
            f"{'yes' if m['fits_typical'] else 'no'} / {'yes' if m['fits_longest'] else 'no'}"
            f"{': ' + '; '.join(m['problems']) if m['problems'] else ''} |"
        )
    header = [
        "| N | resources (<= 500?) | inline chars per role, longest / typical env (limit 10,240) "
        "| managed policies (limit 10 per role; each <= 6,144 chars, longest env) "
        "| exact channel ARNs granted | function DependsOn misses "
        "| within IAM limits (typical / longest) |",
        "|---|---:|---:|---|---|---|---|",
    ]
    verified = isinstance(at_max, dict) and at_max["resources"] <= 500 and isinstance(over, str)
    text = "\n".join(header + rows)
    text += (
        f"\n\nSharding: the first {inline} channel ARNs inline, then one managed policy per "
        f"{per_policy}. Resources = N + {constant} + ceil((N - {inline}) / {per_policy}) for "
        f"N > {inline}; largest N (500 resources, 10 managed policies per role): {max_n} "
        f"(verified by synth: {max_n} synthesizes "
        f"with {at_max['resources'] if isinstance(at_max, dict) else '?'} resources, "
        f"{max_n + 1} fails: {verified}). Elapsed {time.perf_counter() - started:.0f} s.\n"
    )
    print(text)
    out = BENCH_DIR / "out"
    out.mkdir(exist_ok=True)
    (out / "iam_scale.md").write_text(text)
    shutil.rmtree(scratch, ignore_errors=True)
    return 0 if verified else 1


if __name__ == "__main__":
    sys.exit(main())
