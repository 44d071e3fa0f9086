"""The wheel built from pyproject.toml carries the handler and sender source the constructs use."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from synth_support import REPO_ROOT


def test_wheel_carries_handler_and_sending_source(tmp_path: Path) -> None:
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(REPO_ROOT),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    (wheel,) = tmp_path.glob("constructs_pinpoint-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    package = REPO_ROOT / "constructs_pinpoint"
    for folder in ("handler", "sending"):
        for source in (package / folder).glob("*.py"):
            assert f"constructs_pinpoint/{folder}/{source.name}" in names
    assert "constructs_pinpoint/py.typed" in names
    assert not any(name.startswith(("tests/", "bench/", "example/")) for name in names)
