"""Helpers for the example-app tests: its cdk.json context, in-process synthesis, and the real
CDK CLI (node_modules/.bin/cdk, pinned in package.json) run offline."""

from __future__ import annotations

import copy
import json
import os
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import cx_api
from prefetch import environ as prefetch_environ
from synth_support import REPO_ROOT, normalize, resources_of

import app as example

CDK = REPO_ROOT / "node_modules" / ".bin" / "cdk"
CDK_JSON_CONTEXT: dict[str, Any] = json.loads((REPO_ROOT / "cdk.json").read_text())["context"]
ENVIRONMENT_NAMES: list[str] = list(CDK_JSON_CONTEXT["environments"])
PIPELINE_STAGES: list[str] = list(CDK_JSON_CONTEXT["pipeline"]["stages"])
# The environments synthesized alone by the real CLI (conftest.cli_runs).
CLI_ENVIRONMENTS: list[str] = ENVIRONMENT_NAMES[:1]


def context(**overrides: Any) -> dict[str, Any]:
    """cdk.json's context (a deep copy), with ``overrides`` (e.g. ``env="dev"``)."""
    return {**copy.deepcopy(CDK_JSON_CONTEXT), **overrides}


def build(
    context: Mapping[str, Any], *, validation: bool = False, outdir: Path | None = None
) -> cdk.App:
    app = cdk.App(
        analytics_reporting=False,
        builtin_cloud_formation_validation=validation,
        context=dict(context),
        outdir=str(outdir) if outdir else None,
    )
    return example.build_app(app)


def synth(context: Mapping[str, Any], **kwargs: Any) -> cx_api.CloudAssembly:
    return build(context, **kwargs).synth()


def templates(assembly: cx_api.CloudAssembly) -> dict[str, dict[str, Any]]:
    """Every stack's template (nested stage assemblies included), by stack name."""
    return {stack.stack_name: stack.template for stack in assembly.stacks_recursively}


def stage_stack_names(environment: str) -> list[str]:
    return [f"{environment}-Messaging", f"{environment}-Channels"]


def comparable(template: dict[str, Any]) -> Any:
    """A template without what only the CLI adds (path and asset metadata), hashes normalized."""
    template = copy.deepcopy(template)
    for resource in template.get("Resources", {}).values():
        metadata = resource.get("Metadata")
        if metadata is not None:
            for key in [k for k in metadata if k.startswith("aws:")]:
                del metadata[key]
            if not metadata:
                del resource["Metadata"]
    return normalize(template)


def pipeline_stages(template: dict[str, Any]) -> list[dict[str, Any]]:
    (pipeline,) = resources_of(template, "AWS::CodePipeline::Pipeline").values()
    return pipeline["Properties"]["Stages"]  # type: ignore[no-any-return]


def stage_names(template: dict[str, Any]) -> list[str]:
    return [stage["Name"] for stage in pipeline_stages(template)]


# The real CDK CLI


@dataclass(frozen=True)
class CliRun:
    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    outdir: Path

    def templates(self) -> dict[str, dict[str, Any]]:
        """Every stack template the run wrote, by stack name, read from the manifests."""
        return _assembly_templates(self.outdir)


def _assembly_templates(directory: Path) -> dict[str, dict[str, Any]]:
    manifest = json.loads((directory / "manifest.json").read_text())
    found: dict[str, dict[str, Any]] = {}
    for artifact_id, artifact in manifest.get("artifacts", {}).items():
        properties = artifact.get("properties", {})
        if artifact["type"] == "aws:cloudformation:stack":
            name = properties.get("stackName", artifact_id)
            found[name] = json.loads((directory / properties["templateFile"]).read_text())
        elif artifact["type"] == "cdk:cloud-assembly":
            found.update(_assembly_templates(directory / properties["directoryName"]))
    return found


def cli_environment(*, validation: bool = True) -> dict[str, str]:
    """The test process's environment without AWS credentials, profiles or CDK settings, with the
    pinned CLI and Node 22 first on PATH. ``validation=False`` turns off aws-cdk-lib's built-in
    CloudFormation validation (CDK_VALIDATION=false), 3-5 s of every synth."""
    env = {k: v for k, v in prefetch_environ().items() if not k.startswith(("AWS_", "CDK_"))}
    env["PATH"] = os.pathsep.join(
        [str(REPO_ROOT / "node_modules" / ".bin"), str(REPO_ROOT / ".venv" / "bin"), env["PATH"]]
    )
    # Offline: no instance-metadata probing for credentials or a region.
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    if not validation:
        env["CDK_VALIDATION"] = "false"
    return env


def cdk_command(*args: str, outdir: Path) -> list[str]:
    if not CDK.exists():
        pytest.fail("node_modules/.bin/cdk is missing: run ./scripts/setup.sh (npm ci)")
    return [str(CDK), *args, "--output", str(outdir), "--no-notices", "--no-version-reporting"]


def run_cdk(*args: str, outdir: Path, validation: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        cdk_command(*args, outdir=outdir),
        cwd=REPO_ROOT,
        env=cli_environment(validation=validation),
        capture_output=True,
        text=True,
        timeout=300,
    )


def run_cdk_concurrently(
    runs: Mapping[str, Sequence[str]], root: Path, *, validation: bool
) -> dict[str, CliRun]:
    """Start every run at once (each in its own output directory under ``root``), wait for all.

    Two validating runs, or four non-validating ones, finish together on two cores in about
    the time of one and a half sequential runs; more at once gets slower, not faster.
    """
    started = {}
    for name, args in runs.items():
        outdir = root / name.replace("=", "-")
        started[name] = (
            tuple(args),
            outdir,
            subprocess.Popen(
                cdk_command(*args, outdir=outdir),
                cwd=REPO_ROOT,
                env=cli_environment(validation=validation),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            ),
        )
    finished = {}
    for name, (args, outdir, process) in started.items():
        try:
            stdout, stderr = process.communicate(timeout=300)
        except subprocess.TimeoutExpired:
            process.kill()
            stdout, stderr = process.communicate()
        finished[name] = CliRun(args, process.returncode, stdout, stderr, outdir)
    return finished


def stage_templates(pipeline_assembly: Any) -> list[str]:
    """The template files of the stage stacks (ours), without the pipeline stack (aws-cdk-lib's
    CodePipeline, on which cfn-lint 1.58 reports W3005 and E3703)."""
    return sorted(
        str(s.template_full_path)
        for s in pipeline_assembly.stacks_recursively
        if s.stack_name != "OrdersPipeline"
    )
