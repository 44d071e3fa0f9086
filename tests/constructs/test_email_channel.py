from __future__ import annotations

import re
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk.assertions import Template
from synth_support import resources_of

from constructs_pinpoint import HANDLER_RUNTIME, RESOURCE_TYPE, EmailChannel, PinpointApp

CHANNEL_ACTIONS = [
    "mobiletargeting:UpdateEmailChannel",
    "mobiletargeting:DeleteEmailChannel",
]


def _handler_policy(template: dict[str, Any]) -> dict[str, Any]:
    policies = [
        policy
        for name, policy in resources_of(template, "AWS::IAM::Policy").items()
        if name.startswith("PinpointEmailChannelProviderRole")
    ]
    assert len(policies) == 1
    return policies[0]["Properties"]["PolicyDocument"]  # type: ignore[no-any-return]


def test_example_app_channel_properties(synthesized) -> None:
    template = synthesized.templates["OrdersEmail"]
    (channel,) = resources_of(template, RESOURCE_TYPE).values()
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


def test_three_channels_share_one_handler_and_one_policy(synthesized) -> None:
    template = synthesized.config("three_channels")
    assert len(resources_of(template, RESOURCE_TYPE)) == 3
    assert len(resources_of(template, "AWS::Lambda::Function")) == 1
    assert len(resources_of(template, "AWS::IAM::Policy")) == 1
    tokens = {
        str(c["Properties"]["ServiceToken"]) for c in resources_of(template, RESOURCE_TYPE).values()
    }
    assert len(tokens) == 1


def test_policy_is_scoped_to_each_channel_and_passed_role(synthesized) -> None:
    document = _handler_policy(synthesized.config("three_channels"))
    channel_statement, pass_role = (
        s
        for s in document["Statement"]
        if s["Action"] != ["logs:CreateLogStream", "logs:PutLogEvents"]
    )
    assert channel_statement["Action"] == CHANNEL_ACTIONS
    assert len(channel_statement["Resource"]) == 3
    for resource in channel_statement["Resource"]:
        parts = resource["Fn::Join"][1]
        assert parts[0] == {"Fn::GetAtt": [parts[0]["Fn::GetAtt"][0], "Arn"]}
        assert parts[1] == "/channels/email"
    assert pass_role["Action"] == "iam:PassRole"
    assert pass_role["Condition"] == {
        "StringEquals": {"iam:PassedToService": "mobiletargeting.amazonaws.com"}
    }
    assert pass_role["Resource"] == {"Fn::GetAtt": [pass_role["Resource"]["Fn::GetAtt"][0], "Arn"]}
    assert all("*" not in str(statement["Resource"]) for statement in document["Statement"]), (
        "no wildcard resource in the handler's policy"
    )


def test_no_role_means_no_pass_role(synthesized) -> None:
    document = _handler_policy(synthesized.config("minimal"))
    assert all(statement["Action"] != "iam:PassRole" for statement in document["Statement"])


def test_imported_app_channel_arn_and_retain(synthesized) -> None:
    template = synthesized.config("imported_retained")
    (channel,) = resources_of(template, RESOURCE_TYPE).values()
    assert channel["DeletionPolicy"] == "Retain"
    assert channel["UpdateReplacePolicy"] == "Retain"
    assert channel["Properties"]["ApplicationId"] == "0123456789abcdef0123456789abcdef"
    assert channel["Properties"]["Enabled"] is False
    assert channel["Properties"]["ConfigurationSet"] == "orders-config"
    statement = _handler_policy(template)["Statement"][1]
    assert statement["Resource"] == {
        "Fn::Join": [
            "",
            [
                "arn:",
                {"Ref": "AWS::Partition"},
                ":mobiletargeting:eu-west-1:111111111111:apps/0123456789abcdef0123456789abcdef/channels/email",
            ],
        ]
    }


def test_default_removal_policy_deletes(synthesized) -> None:
    (channel,) = resources_of(synthesized.config("minimal"), RESOURCE_TYPE).values()
    assert channel["DeletionPolicy"] == "Delete"


def test_handler_function_shape(synthesized) -> None:
    template = synthesized.config("minimal")
    (function,) = resources_of(template, "AWS::Lambda::Function").values()
    properties = function["Properties"]
    assert properties["Runtime"] == HANDLER_RUNTIME.name
    assert properties["Architectures"] == ["arm64"]
    assert properties["Handler"] == "handler.entry.on_event"
    (channel,) = resources_of(template, RESOURCE_TYPE).values()
    service_timeout = int(channel["Properties"]["ServiceTimeout"])
    assert service_timeout <= 600
    assert properties["Timeout"] < service_timeout
    (log_group,) = resources_of(template, "AWS::Logs::LogGroup").values()
    assert log_group["Properties"]["RetentionInDays"] > 0


def test_runtime_is_the_newest_python_cdk_offers() -> None:
    def version(name: str) -> tuple[int, ...]:
        return tuple(int(part) for part in name.split("_")[1:])

    newest = max(
        (n for n in dir(lambda_.Runtime) if re.fullmatch(r"PYTHON_\d+_\d+", n)), key=version
    )
    assert HANDLER_RUNTIME.name == getattr(lambda_.Runtime, newest).name


def test_attributes_come_from_the_custom_resource() -> None:
    stack = cdk.Stack()
    channel = EmailChannel(
        stack,
        "Email",
        application=PinpointApp(stack, "App"),
        from_address="noreply@example.com",
        identity="arn:aws:ses:us-east-1:111111111111:identity/example.com",
    )
    assert stack.resolve(channel.attr_messages_per_second) == {
        "Fn::GetAtt": ["EmailF8518450", "MessagesPerSecond"]
    }
    assert stack.resolve(channel.attr_version) == {"Fn::GetAtt": ["EmailF8518450", "Version"]}
    assert channel.resource.node.id == "Resource"


def test_each_stack_gets_its_own_handler() -> None:
    app = cdk.App()
    stacks = [cdk.Stack(app, name) for name in ("A", "B")]
    for stack in stacks:
        EmailChannel(
            stack,
            "Email",
            application=PinpointApp(stack, "App"),
            from_address="noreply@example.com",
            identity="arn:aws:ses:us-east-1:111111111111:identity/example.com",
        )
    tokens = []
    for stack in stacks:
        template = Template.from_stack(stack).to_json()
        assert len(resources_of(template, "AWS::Lambda::Function")) == 1
        (channel,) = resources_of(template, RESOURCE_TYPE).values()
        tokens.append(channel["Properties"]["ServiceToken"])
        assert channel["Properties"]["ServiceToken"] == {
            "Fn::GetAtt": ["PinpointEmailChannelProviderHandlerA0544E59", "Arn"]
        }
    # Same logical id, but each stack's token resolves within that stack only.
    assert len(tokens) == 2


def test_role_passed_twice_is_listed_once() -> None:
    stack = cdk.Stack()
    role = iam.Role(stack, "Events", assumed_by=iam.ServicePrincipal("pinpoint.amazonaws.com"))
    for index in range(2):
        EmailChannel(
            stack,
            f"Email{index}",
            application=PinpointApp(stack, f"App{index}"),
            from_address="noreply@example.com",
            identity="arn:aws:ses:us-east-1:111111111111:identity/example.com",
            role=role,
            orchestration_sending_role=role,
        )
    document = _handler_policy(Template.from_stack(stack).to_json())
    (pass_role,) = (s for s in document["Statement"] if s["Action"] == "iam:PassRole")
    assert pass_role["Resource"] == {"Fn::GetAtt": ["EventsD32975C2", "Arn"]}
