"""``cdk synth -c env=<each>``, ``cdk synth -c env=pipeline`` and ``cdk ls -c env=pipeline`` with
the real CDK CLI, offline: what they write and list (runs: the ``cli_runs`` fixture)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from example_support import (
    CLI_ENVIRONMENTS,
    PIPELINE_STAGES,
    CliRun,
    comparable,
    stage_names,
    stage_stack_names,
)

pytestmark = pytest.mark.cli


@pytest.mark.parametrize("environment", CLI_ENVIRONMENTS)
def test_cli_synth_of_an_environment_writes_exactly_its_stage(
    cli_runs: dict[str, CliRun],
    direct_templates: dict[str, dict[str, Any]],
    environment: str,
) -> None:
    run = cli_runs[f"env={environment}"]
    assert run.returncode == 0, run.stderr
    written = run.templates()
    assert sorted(written) == sorted(stage_stack_names(environment))
    assert (run.outdir / f"assembly-{environment}" / "manifest.json").is_file()
    for name, template in written.items():
        assert comparable(template) == comparable(direct_templates[name]), name


def test_cli_synth_of_the_pipeline_writes_the_pipeline_and_every_stage(
    cli_runs: dict[str, CliRun], pipeline_templates: dict[str, dict[str, Any]]
) -> None:
    run = cli_runs["env=pipeline"]
    assert run.returncode == 0, run.stderr
    written = run.templates()
    expected = ["OrdersPipeline"] + [n for e in PIPELINE_STAGES for n in stage_stack_names(e)]
    assert sorted(written) == sorted(expected)
    for name, template in written.items():
        assert comparable(template) == comparable(pipeline_templates[name]), name
    # Nothing the pipeline would fail on later: no warnings either.
    assert "warning" not in run.stderr.lower(), run.stderr


def test_cli_pipeline_deploys_dev_then_staging_then_prod(cli_runs: dict[str, CliRun]) -> None:
    template = cli_runs["env=pipeline"].templates()["OrdersPipeline"]
    names = stage_names(template)
    assert [n for n in names if n in PIPELINE_STAGES] == ["dev", "staging", "prod"]
    assert names[: names.index("dev")] == ["Source", "Build", "UpdatePipeline", "Assets"]


def test_pipeline_run_validates_every_stage_stack(cli_runs: dict[str, CliRun]) -> None:
    """aws-cdk-lib's built-in validation ran over all stage stacks: only W3696, acknowledged."""
    run = cli_runs["env=pipeline"]
    report = json.loads((run.outdir / "validation-report.json").read_text())
    (plugin,) = report["pluginReports"]
    assert plugin["conclusion"] == "success"
    assert plugin["violations"] == []
    suppressed = plugin["suppressedViolations"]
    assert {v["acknowledgedId"] for v in suppressed} == {"CloudFormation-Validate::W3696"}
    validated = {
        c["constructPath"].split("/")[1] for v in suppressed for c in v["violatingConstructs"]
    }
    assert validated == set(PIPELINE_STAGES)


def test_cli_ls_lists_the_pipeline_and_every_stage_stack(cli_runs: dict[str, CliRun]) -> None:
    run = cli_runs["ls"]
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [
        "OrdersPipeline",
        *(
            f"OrdersPipeline/{environment}/{stack} ({environment}-{stack})"
            for environment in PIPELINE_STAGES
            for stack in ("Messaging", "Channels")
        ),
    ]
