"""grant_send / configure_sender: the delivery backend changes grants and environment only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_ses as ses
from aws_cdk.assertions import Template
from synth_support import nag_report, new_app, resources_of

from constructs_pinpoint import (
    ConstructValidationError,
    DeliveryBackend,
    EmailChannel,
    PinpointApp,
    SesEmailSending,
)
from constructs_pinpoint.sending import config

SENDER_CODE = Path(__file__).parent / "sender_function"


def _synth(backend: DeliveryBackend) -> dict[str, Any]:
    stack = cdk.Stack(
        new_app(), "Orders", env=cdk.Environment(account="111111111111", region="eu-west-1")
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
        if name.startswith("SenderServiceRoleDefaultPolicy")
    )
    return policy["Properties"]["PolicyDocument"]["Statement"]  # type: ignore[no-any-return]


def _quota_policies(template: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        p["Properties"]
        for name, p in resources_of(template, "AWS::IAM::Policy").items()
        if name.startswith("SenderServiceRoleSesSendQuotaPolicy")
    ]


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
    assert statement["Action"] == ["ses:SendEmail", "ses:SendRawEmail", "ses:SendBulkEmail"]
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


def test_ses_backend_reads_the_send_rate_from_a_policy_of_its_own() -> None:
    """GetAccount (no resource-level permissions) sits alone in its own policy on the role, so
    cdk-nag's IAM5 is acknowledged there and never on the user's own statements."""
    (quota,) = _quota_policies(_synth(DeliveryBackend.SES_V2))
    assert quota["PolicyDocument"]["Statement"] == [
        {"Action": "ses:GetAccount", "Effect": "Allow", "Resource": "*"}
    ]
    ((role,),) = [[r["Ref"] for r in quota["Roles"]]]
    assert role.startswith("SenderServiceRole")
    assert _quota_policies(_synth(DeliveryBackend.PINPOINT)) == []


def test_a_second_ses_grant_to_the_same_role_adds_no_second_quota_policy() -> None:
    app = new_app()
    stack = cdk.Stack(
        app, "Orders", env=cdk.Environment(account="111111111111", region="eu-west-1")
    )
    role = iam.Role(stack, "SenderRole", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    for name in ("One", "Two"):
        SesEmailSending(
            stack,
            name,
            from_address="noreply@example.com",
            identity="arn:aws:ses:eu-west-1:111111111111:identity/example.com",
        ).grant_send(role)
    template = Template.from_stack(stack).to_json()
    quota = [
        p
        for name, p in resources_of(template, "AWS::IAM::Policy").items()
        if "SesSendQuotaPolicy" in name
    ]
    assert len(quota) == 1


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


def test_configure_sender_refuses_an_imported_function_and_says_what_to_do() -> None:
    stack = cdk.Stack(new_app(), "Orders")
    sending = SesEmailSending(
        stack,
        "Sending",
        from_address="noreply@example.com",
        identity="arn:aws:ses:eu-west-1:111111111111:identity/example.com",
    )
    imported = lambda_.Function.from_function_arn(
        stack, "Imported", "arn:aws:lambda:eu-west-1:111111111111:function:sender"
    )
    with pytest.raises(TypeError) as error:
        sending.configure_sender(imported)  # type: ignore[arg-type]
    message = str(error.value)
    assert "is not a lambda_.Function of this app" in message
    assert "sender_environment()" in message and "grant_send(function)" in message


def test_ses_sending_allows_another_accounts_identity() -> None:
    stack = cdk.Stack(
        new_app(), "Orders", env=cdk.Environment(account="111111111111", region="eu-west-1")
    )
    sending = SesEmailSending(
        stack,
        "Sending",
        from_address="noreply@example.com",
        identity="arn:aws:ses:eu-west-1:222222222222:identity/example.com",
    )
    assert sending.sender_environment()[config.ENV_IDENTITY_ARN].endswith(
        ":222222222222:identity/example.com"
    )


@pytest.mark.parametrize(
    "overrides",
    [
        {"identity": "arn:aws:ses:us-east-1:111111111111:identity/example.com"},
        {"from_address": "Doe, Jane <noreply@example.com>"},
        {"configuration_set": "arn:aws:ses:eu-west-1:111111111111:configuration-set/x"},
        {"from_address": None},
    ],
)
def test_ses_sending_messages_never_speak_of_pinpoint(overrides: dict[str, Any]) -> None:
    stack = cdk.Stack(
        new_app(), "Orders", env=cdk.Environment(account="111111111111", region="eu-west-1")
    )
    props: dict[str, Any] = {
        "from_address": "noreply@example.com",
        "identity": "arn:aws:ses:eu-west-1:111111111111:identity/example.com",
    }
    with pytest.raises(ConstructValidationError) as error:
        SesEmailSending(stack, "Sending", **{**props, **overrides})
    assert "pinpoint" not in str(error.value).lower()
    assert error.value.path == "Orders/Sending"


def test_sender_environment_is_the_sender_configs_own() -> None:
    stack = cdk.Stack(new_app(), "Orders")
    channel = EmailChannel(
        stack,
        "Email",
        application=PinpointApp.from_application_id(stack, "App", "0" * 32),
        from_address="noreply@example.com",
        identity="arn:aws:ses:eu-west-1:111111111111:identity/example.com",
        configuration_set="orders",
    )
    parsed = config.SenderConfig.from_environ(channel.sender_environment())
    assert parsed.to_environ() == channel.sender_environment()
    assert parsed.application_id == "0" * 32


def test_cdk_nag_sees_the_send_quota_statement_acknowledged(tmp_path: Path) -> None:
    """GetAccount takes no resource: its "*" is acknowledged for cdk-nag 3, and reported as
    suppressed (a finding id cdk-nag does not know would fail the synth)."""

    def build(app: cdk.App) -> None:
        stack = cdk.Stack(
            app, "Orders", env=cdk.Environment(account="111111111111", region="eu-west-1")
        )
        role = iam.Role(stack, "Sender", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
        SesEmailSending(
            stack,
            "Ses",
            from_address="noreply@example.com",
            identity="arn:aws:ses:eu-west-1:111111111111:identity/example.com",
        ).grant_send(role)

    report = nag_report(build, tmp_path)
    suppressed = {
        violation["acknowledgedId"]
        for plugin in report["pluginReports"]
        for violation in plugin["suppressedViolations"]
    }
    assert suppressed == {"AwsSolutions::AwsSolutions-IAM5[Resource::*]"}
