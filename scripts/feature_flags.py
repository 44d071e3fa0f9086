#!/usr/bin/env python3
"""cdk.json's feature flags: exactly the context entries that ``cdk init app --language python``
of the pinned CDK CLI (node_modules/.bin/cdk, package.json) writes, at the values it writes.

    python scripts/feature_flags.py           # rewrite cdk.json's flags from the pinned CLI
    python scripts/feature_flags.py --check   # exit 1 if cdk.json differs from what it writes

Runs offline (``cdk init --generate-only`` in a temporary directory). The project's own context
keys (``environments``, ``pipeline``) are kept as they are, after the flags.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CDK_JSON = ROOT / "cdk.json"
CDK = ROOT / "node_modules" / ".bin" / "cdk"
# Context keys that are the project's own configuration, not aws-cdk-lib feature flags.
PROJECT_KEYS = ("environments", "pipeline")


def generated_flags() -> dict[str, Any]:
    """The context of the cdk.json that the pinned CLI's ``cdk init app --language python``
    writes."""
    if not CDK.exists():
        raise SystemExit(f"error: {CDK} is missing: run ./scripts/setup.sh (npm ci) first")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CDK_"))}
    env["PATH"] = os.pathsep.join([str(CDK.parent), env.get("PATH", "")])
    with tempfile.TemporaryDirectory(prefix="cdk-init-") as directory:
        project = Path(directory) / "flags"
        project.mkdir()
        run = subprocess.run(
            [str(CDK), "init", "app", "--language", "python", "--generate-only"],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if run.returncode != 0:
            raise SystemExit(f"error: cdk init failed ({run.returncode}):\n{run.stderr}")
        context: dict[str, Any] = json.loads((project / "cdk.json").read_text())["context"]
    return context


def current() -> dict[str, Any]:
    return json.loads(CDK_JSON.read_text())  # type: ignore[no-any-return]


def flags_of(cdk_json: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in cdk_json.get("context", {}).items() if k not in PROJECT_KEYS}


def merged(cdk_json: dict[str, Any], flags: dict[str, Any]) -> dict[str, Any]:
    own = {k: v for k, v in cdk_json.get("context", {}).items() if k in PROJECT_KEYS}
    return {**cdk_json, "context": {**flags, **own}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare only; exit 1 on a difference")
    args = parser.parse_args(argv)
    flags = generated_flags()
    cdk_json = current()
    if args.check:
        have = flags_of(cdk_json)
        if have == flags:
            print(f"cdk.json: {len(flags)} feature flags, as the pinned CLI writes them")
            return 0
        for key in sorted(set(have) | set(flags)):
            if have.get(key, "<absent>") != flags.get(key, "<absent>"):
                print(
                    f"cdk.json {key}: {have.get(key, '<absent>')!r}, "
                    f"cdk init writes {flags.get(key, '<absent>')!r}",
                    file=sys.stderr,
                )
        print("fix: python scripts/feature_flags.py", file=sys.stderr)
        return 1
    CDK_JSON.write_text(json.dumps(merged(cdk_json, flags), indent=2) + "\n")
    print(f"cdk.json: wrote {len(flags)} feature flags from {CDK}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
