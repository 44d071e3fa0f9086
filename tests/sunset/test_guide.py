"""The move guide ships in the package; docs/moving-to-ses.md is the same file, and every step
the inventory gives names one of its sections."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from prefetch import environ as prefetch_environ
from prefetch import result as prefetch_result
from prefetch import start as prefetch_start
from prefetch import workdir
from sunset_support import REPO_ROOT, run_cli

from constructs_pinpoint.handler.contract import MOVING_TO_SES_GUIDE_COMMAND
from constructs_pinpoint.sunset import SECTIONS, rules
from constructs_pinpoint.sunset.guide import read_guide

DOCS_COPY = REPO_ROOT / "docs" / "moving-to-ses.md"


def test_the_packaged_guide_is_docs_moving_to_ses() -> None:
    """One source of truth: edit docs/moving-to-ses.md, then copy it to
    constructs_pinpoint/sunset/moving-to-ses.md (this test fails until both are the same)."""
    assert read_guide() == DOCS_COPY.read_text(encoding="utf-8"), (
        "cp docs/moving-to-ses.md constructs_pinpoint/sunset/moving-to-ses.md"
    )


def test_guide_prints_the_packaged_guide() -> None:
    run = run_cli("--guide")
    assert run.returncode == 0, run.stderr
    assert run.stdout == read_guide() + "\n"
    assert MOVING_TO_SES_GUIDE_COMMAND == "python -m constructs_pinpoint.sunset --guide"


def test_every_section_a_step_names_is_a_heading_of_the_guide() -> None:
    headings = set(re.findall(r"^#+ (.+?)\s*$", read_guide(), flags=re.MULTILINE))
    assert [section for section in SECTIONS if section not in headings] == []
    package = Path(rules.__file__).parent
    named = {
        name
        for module in package.glob("*.py")
        for name in re.findall(r"guide\.([A-Z_]+)", module.read_text())
    }
    assert "STEP_SWITCH" in named and "ROLES" in named
    assert named <= {
        name
        for name in dir(__import__("constructs_pinpoint.sunset.guide", fromlist=["x"]))
        if name.isupper()
    }


def test_no_output_points_at_a_docs_path() -> None:
    """A wheel user has no docs/ folder: what the command prints names the guide command."""
    modules = [p.name for p in (REPO_ROOT / "constructs_pinpoint" / "sunset").glob("*.py")]
    for module in sorted(set(modules) - {"guide.py"}):
        source = (REPO_ROOT / "constructs_pinpoint" / "sunset" / module).read_text()
        assert "docs/" not in source, module


def _end_state_program() -> str:
    (block,) = [
        b
        for b in re.findall(r"```python\n(.*?)```", read_guide(), flags=re.DOTALL)
        if "SesEmailSending(" in b and "SENDER_CODE" in b
    ]
    assert "app = cdk.App()\n" in block
    return block.replace(
        "app = cdk.App()\n",
        "app = cdk.App()\nfrom cdk_nag import AwsSolutionsChecks\n"
        "cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))\n",
    )


def _run_end_state() -> tuple[Path, subprocess.CompletedProcess[str]]:
    """The guide's end state with cdk-nag added, run as a program (a fresh interpreter)."""
    directory = workdir("guide")
    (directory / "app.py").write_text(_end_state_program())
    env = {k: v for k, v in prefetch_environ().items() if not k.startswith(("AWS_", "CDK_"))}
    env.update(CDK_OUTDIR=str(directory / "out"), CDK_VALIDATION="false", PYTHONPATH=str(REPO_ROOT))
    env["PATH"] = f"{REPO_ROOT / 'node_modules' / '.bin'}{os.pathsep}{env['PATH']}"
    run = subprocess.run(
        [sys.executable, "app.py"], cwd=directory, env=env, capture_output=True, text=True
    )
    return directory, run


def prefetch(item: pytest.Item) -> None:  # called by tests/conftest.py when collection ends
    if getattr(item, "originalname", "") == "test_the_guides_end_state_passes_cdk_nag":
        prefetch_start("guide-end-state", _run_end_state)


def test_the_guides_end_state_passes_cdk_nag() -> None:
    """The complete app of "Step 3" runs as written with cdk-nag's AwsSolutions pack added: zero
    findings (before, its function's default role used an AWS managed policy: IAM4)."""
    directory, run = prefetch_result("guide-end-state", _run_end_state)
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads((directory / "out" / "validation-report.json").read_text())
    assert [p for p in report["pluginReports"] if p.get("violations")] == []
