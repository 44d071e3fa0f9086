"""Static checks in the suite: mypy --strict on the package, ruff lint and format on the repo."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from synth_support import REPO_ROOT


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    executable = shutil.which(command[0])
    if executable is None:
        pytest.fail(f"{command[0]} is not installed: run ./scripts/setup.sh")
    return subprocess.run(
        [executable, *command[1:]], cwd=REPO_ROOT, capture_output=True, text=True, timeout=600
    )


def test_mypy_strict() -> None:
    run = _run("mypy")  # strict; the package, the example app (pyproject.toml [tool.mypy])
    assert run.returncode == 0, run.stdout + run.stderr


def test_ruff_lint() -> None:
    run = _run("ruff", "check", ".")
    assert run.returncode == 0, run.stdout + run.stderr


def test_ruff_format() -> None:
    run = _run("ruff", "format", "--check", ".")
    assert run.returncode == 0, run.stdout + run.stderr
