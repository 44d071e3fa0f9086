"""The README's "Using it in your own CDK app", as a newcomer runs it: its shell block verbatim,
from an empty folder whose path has a space, against a fresh clone at another such path, with its
stack as app.py. PyPI and npm are reached; no AWS credentials."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SECTION = "## Using it in your own CDK app"
# What jsii prints on an end-of-life Node, and the source line of any warning annotation.
NODE_BANNER = re.compile(r"end-of-life|end of life", re.I)
WARNING_SOURCE = re.compile(r"program\.js:\d+:\d+")


def _section_blocks() -> tuple[str, str]:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split(SECTION, 1)[1].split("\n## ", 1)[0]
    (shell,) = re.findall(r"```bash\n(.*?)```", section, re.S)
    (stack,) = re.findall(r"```python\n(.*?)```", section, re.S)
    return shell, stack


@pytest.mark.slow
@pytest.mark.cli
def test_readme_commands_run_from_an_empty_folder(tmp_path: Path) -> None:
    shell, stack = _section_blocks()
    clone = tmp_path / "a clone" / "constructs-pinpoint-src"
    subprocess.run(["git", "clone", "--quiet", str(REPO_ROOT), str(clone)], check=True)
    app = tmp_path / "my app"
    app.mkdir()
    (app / "app.py").write_text(stack)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CDK_", "VIRTUAL_ENV"))}
    # Outside the project's set-up: no project venv, no project node_modules on PATH.
    env["PATH"] = os.pathsep.join(
        p for p in env["PATH"].split(os.pathsep) if not p.startswith(str(REPO_ROOT))
    )
    env.update(CLONE=str(clone), AWS_EC2_METADATA_DISABLED="true")
    run = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", shell],
        cwd=app,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-4000:]
    assert not NODE_BANNER.search(output), output
    assert not WARNING_SOURCE.search(output), output
    assert (app / "cdk.out" / "Orders.template.json").is_file()
    pins = json.loads((app / "package.json").read_text())["devDependencies"]
    assert pins == {"aws-cdk": "2.1148.1", "node": "22.23.3"}, "exact pins, no ^ range"
