"""The example app's default stacks (``OrdersEmail``, ``OrdersEmailSender``), synthesized in an App
of their own: their snapshots, their logical ids (and every environment stack's), cfn-lint,
cdk-nag and the built-in validation.

Moved here from tests/constructs (issue 20 item 4: construct tests build only their own apps).
The default stacks are synthesized as they were there, with no cdk.json context (the session
fixture ``example_synthesized``, tests/conftest.py), so the committed snapshots are the same files,
moved; the environment stacks come from ``direct_templates`` (``-c env=all`` with cdk.json's
context).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from prefetch import cfn_lint_result
from synth_support import (
    REPO_ROOT,
    logical_id_changes,
    nag_report,
    normalize,
    resources_of,
)
from syrupy.assertion import SnapshotAssertion

import app as example

DEFAULT_STACKS = ["OrdersEmail", "OrdersEmailSender"]
# One pin file for the library: the Config-* stacks are tests/constructs/test_logical_ids.py's.
PINNED: dict[str, dict[str, str]] = {
    name: pins
    for name, pins in json.loads(
        (REPO_ROOT / "tests" / "constructs" / "logical_ids.json").read_text()
    ).items()
    if not name.startswith("Config-")
}


@pytest.mark.parametrize("stack_name", DEFAULT_STACKS)
def test_example_app_template(
    example_synthesized: Any, stack_name: str, snapshot_json: SnapshotAssertion
) -> None:
    assert normalize(example_synthesized.templates[stack_name]) == snapshot_json


def test_example_app_channel_properties(example_synthesized: Any) -> None:
    template = example_synthesized.templates["OrdersEmail"]
    (channel,) = resources_of(template, "Custom::PinpointEmailChannel").values()
    properties = channel["Properties"]
    assert set(properties) == {
        "ServiceToken",
        "ServiceTimeout",
        "ApplicationId",
        "FromAddress",
        "Identity",
        "ConfigurationSet",
        "RoleArn",
        "Enabled",
    }
    assert properties["FromAddress"] == "noreply@example.com"
    assert properties["Enabled"] is True
    assert len(resources_of(template, "AWS::Pinpoint::App")) == 1
    assert len(resources_of(template, "AWS::Lambda::Function")) == 1


@pytest.mark.parametrize("stack_name", DEFAULT_STACKS)
def test_logical_ids_of_the_default_stacks_never_change(
    example_synthesized: Any, stack_name: str
) -> None:
    assert logical_id_changes(PINNED[stack_name], example_synthesized.templates[stack_name]) == []


@pytest.mark.parametrize("stack_name", sorted(set(PINNED) - set(DEFAULT_STACKS)))
def test_logical_ids_of_every_environment_stack_never_change(
    direct_templates: dict[str, dict[str, Any]], stack_name: str
) -> None:
    assert logical_id_changes(PINNED[stack_name], direct_templates[stack_name]) == []


def test_the_pins_cover_every_example_stack(direct_templates: dict[str, dict[str, Any]]) -> None:
    """A new example stack without pins fails here."""
    assert all(PINNED.values())
    assert set(PINNED) == set(DEFAULT_STACKS) | set(direct_templates)


def test_cfn_lint_is_clean_on_the_example_templates(example_synthesized: Any) -> None:
    assert len(example_synthesized.template_paths) == len(DEFAULT_STACKS)
    findings = [
        f"{m['Rule']['Id']} {Path(m['Filename']).name}: {m['Message']}"
        for m in cfn_lint_result(example_synthesized.template_paths)
    ]
    assert findings == []


def test_builtin_validation_acknowledges_only_w3696(example_synthesized: Any) -> None:
    report = json.loads((Path(example_synthesized.outdir) / "validation-report.json").read_text())
    (plugin,) = report["pluginReports"]
    assert plugin["conclusion"] == "success"
    assert plugin["violations"] == []
    suppressed = {v["acknowledgedId"] for v in plugin["suppressedViolations"]}
    assert suppressed == {"CloudFormation-Validate::W3696"}


def test_cdk_nag_has_no_findings(tmp_path: Path) -> None:
    report = nag_report(example.build_app, tmp_path)
    assert [p["violations"] for p in report["pluginReports"] if p["violations"]] == []
