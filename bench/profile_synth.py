#!/usr/bin/env python3
"""Where the synth time of one design goes: phases, jsii round-trips, and our call sites.

    python bench/profile_synth.py --design ours --n 150 [--validation off] [--no-sites]

Prints, for one in-process build of bench/synth_one.py's app (a fresh process per invocation):

* phase wall times: ``imports`` (jsii, aws_cdk), ``design imports`` (what that design's user
  imports: for ours ``from constructs_pinpoint import EmailChannel, PinpointApp``), ``build``
  (the construct tree, including the one-off provider of the custom-resource designs) and
  ``synth`` (app.synth());
* jsii round-trips (Python -> Node kernel requests) per phase and per channel;
* unless ``--no-sites``, the round-trips of the build phase and their time attributed to the
  constructs_pinpoint line that made them.

Attribution walks the Python stack once per kernel request, which makes the whole run slower;
the per-request times reported are those of the request itself (measured inside ``send``).
bench/run.py runs this with ``--no-sites`` for its "where the time goes" table.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
PACKAGE_DIR = ROOT / "constructs_pinpoint"
# What each design's user imports (bench/synth_one.py's builders import the same on first use).
DESIGN_IMPORTS = {
    "native": "from aws_cdk import aws_pinpoint",
    "awscr": "from aws_cdk import custom_resources",
    "provider": "from aws_cdk import aws_iam, aws_lambda, custom_resources",
    "ours": "from constructs_pinpoint import EmailChannel, PinpointApp",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--design", default="ours")
    parser.add_argument("--n", type=int, default=150)
    parser.add_argument("--validation", choices=("on", "off"), default="off")
    parser.add_argument("--json", help="also write the numbers here")
    parser.add_argument(
        "--no-sites",
        dest="sites",
        action="store_false",
        help="no per-call-site attribution (it walks the stack on every request: slower)",
    )
    args = parser.parse_args(argv)

    started = time.perf_counter()
    from jsii._kernel.providers import process as jsii_process

    state = {"phase": "imports"}
    calls: Counter[str] = Counter()
    call_time: defaultdict[str, float] = defaultdict(float)
    site_calls: Counter[str] = Counter()
    site_time: defaultdict[str, float] = defaultdict(float)
    original_send = jsii_process._NodeProcess.send

    def site() -> str:
        frame = sys._getframe(2)
        while frame is not None:
            filename = frame.f_code.co_filename
            if filename.startswith(str(PACKAGE_DIR)):
                rel = Path(filename).relative_to(ROOT)
                return f"{rel}:{frame.f_lineno} {frame.f_code.co_name}"
            frame = frame.f_back
        return "-"

    def send(self, request, response_type):  # type: ignore[no-untyped-def]
        where = site() if args.sites and state["phase"] == "build" else "-"
        t0 = time.perf_counter()
        try:
            return original_send(self, request, response_type)
        finally:
            elapsed = time.perf_counter() - t0
            calls[state["phase"]] += 1
            call_time[state["phase"]] += elapsed
            if where != "-":
                site_calls[where] += 1
                site_time[where] += elapsed

    jsii_process._NodeProcess.send = send  # type: ignore[method-assign]

    sys.path.insert(0, str(BENCH_DIR))
    import aws_cdk as cdk
    import synth_one

    phases: dict[str, float] = {"imports": time.perf_counter() - started}
    # What only this design imports (synth_one's builders import these on first use).
    t0 = time.perf_counter()
    state["phase"] = "design imports"
    exec(DESIGN_IMPORTS[args.design], {})
    phases["design imports"] = time.perf_counter() - t0

    outdir = tempfile.mkdtemp(prefix="bench-profile-")
    t0 = time.perf_counter()
    state["phase"] = "build"
    app = cdk.App(outdir=outdir, builtin_cloud_formation_validation=args.validation == "on")
    stack = cdk.Stack(app, synth_one.STACK_NAME)
    cdk.Validations.of(app).acknowledge(
        cdk.Acknowledgment(id=synth_one.W3696, reason=synth_one.REASON)
    )
    synth_one.BUILDERS[args.design](app, stack, args.n)
    phases["build"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    state["phase"] = "synth"
    app.synth()
    phases["synth"] = time.perf_counter() - t0
    total = time.perf_counter() - started

    n = args.n
    print(f"# {args.design}, N={n}, validation {args.validation}")
    print(f"in-process total {total:.3f} s (process start + interpreter not included)")
    print("| phase | wall s | jsii requests | requests/channel | jsii s |")
    print("|---|---:|---:|---:|---:|")
    for phase, wall in phases.items():
        print(
            f"| {phase} | {wall:.3f} | {calls[phase]} | {calls[phase] / n:.1f} | "
            f"{call_time[phase]:.3f} |"
        )
    if site_calls:
        print("\n| call site (build phase) | requests | per channel | ms total |")
        print("|---|---:|---:|---:|")
        for where, count in sorted(site_calls.items(), key=lambda kv: -site_time[kv[0]])[:12]:
            print(f"| `{where}` | {count} | {count / n:.2f} | {site_time[where] * 1000:.1f} |")
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "design": args.design,
                    "n": n,
                    "phases": phases,
                    "requests": dict(calls),
                    "request_seconds": dict(call_time),
                    "sites": {k: [v, site_time[k]] for k, v in site_calls.items()},
                },
                indent=1,
            )
        )
    os.environ.get("KEEP") or __import__("shutil").rmtree(outdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
