#!/usr/bin/env python3
"""Benchmark: the same app of N Pinpoint email channels in four designs, in one run.

    source scripts/setup.sh && python bench/run.py     # the full run, ~5 min on 2 cores
    python bench/run.py --quick                         # 1 round, fewer N (~1 min): harness check

Designs, each written as its own users write it (bench/synth_one.py): ``native``
(aws_pinpoint.CfnEmailChannel, application id a plain string), ``awscr``
(custom_resources.AwsCustomResource calling UpdateEmailChannel/DeleteEmailChannel), ``provider``
(custom_resources.Provider + a Python on_event, bench/provider_handler), ``ours``
(PinpointApp.from_application_id + EmailChannel). W3696 is acknowledged once in every design.

Every synth is a fresh ``python bench/synth_one.py`` process, timed from outside (interpreter,
jsii/Node start, construct tree, synth, validation: the whole process); its CPU time and peak
memory come from ``wait4``. Rounds interleave the designs in a rotating order; each figure is the
median over rounds, and each ratio (ours / native, ours / Provider, ...) is the median of the
per-round ratios of the two designs' synths in the same round.

Writes bench/out/results.md, bench/out/results.json, bench/out/assemblies/<case>/ (one cloud
assembly per case); a full run also writes docs/bench.png and the generated block of
docs/performance.md (``--quick`` writes its chart to bench/out/bench.png and leaves docs/ alone).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
OUT = BENCH_DIR / "out"
DOCS_CHART = ROOT / "docs" / "bench.png"
PERFORMANCE_MD = ROOT / "docs" / "performance.md"
BEGIN_MARK = "<!-- bench/run.py results: begin (generated, do not edit by hand) -->"
END_MARK = "<!-- bench/run.py results: end -->"
sys.path.insert(0, str(BENCH_DIR))

import analysis  # noqa: E402

from constructs_pinpoint.sending._text import counted  # noqa: E402

DESIGNS = ("native", "awscr", "provider", "ours")
LABELS = {
    "native": "native CfnEmailChannel",
    "awscr": "AwsCustomResource",
    "provider": "Provider framework",
    "ours": "ours (EmailChannel)",
}
SHORT = {"native": "native", "awscr": "AwsCustomResource", "provider": "Provider", "ours": "ours"}
X = "\u00d7"  # multiplication sign, for the Markdown
API_CALLS = {
    "native": "n/a (CloudFormation's own handler)",
    "awscr": "1",
    "provider": "1 (+1 lambda:Invoke)",
    # The channel call plus ownership: ListTagsForResource, then TagResource (Create, Update to
    # a new owner) or UntagResource (Delete); bench/handler_bench.py counts them.
    "ours": "2-3 (1 + ownership tags)",
}
MANAGED_POLICY = "AWS::IAM::ManagedPolicy"
# 300 and 450: the largest stacks, for the designs that still synthesize there.
FULL = {"runs": 5, "ns": "1,10,50,150", "on_ns": "150", "big_ns": "300,450"}
QUICK = {"runs": 1, "ns": "1,150", "on_ns": "150", "big_ns": "300,450"}


@dataclass(frozen=True)
class Target:
    """ours / ``base`` at N channels must be <= limit (or < limit when ``strict``)."""

    base: str
    n: int
    validation: str
    limit: float
    strict: bool = False

    def label(self) -> str:
        op = "<" if self.strict else "<="
        return (
            f"ours / {SHORT[self.base]}, N = {self.n}, validation {self.validation}: "
            f"{op} {self.limit:.2f}{X}"
        )

    def met(self, ratio: float) -> bool:
        return ratio < self.limit if self.strict else ratio <= self.limit


def issue_targets(off_ns: list[int]) -> list[Target]:
    """The synth-time targets of issues 12 and 20, for the N that a run measures."""
    return [
        Target("native", 150, "off", 1.25),
        Target("native", 150, "on", 1.10),
        Target("native", 1, "off", 1.15),
        Target("native", 450, "off", 1.40),
        *(Target("provider", n, "off", 1.00, strict=True) for n in off_ns),
    ]


# --- the library's policy sharding (also used by bench/iam_scale.py) ----------------------------
# Read off a synthesized template (analysis.shard_model), with IAM's quotas from the library's
# handler/contract.py (standard library only: this process starts no jsii Node).


def ours_managed_policies(n: int, shards: tuple[int, int] | None) -> int:
    """ChannelsPolicy<k> count of ours: none for the channels of the inline policy, then one per
    ``per_policy`` channels (``shards`` = (inline, per_policy), from a template)."""
    if shards is None:
        return 0
    inline, per_policy = shards
    return max(0, -(-(n - inline) // per_policy))


def iam_max_n(shards: tuple[int, int] | None) -> int | None:
    """The most channels the handler role's policies hold: its inline policy, then
    MANAGED_POLICIES_PER_ROLE managed policies."""
    if shards is None:
        return None
    inline, per_policy = shards
    return inline + analysis.MANAGED_POLICIES_PER_ROLE * per_policy


def predicted_resources(fit: dict[str, Any], n: int) -> int:
    extra = ours_managed_policies(n, fit.get("shards")) if fit.get("sharded") else 0
    return int(fit["per_channel"] * n + fit["constant"] + extra)


def largest_n(fit: dict[str, Any]) -> int:
    """The largest N within 500 resources and, for ours, within the role's IAM quotas."""
    n = (analysis.STACK_RESOURCE_LIMIT - fit["constant"]) // fit["per_channel"]
    while predicted_resources(fit, n) > analysis.STACK_RESOURCE_LIMIT:
        n -= 1
    by_iam = iam_max_n(fit.get("shards")) if fit.get("sharded") else None
    return int(n if by_iam is None else min(n, by_iam))


# --- running one synth -------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    wall: float  # seconds, from outside the process
    cpu: float  # user + system seconds of the process and its (waited-for) Node child
    rss_mb: float  # ru_maxrss: peak resident set of the largest process of the tree


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    node_bin = ROOT / "node_modules" / ".bin"
    if node_bin.is_dir() and not env.get("PATH", "").startswith(str(node_bin)):
        env["PATH"] = f"{node_bin}{os.pathsep}{env.get('PATH', '')}"
    env.pop("CDK_VALIDATION", None)  # the --validation flag decides
    # As an installed package runs: pip compiles every module of a wheel at install, so no design
    # pays for compiling Python source on each synth. (This checkout is an editable install; a
    # machine-wide PYTHONDONTWRITEBYTECODE would make every synth of ours compile its modules
    # again, about 20 ms the user never pays. The warm-up writes the bytecode.)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


class SynthFailed(RuntimeError):
    pass


def synth(
    design: str,
    n: int,
    validation: str,
    outdir: Path,
    env: dict[str, str],
    extra: tuple[str, ...] = (),
) -> Sample:
    """Run one synth in a fresh process; ``wait4`` gives that process's own resource usage."""
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
        *extra,
    ]
    with tempfile.TemporaryFile() as stderr:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            stderr.seek(0)
            raise SynthFailed(stderr.read().decode(errors="replace"))
    return Sample(elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def failure_line(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    for marker in ("Number of resources", "managed policies", "Error", "error"):
        hits = [line for line in lines if marker in line]
        if hits:
            return hits[-1][:300]
    return lines[-1][:300] if lines else "no output"


def median(values: list[float]) -> float:
    return statistics.median(values) if values else math.nan


# --- the run -----------------------------------------------------------------------------------

Case = tuple[int, str]  # (N, validation)
Key = tuple[str, int, str]  # (design, N, validation)


@dataclass
class Results:
    command: str
    runs: int
    ns: list[int]
    on_ns: list[int]
    big_ns: list[int]
    cases: list[tuple[int, str, tuple[str, ...]]]
    rounds: dict[Case, list[dict[str, Sample]]] = field(default_factory=dict)
    metrics: dict[Key, dict[str, Any]] = field(default_factory=dict)
    excluded: dict[Key, str] = field(default_factory=dict)
    max_n: dict[str, dict[str, Any]] = field(default_factory=dict)
    verification: dict[str, Any] = field(default_factory=dict)
    profile: dict[str, dict[str, Any]] = field(default_factory=dict)
    warning_check: dict[str, Any] = field(default_factory=dict)
    handler: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    elapsed: float = 0.0

    def samples(self, design: str, n: int, validation: str) -> list[Sample]:
        return [r[design] for r in self.rounds.get((n, validation), []) if design in r]

    def wall(self, design: str, n: int, validation: str) -> float:
        return median([s.wall for s in self.samples(design, n, validation)])

    def cpu(self, design: str, n: int, validation: str) -> float:
        return median([s.cpu for s in self.samples(design, n, validation)])

    def rss(self, design: str, n: int, validation: str) -> float:
        return median([s.rss_mb for s in self.samples(design, n, validation)])

    def ratios(
        self, design: str, base: str, n: int, validation: str, cpu: bool = False
    ) -> list[float]:
        """design / base of each round, both synthesized in that round."""
        return [
            (r[design].cpu / r[base].cpu) if cpu else (r[design].wall / r[base].wall)
            for r in self.rounds.get((n, validation), [])
            if design in r and base in r
        ]

    def ratio(self, design: str, base: str, n: int, validation: str, cpu: bool = False) -> float:
        """Median over rounds of design / base, both synthesized in the same round."""
        return median(self.ratios(design, base, n, validation, cpu))

    def as_json(self) -> dict[str, Any]:
        return {
            "command": self.command,
            "rounds": {
                f"{n}|{v}": [{d: s.__dict__ for d, s in r.items()} for r in rounds]
                for (n, v), rounds in self.rounds.items()
            },
            "metrics": {f"{d}|{n}|{v}": m for (d, n, v), m in self.metrics.items()},
            "excluded": {f"{d}|{n}|{v}": m for (d, n, v), m in self.excluded.items()},
            "max_n": self.max_n,
            "verification": self.verification,
            "profile": self.profile,
            "warning_check": self.warning_check,
            "handler": self.handler,
            "targets": [
                {"target": t.label(), "ratio": ratio, "met": met}
                for t, ratio, met in evaluate(self)
            ],
            "elapsed_s": self.elapsed,
        }


def evaluate(r: Results) -> list[tuple[Target, float, bool | None]]:
    """Each issue target with its measured ratio; met is None when the case was not run."""
    result: list[tuple[Target, float, bool | None]] = []
    for target in issue_targets(r.ns + [n for n in r.big_ns if n not in r.ns]):
        ratio = r.ratio("ours", target.base, target.n, target.validation)
        result.append((target, ratio, None if math.isnan(ratio) else target.met(ratio)))
    return result


def rotation(round_index: int, designs: tuple[str, ...]) -> list[str]:
    """The order of one round: rounds 2k and 2k+1 run the order shifted by k, forwards then
    backwards, so every two rounds run each pair of designs in both orders once, and the design
    that goes first changes from round to round."""
    shift = (round_index // 2) % len(designs)
    order = list(designs[shift:] + designs[:shift])
    if round_index % 2:
        order.reverse()
    return order


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Synth benchmark of four email-channel designs")
    parser.add_argument("--quick", action="store_true", help="1 round, N = 1 and 150 (and 450)")
    parser.add_argument("--runs", type=int, help=f"rounds per case (default {FULL['runs']})")
    parser.add_argument("--ns", help=f"channel counts, validation off (default {FULL['ns']})")
    parser.add_argument("--on-ns", help=f"also with validation on (default {FULL['on_ns']})")
    parser.add_argument(
        "--big-ns",
        help=f"large N, validation off, for the designs that synthesize there ({FULL['big_ns']})",
    )
    parser.add_argument("--skip-max-n", action="store_true", help="no largest-N synth check")
    parser.add_argument("--skip-handler", action="store_true", help="no handler_bench.py")
    parser.add_argument("--skip-profile", action="store_true", help="no profile_synth.py")
    parser.add_argument("--no-docs", action="store_true", help="leave docs/ alone")
    args = parser.parse_args(argv)
    preset = QUICK if args.quick else FULL
    runs = args.runs or int(preset["runs"])
    ns = parse_ns(args.ns or str(preset["ns"]))
    on_ns = parse_ns(args.on_ns if args.on_ns is not None else str(preset["on_ns"]))
    big_ns = parse_ns(args.big_ns if args.big_ns is not None else str(preset["big_ns"]))
    write_docs = not (args.quick or args.no_docs)
    skip_max_n = args.skip_max_n or args.quick
    skip_handler = args.skip_handler or args.quick
    command = "python bench/run.py" + (" --quick" if args.quick else "")
    for flag, value in (
        ("--runs", args.runs),
        ("--ns", args.ns),
        ("--on-ns", args.on_ns),
        ("--big-ns", args.big_ns),
    ):
        if value is not None:
            command += f' {flag} "{value}"' if value == "" else f" {flag} {value}"

    started = time.perf_counter()
    env = child_env()
    OUT.mkdir(parents=True, exist_ok=True)
    assemblies = OUT / "assemblies"
    shutil.rmtree(assemblies, ignore_errors=True)
    assemblies.mkdir()
    scratch = Path(tempfile.mkdtemp(prefix="bench-synth-"))

    def progress(text: str) -> None:
        print(f"  [{time.perf_counter() - started:5.0f} s] {text}", flush=True)

    print(
        f"bench: {counted(runs, 'round')}; N = {ns} (validation off), {on_ns} (on), {big_ns} (off, "
        f"designs that fit); python {sys.version.split()[0]}, {os.cpu_count()} CPUs",
        flush=True,
    )
    # Warm-up (untimed): disk caches, Node's compile cache, the validation engine's files. At a
    # large N it also finds the designs that cannot synthesize there (over 500 resources).
    excluded: dict[Key, str] = {}
    for n in big_ns or ns[:1]:
        for design in DESIGNS:
            try:
                synth(design, n, "off", scratch / f"warm-{design}-{n}", env)
            except SynthFailed as error:
                if n not in big_ns:
                    raise SystemExit(
                        f"bench: {design} N={n} failed:\n{str(error)[-3000:]}"
                    ) from None
                excluded[(design, n, "off")] = failure_line(str(error))
    synth("native", 1, "on", scratch / "warm-on", env)
    progress("warm-up done" + "".join(f"; {d} N={n}: cannot" for d, n, _ in excluded))

    def fitting(n: int) -> tuple[str, ...]:
        return tuple(d for d in DESIGNS if (d, n, "off") not in excluded)

    cases = [(n, "off", fitting(n)) for n in ns]
    cases += [(n, "on", DESIGNS) for n in on_ns]
    cases += [(n, "off", fitting(n)) for n in big_ns if n not in ns]
    results = Results(command, runs, ns, on_ns, big_ns, cases, excluded=excluded)
    for round_index in range(runs):
        for n, validation, designs in cases:
            this_round: dict[str, Sample] = {}
            for design in rotation(round_index, designs):
                outdir = scratch / f"{design}-{n}-{validation}-{round_index}"
                try:
                    this_round[design] = synth(design, n, validation, outdir, env)
                except SynthFailed as error:
                    raise SystemExit(
                        f"bench: {design} N={n} validation {validation} failed:\n"
                        f"{str(error)[-3000:]}"
                    ) from None
                if round_index == 0:
                    keep = assemblies / f"{design}-n{n}-validation-{validation}"
                    shutil.move(str(outdir), keep)
                    results.metrics[(design, n, validation)] = analysis.template_metrics(keep)
                else:
                    shutil.rmtree(outdir, ignore_errors=True)
            results.rounds.setdefault((n, validation), []).append(this_round)
        progress(f"round {round_index + 1}/{runs} done")

    results.warning_check = check_warning(scratch, env)
    results.max_n = fit_max_n(results)
    if not skip_max_n:
        results.verification = verify_max_n(results.max_n["ours"]["max_n"], scratch, env)
        if results.verification["synth_ok"]:
            shutil.move(scratch / "ours-max", assemblies / f"ours-n{results.verification['n']}-max")
        progress("largest-N check done")
    if not args.skip_profile:
        results.profile = profile(max(ns), scratch, env, results.notes)
        progress("profile done")
    if not skip_handler:
        results.handler = handler_bench(scratch, env, results.notes)
        progress("handler bench done")
    shutil.rmtree(scratch, ignore_errors=True)
    results.elapsed = time.perf_counter() - started

    markdown = render_markdown(results)
    (OUT / "results.md").write_text(markdown)
    (OUT / "results.json").write_text(json.dumps(results.as_json(), indent=1))
    chart_path = DOCS_CHART if write_docs else OUT / "bench.png"
    chart(results, chart_path)
    written = [OUT / "results.md", OUT / "results.json", chart_path]
    if write_docs:
        update_performance_md(PERFORMANCE_MD, markdown)
        written.append(PERFORMANCE_MD)
    print()
    print(render_headline(results))
    print()
    print("\n".join(render_targets(results)))
    print()
    print("wrote " + ", ".join(str(path.relative_to(ROOT)) for path in written))
    print(f"elapsed: {results.elapsed:.0f} s")
    return 0


def parse_ns(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip()]


def fit_max_n(r: Results) -> dict[str, dict[str, Any]]:
    """Resources = a*N + c read off the largest N with validation off that every design ran: a
    type present k*N times counts k per channel, everything else is the constant. Ours also adds
    one ChannelsPolicy<k> per so many channels beyond those of its inline policy, both counts read
    off that template (analysis.shard_model). The model is checked against every N run."""
    largest = max(r.ns)
    fits: dict[str, dict[str, Any]] = {}
    for design in DESIGNS:
        types = dict(r.metrics[(design, largest, "off")]["types"])
        sharded = design == "ours"
        if sharded:
            types.pop(MANAGED_POLICY, None)
        fit: dict[str, Any] = {
            "per_channel": sum(c // largest for c in types.values() if c % largest == 0),
            "constant": sum(c for c in types.values() if c % largest != 0),
            "constant_types": {t: c for t, c in types.items() if c % largest != 0},
            "sharded": sharded,
            "shards": r.metrics[(design, largest, "off")].get("shard_model") if sharded else None,
        }
        fit["max_n"] = largest_n(fit)
        fit["model_mismatches"] = [
            (n, m["resources"], predicted_resources(fit, n))
            for (d, n, v), m in r.metrics.items()
            if d == design and v == "off" and m["resources"] != predicted_resources(fit, n)
        ]
        fits[design] = fit
    return fits


def check_warning(scratch: Path, env: dict[str, str], n: int = 3) -> dict[str, Any]:
    """The warnings of ours without its end-of-support acknowledgment, on an N-channel stack: the
    rounds measure that warning's cost only if the tree emits it."""
    outdir = scratch / "ours-unacknowledged"
    synth("ours", n, "off", outdir, env, ("--no-acknowledge",))
    return {"n": n, "warnings": analysis.warnings(outdir)}


def verify_max_n(predicted: int, scratch: Path, env: dict[str, str]) -> dict[str, Any]:
    """Synthesize ours at the largest N of the model (must work) and one above (must fail)."""
    at_max = scratch / "ours-max"
    result: dict[str, Any] = {"n": predicted}
    try:
        synth("ours", predicted, "off", at_max, env)
        result["synth_ok"] = True
    except SynthFailed as error:
        result.update(synth_ok=False, message=failure_line(str(error)))
    try:
        synth("ours", predicted + 1, "off", scratch / "ours-over", env)
        result.update(over_ok=True, over_message="")
    except SynthFailed as error:
        result.update(over_ok=False, over_message=failure_line(str(error)))
    if not result["synth_ok"]:
        return result
    template = analysis.load_template(at_max)
    app_ids = [f"{i + 1:032x}" for i in range(predicted)]
    typical = analysis.iam_report(template, analysis.TYPICAL_ENV)
    longest = analysis.iam_report(template, analysis.LONGEST_ENV)
    covered, total, wildcards = analysis.channel_arn_coverage(
        template, analysis.TYPICAL_ENV, app_ids
    )
    result.update(
        resources=len(template["Resources"]),
        policies=[(p.logical_id, p.type, p.chars, len(p.resources)) for p in typical.policies],
        iam_fits_typical=typical.fits,
        iam_problems_typical=typical.problems,
        iam_problems_longest=longest.problems,
        covered=covered,
        total=total,
        wildcards=wildcards,
        missing_depends=analysis.function_depends_on_policies(template),
    )
    return result


def profile(n: int, scratch: Path, env: dict[str, str], notes: list[str]) -> dict[str, Any]:
    """One in-process profile per design (bench/profile_synth.py): phases and jsii requests."""
    result: dict[str, Any] = {}
    for design in DESIGNS:
        out = scratch / f"profile-{design}.json"
        done = subprocess.run(
            [
                sys.executable,
                str(BENCH_DIR / "profile_synth.py"),
                "--design",
                design,
                "--n",
                str(n),
                "--no-sites",
                "--json",
                str(out),
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            notes.append(f"profile_synth.py --design {design} failed: {failure_line(done.stderr)}")
            continue
        result[design] = json.loads(out.read_text())
    return result


def handler_bench(scratch: Path, env: dict[str, str], notes: list[str]) -> dict[str, Any]:
    out = scratch / "handler.json"
    done = subprocess.run(
        [
            sys.executable,
            str(BENCH_DIR / "handler_bench.py"),
            *("--iterations", "1000", "--json", str(out)),
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        notes.append(f"handler_bench.py failed: {failure_line(done.stderr)}")
        return {}
    data: dict[str, Any] = json.loads(out.read_text())
    return data


# --- rendering ---------------------------------------------------------------------------------


def _ratio_cell(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:.2f}{X}"


def render_headline(r: Results) -> str:
    """Ratios of ours to each baseline per case: the table the README quotes."""
    lines = [
        "| N | validation | ours s | ours / native | ours / Provider | ours / AwsCustomResource "
        "| peak MB ours / native |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    for n, validation, designs in r.cases:
        awscr = (
            _ratio_cell(r.ratio("ours", "awscr", n, validation))
            if "awscr" in designs
            else "cannot synthesize (> 500 resources)"
        )
        lines.append(
            f"| {n} | {validation} | {r.wall('ours', n, validation):.2f} | "
            f"{_ratio_cell(r.ratio('ours', 'native', n, validation))} | "
            f"{_ratio_cell(r.ratio('ours', 'provider', n, validation))} | {awscr} | "
            f"{r.rss('ours', n, validation):.0f} / {r.rss('native', n, validation):.0f} |"
        )
    return "\n".join(lines)


def render_targets(r: Results) -> list[str]:
    lines = [
        "| target (issues 12, 20) | measured (wall) | result | rounds: lowest-highest | CPU time |",
        "|---|---:|---|---:|---:|",
    ]
    for target, ratio, met in evaluate(r):
        verdict = "not run" if met is None else ("PASS" if met else "**FAIL**")
        each = r.ratios("ours", target.base, target.n, target.validation)
        spread = f"{min(each):.2f}-{max(each):.2f}" if each else "n/a"
        cpu = _ratio_cell(r.ratio("ours", target.base, target.n, target.validation, cpu=True))
        lines.append(f"| {target.label()} | {_ratio_cell(ratio)} | {verdict} | {spread} | {cpu} |")
    return lines


DETAIL_HEADER = (
    f"| validation | N | design | synth s (median wall) | {X} native | CPU s | {X} native (CPU) "
    "| peak MB | warnings | resources | Lambdas | IAM policies (inline+managed) | template KB "
    "| asset KB (files / zip) | invocations/event | API calls/event "
    "| role policy within IAM limits |"
)


def _detail_row(r: Results, design: str, n: int, validation: str) -> str:
    m = r.metrics[(design, n, validation)]
    iam = "yes"
    if not m["iam_fits"]:
        iam = "**no**: " + m["iam_problems"][0].split(":", 1)[1].strip()
    zipped = m["asset_zip_bytes"] / 1024 if m["asset_files"] else 0.0
    cells = [
        validation,
        str(n),
        LABELS[design],
        f"{r.wall(design, n, validation):.2f}",
        f"{r.ratio(design, 'native', n, validation):.2f}",
        f"{r.cpu(design, n, validation):.2f}",
        f"{r.ratio(design, 'native', n, validation, cpu=True):.2f}",
        f"{r.rss(design, n, validation):.0f}",
        str(len(m.get("warnings", []))),
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


def render_markdown(r: Results) -> str:
    cpus = os.cpu_count()
    lines = [
        f"Command: `{r.command}`: {counted(r.runs, 'interleaved round')}, a fresh process per "
        "synth, "
        f"{cpus} CPUs, Python {sys.version.split()[0]}, {r.elapsed:.0f} s in total.",
        "",
        "#### Ours against each design (median of per-round ratios, wall time)",
        "",
        render_headline(r),
        "",
        *render_targets(r),
        "",
        warning_text(r.warning_check),
        "",
        "#### Every design, every case",
        "",
        DETAIL_HEADER,
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for n, validation, designs in r.cases:
        lines += [_detail_row(r, design, n, validation) for design in designs]
    for (design, n, validation), why in r.excluded.items():
        lines.append(f"| {validation} | {n} | {LABELS[design]} | cannot synthesize: `{why}` |")
    lines += ["", *render_max_n(r)]
    if r.profile:
        lines += ["", *render_profile(r)]
    if r.handler:
        lines += [
            "",
            "#### Handler (bench/handler_bench.py, botocore Stubber, in-process)",
            "",
            r.handler["markdown"].strip(),
        ]
    warned = [
        f"{LABELS[d]}, N = {n}, validation {v}: {text}"
        for (d, n, v), m in r.metrics.items()
        for text in m.get("warnings", [])[:3]
    ]
    if warned:
        lines += ["", "Warnings left in the assemblies (the first 3 per case):", ""]
        lines += [f"- `{text[:300]}`" for text in warned]
    if r.notes:
        lines += ["", "Notes of this run:", "", *(f"- {note}" for note in r.notes)]
    return "\n".join(lines) + "\n"


def warning_text(check: dict[str, Any]) -> str:
    if not check:
        return "End-of-support warning: not checked."
    found = check["warnings"]
    if not found:
        return (
            f"End-of-support warning: **ours emits no warning** on a {check['n']}-channel stack "
            "on the Pinpoint backend even unacknowledged, so these figures do not include its cost."
        )
    return (
        f"End-of-support warning: without its acknowledgment, ours' {check['n']}-channel stack "
        f"leaves {counted(len(found), 'warning')} (`{found[0][:160]}`); the measured app "
        "acknowledges it "
        "in one line, so its cost is in the figures above and `cdk synth` prints nothing."
    )


def render_max_n(r: Results) -> list[str]:
    shards = r.max_n.get("ours", {}).get("shards") or (0, 0)
    inline, per_policy = shards
    lines = [
        "#### How many channels fit in one stack",
        "",
        "Resources = a*N + c, read off the N = "
        f"{max(r.ns)} template (a type present k*N times counts k per channel, the rest is the "
        f"constant); ours adds one managed policy per {per_policy} channels beyond the first "
        f"{inline} (read off the same template), and its role holds at most "
        f"{analysis.MANAGED_POLICIES_PER_ROLE} managed policies (IAM's default quota). The model "
        "is checked against every N run.",
        "",
        "| design | resources per channel (a) | constant (c) | constant resources "
        "| + stepped | model matches every N run | largest N |",
        "|---|---:|---:|---|---|---|---:|",
    ]
    for design, fit in r.max_n.items():
        constant = ", ".join(f"{t.split('::', 1)[1]} {c}" for t, c in fit["constant_types"].items())
        stepped = (
            f"ChannelsPolicy<k>: ceil((N - {inline}) / {per_policy}) for N > {inline}"
            if fit["sharded"]
            else "none"
        )
        mismatches = fit["model_mismatches"]
        matches = (
            "yes"
            if not mismatches
            else "no: " + ", ".join(f"N={n} has {got}, model {want}" for n, got, want in mismatches)
        )
        lines.append(
            f"| {LABELS[design]} | {fit['per_channel']:g} | {fit['constant']:g} | "
            f"{constant or 'none'} | {stepped} | {matches} | {fit['max_n']} |"
        )
    if r.verification:
        lines += ["", verification_text(r.verification)]
    return lines


def verification_text(v: dict[str, Any]) -> str:
    text = f"Verified for ours by synth: N = {v['n']} synthesizes: **{v['synth_ok']}**"
    text += f" ({v['resources']} resources)" if v["synth_ok"] else f" (`{v['message'][:160]}`)"
    text += f"; N = {v['n'] + 1} synthesizes: {v['over_ok']}"
    if not v["over_ok"]:
        text += f" (`{v['over_message'][:160]}`)"
    text += "."
    if not v["synth_ok"]:
        return text
    inline = [p for p in v["policies"] if p[1] == "AWS::IAM::Policy"]
    managed = [p for p in v["policies"] if p[1] == MANAGED_POLICY]
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
        f"{text} IAM of ours at N = {v['n']}: {policies}. Exact channel ARNs granted for "
        f"{v['covered']}/{v['total']} apps, wildcards on channel actions: {len(v['wildcards'])}. "
        f"Within IAM limits: {deployable}. Policies the handler function does not wait for "
        f"(DependsOn): {missing}."
    )


def render_profile(r: Results) -> list[str]:
    designs = [d for d in DESIGNS if d in r.profile]
    n = next(iter(r.profile.values()))["n"]
    phases = list(next(iter(r.profile.values()))["phases"])
    lines = [
        f"#### Where the time goes (bench/profile_synth.py, one in-process run, N = {n}, "
        "validation off)",
        "",
        "| phase, ms (jsii requests) | " + " | ".join(LABELS[d] for d in designs) + " |",
        "|---|" + "---:|" * len(designs),
    ]
    for phase in phases:
        cells = [
            f"{r.profile[d]['phases'].get(phase, 0) * 1000:.0f} "
            f"({r.profile[d]['requests'].get(phase, 0)})"
            for d in designs
        ]
        lines.append(f"| {phase} | " + " | ".join(cells) + " |")
    totals = [f"**{sum(r.profile[d]['phases'].values()) * 1000:.0f}**" for d in designs]
    lines.append("| **total in-process** | " + " | ".join(totals) + " |")
    in_jsii = []
    for d in designs:
        seconds = r.profile[d]["request_seconds"].get("build", 0.0)
        requests = max(1, r.profile[d]["requests"].get("build", 0))
        in_jsii.append(f"{seconds * 1000:.0f} ({seconds * 1000 / requests:.2f} each)")
    lines.append(f"| build: ms spent in jsii requests | {' | '.join(in_jsii)} |")
    per_channel = [f"{r.profile[d]['requests'].get('build', 0) / n:.1f}" for d in designs]
    lines.append(f"| jsii requests per channel (build phase / N) | {' | '.join(per_channel)} |")
    return lines


def update_performance_md(path: Path, markdown: str) -> None:
    """Replace the generated block of docs/performance.md (between the two markers)."""
    text = path.read_text()
    begin, end = text.find(BEGIN_MARK), text.find(END_MARK)
    if begin < 0 or end < begin:
        raise SystemExit(
            f"bench: {path} has no generated block: put the lines {BEGIN_MARK!r} and "
            f"{END_MARK!r} where the results belong"
        )
    path.write_text(text[: begin + len(BEGIN_MARK)] + "\n\n" + markdown + "\n" + text[end:])


def chart(r: Results, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (left, middle, right) = plt.subplots(1, 3, figsize=(15, 4.4))
    colors = dict(zip(DESIGNS, ("tab:gray", "tab:orange", "tab:blue", "tab:green"), strict=True))
    off_ns = sorted({n for n, v, _ in r.cases if v == "off"})
    for design in DESIGNS:
        style: dict[str, Any] = {"color": colors[design], "marker": "o"}
        off = [n for n in off_ns if r.samples(design, n, "off")]
        on = [n for n in r.on_ns if r.samples(design, n, "on")]
        left.plot(off, [r.wall(design, n, "off") for n in off], label=LABELS[design], **style)
        middle.plot(off, [r.rss(design, n, "off") for n in off], label=LABELS[design], **style)
        for axis, value in ((left, r.wall), (middle, r.rss)):
            axis.plot(
                on,
                [value(design, n, "on") for n in on],
                marker="^",
                linestyle="none",
                color=colors[design],
            )
        measured = [n for n in off_ns if (design, n, "off") in r.metrics]
        fit = r.max_n[design]
        right.plot(
            measured,
            [r.metrics[(design, n, "off")]["resources"] for n in measured],
            label=f"{LABELS[design]}: max N {fit['max_n']}",
            **style,
        )
        xs = list(range(max(r.ns), fit["max_n"] + 1))
        right.plot(
            xs,
            [predicted_resources(fit, x) for x in xs],
            linestyle="--",
            linewidth=1,
            color=colors[design],
        )
    limit = analysis.STACK_RESOURCE_LIMIT
    right.axhline(limit, color="red", linestyle="--", linewidth=1)
    right.text(off_ns[0], limit * 0.93, "CloudFormation limit 500", color="red", fontsize=8)
    left.set_title("synth wall time (median, fresh process)\n● validation off   ▲ validation on")
    left.set_ylabel("seconds")
    middle.set_title("peak memory, largest process (median)\n● validation off   ▲ validation on")
    middle.set_ylabel("MB (ru_maxrss)")
    right.set_title("resources in the template (dashed: model up to 500)")
    right.set_ylabel("resources")
    for axis in (left, middle, right):
        axis.set_xlabel("channels (N)")
        axis.set_ylim(bottom=0)
        axis.grid(alpha=0.3)
        axis.legend(fontsize=8)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)
    plt.close(figure)


if __name__ == "__main__":
    sys.exit(main())
