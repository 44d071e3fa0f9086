"""PinpointEmailInventory, the inventory as a CDK policy-validation plugin: in-process, and
through the real CDK CLI on tests/sunset/apps/plugin_app (its own cdk.json)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_pinpoint as pinpoint
from prefetch import environ as prefetch_environ
from prefetch import result as prefetch_result
from prefetch import start as prefetch_start
from prefetch import workdir
from sunset_support import REPO_ROOT
from synth_support import new_app

from constructs_pinpoint.email_inventory import PLUGIN_NAME, PinpointEmailInventory

APP_DIR = Path(__file__).resolve().parent / "apps" / "plugin_app"
CDK = REPO_ROOT / "node_modules" / ".bin" / "cdk"


def _channel_app(outdir: Path, plugin: PinpointEmailInventory) -> cdk.App:
    app = new_app(outdir=outdir)
    cdk.Validations.of(app).add_plugins(plugin)
    stage = cdk.Stage(app, "prod")
    stack = cdk.Stack(stage, "Messaging")
    nested = cdk.NestedStack(stack, "Inner")
    project = pinpoint.CfnApp(stack, "App", name="orders")
    pinpoint.CfnEmailChannel(
        nested,
        "Channel",
        application_id=project.ref,
        from_address="noreply@example.com",
        identity="arn:aws:ses:eu-west-1:111111111111:identity/example.com",
    )
    return app


def _violations(outdir: Path) -> list[dict[str, object]]:
    report = json.loads((outdir / "validation-report.json").read_text())
    (plugin,) = [p for p in report["pluginReports"] if p["pluginName"] == PLUGIN_NAME]
    return plugin["violations"]  # type: ignore[no-any-return]


def test_report_mode_lists_a_channel_in_a_nested_stack_of_a_stage(tmp_path: Path) -> None:
    _channel_app(tmp_path, PinpointEmailInventory()).synth()
    (violation,) = _violations(tmp_path)
    assert violation["ruleName"] == "pinpoint-email-channel"
    assert violation["severity"] == "warning"
    assert "RetainEmailChannels" in str(violation["suggestedFix"])
    assert "python -m constructs_pinpoint.sunset --guide" in str(violation["suggestedFix"])
    text = json.dumps(violation)
    assert '"Channel"' in text and "nested.template.json" in text


def test_fail_mode_fails_the_synth(tmp_path: Path) -> None:
    app = _channel_app(tmp_path, PinpointEmailInventory(fail_on_findings=True))
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()


def test_fail_on_findings_takes_a_bool() -> None:
    with pytest.raises(TypeError, match="give True or False"):
        PinpointEmailInventory(fail_on_findings="yes")  # type: ignore[arg-type]


def _cdk_synth(mode: str, outdir: Path) -> subprocess.CompletedProcess[str]:
    if not CDK.exists():
        pytest.fail("node_modules/.bin/cdk is missing: run ./scripts/setup.sh (npm ci)")
    env = {k: v for k, v in prefetch_environ().items() if not k.startswith(("AWS_", "CDK_"))}
    env["PATH"] = os.pathsep.join(
        [str(REPO_ROOT / "node_modules" / ".bin"), str(REPO_ROOT / ".venv" / "bin"), env["PATH"]]
    )
    env.update(
        AWS_EC2_METADATA_DISABLED="true",
        CDK_VALIDATION="false",
        CDK_DISABLE_VERSION_CHECK="1",
        PYTHONPATH=str(REPO_ROOT),
    )
    return subprocess.run(
        [str(CDK), "synth", "--quiet", "-c", f"mode={mode}", "--output", str(outdir),
         "--no-notices", "--no-version-reporting"],
        cwd=APP_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip


MODES = ("report", "fail", "ses")


def _cli_synths() -> tuple[Path, dict[str, subprocess.CompletedProcess[str]]]:
    """The plugin app synthesized by the real CLI in each mode, one after another."""
    root = workdir("plugin")
    return root, {mode: _cdk_synth(mode, root / mode) for mode in MODES}


def prefetch(item: pytest.Item) -> None:  # called by tests/conftest.py when collection ends
    if getattr(item, "originalname", "") == "test_cdk_synth_with_the_plugin":
        prefetch_start("plugin-cli-synths", _cli_synths)


@pytest.mark.cli
def test_cdk_synth_with_the_plugin() -> None:
    root, runs = prefetch_result("plugin-cli-synths", _cli_synths)
    report = runs["report"]
    assert report.returncode == 0, report.stderr
    assert "pinpoint-email-channel" in report.stderr
    assert "pinpoint-email-sender" in report.stderr
    assert "Messaging/Channel" in report.stderr
    assert {v["ruleName"] for v in _violations(root / "report")} == {
        "pinpoint-email-channel",
        "pinpoint-email-sender",
        "pinpoint-email-grant",
    }

    failing = runs["fail"]
    assert failing.returncode != 0
    assert "pinpoint-email-channel" in failing.stderr
    assert "ERROR " in failing.stderr
    assert "Synthesis finished with errors" in failing.stderr

    ses = runs["ses"]
    assert ses.returncode == 0, ses.stderr
    assert PLUGIN_NAME not in ses.stderr
    assert _no_plugin_report(root / "ses")


def _no_plugin_report(outdir: Path) -> bool:
    path = outdir / "validation-report.json"
    if not path.exists():
        return True
    report = json.loads(path.read_text())
    return all(p["pluginName"] != PLUGIN_NAME for p in report.get("pluginReports", []))


class _Context:
    def __init__(self, *paths: Path) -> None:
        self.template_paths = [str(path) for path in paths]


def test_an_unreadable_template_is_one_violation_not_a_crash(tmp_path: Path) -> None:
    broken = tmp_path / "S.template.json"
    broken.write_text('{"Resources": {"X": 1}}')
    for fail, success in ((False, True), (True, False)):
        report = PinpointEmailInventory(fail_on_findings=fail).validate(_Context(broken))  # type: ignore[arg-type]
        assert report.success is success
        (violation,) = report.violations
        assert violation.rule_name == "pinpoint-email-inventory-error"
        assert "S.template.json: resource 'X' is a number" in violation.description


def test_fail_mode_succeeds_when_nothing_is_left(tmp_path: Path) -> None:
    clean = tmp_path / "S.template.json"
    clean.write_text('{"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}')
    report = PinpointEmailInventory(fail_on_findings=True).validate(_Context(clean))  # type: ignore[arg-type]
    assert (report.success, list(report.violations)) == (True, [])
