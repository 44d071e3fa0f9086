"""grant_send / configure_sender: the delivery backend changes grants and environment only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_ses as ses
from aws_cdk.assertions import Template
from synth_support import resources_of

from constructs_pinpoint import DeliveryBackend, EmailChannel, PinpointApp
from constructs_pinpoint.sending import config

SENDER_CODE = Path(__file__).parent / "sender_function"


def _synth(backend: DeliveryBackend) -> dict[str, Any]:
    stack = cdk.Stack(
        cdk.App(), "Orders", env=cdk.Environment(account="111111111111", region="eu-west-1")
    )
    channel = EmailChannel(
        stack,
        "Email",
        application=PinpointApp(stack, "App"),
        from_address="noreply@example.com",
        identity=ses.EmailIdentity(stack, "Domain", identity=ses.Identity.domain("example.com")),
        configuration_set=ses.ConfigurationSet(stack, "ConfigSet", configuration_set_name="orders"),
        delivery_backend=backend,
    )
    function = lambda_.Function(
        stack,
        "Sender",
        runtime=lambda_.Runtime.PYTHON_3_14,
        handler="index.handler",
        code=lambda_.Code.from_asset(str(SENDER_CODE)),
    )
    channel.configure_sender(function)
    return Template.from_stack(stack).to_json()


def _sender_policy(template: dict[str, Any]) -> list[dict[str, Any]]:
    (policy,) = (
        p
        for name, p in resources_of(template, "AWS::IAM::Policy").items()
        if name.startswith("SenderServiceRole")
    )
    return policy["Properties"]["PolicyDocument"]["Statement"]  # type: ignore[no-any-return]


def _sender(template: dict[str, Any]) -> dict[str, Any]:
    (function,) = (
        f
        for name, f in resources_of(template, "AWS::Lambda::Function").items()
        if name.startswith("Sender")
    )
    return function["Properties"]  # type: ignore[no-any-return]


def test_pinpoint_backend_grants_send_messages_on_the_app() -> None:
    (statement,) = _sender_policy(_synth(DeliveryBackend.PINPOINT))
    assert statement["Action"] == [
        "mobiletargeting:SendMessages",
        "mobiletargeting:SendUsersMessages",
    ]
    assert statement["Resource"] == {
        "Fn::Join": ["", [{"Fn::GetAtt": ["AppF1B96344", "Arn"]}, "/messages"]]
    }


def test_ses_backend_grants_send_email_on_identity_and_configuration_set() -> None:
    (statement,) = _sender_policy(_synth(DeliveryBackend.SES_V2))
    assert statement["Action"] == ["ses:SendEmail", "ses:SendRawEmail"]
    identity, config_set = statement["Resource"]
    assert identity["Fn::Join"][1][-1] == {"Ref": "Domain66AC69E0"}
    assert identity["Fn::Join"][1][-2] == ":ses:eu-west-1:111111111111:identity/"
    assert config_set == {
        "Fn::Join": [
            "",
            [
                "arn:",
                {"Ref": "AWS::Partition"},
                ":ses:eu-west-1:111111111111:configuration-set/",
                {"Ref": "ConfigSet2E7BAD7D"},
            ],
        ]
    }


def test_flipping_the_backend_changes_policy_and_environment_not_code() -> None:
    pinpoint, sesv2 = _synth(DeliveryBackend.PINPOINT), _synth(DeliveryBackend.SES_V2)
    assert _sender_policy(pinpoint) != _sender_policy(sesv2)
    pinpoint_sender, ses_sender = _sender(pinpoint), _sender(sesv2)
    assert pinpoint_sender["Environment"]["Variables"][config.ENV_BACKEND] == "pinpoint"
    assert ses_sender["Environment"]["Variables"][config.ENV_BACKEND] == "sesv2"
    assert pinpoint_sender["Code"] == ses_sender["Code"]
    assert pinpoint_sender["Layers"] == ses_sender["Layers"]
    (pinpoint_layer,) = resources_of(pinpoint, "AWS::Lambda::LayerVersion").values()
    (ses_layer,) = resources_of(sesv2, "AWS::Lambda::LayerVersion").values()
    assert pinpoint_layer["Properties"]["Content"] == ses_layer["Properties"]["Content"]
    for key in ("Environment",):
        pinpoint_sender.pop(key), ses_sender.pop(key)
    assert pinpoint_sender == ses_sender


def test_sender_environment_names_every_setting() -> None:
    variables = _sender(_synth(DeliveryBackend.PINPOINT))["Environment"]["Variables"]
    assert set(variables) == {
        config.ENV_BACKEND,
        config.ENV_APPLICATION_ID,
        config.ENV_FROM_ADDRESS,
        config.ENV_IDENTITY_ARN,
        config.ENV_CONFIGURATION_SET,
    }
    assert variables[config.ENV_APPLICATION_ID] == {"Ref": "AppF1B96344"}
    assert variables[config.ENV_FROM_ADDRESS] == "noreply@example.com"
    assert variables[config.ENV_CONFIGURATION_SET] == {"Ref": "ConfigSet2E7BAD7D"}
