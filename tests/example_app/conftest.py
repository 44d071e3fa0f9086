"""Session fixtures of the example-app tests: each configuration is synthesized once, and the
real CDK CLI runs once per command, concurrently where that pays off (see cli_runs)."""

from __future__ import annotations

import os
import sys
from typing import Any

import pytest
from aws_cdk import cx_api

sys.path.insert(0, os.path.dirname(__file__))

import prefetch
from example_support import (
    CLI_ENVIRONMENTS,
    CliRun,
    context,
    run_cdk_concurrently,
    stage_templates,
    synth,
    templates,
)


@pytest.fixture(scope="session")
def pipeline_assembly(tmp_path_factory: pytest.TempPathFactory) -> cx_api.CloudAssembly:
    """``-c env=pipeline``, in process: the pipeline stack and every stage it deploys."""
    assembly = synth(context(env="pipeline"), outdir=tmp_path_factory.mktemp("pipeline.out"))
    prefetch.cfn_lint_soon(stage_templates(assembly))  # in the background meanwhile
    return assembly


@pytest.fixture(scope="session")
def pipeline_templates(pipeline_assembly: cx_api.CloudAssembly) -> dict[str, dict[str, Any]]:
    return templates(pipeline_assembly)


@pytest.fixture(scope="session")
def direct_templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """``-c env=all``, in process: every environment's stage, outside the pipeline."""
    return templates(synth(context(env="all"), outdir=tmp_path_factory.mktemp("all.out")))


def _run_every_cli_command() -> dict[str, CliRun]:
    """Every CLI command the suite checks, each run once, offline (no AWS credentials).

    The two runs users see validated (no context; the pipeline, which holds every stage) keep
    aws-cdk-lib's built-in CloudFormation validation on. The per-environment synth and
    ``cdk ls`` run with it off: the pipeline run has validated those very stacks already
    (test_pipeline_run_validates_every_stage_stack). One environment's ``-c env=<name>`` run
    stands for all (CLI_ENVIRONMENTS): the pipeline run writes every stage's stacks through the
    same CLI, and each CLI process costs seconds of the suite's budget.
    """
    root = prefetch.workdir("cli")
    runs = run_cdk_concurrently(
        {
            "default": ["synth", "--quiet"],
            "env=pipeline": ["synth", "--quiet", "-c", "env=pipeline"],
        },
        root,
        validation=True,
    )
    runs |= run_cdk_concurrently(
        {
            **{
                f"env={name}": ["synth", "--quiet", "-c", f"env={name}"]
                for name in CLI_ENVIRONMENTS
            },
            "ls": ["ls", "-c", "env=pipeline"],
        },
        root,
        validation=False,
    )
    return runs


def _start_cli_runs() -> None:
    prefetch.start("cli_runs", _run_every_cli_command)


prefetch.for_fixture("cli_runs", _start_cli_runs)


@pytest.fixture(scope="session")
def cli_runs() -> dict[str, CliRun]:
    """The CLI runs, started in the background when collection ended (tests/prefetch.py)."""
    return prefetch.result("cli_runs", _run_every_cli_command)
