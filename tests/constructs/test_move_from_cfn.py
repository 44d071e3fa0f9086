"""docs/moving-to-ses.md, "Coming from CfnEmailChannel": each step as the template diff it deploys.

Step 0: a native CfnEmailChannel, a sender granted SendMessages by hand. Step 1:
RetainEmailChannels. Step 2: the sender wired by SesEmailSending. Step 3: the CfnEmailChannel
removed. The channel's properties never change, and it is retained before anything else moves,
so no deploy calls Pinpoint for it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_pinpoint as pinpoint
from aws_cdk.assertions import Template
from synth_support import named_resource, new_app, normalize, resource_diff

from constructs_pinpoint import SesEmailSending
from constructs_pinpoint.aspects import RetainEmailChannels
from constructs_pinpoint.sunset import NATIVE_REMOVE, NATIVE_RETAIN, NATIVE_SENDERS, inventory

SENDER_CODE = Path(__file__).parent / "sender_function"
IDENTITY_ARN = "arn:aws:ses:eu-west-1:111111111111:identity/example.com"
CHANNEL = "Channel"
SENDER = "Sender"


def _step(step: int) -> dict[str, Any]:
    app = new_app()
    stack = cdk.Stack(
        app, "Orders", env=cdk.Environment(account="111111111111", region="eu-west-1")
    )
    project = pinpoint.CfnApp(stack, "App", name="orders")
    if step < 3:
        pinpoint.CfnEmailChannel(
            stack,
            CHANNEL,
            application_id=project.ref,
            from_address="noreply@example.com",
            identity=IDENTITY_ARN,
        )
    sender = lambda_.Function(
        stack,
        SENDER,
        runtime=lambda_.Runtime.PYTHON_3_14,
        handler="index.handler",
        code=lambda_.Code.from_asset(str(SENDER_CODE)),
    )
    if step < 2:
        # How native users send today: their own variable, their own grant.
        sender.add_environment("APPLICATION_ID", project.ref)
        sender.add_to_role_policy(
            iam.PolicyStatement(
                actions=["mobiletargeting:SendMessages"],
                resources=[f"{project.attr_arn}/messages"],
            )
        )
    else:
        SesEmailSending(
            stack, "Email", from_address="noreply@example.com", identity=IDENTITY_ARN
        ).configure_sender(sender)
    if step >= 1:
        cdk.Aspects.of(app).add(RetainEmailChannels())
    return normalize(Template.from_stack(stack).to_json())  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def templates() -> list[dict[str, Any]]:
    return [_step(step) for step in range(4)]


@pytest.fixture(scope="module")
def steps(templates: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [template["Resources"] for template in templates]


def test_step1_the_aspect_retains_the_channel_and_changes_nothing_else(steps: list[Any]) -> None:
    assert resource_diff(steps[0], steps[1]) == {
        "added": [],
        "removed": [],
        "changed": {CHANNEL: {"DeletionPolicy", "UpdateReplacePolicy"}},
    }
    assert steps[1][CHANNEL]["DeletionPolicy"] == "Retain"
    assert steps[1][CHANNEL]["UpdateReplacePolicy"] == "Retain"


def test_step2_moving_the_sender_changes_only_the_sender(steps: list[Any]) -> None:
    before, after = steps[1], steps[2]
    function = named_resource(before, SENDER, "AWS::Lambda::Function")
    policy = named_resource(before, "SenderServiceRoleDefaultPolicy", "AWS::IAM::Policy")
    layer = named_resource(after, "PinpointEmailSendingLayer", "AWS::Lambda::LayerVersion")
    # The SES sender reads the account's send rate: GetAccount in a policy of its own.
    quota = named_resource(after, "SenderServiceRoleSesSendQuotaPolicy", "AWS::IAM::Policy")
    assert resource_diff(before, after) == {
        "added": sorted([layer, quota]),
        "removed": [],
        "changed": {function: {"Properties", "DependsOn"}, policy: {"Properties"}},
    }
    variables = after[function]["Properties"]["Environment"]["Variables"]
    assert variables["PINPOINT_EMAIL_BACKEND"] == "sesv2"
    assert "APPLICATION_ID" not in variables
    assert after[function]["Properties"]["Layers"] == [{"Ref": layer}]
    (grant,) = after[policy]["Properties"]["PolicyDocument"]["Statement"]
    assert grant["Action"] == ["ses:SendEmail", "ses:SendRawEmail", "ses:SendBulkEmail"]
    assert "mobiletargeting" not in json.dumps(after[policy])
    assert after[CHANNEL] == before[CHANNEL], "the channel is not touched"


def test_step3_removing_the_retained_channel_removes_nothing_else(steps: list[Any]) -> None:
    assert resource_diff(steps[2], steps[3]) == {"added": [], "removed": [CHANNEL], "changed": {}}
    # Retained: CloudFormation drops it from the stack without calling Pinpoint.
    assert steps[2][CHANNEL]["DeletionPolicy"] == "Retain"
    assert named_resource(steps[3], "App", "AWS::Pinpoint::App"), "the app stays"


def test_no_step_changes_the_channels_properties(steps: list[Any]) -> None:
    assert steps[0][CHANNEL]["Properties"] == steps[1][CHANNEL]["Properties"]
    assert steps[1][CHANNEL]["Properties"] == steps[2][CHANNEL]["Properties"]


def test_the_inventory_gives_each_steps_next_step(
    templates: list[dict[str, Any]], tmp_path: Path
) -> None:
    expected = [NATIVE_RETAIN, NATIVE_SENDERS, NATIVE_REMOVE, None]
    for step, docs in enumerate(expected):
        root = tmp_path / str(step)
        root.mkdir()
        (root / "Orders.json").write_text(json.dumps(templates[step]))
        stack = {"type": "aws:cloudformation:stack", "properties": {"templateFile": "Orders.json"}}
        (root / "manifest.json").write_text(json.dumps({"artifacts": {"Orders": stack}}))
        (orders,) = inventory(root)
        if docs is None:
            assert orders.remaining == 0
            continue
        (channel,) = orders.channels
        assert (channel.kind, channel.step.docs) == ("native", docs)
        assert len(orders.senders) == (1 if step < 2 else 0)
