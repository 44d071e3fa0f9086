"""Reuse across stacks: a shared Pinpoint app with channels in other stacks, an imported existing
app, and one handler Lambda per stack (a ServiceToken never crosses a stack boundary).

The example app passes the application id through SSM (no exports, so no "deadly embrace");
passing the PinpointApp object across stacks works too, and ``Stack.export_value`` keeps its
exports while the consumer is removed (tests at the end)."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import cx_api
from example_support import CDK_JSON_CONTEXT, PIPELINE_STAGES, stage_stack_names, templates
from synth_support import resources_of

from constructs_pinpoint import RESOURCE_TYPE, EmailChannel, PinpointApp
from example.config import load_selection
from example.stage import OrdersStage

ENV = cdk.Environment(account="111111111111", region="eu-west-1")
IDENTITY = "arn:aws:ses:eu-west-1:111111111111:identity/example.com"
EXISTING_APP_ID = "0123456789abcdef0123456789abcdef"


def _channel(template: dict[str, Any]) -> dict[str, Any]:
    (channel,) = resources_of(template, RESOURCE_TYPE).values()
    return channel["Properties"]  # type: ignore[no-any-return]


def _assert_own_handler(template: dict[str, Any]) -> None:
    """Every channel's ServiceToken is a GetAtt on this template's one handler function."""
    (function_id,) = resources_of(template, "AWS::Lambda::Function")
    channels = resources_of(template, RESOURCE_TYPE).values()
    assert channels
    for channel in channels:
        assert channel["Properties"]["ServiceToken"] == {"Fn::GetAtt": [function_id, "Arn"]}


# The example app: SSM parameter between the Messaging and Channels stacks of each stage


@pytest.mark.parametrize("environment", PIPELINE_STAGES)
def test_channels_read_the_application_id_from_ssm_not_from_an_export(
    pipeline_templates: dict[str, dict[str, Any]], environment: str
) -> None:
    messaging, channels = (pipeline_templates[n] for n in stage_stack_names(environment))
    parameter_name = f"/orders/{environment}/pinpoint/application-id"
    (app_id,) = resources_of(messaging, "AWS::Pinpoint::App")
    (parameter,) = resources_of(messaging, "AWS::SSM::Parameter").values()
    assert parameter["Properties"]["Name"] == parameter_name
    assert parameter["Properties"]["Value"] == {"Ref": app_id}
    (read,) = [
        name
        for name, p in channels["Parameters"].items()
        if p["Type"] == "AWS::SSM::Parameter::Value<String>" and p["Default"] == parameter_name
    ]
    assert _channel(channels)["ApplicationId"] == {"Ref": read}
    for template in (messaging, channels):
        assert "Outputs" not in template
        assert "Fn::ImportValue" not in json.dumps(template)


def test_channels_stack_deploys_after_and_is_destroyed_before_messaging(
    pipeline_assembly: cx_api.CloudAssembly,
) -> None:
    stacks = {s.stack_name: s for s in pipeline_assembly.stacks_recursively}
    stack_ids = {s.id for s in stacks.values()}
    for environment in PIPELINE_STAGES:
        messaging, channels = (stacks[n] for n in stage_stack_names(environment))
        assert [d.id for d in channels.dependencies if d.id in stack_ids] == [messaging.id]
        assert [d.id for d in messaging.dependencies if d.id in stack_ids] == []


def test_every_channels_stack_has_its_own_handler(
    pipeline_templates: dict[str, dict[str, Any]],
) -> None:
    functions = set()
    for environment in PIPELINE_STAGES:
        messaging, channels = (pipeline_templates[n] for n in stage_stack_names(environment))
        assert resources_of(messaging, "AWS::Lambda::Function") == {}
        _assert_own_handler(channels)
        functions.add((environment, *resources_of(channels, "AWS::Lambda::Function")))
    assert len(functions) == len(PIPELINE_STAGES)


def test_channel_on_an_existing_application(tmp_path: Any) -> None:
    """``application_id`` instead of ``app_name``: no new app, no SSM parameter; the channel and
    its handler's policy name the existing app."""
    raw = {**CDK_JSON_CONTEXT["environments"]["dev"], "application_id": EXISTING_APP_ID}
    del raw["app_name"]
    (config,) = load_selection("dev", {"dev": raw}).environments
    app = cdk.App(
        analytics_reporting=False, builtin_cloud_formation_validation=False, outdir=str(tmp_path)
    )
    OrdersStage(app, config)
    found = templates(app.synth())
    messaging, channels = (found[n] for n in stage_stack_names("dev"))
    assert resources_of(messaging, "AWS::Pinpoint::App") == {}
    assert resources_of(messaging, "AWS::SSM::Parameter") == {}
    assert set(channels["Parameters"]) == {"BootstrapVersion"}
    assert _channel(channels)["ApplicationId"] == EXISTING_APP_ID
    (policy,) = resources_of(channels, "AWS::IAM::Policy").values()
    assert f"apps/{EXISTING_APP_ID}/channels/email" in json.dumps(policy)
    _assert_own_handler(channels)


# Passing the PinpointApp object itself across stacks


def _shared_and_consumers(
    *, consumers: bool = True, keep_exports: bool = False
) -> dict[str, dict[str, Any]]:
    app = cdk.App(analytics_reporting=False, builtin_cloud_formation_validation=False)
    shared = cdk.Stack(app, "Shared", env=ENV)
    orders = PinpointApp(shared, "Orders", app_name="orders")
    billing = PinpointApp(shared, "Billing", app_name="billing")
    if keep_exports:
        # The documented way out of the deadly embrace: keep the exports the consumers import
        # while they are removed (deploy 1), delete these lines afterwards (deploy 2).
        for application in (orders, billing):
            shared.export_value(application.application_id)
            shared.export_value(application.application_arn)
    if consumers:
        for name, application in (("OrdersEmail", orders), ("BillingEmail", billing)):
            stack = cdk.Stack(app, name, env=ENV)
            EmailChannel(
                stack,
                "Email",
                application=application,
                from_address="noreply@example.com",
                identity=IDENTITY,
            )
    return templates(app.synth())


def test_channels_in_other_stacks_import_the_shared_app_but_not_a_service_token() -> None:
    found = _shared_and_consumers()
    assert resources_of(found["Shared"], "AWS::Lambda::Function") == {}
    exports = {o["Export"]["Name"] for o in found["Shared"]["Outputs"].values()}
    for name in ("OrdersEmail", "BillingEmail"):
        channel = _channel(found[name])
        assert "Fn::ImportValue" in channel["ApplicationId"]
        assert channel["ApplicationId"]["Fn::ImportValue"] in exports
        assert "Fn::ImportValue" not in json.dumps(channel["ServiceToken"])
        _assert_own_handler(found[name])
    assert len(resources_of(found["OrdersEmail"], "AWS::Lambda::Function")) == 1


def test_export_value_keeps_the_shared_stack_unchanged_when_consumers_are_removed() -> None:
    """Without ``export_value``, removing the consumers would also drop the Shared stack's
    exports, and deploying Shared first fails ("export ... in use"). With it, Shared's template
    is identical with or without consumers: remove the consumer stacks first, then the exports."""
    with_consumers = _shared_and_consumers(keep_exports=True)["Shared"]
    without_consumers = _shared_and_consumers(consumers=False, keep_exports=True)["Shared"]
    assert with_consumers == without_consumers
    assert len(with_consumers["Outputs"]) == 4
    # The embrace itself: implicit exports vanish with their last importer.
    assert "Outputs" not in _shared_and_consumers(consumers=False)["Shared"]
    assert _shared_and_consumers()["Shared"]["Outputs"] == with_consumers["Outputs"]
