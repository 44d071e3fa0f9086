#!/usr/bin/env python3
"""Where the synth time of one design goes: phases, jsii round-trips, and our call sites.

    python bench/profile_synth.py --design ours --n 150 [--validation off]

Prints, for one in-process build (a fresh process per invocation, like the benchmark):

* phase wall times: common imports (aws_cdk, PinpointApp), the design's own imports (for ours
  ``constructs_pinpoint.email_channel``: aws_lambda, aws_logs, aws_ses), imported apps, channels
  (construct tree, including the one-off provider for ours), app.synth();
* jsii round-trips (Python -> Node kernel requests) per phase and per channel;
* for ``ours``, the round-trips and their time attributed to the constructs_pinpoint line that
  made them, and the time of the one-off provider construction (Function + Code.from_asset
  staging of the handler dir + Role + LogGroup).

Attribution walks the Python stack once per kernel request, which makes the whole run slower;
the per-request times reported are those of the request itself (measured inside ``send``).
"""

from __future__ import annotations

import argparse
import importlib
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
DESIGN_MODULES = {
    "native": ["aws_cdk.aws_pinpoint"],
    "awscr": ["aws_cdk.aws_iam", "aws_cdk.custom_resources"],
    "provider": ["aws_cdk.aws_iam", "aws_cdk.aws_lambda", "aws_cdk.custom_resources"],
    "ours": ["constructs_pinpoint.email_channel"],
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--design", default="ours")
    parser.add_argument("--n", type=int, default=150)
    parser.add_argument("--validation", choices=("on", "off"), default="off")
    parser.add_argument("--json", help="also write the numbers here")
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
        where = site() if state["phase"] == "channels" else "-"
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

    from constructs_pinpoint import PinpointApp

    phases: dict[str, float] = {"imports": time.perf_counter() - started}
    # What only this design imports (synth_one's builders import these on first use).
    t0 = time.perf_counter()
    state["phase"] = "design imports"
    for module in DESIGN_MODULES[args.design]:
        importlib.import_module(module)
    phases["design imports"] = time.perf_counter() - t0

    provider_time = [0.0]
    if args.design == "ours":
        from constructs_pinpoint import _provider

        original_init = _provider.EmailChannelProvider.__init__

        def timed_init(self, scope, id):  # type: ignore[no-untyped-def]
            t0 = time.perf_counter()
            original_init(self, scope, id)
            provider_time[0] += time.perf_counter() - t0

        _provider.EmailChannelProvider.__init__ = timed_init  # type: ignore[method-assign]

    outdir = tempfile.mkdtemp(prefix="bench-profile-")
    t0 = time.perf_counter()
    state["phase"] = "apps"
    app = cdk.App(outdir=outdir, builtin_cloud_formation_validation=args.validation == "on")
    stack = cdk.Stack(app, synth_one.STACK_NAME)
    cdk.Validations.of(app).acknowledge(cdk.Acknowledgment(id=synth_one.W3696, reason="bench"))
    apps = [
        PinpointApp.from_application_id(stack, f"App{i}", synth_one.app_id(i))
        for i in range(args.n)
    ]
    phases["apps"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    state["phase"] = "channels"
    synth_one.BUILDERS[args.design](stack, apps)
    phases["channels"] = time.perf_counter() - t0
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
    if args.design == "ours":
        print(
            f"\nprovider construction (once per stack, incl. Code.from_asset staging): "
            f"{provider_time[0] * 1000:.1f} ms"
        )
        print("\n| call site (channels phase) | requests | per channel | ms total |")
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
                    "provider_ms": provider_time[0] * 1000,
                    "sites": {k: [v, site_time[k]] for k, v in site_calls.items()},
                },
                indent=1,
            )
        )
    os.environ.get("KEEP") or __import__("shutil").rmtree(outdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
