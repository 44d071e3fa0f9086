"""docs/moving-to-ses.md, "The move for EmailChannel": each step as the template diff it deploys.

Step 0: sending through Pinpoint. Step 1: delivery_backend=SES_V2. Step 2: removal_policy=RETAIN.
Step 3: the channel removed, the sender wired by SesEmailSending. Then, optionally, the event
role removed, and the app retained and removed. No step replaces or deletes anything that holds
a channel setting, and the sending function's code never changes. The inventory
(``python -m constructs_pinpoint.sunset``) reads each step, and the doc's shell commands run
against the real CLI, offline.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_ses as ses
from aws_cdk.assertions import Template
from synth_support import REPO_ROOT, named_resource, new_app, normalize, resource_diff

from constructs_pinpoint import DeliveryBackend, EmailChannel, PinpointApp, SesEmailSending
from constructs_pinpoint.aspects import RetainEmailChannels
from constructs_pinpoint.sunset import STEP_REMOVE, STEP_RETAIN, STEP_SWITCH, inventory

SENDER_CODE = Path(__file__).parent / "sender_function"
CHANNEL = "EmailF8518450"
PROVIDER = "PinpointEmailChannelProvider"
DOC = REPO_ROOT / "docs" / "moving-to-ses.md"


@dataclass(frozen=True)
class Step:
    backend: DeliveryBackend = DeliveryBackend.PINPOINT
    retain: bool = False
    retain_by_aspect: bool = False
    channel: bool = True
    role: bool = True
    app_retained: bool = False
    app: bool = True


STEPS = {
    "0": Step(),
    "1": Step(backend=DeliveryBackend.SES_V2),
    "2": Step(backend=DeliveryBackend.SES_V2, retain=True),
    "2-aspect": Step(backend=DeliveryBackend.SES_V2, retain_by_aspect=True),
    "3": Step(channel=False),
    "3-role-removed": Step(channel=False, role=False),
    "3-app-retained": Step(channel=False, app_retained=True),
    "3-app-removed": Step(channel=False, app=False),
}


def _build(step: Step, app: cdk.App) -> cdk.Stack:
    stack = cdk.Stack(
        app, "Orders", env=cdk.Environment(account="111111111111", region="eu-west-1")
    )
    identity = ses.EmailIdentity(stack, "Domain", identity=ses.Identity.domain("example.com"))
    config_set = ses.ConfigurationSet(stack, "ConfigSet", configuration_set_name="orders")
    sender = lambda_.Function(
        stack,
        "Sender",
        runtime=lambda_.Runtime.PYTHON_3_14,
        handler="index.handler",
        code=lambda_.Code.from_asset(str(SENDER_CODE)),
    )
    messaging = PinpointApp(stack, "App", app_name="orders") if step.app else None
    if messaging is not None and step.app_retained:
        messaging.apply_removal_policy(cdk.RemovalPolicy.RETAIN)
    role = (
        iam.Role(stack, "EventsRole", assumed_by=iam.ServicePrincipal("pinpoint.amazonaws.com"))
        if step.role
        else None
    )
    wiring: EmailChannel | SesEmailSending
    if step.channel:
        assert messaging is not None
        wiring = EmailChannel(
            stack,
            "Email",
            application=messaging,
            from_address="noreply@example.com",
            identity=identity,
            configuration_set=config_set,
            role=role,
            delivery_backend=step.backend,
            removal_policy=cdk.RemovalPolicy.RETAIN if step.retain else cdk.RemovalPolicy.DESTROY,
        )
    else:
        wiring = SesEmailSending(
            stack,
            "Email",
            from_address="noreply@example.com",
            identity=identity,
            configuration_set=config_set,
        )
    wiring.configure_sender(sender)
    if step.retain_by_aspect:
        cdk.Aspects.of(app).add(RetainEmailChannels())
    return stack


def _template(step: Step) -> dict[str, Any]:
    return normalize(Template.from_stack(_build(step, new_app())).to_json())  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def templates() -> dict[str, dict[str, Any]]:
    return {name: _template(step) for name, step in STEPS.items()}


@pytest.fixture(scope="module")
def steps(templates: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {name: template["Resources"] for name, template in templates.items()}


def test_step1_switching_the_backend_changes_only_the_senders_grant_and_environment(
    steps: dict[str, Any],
) -> None:
    before, after = steps["0"], steps["1"]
    policy = named_resource(before, "SenderServiceRoleDefaultPolicy", "AWS::IAM::Policy")
    sender = named_resource(before, "Sender", "AWS::Lambda::Function")
    # The SES sender reads the account's send rate (GetAccount): one policy of its own, which
    # the function waits for.
    quota = named_resource(after, "SenderServiceRoleSesSendQuotaPolicy", "AWS::IAM::Policy")
    assert resource_diff(before, after) == {
        "added": [quota],
        "removed": [],
        "changed": {policy: {"Properties"}, sender: {"Properties", "DependsOn"}},
    }
    old_function, new_function = before[sender]["Properties"], after[sender]["Properties"]
    assert {k: v for k, v in old_function.items() if k != "Environment"} == {
        k: v for k, v in new_function.items() if k != "Environment"
    }, "code, layer and role stay"
    old_env = dict(old_function["Environment"]["Variables"])
    new_env = dict(new_function["Environment"]["Variables"])
    assert (old_env.pop("PINPOINT_EMAIL_BACKEND"), new_env.pop("PINPOINT_EMAIL_BACKEND")) == (
        "pinpoint",
        "sesv2",
    )
    app = named_resource(before, "App", "AWS::Pinpoint::App")
    assert old_env.pop("PINPOINT_EMAIL_APPLICATION_ID") == {"Ref": app}
    assert "PINPOINT_EMAIL_APPLICATION_ID" not in new_env
    assert old_env == new_env
    assert sorted(new_env) == [
        "PINPOINT_EMAIL_CONFIGURATION_SET",
        "PINPOINT_EMAIL_FROM_ADDRESS",
        "PINPOINT_EMAIL_IDENTITY_ARN",
    ]
    (old_grant,) = before[policy]["Properties"]["PolicyDocument"]["Statement"]
    (new_grant,) = after[policy]["Properties"]["PolicyDocument"]["Statement"]
    assert old_grant["Action"] == [
        "mobiletargeting:SendMessages",
        "mobiletargeting:SendUsersMessages",
    ]
    assert json.dumps(old_grant["Resource"]).endswith('"/messages"]]}')
    assert new_grant["Action"] == ["ses:SendEmail", "ses:SendRawEmail", "ses:SendBulkEmail"]
    resources = json.dumps(new_grant["Resource"])
    assert "identity/" in resources
    assert ":configuration-set/" in resources


def test_step2_retaining_changes_only_the_channels_deletion_policy(steps: dict[str, Any]) -> None:
    assert resource_diff(steps["1"], steps["2"]) == {
        "added": [],
        "removed": [],
        "changed": {CHANNEL: {"DeletionPolicy", "UpdateReplacePolicy"}},
    }
    assert steps["2"][CHANNEL]["DeletionPolicy"] == "Retain"
    assert steps["2"][CHANNEL]["UpdateReplacePolicy"] == "Retain"
    assert steps["2"][CHANNEL]["Properties"] == steps["1"][CHANNEL]["Properties"]


def test_step2_by_the_aspect_deploys_the_same_template(steps: dict[str, Any]) -> None:
    assert steps["2-aspect"] == steps["2"]


def test_step3_removing_the_retained_channel_leaves_the_sender_and_role_untouched(
    steps: dict[str, Any],
) -> None:
    diff = resource_diff(steps["2"], steps["3"])
    # The channel goes with DeletionPolicy Retain: CloudFormation makes no Delete call, the
    # Pinpoint channel keeps its settings. The handler, unused, goes too.
    assert diff["removed"] == sorted([CHANNEL, *(n for n in steps["2"] if n.startswith(PROVIDER))])
    removed_types = {steps["2"][n]["Type"] for n in diff["removed"]}
    assert "AWS::Lambda::Function" in removed_types
    assert "AWS::Logs::LogGroup" in removed_types
    assert diff["added"] == []
    assert diff["changed"] == {}
    role = named_resource(steps["2"], "EventsRole", "AWS::IAM::Role")
    assert steps["3"][role] == steps["2"][role], "the event role stays as it is"
    assert "iam:PassRole" not in json.dumps(steps["3"]), "the handler's PassRole went with it"
    assert named_resource(steps["3"], "App", "AWS::Pinpoint::App"), "the app stays"


def test_step3_without_the_event_role_deletes_only_the_role(steps: dict[str, Any]) -> None:
    role = named_resource(steps["3"], "EventsRole", "AWS::IAM::Role")
    assert resource_diff(steps["3"], steps["3-role-removed"]) == {
        "added": [],
        "removed": [role],
        "changed": {},
    }


def test_retiring_the_app_retains_it_first_then_removes_it_with_no_call(
    steps: dict[str, Any],
) -> None:
    app = named_resource(steps["3"], "App", "AWS::Pinpoint::App")
    assert resource_diff(steps["3"], steps["3-app-retained"]) == {
        "added": [],
        "removed": [],
        "changed": {app: {"DeletionPolicy", "UpdateReplacePolicy"}},
    }
    assert steps["3-app-retained"][app]["DeletionPolicy"] == "Retain"
    assert resource_diff(steps["3-app-retained"], steps["3-app-removed"]) == {
        "added": [],
        "removed": [app],
        "changed": {},
    }


def test_no_step_replaces_the_channel(steps: dict[str, Any]) -> None:
    channels = [steps[s][CHANNEL]["Properties"] for s in ("0", "1", "2")]
    assert channels[0] == channels[1] == channels[2]


def _inventory_of(template: dict[str, Any], root: Path) -> Any:
    root.mkdir()
    (root / "Orders.template.json").write_text(json.dumps(template))
    stack = {
        "type": "aws:cloudformation:stack",
        "properties": {"templateFile": "Orders.template.json"},
    }
    (root / "manifest.json").write_text(json.dumps({"artifacts": {"Orders": stack}}))
    (orders,) = inventory(root)
    return orders


def test_the_inventory_gives_each_steps_next_step(
    templates: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    expected = {"0": STEP_SWITCH, "1": STEP_RETAIN, "2": STEP_REMOVE, "3": None}
    for step, docs in expected.items():
        orders = _inventory_of(templates[step], tmp_path / step)
        if docs is None:
            assert orders.remaining == 0
            continue
        (channel,) = orders.channels
        assert channel.step.docs == docs, step
        assert len(orders.senders) == (1 if step == "0" else 0)


# --- the doc's shell blocks, run with the real CLI and no credentials -----------------------


def _shell_blocks() -> list[str]:
    return re.findall(r"^```sh\n(.*?)^```", DOC.read_text(), flags=re.MULTILINE | re.DOTALL)


@pytest.mark.cli
def test_the_docs_commands_check_a_step_offline(tmp_path: Path) -> None:
    """Step 1 deployed (kept in previous/), step 2 synthesized: `cdk diff --template` shows the
    retention and nothing else, with no AWS credentials in the environment."""
    inventory_block, keep_block, diff_block = _shell_blocks()
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("AWS_") or key == "AWS_CA_BUNDLE"
    }
    # The project venv first: a `python` without the package would exit 1 too (checked below by
    # reading what the command printed, not only its exit status).
    environment["PATH"] = os.pathsep.join(
        [
            str(REPO_ROOT / "node_modules" / ".bin"),
            str(REPO_ROOT / ".venv" / "bin"),
            environment["PATH"],
        ]
    )
    environment["CDK_DISABLE_VERSION_CHECK"] = "1"

    def run(block: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "-c", block],
            cwd=tmp_path,
            env=environment,
            capture_output=True,
            text=True,
            check=False,
        )

    def synth(step: Step) -> None:
        app = new_app(outdir=tmp_path / "cdk.out")
        _build(step, app)
        app.synth()

    synth(STEPS["1"])
    assert run(keep_block).returncode == 0
    synth(STEPS["2"])
    diff = run(diff_block)
    assert diff.returncode == 0, diff.stderr
    output = diff.stdout + diff.stderr
    changes = [line for line in output.splitlines() if line.startswith("[")]
    assert len(changes) == 1, output
    assert re.fullmatch(rf"\[~\] Custom::PinpointEmailChannel Email\S* {CHANNEL}", changes[0])
    assert re.search(r"DeletionPolicy\n.*Retain\n.*UpdateReplacePolicy\n.*Retain\n", output), output
    # The inventory commands: exit 1, something (the retained channel) is left.
    commands = [line for line in inventory_block.splitlines() if line.strip()]
    text, as_json = (run(command) for command in commands)
    assert text.returncode == as_json.returncode == 1, text.stderr + as_json.stderr
    assert "Still on Pinpoint email: 1 channel in 1 of 1 stack." in text.stdout
    report = json.loads(as_json.stdout)
    assert report["schema_version"] == 1
    assert report["remaining"] == 1
