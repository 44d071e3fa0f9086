"""RetainEmailChannels: retains both kinds of channel and nothing else, within one Stage."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_pinpoint as pinpoint
from aws_cdk import aws_ses as ses
from aws_cdk.assertions import Template
from synth_support import new_app

from constructs_pinpoint import EmailChannel, PinpointApp
from constructs_pinpoint.aspects import RetainEmailChannels
from constructs_pinpoint.handler.contract import NATIVE_RESOURCE_TYPE, RESOURCE_TYPE

ENV = cdk.Environment(account="111111111111", region="eu-west-1")
IDENTITY_ARN = "arn:aws:ses:eu-west-1:111111111111:identity/example.com"


# --- RetainEmailChannels --------------------------------------------------------------------


def _channels_stack(scope: cdk.App | cdk.Stage) -> cdk.Stack:
    stack = cdk.Stack(scope, "Channels", env=ENV)
    app = PinpointApp(stack, "App", app_name="orders")
    pinpoint.CfnEmailChannel(
        stack,
        "Native",
        application_id=app.application_id,
        from_address="a@example.com",
        identity=IDENTITY_ARN,
    )
    EmailChannel(
        stack, "Ours", application=app, from_address="a@example.com", identity=IDENTITY_ARN
    )
    ses.ConfigurationSet(stack, "ConfigSet")
    return stack


def _resources(stack: cdk.Stack) -> dict[str, Any]:
    return Template.from_stack(stack).to_json()["Resources"]  # type: ignore[no-any-return]


def test_aspect_retains_both_kinds_and_touches_nothing_else() -> None:
    before = _resources(_channels_stack(new_app()))
    app = new_app()
    after_stack = _channels_stack(app)
    cdk.Aspects.of(app).add(RetainEmailChannels())
    after = _resources(after_stack)
    assert after.keys() == before.keys()
    changed = {name for name in before if before[name] != after[name]}
    channel_types = {NATIVE_RESOURCE_TYPE, RESOURCE_TYPE}
    assert changed == {name for name, r in before.items() if r["Type"] in channel_types}
    assert len(changed) == 2
    for name in changed:
        assert after[name]["DeletionPolicy"] == after[name]["UpdateReplacePolicy"] == "Retain"
        rest = {k: v for k, v in after[name].items() if not k.endswith("Policy")}
        assert rest == {k: v for k, v in before[name].items() if not k.endswith("Policy")}


def test_aspect_on_a_stage_reaches_its_stacks_and_one_on_the_app_does_not() -> None:
    """CDK applies aspects within one Stage (aws/aws-cdk#20468): the docs say to add the aspect
    to each Stage. This pins that rule."""
    app = new_app()
    covered = _channels_stack(cdk.Stage(app, "covered"))
    missed = _channels_stack(cdk.Stage(app, "missed"))
    cdk.Aspects.of(app.node.find_child("covered")).add(RetainEmailChannels())
    cdk.Aspects.of(app).add(RetainEmailChannels())
    app.synth()

    def policies(stack: cdk.Stack) -> set[Any]:
        return {
            r.get("DeletionPolicy")
            for r in _resources(stack).values()
            if r["Type"] in {NATIVE_RESOURCE_TYPE, RESOURCE_TYPE}
        }

    assert policies(covered) == {"Retain"}
    assert "Retain" not in policies(missed)
