"""Subprocess work that tests wait on, started as soon as collection ends.

pytest runs the in-process tests on one core. The real CDK CLI runs and the docs' programs are
processes of their own: started from one background thread when collection ends, they run on the
second core meanwhile, instead of after the tests before them. Each job is the very function the
fixture or test would call, so results and failures are the same; a job's exception is raised in
the test that asks for its result.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest

T = TypeVar("T")

# One worker: with pytest on one core, a second job at once would only slow both down.
_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="prefetch")
_jobs: dict[str, Future[Any]] = {}
_by_fixture: dict[str, Callable[[], None]] = {}


_environ: dict[str, str] | None = None


def environ() -> dict[str, str]:
    """A copy of the environment as it was when collection ended, for jobs: they run on a
    background thread, where reading ``os.environ`` could race a test's ``monkeypatch.setenv``."""
    global _environ
    if _environ is None:
        _environ = dict(os.environ)
    return dict(_environ)


def start(key: str, job: Callable[[], Any]) -> None:
    if key not in _jobs:
        _jobs[key] = _pool.submit(job)


def result(key: str, job: Callable[[], T]) -> T:
    """The job's result, started now unless collection started it already."""
    start(key, job)
    value: T = _jobs[key].result()
    return value


def for_fixture(name: str, starter: Callable[[], None]) -> None:
    """Start ``starter`` when collection selects a test that uses fixture ``name``."""
    _by_fixture[name] = starter


def workdir(prefix: str) -> Path:
    """A temporary directory for a job started before any fixture exists; removed at exit."""
    path = Path(tempfile.mkdtemp(prefix=f"constructs-pinpoint-{prefix}-"))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


TESTS = Path(__file__).resolve().parent


def python_job(
    prefix: str, program: str, *args: str
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """``program`` run by this interpreter in a process of its own, with tests/ and
    tests/constructs/ importable; its first argument is a new work directory (returned)."""
    work = workdir(prefix)
    run = subprocess.run(
        [sys.executable, "-c", program, str(work), *args],
        env={**environ(), "PYTHONPATH": os.pathsep.join([str(TESTS), str(TESTS / "constructs")])},
        capture_output=True,
        text=True,
        timeout=300,
    )
    return work, run


def start_for(items: list[pytest.Item]) -> None:
    """Start the jobs the selected tests need: by fixture, or by their module's ``prefetch``."""
    environ()  # the snapshot, taken on the main thread before any test runs
    for item in items:
        for name in getattr(item, "fixturenames", ()):
            starter = _by_fixture.get(name)
            if starter is not None:
                starter()
        module_prefetch = getattr(getattr(item, "module", None), "prefetch", None)
        if callable(module_prefetch):
            module_prefetch(item)


# Jobs a fixture starts once their input exists (cfn-lint on templates it has just synthesized):
# their own worker, so they never queue behind the collection-time jobs above.
_soon = ThreadPoolExecutor(max_workers=1, thread_name_prefix="prefetch-soon")


def cfn_lint(paths: Sequence[str | Path]) -> list[dict[str, Any]]:
    """cfn-lint's JSON findings for ``paths`` (one process: its start-up is most of its cost)."""
    executable = shutil.which("cfn-lint")
    assert executable, "cfn-lint is installed by scripts/setup.sh"
    run = subprocess.run(
        [executable, "--format", "json", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    # 0 clean; 2, 4, 8 and their sums: errors, warnings, informational findings.
    assert run.returncode in range(0, 15, 2), run.stderr
    findings: list[dict[str, Any]] = json.loads(run.stdout or "[]")
    return findings


def _lint_key(paths: Sequence[str | Path]) -> str:
    return "cfn-lint:" + "|".join(sorted(map(str, paths)))


def cfn_lint_soon(paths: Sequence[str | Path]) -> None:
    """Start cfn-lint on ``paths`` now, in the background."""
    key = _lint_key(paths)
    if key not in _jobs:
        _jobs[key] = _soon.submit(cfn_lint, list(paths))


def cfn_lint_result(paths: Sequence[str | Path]) -> list[dict[str, Any]]:
    return result(_lint_key(paths), lambda: cfn_lint(list(paths)))
