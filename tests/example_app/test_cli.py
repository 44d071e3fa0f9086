"""The example app through the real CDK CLI (node_modules/.bin/cdk, pinned in package.json)."""

from __future__ import annotations

import json

import pytest
from example_support import CliRun
from synth_support import resources_of

pytestmark = pytest.mark.cli


@pytest.fixture(scope="module")
def cli_synth(cli_runs: dict[str, CliRun]) -> CliRun:
    """``cdk synth --quiet`` with no context: the embedded default, env-agnostic stacks."""
    return cli_runs["default"]


def test_cli_synth_writes_the_example_stack(cli_synth: CliRun) -> None:
    assert cli_synth.returncode == 0, cli_synth.stderr
    assert sorted(cli_synth.templates()) == ["OrdersEmail", "OrdersEmailSender"]
    template = json.loads((cli_synth.outdir / "OrdersEmail.template.json").read_text())
    assert len(resources_of(template, "AWS::Pinpoint::App")) == 1
    assert len(resources_of(template, "AWS::Lambda::Function")) == 1
    (channel,) = resources_of(template, "Custom::PinpointEmailChannel").values()
    assert {"FromAddress", "Identity", "ConfigurationSet", "RoleArn"} <= set(channel["Properties"])


def test_cli_synth_writes_the_order_confirmation_sender(cli_synth: CliRun) -> None:
    template = json.loads((cli_synth.outdir / "OrdersEmailSender.template.json").read_text())
    (function,) = resources_of(template, "AWS::Lambda::Function").values()
    variables = function["Properties"]["Environment"]["Variables"]
    assert variables["PINPOINT_EMAIL_BACKEND"] == "pinpoint"
    assert len(resources_of(template, "AWS::Lambda::LayerVersion")) == 1


@pytest.mark.parametrize("name", ["default", "env=pipeline", "ls"])
def test_cli_prints_no_node_end_of_life_banner(cli_runs: dict[str, CliRun], name: str) -> None:
    run = cli_runs[name]
    assert "end-of-life" not in run.stdout + run.stderr
    assert "!!!!!!" not in run.stdout + run.stderr
