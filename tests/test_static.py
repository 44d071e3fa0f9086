"""Static checks in the suite: mypy --strict on the package, ruff lint and format on the repo."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
from pathlib import Path

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


def _string_literals(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]


def test_no_message_says_s_in_parentheses() -> None:
    """Messages count with sending._text.counted ("1 channel", "2 channels"), never "(s)"."""
    found = [
        f"{path.relative_to(REPO_ROOT)}:{line}: {text.strip()[:80]}"
        for folder in ("constructs_pinpoint", "example", "bench")
        for path in sorted((REPO_ROOT / folder).rglob("*.py"))
        for line, text in _string_literals(path)
        if re.search(r"\w\(s\)", text)
    ]
    assert found == []


def test_counted_agrees_in_number() -> None:
    from constructs_pinpoint.sending._text import counted

    assert [counted(n, "channel") for n in (0, 1, 2)] == ["0 channels", "1 channel", "2 channels"]
    assert counted(1, "entry", "entries") == "1 entry"
    assert counted(3, "entry", "entries") == "3 entries"
