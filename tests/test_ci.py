"""CI runs one script everywhere: .github/workflows/ci.yml and any other CI call ``.ci/run``, which
installs everything itself and runs the README's test command (./scripts/test.sh)."""

from __future__ import annotations

import json
import os
import re
import subprocess

import pytest
import yaml
from prefetch import environ as prefetch_environ
from prefetch import result as prefetch_result
from prefetch import start as prefetch_start
from prefetch import workdir as prefetch_workdir
from synth_support import REPO_ROOT

WORKFLOW = REPO_ROOT / ".github" / "workflows" / "ci.yml"


def test_the_workflow_is_valid_and_runs_on_push_and_pull_request() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert {"push", "pull_request"} <= set(triggers)
    (job,) = workflow["jobs"].values()
    runs = [step["run"] for step in job["steps"] if "run" in step]
    assert runs == ["bash .ci/run"]
    for step in job["steps"]:
        assert set(step) <= {"name", "uses", "with", "run", "env"}, step


def test_ci_runs_the_test_script_without_credentials() -> None:
    ci = (REPO_ROOT / ".ci" / "run").read_text()
    assert os.access(REPO_ROOT / ".ci" / "run", os.X_OK)
    assert "unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE" in ci
    assert re.search(r"^\./scripts/test\.sh", ci, re.MULTILINE)


def test_ci_runs_both_ends_of_the_supported_range() -> None:
    """The suite runs on the newest aws-cdk-lib; tests/ends on the floor and on 2.273.0."""
    ci = (REPO_ROOT / ".ci" / "run").read_text()
    assert re.search(r"^\./scripts/test-ends\.sh", ci, re.MULTILINE)
    ends = (REPO_ROOT / "scripts" / "test-ends.sh").read_text()
    assert "CONSTRUCTS_PINPOINT_ENDS=1" in ends and "tests/ends" in ends


def _empty_collection_job() -> subprocess.CompletedProcess[str]:
    env = prefetch_environ()
    return subprocess.run(
        [
            str(REPO_ROOT / "scripts" / "test.sh"),
            str(prefetch_workdir("empty")),
            "-p",
            "no:cacheprovider",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def prefetch(item: pytest.Item) -> None:  # called by tests/conftest.py when collection ends
    if getattr(item, "originalname", "") == "test_no_tests_collected_fails_the_test_script":
        prefetch_start("empty-collection", _empty_collection_job)


def test_no_tests_collected_fails_the_test_script() -> None:
    """pytest exits 5 when it collects nothing; test.sh must not turn that into a pass."""
    run = prefetch_result("empty-collection", _empty_collection_job)
    assert run.returncode == 5, run.stdout + run.stderr
    assert "no tests ran" in run.stdout + run.stderr


def test_npm_allow_scripts_covers_every_install_script() -> None:
    """npm 11 warns "install scripts not yet covered by allowScripts" for each package with an
    install script that package.json's ``allowScripts`` does not name. Pinned keys
    (``node@22.23.3``) match only a lockfile entry with a ``resolved`` URL, which this lockfile
    omits (omit-lockfile-registry-resolved), so the keys are names. Checked by hand with a fresh
    ``npm ci`` in a copy of the repository: no warning."""
    package = json.loads((REPO_ROOT / "package.json").read_text())
    lock = json.loads((REPO_ROOT / "package-lock.json").read_text())
    scripted = {
        path.rsplit("node_modules/", 1)[1]
        for path, entry in lock["packages"].items()
        if path and entry.get("hasInstallScript")
    }
    assert scripted == {"node"}
    assert package["allowScripts"] == {name: True for name in scripted}
