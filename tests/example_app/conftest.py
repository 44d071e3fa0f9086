"""Session fixtures of the example-app tests: each configuration is synthesized once, and the
real CDK CLI runs once per command, concurrently where that pays off (see cli_runs)."""

from __future__ import annotations

import os
import sys
from typing import Any

import pytest
from aws_cdk import cx_api

sys.path.insert(0, os.path.dirname(__file__))

from example_support import (
    ENVIRONMENT_NAMES,
    CliRun,
    context,
    run_cdk_concurrently,
    synth,
    templates,
)


@pytest.fixture(scope="session")
def pipeline_assembly(tmp_path_factory: pytest.TempPathFactory) -> cx_api.CloudAssembly:
    """``-c env=pipeline``, in process: the pipeline stack and every stage it deploys."""
    return synth(context(env="pipeline"), outdir=tmp_path_factory.mktemp("pipeline.out"))


@pytest.fixture(scope="session")
def pipeline_templates(pipeline_assembly: cx_api.CloudAssembly) -> dict[str, dict[str, Any]]:
    return templates(pipeline_assembly)


@pytest.fixture(scope="session")
def direct_templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """``-c env=all``, in process: every environment's stage, outside the pipeline."""
    return templates(synth(context(env="all"), outdir=tmp_path_factory.mktemp("all.out")))


@pytest.fixture(scope="session")
def cli_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, CliRun]:
    """Every CLI command the suite checks, each run once, offline (no AWS credentials).

    The two runs users see validated (no context; the pipeline, which holds every stage) keep
    aws-cdk-lib's built-in CloudFormation validation on. The per-environment synths and
    ``cdk ls`` run with it off: the pipeline run has validated those very stacks already
    (test_pipeline_run_validates_every_stage_stack).
    """
    root = tmp_path_factory.mktemp("cli")
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
                for name in ENVIRONMENT_NAMES
            },
            "ls": ["ls", "-c", "env=pipeline"],
        },
        root,
        validation=False,
    )
    return runs
