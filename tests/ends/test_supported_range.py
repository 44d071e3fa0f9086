"""Both ends of the supported aws-cdk-lib range, as users install them, with the real tools.

- The floor (pyproject's ``aws-cdk-lib>=``) and 2.273.0, the newest aws-cdk-lib whose cloud
  assembly CDK Pipelines' asset stage can read: the built wheel installed beside each by plain
  pip resolution into a fresh venv, a consumer app (consumer_app/) synthesized by the real CDK CLI,
  and the real cdk-assets 4.7.3 (what CDK Pipelines installs as ``cdk-assets@latest``) listing
  every asset manifest.
- The example app's pipeline, synthesized exactly as its own Synth step does
  (``CONSTRAINTS=constraints-pipeline.txt ./scripts/synth.sh -c env=pipeline``), read the same way.
- The control: the same consumer app on the project's own pin (2.275, schema 55), which
  cdk-assets 4.7.3 refuses. That refusal is why the pipeline synthesizes on 2.273.0.

Run by ./scripts/test-ends.sh (CI runs it); each venv is kept in .cache/ends between runs.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
CONSUMER_APP = Path(__file__).parent / "consumer_app"
CACHE = REPO_ROOT / ".cache" / "ends"
NODE_BIN = REPO_ROOT / "node_modules" / ".bin"
CDK_ASSETS = NODE_BIN / "cdk-assets"
PIPELINE_CONSTRAINTS = REPO_ROOT / "constraints-pipeline.txt"
# A warning annotation prints with a source line like "../tmpXXXX/lib/program.js:1:5591".
WARNING_SOURCE = re.compile(r"program\.js:\d+:\d+")


def _pin(constraints: Path, name: str) -> str:
    for line in constraints.read_text().splitlines():
        if line.startswith(f"{name}=="):
            return line.split("==", 1)[1]
    raise AssertionError(f"{constraints.name} pins no {name}")


def _floor() -> str:
    dependencies = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"][
        "dependencies"
    ]
    (spec,) = [d for d in dependencies if d.startswith("aws-cdk-lib")]
    match = re.search(r">=\s*([0-9.]+)", spec)
    assert match, spec
    return match.group(1)


FLOOR = _floor()
PIPELINE_NEWEST = _pin(PIPELINE_CONSTRAINTS, "aws-cdk-lib")
PROJECT_PIN = _pin(REPO_ROOT / "constraints.txt", "aws-cdk-lib")


def _run(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        command, capture_output=True, text=True, timeout=900, **kwargs
    )


def _ok(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    run = _run(command, **kwargs)
    assert run.returncode == 0, f"{command}:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    return run


def _environment(venv_bin: Path) -> dict[str, str]:
    """No AWS credentials or CDK settings; Node 22 and the pinned CLI first, then the venv."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CDK_"))}
    env["PATH"] = os.pathsep.join([str(NODE_BIN), str(venv_bin), env["PATH"]])
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    return env


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    _ok(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist)],
        cwd=REPO_ROOT,
    )
    (built,) = dist.glob("constructs_pinpoint-*.whl")
    return built


def _venv_with(wheel: Path, aws_cdk_lib: str) -> Path:
    """A venv holding the wheel and ``aws-cdk-lib==<version>``, resolved by plain pip (no
    constraints file): what a user gets. Kept between runs; the wheel is reinstalled each time."""
    venv = CACHE / f"aws-cdk-lib-{aws_cdk_lib}"
    python = venv / "bin" / "python"
    pip = [str(python), "-m", "pip", "--disable-pip-version-check", "--quiet"]
    if not python.exists():
        shutil.rmtree(venv, ignore_errors=True)
        _ok([sys.executable, "-m", "venv", str(venv)])
        _ok([*pip, "install", str(wheel), f"aws-cdk-lib=={aws_cdk_lib}"])
    else:
        _ok([*pip, "install", "--force-reinstall", "--no-deps", str(wheel)])
    _ok([*pip, "check"])
    version = _ok([*pip[:-1], "show", "aws-cdk-lib"]).stdout
    assert f"Version: {aws_cdk_lib}" in version, version
    return venv


def _synth_consumer(venv: Path, outdir: Path) -> subprocess.CompletedProcess[str]:
    app = outdir.parent / f"{outdir.name}-app"
    shutil.copytree(CONSUMER_APP, app)
    return _run(
        [
            str(NODE_BIN / "cdk"),
            "synth",
            "--quiet",
            "--no-notices",
            "--no-version-reporting",
            "--output",
            str(outdir),
        ],
        cwd=app,
        env=_environment(venv / "bin"),
    )


def _asset_manifests(assembly: Path) -> list[Path]:
    return sorted(assembly.rglob("*.assets.json"))


def _schema_major(assembly: Path) -> int:
    return int(json.loads((assembly / "manifest.json").read_text())["version"].split(".")[0])


def _cdk_assets_ls(manifest: Path) -> subprocess.CompletedProcess[str]:
    return _run(
        [str(CDK_ASSETS), "ls", "-p", str(manifest)],
        cwd=manifest.parent,
        env=_environment(NODE_BIN),
    )


@pytest.mark.slow
@pytest.mark.cli
@pytest.mark.parametrize("aws_cdk_lib", [FLOOR, PIPELINE_NEWEST])
def test_consumer_app_synthesizes_and_publishes(
    aws_cdk_lib: str, wheel: Path, tmp_path: Path
) -> None:
    venv = _venv_with(wheel, aws_cdk_lib)
    run = _synth_consumer(venv, tmp_path / "cdk.out")
    assert run.returncode == 0, run.stderr[-4000:]
    output = run.stdout + run.stderr
    assert not WARNING_SOURCE.search(output), f"unexpected warning on {aws_cdk_lib}:\n{output}"
    assert "Traceback" not in output
    assembly = tmp_path / "cdk.out"
    assert _schema_major(assembly) <= 54
    template = json.loads((assembly / "Consumer.template.json").read_text())
    types = [resource["Type"] for resource in template["Resources"].values()]
    assert types.count("Custom::PinpointEmailChannel") == 3
    assert "AWS::Pinpoint::EmailChannel" in types
    (manifest,) = _asset_manifests(assembly)
    listed = _cdk_assets_ls(manifest)
    assert listed.returncode == 0, listed.stdout + listed.stderr
    # The handler's and the sending layer's code: every file asset of the stack is listed.
    file_assets = json.loads(manifest.read_text())["files"]
    assert len(file_assets) >= 2
    for asset_id in file_assets:
        assert asset_id in listed.stdout


@pytest.mark.slow
@pytest.mark.cli
def test_project_pin_is_what_cdk_assets_refuses(wheel: Path, tmp_path: Path) -> None:
    """The control: without the pipeline's pins, CDK Pipelines' asset stage stops."""
    venv = _venv_with(wheel, PROJECT_PIN)
    run = _synth_consumer(venv, tmp_path / "cdk.out")
    assert run.returncode == 0, run.stderr[-4000:]
    assembly = tmp_path / "cdk.out"
    if _schema_major(assembly) <= 54:
        pytest.skip(f"aws-cdk-lib {PROJECT_PIN} writes schema <= 54: nothing to refuse")
    (manifest,) = _asset_manifests(assembly)
    listed = _cdk_assets_ls(manifest)
    assert listed.returncode != 0
    assert "Maximum schema version supported is 54" in listed.stdout + listed.stderr


@pytest.mark.slow
@pytest.mark.cli
def test_example_pipeline_assets_are_readable_by_its_asset_stage(tmp_path: Path) -> None:
    """The Synth step's own command, then cdk-assets over every stage's asset manifest."""
    from example.pipeline import SYNTH_COMMANDS

    synth_command = SYNTH_COMMANDS[-1]
    assert synth_command.startswith(f"CONSTRAINTS={PIPELINE_CONSTRAINTS.name} ")
    outdir = tmp_path / "cdk.out"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CDK_", "VIRTUAL_ENV"))}
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    run = _run(["bash", "-c", f"{synth_command} --output {outdir}"], cwd=REPO_ROOT, env=env)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert _schema_major(outdir) <= 54
    manifests = _asset_manifests(outdir)
    # The pipeline stack's own, and one per stage stack (nested assemblies).
    assert len(manifests) > 1, manifests
    for manifest in manifests:
        listed = _cdk_assets_ls(manifest)
        assert listed.returncode == 0, f"{manifest}:\n{listed.stdout}{listed.stderr}"
