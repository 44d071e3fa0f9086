#!/usr/bin/env python3
"""Cost of the handler asset: staging ``Code.from_asset`` of the package dir with exclude globs
(what the library does) against a dir holding only the handler, measured in fresh processes.

    python bench/asset_cost.py [--runs 5]

Each measurement is one ``lambda_.Function`` construction (which binds the code: fingerprint,
copy into cdk.out) in a new process, so aws-cdk-lib's per-process asset cache never hits.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIR = ROOT / "constructs_pinpoint"
MODES = ("package-exclude", "handler-only-dir")


def child(mode: str, handler_copy: str) -> None:
    import aws_cdk as cdk
    from aws_cdk import aws_lambda as lambda_

    app = cdk.App(outdir=tempfile.mkdtemp(prefix="bench-asset-"))
    stack = cdk.Stack(app, "S")
    if mode == "package-exclude":
        code = lambda_.Code.from_asset(str(PACKAGE_DIR), exclude=["*", "!handler", "!handler/*.py"])
    else:
        code = lambda_.Code.from_asset(handler_copy)
    started = time.perf_counter()
    lambda_.Function(
        stack,
        "F",
        runtime=lambda_.Runtime.PYTHON_3_14,
        handler="handler.entry.on_event",
        code=code,
    )
    print(json.dumps({"seconds": time.perf_counter() - started}))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--child", choices=MODES)
    parser.add_argument("--handler-copy")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.handler_copy)
        return 0
    copy_root = Path(tempfile.mkdtemp(prefix="bench-handler-"))
    shutil.copytree(
        PACKAGE_DIR / "handler",
        copy_root / "handler",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    times: dict[str, list[float]] = {mode: [] for mode in MODES}
    for _ in range(args.runs):
        for mode in MODES:
            out = subprocess.run(
                [sys.executable, __file__, "--child", mode, "--handler-copy", str(copy_root)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            times[mode].append(json.loads(out.strip().splitlines()[-1])["seconds"])
    for mode in MODES:
        print(
            f"{mode}: median {statistics.median(times[mode]) * 1000:.1f} ms "
            f"(runs: {', '.join(f'{t * 1000:.0f}' for t in times[mode])})"
        )
    shutil.rmtree(copy_root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
