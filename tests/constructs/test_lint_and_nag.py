"""cfn-lint, cdk-nag (AwsSolutions) and aws-cdk-lib's built-in validation over every snapshot
configuration: any new finding fails here. (The example app's: tests/example_app.)"""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from cdk_nag import AwsSolutionsChecks
from channel_configurations import CONFIGURATIONS
from prefetch import cfn_lint_result, python_job
from prefetch import result as prefetch_result
from prefetch import start as prefetch_start
from synth_support import new_app


def _lint_findings(synthesized) -> dict[Path, list[str]]:
    """cfn-lint's findings by template: every configuration and the bare minimal one, linted in
    one process started by the session's synthesis (tests/conftest.py)."""
    findings: dict[Path, list[str]] = {path: [] for path in synthesized.lint_paths}
    for match in cfn_lint_result(synthesized.lint_paths):
        findings[Path(match["Filename"])].append(f"{match['Rule']['Id']}: {match['Message']}")
    return findings


def test_cfn_lint_is_clean_on_every_template(synthesized) -> None:
    templates = synthesized.template_paths
    assert len(templates) == len(synthesized.templates) == len(CONFIGURATIONS)
    findings = _lint_findings(synthesized)
    assert {path.name: findings[path] for path in templates if findings[path]} == {}


def test_cfn_lint_sees_pinpoint_end_of_support_without_the_acknowledgment(synthesized) -> None:
    bare = json.loads(synthesized.bare_minimal.read_text())
    assert not any(
        "cfn-lint" in resource.get("Metadata", {}) for resource in bare["Resources"].values()
    )
    assert bare["Resources"].keys() == synthesized.config("minimal")["Resources"].keys()
    findings = _lint_findings(synthesized)[synthesized.bare_minimal]
    assert [finding.split(":")[0] for finding in findings] == ["W3696"]


# Every configuration synthesized in a process of its own, with aws-cdk-lib's built-in
# validation or with cdk-nag's AwsSolutions pack (2-3 s each, on the second core while the main
# thread runs other tests).
_SYNTH_ALL = """
import sys
from pathlib import Path
import aws_cdk as cdk
from channel_configurations import build_all
from synth_support import new_app
app = new_app(validation=sys.argv[2] == "builtin", outdir=Path(sys.argv[1]))
if sys.argv[2] == "cdk-nag":
    from cdk_nag import AwsSolutionsChecks
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
build_all(app)
app.synth()
"""
_JOBS = {
    "test_builtin_validation_acknowledges_only_w3696": (
        "validated-configurations",
        partial(python_job, "validated", _SYNTH_ALL, "builtin"),
    ),
    "test_cdk_nag_has_no_findings": (
        "nagged-configurations",
        partial(python_job, "nagged", _SYNTH_ALL, "cdk-nag"),
    ),
}


def prefetch(item: pytest.Item) -> None:  # called by tests/conftest.py when collection ends
    job = _JOBS.get(getattr(item, "originalname", ""))
    if job is not None:
        prefetch_start(*job)


def test_builtin_validation_acknowledges_only_w3696() -> None:
    """aws-cdk-lib's built-in CloudFormation validation on every configuration: no violation, and
    only W3696 (Pinpoint's end of support) acknowledged, by PinpointApp."""
    outdir, run = prefetch_result(*_JOBS["test_builtin_validation_acknowledges_only_w3696"])
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads((outdir / "validation-report.json").read_text())
    (plugin,) = report["pluginReports"]
    assert plugin["conclusion"] == "success"
    assert plugin["violations"] == []
    suppressed = {v["acknowledgedId"] for v in plugin["suppressedViolations"]}
    assert suppressed == {"CloudFormation-Validate::W3696"}


def test_cdk_nag_has_no_findings() -> None:
    outdir, run = prefetch_result(*_JOBS["test_cdk_nag_has_no_findings"])
    # A finding is an error that fails the synth.
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads((outdir / "validation-report.json").read_text())
    # A clean run lists no plugin report; test_cdk_nag_catches_a_finding shows findings do show.
    assert [p["violations"] for p in report["pluginReports"] if p["violations"]] == []
    # What the library acknowledges itself: the ownership tags' apps/* (limited by aws:TagKeys),
    # once per stack with channels, and nothing else in these configurations.
    acknowledged = [
        violation
        for plugin in report["pluginReports"]
        for violation in plugin.get("suppressedViolations", [])
    ]
    assert acknowledged
    for violation in acknowledged:
        finding = violation["acknowledgedId"]
        assert finding.startswith("AwsSolutions::AwsSolutions-IAM5[Resource::arn:"), finding
        assert finding.endswith(":apps/*]"), finding
        assert violation["acknowledgedAt"].endswith("Provider/Role/DefaultPolicy/Resource")
        assert "aws:TagKeys" in violation["reason"]


def test_cdk_nag_catches_a_finding(tmp_path: Path) -> None:
    """The harness above can fail: a wildcard policy is reported."""
    app = new_app(outdir=tmp_path)
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    role = iam.Role(cdk.Stack(app, "Bad"), "R", assumed_by=iam.AccountRootPrincipal())
    role.add_to_policy(iam.PolicyStatement(actions=["mobiletargeting:*"], resources=["*"]))
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
