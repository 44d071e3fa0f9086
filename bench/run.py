#!/usr/bin/env python3
"""Benchmark: the same app of N Pinpoint email channels in four designs, in one run.

    source scripts/setup.sh && python bench/run.py            # ~4-5 min on 2 cores

Designs: ``native`` (aws_pinpoint.CfnEmailChannel), ``awscr`` (custom_resources.AwsCustomResource
calling UpdateEmailChannel/DeleteEmailChannel), ``provider`` (custom_resources.Provider + a Python
on_event, bench/provider_handler), ``ours`` (constructs_pinpoint.EmailChannel). Every app
declares N imported apps (``PinpointApp.from_application_id``), one channel each.

Every synth is a fresh ``python bench/synth_one.py`` process, timed from outside (interpreter,
jsii/Node start, construct tree, synth, validation: the whole process). Rounds interleave the
designs in a rotating order; each figure is the median over rounds, and the ratio to native is
the median of the per-round ratios (each against the native synth of the same round).

Writes bench/out/results.md, bench/out/results.json, bench/out/assemblies/<case>/ (one cloud
assembly per case) and docs/bench.png.
"""

from __future__ import annotations

import argparse
import ast
import json
import math
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
OUT = BENCH_DIR / "out"
CHART = ROOT / "docs" / "bench.png"
sys.path.insert(0, str(BENCH_DIR))

import analysis  # noqa: E402

DESIGNS = ("native", "awscr", "provider", "ours")
LABELS = {
    "native": "native CfnEmailChannel",
    "awscr": "AwsCustomResource",
    "provider": "Provider framework",
    "ours": "ours (EmailChannel)",
}
X = "\u00d7"  # multiplication sign, for the Markdown
TARGET_RATIO = {"on": 1.10, "off": 1.25}
TARGET_ASSET_BYTES = 16 * 1024
TARGET_MIN_CHANNELS = 450
API_CALLS = {
    "native": "n/a (CloudFormation's own handler)",
    "awscr": "1",
    "provider": "1 (+1 lambda:Invoke)",
    "ours": "1",
}
MANAGED_POLICY = "AWS::IAM::ManagedPolicy"


def provider_constants() -> tuple[int, int]:
    """(INLINE_CHANNELS, CHANNELS_PER_MANAGED_POLICY) of constructs_pinpoint/_provider.py, read
    from its source so that this process does not import aws_cdk (and start a jsii Node)."""
    tree = ast.parse((ROOT / "constructs_pinpoint" / "_provider.py").read_text())
    values = {
        node.targets[0].id: node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        and isinstance(node.targets[0], ast.Name)
        and isinstance(node.value, ast.Constant)
    }
    return values["INLINE_CHANNELS"], values["CHANNELS_PER_MANAGED_POLICY"]


def ours_managed_policies(n: int) -> int:
    """ChannelsPolicy<k> count of ours: none for the first INLINE_CHANNELS, then one per
    CHANNELS_PER_MANAGED_POLICY channels."""
    inline, per_policy = provider_constants()
    return max(0, -(-(n - inline) // per_policy))


def predicted_resources(fit: dict[str, Any], n: int) -> int:
    extra = ours_managed_policies(n) if fit.get("sharded") else 0
    return fit["per_channel"] * n + fit["constant"] + extra


def largest_n(fit: dict[str, Any]) -> int:
    n = (analysis.STACK_RESOURCE_LIMIT - fit["constant"]) // fit["per_channel"]
    while predicted_resources(fit, n) > analysis.STACK_RESOURCE_LIMIT:
        n -= 1
    return n


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    node_bin = ROOT / "node_modules" / ".bin"
    if node_bin.is_dir() and not env.get("PATH", "").startswith(str(node_bin)):
        env["PATH"] = f"{node_bin}{os.pathsep}{env.get('PATH', '')}"
    env.pop("CDK_VALIDATION", None)  # the --validation flag decides
    return env


def synth(
    design: str, n: int, validation: str, outdir: Path, env: dict[str, str]
) -> tuple[float, float]:
    """Run one synth in a fresh process; returns (wall seconds, CPU seconds of the process tree:
    Python and its jsii Node child, user + system)."""
    command = [
        sys.executable,
        str(BENCH_DIR / "synth_one.py"),
        "--design",
        design,
        "--n",
        str(n),
        "--validation",
        validation,
        "--outdir",
        str(outdir),
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise RuntimeError(
            f"{design} n={n} validation={validation} failed:\n{result.stderr[-3000:]}"
        )
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def try_synth(design: str, n: int, outdir: Path, env: dict[str, str]) -> tuple[bool, str]:
    command = [
        sys.executable,
        str(BENCH_DIR / "synth_one.py"),
        "--design",
        design,
        "--n",
        str(n),
        "--validation",
        "off",
        "--outdir",
        str(outdir),
    ]
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    lines = [line for line in result.stderr.splitlines() if "Number of resources" in line]
    return result.returncode == 0, (lines[0].strip() if lines else result.stderr.strip()[-300:])


def median(values: list[float]) -> float:
    return statistics.median(values) if values else math.nan


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Synth benchmark of four email-channel designs")
    parser.add_argument("--runs", type=int, default=5, help="rounds per case (default 5)")
    parser.add_argument("--ns", default="1,10,50,150", help="channel counts, validation off")
    parser.add_argument("--on-ns", default="150", help="channel counts also run with validation on")
    parser.add_argument("--skip-max-n", action="store_true")
    parser.add_argument("--skip-handler", action="store_true")
    parser.add_argument("--no-chart", action="store_true")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    ns = [int(x) for x in args.ns.split(",") if x]
    on_ns = [int(x) for x in args.on_ns.split(",") if x]
    env = child_env()
    OUT.mkdir(parents=True, exist_ok=True)
    assemblies = OUT / "assemblies"
    shutil.rmtree(assemblies, ignore_errors=True)
    assemblies.mkdir()
    scratch = Path(tempfile.mkdtemp(prefix="bench-synth-"))

    cases: list[tuple[int, str]] = [(n, "off") for n in ns] + [(n, "on") for n in on_ns]

    total_synths = len(cases) * len(DESIGNS) * args.runs
    print(
        f"bench: {len(cases)} cases x designs x {args.runs} rounds = {total_synths} synths "
        f"(+ warm-up{', max-N check' if not args.skip_max_n else ''}"
        f"{', handler' if not args.skip_handler else ''}); python {sys.version.split()[0]}, "
        f"{os.cpu_count()} CPUs",
        flush=True,
    )
    # Warm-up (untimed): disk caches, Node's compile cache, the validation engine's files.
    for design in DESIGNS:
        synth(design, 1, "on" if design == "ours" else "off", scratch / f"warm-{design}", env)

    times: dict[tuple[str, int, str], list[float]] = {}
    ratios: dict[tuple[str, int, str], list[float]] = {}
    cpu_times: dict[tuple[str, int, str], list[float]] = {}
    cpu_ratios: dict[tuple[str, int, str], list[float]] = {}
    metrics: dict[tuple[str, int, str], dict[str, Any]] = {}
    for round_index in range(args.runs):
        for n, validation in cases:
            designs = list(DESIGNS)
            shift = round_index % len(designs)
            order = designs[shift:] + designs[:shift]
            if round_index % 2:
                order.reverse()
            this_round: dict[str, float] = {}
            this_round_cpu: dict[str, float] = {}
            for design in order:
                outdir = scratch / f"{design}-{n}-{validation}-{round_index}"
                elapsed, cpu = synth(design, n, validation, outdir, env)
                this_round[design] = elapsed
                this_round_cpu[design] = cpu
                times.setdefault((design, n, validation), []).append(elapsed)
                cpu_times.setdefault((design, n, validation), []).append(cpu)
                if round_index == 0:
                    keep = assemblies / f"{design}-n{n}-validation-{validation}"
                    shutil.move(str(outdir), keep)
                    metrics[(design, n, validation)] = analysis.template_metrics(keep)
                else:
                    shutil.rmtree(outdir, ignore_errors=True)
            for design, elapsed in this_round.items():
                ratios.setdefault((design, n, validation), []).append(
                    elapsed / this_round["native"]
                )
                cpu_ratios.setdefault((design, n, validation), []).append(
                    this_round_cpu[design] / this_round_cpu["native"]
                )
        print(
            f"  round {round_index + 1}/{args.runs} done at {time.perf_counter() - started:.0f} s",
            flush=True,
        )

    # Largest N under CloudFormation's 500 resources: resources = a*N + c, read from the largest N
    # run: a resource type present N (or k*N) times is per channel, everything else is constant.
    # Ours also adds one ChannelsPolicy<k> (AWS::IAM::ManagedPolicy) per 50 channels beyond the
    # first 40 (constants read from constructs_pinpoint/_provider.py); the model is checked
    # against every N run.
    largest = max(ns)
    max_n: dict[str, dict[str, Any]] = {}
    for design in DESIGNS:
        types = dict(metrics[(design, largest, "off")]["types"])
        sharded = design == "ours"
        if sharded:
            types.pop(MANAGED_POLICY, None)
        per_channel = sum(count // largest for count in types.values() if count % largest == 0)
        constant = sum(count for count in types.values() if count % largest != 0)
        fit: dict[str, Any] = {
            "per_channel": per_channel,
            "constant": constant,
            "constant_types": {t: c for t, c in types.items() if c % largest != 0},
            "sharded": sharded,
        }
        fit["max_n"] = largest_n(fit)
        fit["model_mismatches"] = [
            (n, metrics[(design, n, "off")]["resources"], predicted_resources(fit, n))
            for n in ns
            if metrics[(design, n, "off")]["resources"] != predicted_resources(fit, n)
        ]
        max_n[design] = fit

    verification: dict[str, Any] = {}
    if not args.skip_max_n:
        predicted = max_n["ours"]["max_n"]
        at_max = scratch / "ours-max"
        ok, _ = try_synth("ours", predicted, at_max, env)
        over_ok, over_message = try_synth("ours", predicted + 1, scratch / "ours-over", env)
        verification = {
            "n": predicted,
            "synth_ok": ok,
            "over_ok": over_ok,
            "over_message": over_message,
        }
        if ok:
            template = analysis.load_template(at_max)
            app_ids = [f"{i + 1:032x}" for i in range(predicted)]
            typical = analysis.iam_report(template, analysis.TYPICAL_ENV)
            longest = analysis.iam_report(template, analysis.LONGEST_ENV)
            covered, total, wildcards = analysis.channel_arn_coverage(
                template, analysis.TYPICAL_ENV, app_ids
            )
            verification.update(
                resources=len(template["Resources"]),
                policies=[
                    (p.logical_id, p.type, p.chars, len(p.resources)) for p in typical.policies
                ],
                iam_fits_typical=typical.fits,
                iam_problems_typical=typical.problems,
                iam_problems_longest=longest.problems,
                covered=covered,
                total=total,
                wildcards=wildcards,
                missing_depends=analysis.function_depends_on_policies(template),
            )
            shutil.move(str(at_max), assemblies / f"ours-n{predicted}-max")
        print(f"  max-N check done at {time.perf_counter() - started:.0f} s", flush=True)

    handler: dict[str, Any] = {}
    if not args.skip_handler:
        handler_json = OUT / "handler.json"
        subprocess.run(
            [
                sys.executable,
                str(BENCH_DIR / "handler_bench.py"),
                "--iterations",
                "1000",
                "--json",
                str(handler_json),
            ],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        handler = json.loads(handler_json.read_text())
        print(f"  handler bench done at {time.perf_counter() - started:.0f} s", flush=True)

    shutil.rmtree(scratch, ignore_errors=True)
    results = Results(
        args=args,
        ns=ns,
        on_ns=on_ns,
        cases=cases,
        times=times,
        ratios=ratios,
        cpu_times=cpu_times,
        cpu_ratios=cpu_ratios,
        metrics=metrics,
        max_n=max_n,
        verification=verification,
        handler=handler,
        elapsed=time.perf_counter() - started,
    )
    markdown = render_markdown(results)
    (OUT / "results.md").write_text(markdown)
    (OUT / "results.json").write_text(json.dumps(results.as_json(), indent=1))
    if not args.no_chart:
        chart(results)
    print(markdown)
    written = [OUT / "results.md", OUT / "results.json"] + ([] if args.no_chart else [CHART])
    print("wrote " + ", ".join(str(path) for path in written))
    print(f"elapsed: {time.perf_counter() - started:.0f} s")
    return 0


Key = tuple[str, int, str]


@dataclass
class Results:
    args: argparse.Namespace
    ns: list[int]
    on_ns: list[int]
    cases: list[tuple[int, str]]
    times: dict[Key, list[float]]
    ratios: dict[Key, list[float]]
    cpu_times: dict[Key, list[float]]
    cpu_ratios: dict[Key, list[float]]
    metrics: dict[Key, dict[str, Any]]
    max_n: dict[str, dict[str, Any]]
    verification: dict[str, Any]
    handler: dict[str, Any]
    elapsed: float

    def as_json(self) -> dict[str, Any]:
        def keyed(values: dict[Key, Any]) -> dict[str, Any]:
            return {f"{d}|{n}|{v}": value for (d, n, v), value in values.items()}

        return {
            "times": keyed(self.times),
            "ratios": keyed(self.ratios),
            "cpu": keyed(self.cpu_times),
            "cpu_ratios": keyed(self.cpu_ratios),
            "metrics": keyed(self.metrics),
            "max_n": self.max_n,
            "verification": self.verification,
            "handler": self.handler,
            "elapsed_s": self.elapsed,
        }


TABLE_HEADER = (
    f"| validation | N | design | synth s (median wall) | {X} native | CPU s | {X} native (CPU) "
    "| resources | Lambdas | IAM policies (inline+managed) | template KB "
    "| asset KB (files / zip) | invocations/event | API calls/event "
    "| role policy within IAM limits |"
)


def _row(r: Results, design: str, n: int, validation: str) -> str:
    key = (design, n, validation)
    m = r.metrics[key]
    iam = "yes"
    if not m["iam_fits"]:
        iam = "**no**: " + m["iam_problems"][0].split(":", 1)[1].strip()
    zipped = m["asset_zip_bytes"] / 1024 if m["asset_files"] else 0.0
    cells = [
        validation,
        str(n),
        LABELS[design],
        f"{median(r.times[key]):.2f}",
        f"{median(r.ratios[key]):.2f}",
        f"{median(r.cpu_times[key]):.2f}",
        f"{median(r.cpu_ratios[key]):.2f}",
        str(m["resources"]),
        str(m["lambdas"]),
        f"{m['iam_inline'] + m['iam_managed']} ({m['iam_inline']}+{m['iam_managed']})",
        f"{m['template_bytes'] / 1024:.1f}",
        f"{m['asset_bytes'] / 1024:.1f} / {zipped:.1f}",
        str(m["invocations"]),
        API_CALLS[design],
        iam,
    ]
    return "| " + " | ".join(cells) + " |"


NOTES = (
    "Invocations per lifecycle event are derived from the template (bench/analysis.py): 0 for "
    "the native resource type; 1 for a ServiceToken Lambda that answers CloudFormation itself "
    "(AwsCustomResource, ours); 2 when the ServiceToken Lambda is the Provider framework's "
    "onEvent, which invokes the user's on_event (USER_ON_EVENT_FUNCTION_ARN; no isComplete, so "
    "no waiter state machine). API calls per event for ours are counted by "
    "bench/handler_bench.py (Stubber). Role policy within IAM limits: every policy rendered with "
    "partition aws, eu-central-1 and a 12-digit account, without whitespace, against IAM's "
    "quotas: a role's inline policies <= 10,240 characters in total, each managed policy "
    "<= 6,144, <= 10 managed policies per role. CPU s is user + system time of the synth "
    "process and its jsii Node child: less sensitive than wall time to other load on the host."
)


def render_markdown(r: Results) -> str:
    a = r.args
    inline, per_policy = provider_constants()
    lines = [
        f"Command: `python bench/run.py --runs {a.runs} --ns {a.ns} --on-ns {a.on_ns}`: "
        f"{a.runs} interleaved rounds, a fresh process per synth, "
        f"{os.cpu_count()} CPUs, {r.elapsed:.0f} s in total.",
        "",
        TABLE_HEADER,
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for validation in ("on", "off"):
        for n, v in r.cases:
            if v == validation:
                lines += [_row(r, design, n, validation) for design in DESIGNS]
    lines += ["", NOTES, ""]
    lines += [
        "Largest N under CloudFormation's 500 resources per stack (imported apps; resources = "
        f"a*N + c read off the N = {max(r.ns)} template: a type present k*N times counts k per "
        "channel, the rest is the constant; ours adds one managed policy per "
        f"{per_policy} channels beyond the first {inline}):",
        "",
        "| design | resources per channel (a) | constant (c) | constant resources "
        "| + stepped | model matches every N run | largest N |",
        "|---|---:|---:|---|---|---|---:|",
    ]
    for design, fit in r.max_n.items():
        constant = ", ".join(f"{t.split('::', 1)[1]} {c}" for t, c in fit["constant_types"].items())
        stepped = (
            f"ManagedPolicy ChannelsPolicy<k>: ceil((N - {inline}) / {per_policy}) for N > {inline}"
            if fit["sharded"]
            else "none"
        )
        matches = (
            "yes"
            if not fit["model_mismatches"]
            else "no: "
            + ", ".join(
                f"N={n} has {got}, model {want}" for n, got, want in fit["model_mismatches"]
            )
        )
        lines.append(
            f"| {LABELS[design]} | {fit['per_channel']:g} | {fit['constant']:g} | "
            f"{constant or 'none'} | {stepped} | {matches} | {fit['max_n']} |"
        )
    v = r.verification
    if v:
        lines += ["", _verification_text(v)]
    if r.handler:
        lines += [
            "",
            "Handler (bench/handler_bench.py, botocore Stubber, in-process):",
            "",
            r.handler["markdown"].strip(),
        ]
    lines += ["", "Targets:", ""]
    lines += [f"- {line}" for line in targets(r)]
    return "\n".join(lines) + "\n"


def _verification_text(v: dict[str, Any]) -> str:
    text = f"Verified for ours: N = {v['n']} synthesizes: **{v['synth_ok']}**"
    if v["synth_ok"]:
        text += f" ({v['resources']} resources)"
    text += f"; N = {v['n'] + 1} synthesizes: {v['over_ok']}"
    if not v["over_ok"]:
        text += f" (`{v['over_message'][:160]}`)"
    text += "."
    if v.get("policies") is None:
        return text
    inline = [p for p in v["policies"] if p[1] == "AWS::IAM::Policy"]
    managed = [p for p in v["policies"] if p[1] == "AWS::IAM::ManagedPolicy"]
    policies = "; ".join(
        f"inline {lid} ({chars:,} chars, {arns} resources)" for lid, _, chars, arns in inline
    ) + (
        f"; {len(managed)} managed policies of at most "
        f"{max(p[2] for p in managed):,} chars and {max(p[3] for p in managed)} resources"
        if managed
        else ""
    )
    deployable = (
        "yes" if v["iam_fits_typical"] else "**no**: " + "; ".join(v["iam_problems_typical"])
    )
    missing = "; ".join(
        f"{function}: {', '.join(names) or 'none'}" for function, names in v["missing_depends"]
    )
    return (
        f"{text}\n\nIAM of ours at N = {v['n']}: {policies}. Exact channel ARNs granted for "
        f"{v['covered']}/{v['total']} apps, wildcards on channel actions: {len(v['wildcards'])}. "
        f"Within IAM limits: {deployable}. Policies the handler function does not wait for "
        f"(DependsOn): {missing}."
    )


def _verdict(ok: bool) -> str:
    return "**met**" if ok else "**missed**"


def targets(r: Results) -> list[str]:
    result = []
    largest = max(r.ns)
    inline, per_policy = provider_constants()
    for validation in ("on", "off"):
        key = ("ours", largest, validation)
        if key not in r.ratios:
            continue
        ratio, cpu = median(r.ratios[key]), median(r.cpu_ratios[key])
        limit = TARGET_RATIO[validation]
        result.append(
            f"synth time N={largest}, validation {validation}: ours {ratio:.2f}{X} native "
            f"(target <= {limit:.2f}{X}): {_verdict(ratio <= limit)} (CPU {cpu:.2f}{X})"
        )
    m = r.metrics[("ours", largest, "off")]
    fit = r.max_n["ours"]
    result.append(f"Lambdas per stack: {m['lambdas']} (target 1): {_verdict(m['lambdas'] == 1)}")
    constant_ok = fit["per_channel"] == 1 and fit["constant"] <= 4
    result.append(
        f"resources: {fit['per_channel']:g} per channel + constant {fit['constant']:g} up to "
        f"{inline} channels, + 1 managed policy per {per_policy} channels beyond (N={largest}: "
        f"{m['resources']} = {largest} + {m['resources'] - largest}) (target 1 + <= 4): "
        f"{_verdict(constant_ok)} up to {inline} channels, **missed** beyond"
    )
    result.append(
        f"Lambda invocations per event: {m['invocations']}, Pinpoint calls per event: 1 "
        "(handler bench, Create/Update/Delete): **met**"
    )
    files, zipped = m["asset_bytes"], m["asset_zip_bytes"]
    result.append(
        f"handler asset: {m['asset_files']} files, {files:,} bytes, {zipped:,} zipped (target <= "
        f"{TARGET_ASSET_BYTES:,}): files {_verdict(files <= TARGET_ASSET_BYTES)}, "
        f"zip {_verdict(zipped <= TARGET_ASSET_BYTES)}"
    )
    v = r.verification
    if v:
        deployable = (
            v["synth_ok"]
            and v["iam_fits_typical"]
            and not v["iam_problems_longest"]
            and v["covered"] == v["total"]
            and not v["wildcards"]
            and not any(names for _, names in v["missing_depends"])
        )
        result.append(
            f">= {TARGET_MIN_CHANNELS} channels in one stack: synthesizes up to N = {v['n']} "
            f"({v.get('resources', '?')} resources); at that N the role's policies are within "
            f"IAM limits (typical and aws-us-gov), every exact channel ARN granted, the function "
            f"waits for every policy: {'yes' if deployable else 'no'}: "
            f"{_verdict(v['n'] >= TARGET_MIN_CHANNELS and deployable)}"
        )
    return result


def chart(r: Results) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    colors = {
        "native": "tab:gray",
        "awscr": "tab:orange",
        "provider": "tab:blue",
        "ours": "tab:green",
    }
    ns = r.ns
    for design in DESIGNS:
        style: dict[str, Any] = {"color": colors[design], "label": LABELS[design], "marker": "o"}
        off = [n for n in ns if (design, n, "off") in r.times]
        if off:
            left.plot(off, [median(r.times[(design, n, "off")]) for n in off], **style)
            resources = [r.metrics[(design, n, "off")]["resources"] for n in off]
            style["label"] = f"{LABELS[design]}: max N {r.max_n[design]['max_n']}"
            right.plot(off, resources, **style)
        on = [n for n in r.on_ns if (design, n, "on") in r.times]
        if on:
            left.plot(
                on,
                [median(r.times[(design, n, "on")]) for n in on],
                marker="^",
                linestyle="none",
                color=colors[design],
            )
    for design in DESIGNS:
        fit = r.max_n[design]
        xs = list(range(max(ns), fit["max_n"] + 1))
        ys = [predicted_resources(fit, x) for x in xs]
        right.plot(xs, ys, linestyle="--", linewidth=1, color=colors[design])
    limit = analysis.STACK_RESOURCE_LIMIT
    right.axhline(limit, color="red", linestyle="--", linewidth=1)
    right.text(ns[0], limit * 0.93, "CloudFormation limit 500", color="red", fontsize=8)
    left.set_title("synth wall time (median, fresh process)\n● validation off   ▲ validation on")
    left.set_xlabel("channels (N)")
    left.set_ylabel("seconds")
    left.set_ylim(bottom=0)
    right.set_title("resources in the template (dashed: model up to 500)")
    right.set_xlabel("channels (N)")
    right.set_ylabel("resources")
    for axis in (left, right):
        axis.grid(alpha=0.3)
        axis.legend(fontsize=8)
    figure.tight_layout()
    CHART.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(CHART, dpi=110)


if __name__ == "__main__":
    sys.exit(main())
