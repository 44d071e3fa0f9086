"""Helpers of the inventory's tests: run the command, write a hand-made assembly."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]


def run_cli(*arguments: str, cwd: Path = REPO_ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "constructs_pinpoint.sunset", *arguments],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )


def write_assembly(root: Path, templates: dict[str, Any]) -> Path:
    """A cloud assembly of hand-written templates: ``{stack name: template}``."""
    root.mkdir(parents=True, exist_ok=True)
    artifacts = {
        name: {"type": "aws:cloudformation:stack", "properties": {"templateFile": f"{name}.json"}}
        for name in templates
    }
    (root / "manifest.json").write_text(json.dumps({"version": "55.0.0", "artifacts": artifacts}))
    for name, template in templates.items():
        (root / f"{name}.json").write_text(json.dumps(template))
    return root
