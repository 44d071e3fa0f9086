"""A newcomer's first run: the real CLI's synth prints nothing that asks for attention.

Each warning annotation prints as a ``WARNING`` line with a ``.../lib/program.js:L:C`` line that
says where it was added; a cdk.json without the recommended flags prints "N feature flags are
not configured". The runs are cli_runs' (conftest.py): the same ``cdk synth --quiet`` that
./scripts/synth.sh runs, offline.
"""

from __future__ import annotations

import json
import re

import pytest
from example_support import CDK_JSON_CONTEXT, CliRun

pytestmark = pytest.mark.cli

NOISE = re.compile(r"WARNING|program\.js|feature flags are not configured", re.IGNORECASE)


@pytest.mark.parametrize("name", ["default", "env=pipeline", "env=dev", "ls"])
def test_cli_output_has_no_warning(cli_runs: dict[str, CliRun], name: str) -> None:
    run = cli_runs[name]
    assert run.returncode == 0, run.stderr
    noise = [line for line in (run.stdout + run.stderr).splitlines() if NOISE.search(line)]
    assert noise == []


def test_default_synth_keeps_the_strong_references(cli_runs: dict[str, CliRun]) -> None:
    """cdk.json's recommended flags make references weak by default; the sender stack states
    strong (example/stacks.py), so its exports stay as deployed."""
    assert CDK_JSON_CONTEXT["@aws-cdk/core:defaultCrossStackReferences"] == "weak"
    sender = json.loads(
        (cli_runs["default"].outdir / "OrdersEmailSender.template.json").read_text()
    )
    assert "Fn::ImportValue" in json.dumps(sender)
    assert "Fn::GetStackOutput" not in json.dumps(sender)
