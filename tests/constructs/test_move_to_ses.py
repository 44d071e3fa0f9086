"""The README's "Moving email to SES" path, each step checked as the template diff it deploys.

Step 0: sending through Pinpoint. Step 1: delivery_backend=SES_V2. Step 2: removal_policy=RETAIN.
Step 3: the channel removed, the sender wired by SesEmailSending. No step replaces or deletes
anything that holds a channel setting, and the sending function's code never changes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_ses as ses
from aws_cdk.assertions import Template

from constructs_pinpoint import DeliveryBackend, EmailChannel, PinpointApp, SesEmailSending

SENDER_CODE = Path(__file__).parent / "sender_function"
CHANNEL = "EmailF8518450"
PROVIDER = "PinpointEmailChannelProvider"


def _step(step: int) -> dict[str, Any]:
    stack = cdk.Stack(
        cdk.App(), "Orders", env=cdk.Environment(account="111111111111", region="eu-west-1")
    )
    app = PinpointApp(stack, "App", app_name="orders")
    identity = ses.EmailIdentity(stack, "Domain", identity=ses.Identity.domain("example.com"))
    config_set = ses.ConfigurationSet(stack, "ConfigSet", configuration_set_name="orders")
    sender = lambda_.Function(
        stack,
        "Sender",
        runtime=lambda_.Runtime.PYTHON_3_14,
        handler="index.handler",
        code=lambda_.Code.from_asset(str(SENDER_CODE)),
    )
    wiring: Any
    if step < 3:
        wiring = EmailChannel(
            stack,
            "Email",
            application=app,
            from_address="noreply@example.com",
            identity=identity,
            configuration_set=config_set,
            delivery_backend=DeliveryBackend.PINPOINT if step == 0 else DeliveryBackend.SES_V2,
            removal_policy=cdk.RemovalPolicy.RETAIN if step == 2 else cdk.RemovalPolicy.DESTROY,
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
    return Template.from_stack(stack).to_json()["Resources"]  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def steps() -> list[dict[str, Any]]:
    return [_step(step) for step in range(4)]


def _diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    changed = {}
    for name in before.keys() & after.keys():
        keys = {
            key
            for key in before[name].keys() | after[name].keys()
            if before[name].get(key) != after[name].get(key)
        }
        if keys:
            changed[name] = keys
    return {
        "added": sorted(after.keys() - before.keys()),
        "removed": sorted(before.keys() - after.keys()),
        "changed": changed,
    }


def test_step1_switching_the_backend_changes_only_the_senders_grant_and_environment(steps) -> None:
    diff = _diff(steps[0], steps[1])
    sender_policy = next(n for n in steps[0] if n.startswith("SenderServiceRoleDefaultPolicy"))
    sender = next(
        n
        for n in steps[0]
        if n.startswith("Sender") and steps[0][n]["Type"] == "AWS::Lambda::Function"
    )
    assert diff == {
        "added": [],
        "removed": [],
        "changed": {sender_policy: {"Properties"}, sender: {"Properties"}},
    }
    assert steps[0][sender]["Properties"]["Code"] == steps[1][sender]["Properties"]["Code"]
    assert steps[1][sender_policy]["Properties"]["PolicyDocument"]["Statement"][0]["Action"] == [
        "ses:SendEmail",
        "ses:SendRawEmail",
    ]


def test_step2_retaining_changes_only_the_channels_deletion_policy(steps) -> None:
    diff = _diff(steps[1], steps[2])
    assert diff == {
        "added": [],
        "removed": [],
        "changed": {CHANNEL: {"DeletionPolicy", "UpdateReplacePolicy"}},
    }
    assert steps[2][CHANNEL]["DeletionPolicy"] == "Retain"
    assert steps[2][CHANNEL]["Properties"] == steps[1][CHANNEL]["Properties"]


def test_step3_removing_the_retained_channel_leaves_the_sender_untouched(steps) -> None:
    diff = _diff(steps[2], steps[3])
    # The channel goes with DeletionPolicy Retain: CloudFormation makes no Delete call, the
    # Pinpoint channel keeps its settings. Then the handler, unused, goes too.
    assert diff["removed"] == sorted([CHANNEL, *(n for n in steps[2] if n.startswith(PROVIDER))])
    assert diff["added"] == []
    assert diff["changed"] == {}
    assert steps[2][CHANNEL]["DeletionPolicy"] == "Retain"
    assert any(r["Type"] == "AWS::Pinpoint::App" for r in steps[3].values()), "the app stays"


def test_no_step_replaces_the_channel(steps) -> None:
    channels = [s[CHANNEL]["Properties"] for s in steps[:3]]
    assert channels[0] == channels[1] == channels[2]
