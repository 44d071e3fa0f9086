"""The example app through the real CDK CLI from npm (node_modules/.bin/cdk, pinned in package.json)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from synth_support import REPO_ROOT, resources_of

CDK = REPO_ROOT / "node_modules" / ".bin" / "cdk"
pytestmark = pytest.mark.cli


def run_cdk(*args: str, outdir: Path) -> subprocess.CompletedProcess[str]:
    if not CDK.exists():
        pytest.fail("node_modules/.bin/cdk is missing: run ./scripts/setup.sh (npm ci)")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AWS_", "CDK_"))
    }
    env["PATH"] = os.pathsep.join(
        [str(REPO_ROOT / "node_modules" / ".bin"), str(REPO_ROOT / ".venv" / "bin"), env["PATH"]]
    )
    return subprocess.run(
        [str(CDK), *args, "--output", str(outdir), "--no-notices", "--no-version-reporting"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def cli_synth(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    outdir = tmp_path_factory.mktemp("cli.out")
    return run_cdk("synth", "--quiet", outdir=outdir), outdir


def test_cli_synth_writes_the_example_stack(cli_synth: tuple[Any, Path]) -> None:
    run, outdir = cli_synth
    assert run.returncode == 0, run.stderr
    template = json.loads((outdir / "OrdersEmail.template.json").read_text())
    assert len(resources_of(template, "AWS::Pinpoint::App")) == 1
    assert len(resources_of(template, "AWS::Lambda::Function")) == 1
    (channel,) = resources_of(template, "Custom::PinpointEmailChannel").values()
    assert {"FromAddress", "Identity", "ConfigurationSet", "RoleArn"} <= set(channel["Properties"])


def test_cli_prints_no_node_end_of_life_banner(cli_synth: tuple[Any, Path]) -> None:
    run, _ = cli_synth
    assert "end-of-life" not in run.stdout + run.stderr
    assert "!!!!!!" not in run.stdout + run.stderr
