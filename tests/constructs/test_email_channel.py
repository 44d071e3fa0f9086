from __future__ import annotations

import json
import re
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk.assertions import Template
from synth_support import new_app, ownership_statement, resources_of

from constructs_pinpoint import (
    HANDLER_RUNTIME,
    RESOURCE_TYPE,
    ConstructValidationError,
    EmailChannel,
    PinpointApp,
)
from constructs_pinpoint.handler import contract

EU_APPS = {
    "Fn::Join": [
        "",
        ["arn:", {"Ref": "AWS::Partition"}, ":mobiletargeting:eu-west-1:111111111111:apps/*"],
    ]
}
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
    (channel_statement,) = (s for s in document["Statement"] if s["Action"] == CHANNEL_ACTIONS)
    (pass_role,) = (s for s in document["Statement"] if s["Action"] == "iam:PassRole")
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
    # One wildcard only: the ownership tags of the apps of this account and region, for the two
    # ownership tag keys and no other.
    wildcards = [s for s in document["Statement"] if "*" in json.dumps(s["Resource"])]
    assert wildcards == [ownership_statement(EU_APPS)]


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
    (statement,) = (
        s for s in _handler_policy(template)["Statement"] if s["Action"] == CHANNEL_ACTIONS
    )
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
    # No policy rendered is CloudFormation's default, Delete: the handler deletes the channel.
    (channel,) = resources_of(synthesized.config("minimal"), RESOURCE_TYPE).values()
    assert "DeletionPolicy" not in channel and "UpdateReplacePolicy" not in channel


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
    stack = cdk.Stack(new_app(), "S")
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
    app = new_app()
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
    stack = cdk.Stack(new_app(), "S")
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


IDENTITY = "arn:aws:ses:eu-west-1:111111111111:identity/example.com"
APP_ID = "0123456789abcdef0123456789abcdef"


def _env_stack() -> cdk.Stack:
    return cdk.Stack(
        new_app(), "S", env=cdk.Environment(account="111111111111", region="eu-west-1")
    )


def _channel(stack: cdk.Stack, **overrides: Any) -> EmailChannel:
    props: dict[str, Any] = {
        "application": PinpointApp.from_application_id(stack, "App", APP_ID),
        "from_address": "noreply@example.com",
        "identity": IDENTITY,
    }
    return EmailChannel(stack, "Email", **{**props, **overrides})


def _channel_resource(stack: cdk.Stack) -> dict[str, Any]:
    (channel,) = resources_of(Template.from_stack(stack).to_json(), RESOURCE_TYPE).values()
    return channel  # type: ignore[no-any-return]


def test_the_channel_is_one_construct_and_one_cfn_resource() -> None:
    stack = _env_stack()
    channel = _channel(stack)
    (resource,) = channel.node.children
    assert isinstance(resource, cdk.CfnResource) and resource.node.id == "Resource"
    assert channel.node.default_child is resource
    assert stack.resolve(channel.application_id) == {"Ref": "EmailF8518450"}


@pytest.mark.parametrize("strict", [False, True])
def test_strict_delete_is_written_only_when_chosen(strict: bool) -> None:
    stack = _env_stack()
    _channel(stack, **({"strict_delete": True} if strict else {}))
    properties = _channel_resource(stack)["Properties"]
    if strict:
        assert properties[contract.PROP_STRICT_DELETE] == contract.STRICT_DELETE_ON == "true"
    else:
        assert contract.PROP_STRICT_DELETE not in properties


def test_retain_renders_both_policies() -> None:
    stack = _env_stack()
    _channel(stack, removal_policy=cdk.RemovalPolicy.RETAIN)
    channel = _channel_resource(stack)
    assert (channel["DeletionPolicy"], channel["UpdateReplacePolicy"]) == ("Retain", "Retain")


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (
            {"removal_policy": cdk.RemovalPolicy.SNAPSHOT},
            "is not supported by an email channel: use RemovalPolicy.DESTROY",
        ),
        (
            {"removal_policy": cdk.RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE},
            "a channel has no snapshot",
        ),
        ({"enabled": "no"}, "enabled 'no' is a str, not a bool: use True or False"),
        ({"strict_delete": 1}, "strict_delete 1 is a int, not a bool"),
        ({"from_address": None}, "from_address None is a NoneType, not a string"),
        (
            {"application": APP_ID},
            f"application '{APP_ID}' is a str, not a Pinpoint application: pass a PinpointApp "
            "or an imported IPinpointApp: import it with PinpointApp.from_application_id",
        ),
        ({"identity": 123}, "identity 123 is a int: pass an ses.IEmailIdentity or its ARN"),
        (
            {"role": "arn:aws:iam::111111111111:role/events"},
            "role 'arn:aws:iam::111111111111:role/events' is a str, not an iam.IRole: use "
            "iam.Role.from_role_arn(scope, id, 'arn:aws:iam::111111111111:role/events')",
        ),
        ({"configuration_set": 5}, "configuration_set 5 is a int"),
        ({"delivery_backend": "smtp"}, "delivery_backend 'smtp' is not a DeliveryBackend"),
    ],
)
def test_wrong_types_and_policies_are_refused_with_a_sentence(
    overrides: dict[str, Any], expected: str
) -> None:
    with pytest.raises(ConstructValidationError) as error:
        _channel(_env_stack(), **overrides)
    assert error.value.path == "S/Email"
    assert expected in str(error.value)


def test_every_problem_of_a_channel_is_reported_at_once() -> None:
    with pytest.raises(ConstructValidationError) as error:
        _channel(_env_stack(), from_address=None, enabled="yes", identity=1.5)
    assert len(error.value.problems) == 3


def test_a_role_of_another_account_is_an_error() -> None:
    stack = _env_stack()
    role = iam.Role.from_role_arn(stack, "Foreign", "arn:aws:iam::222222222222:role/events")
    with pytest.raises(ConstructValidationError) as error:
        _channel(stack, role=role)
    (problem,) = error.value.problems
    assert "arn:aws:iam::222222222222:role/events" in problem
    assert "222222222222" in problem and "111111111111" in problem


def test_roles_of_the_stack_are_passed() -> None:
    stack = _env_stack()
    imported = iam.Role.from_role_arn(stack, "Mine", "arn:aws:iam::111111111111:role/events")
    created = iam.Role(stack, "New", assumed_by=iam.ServicePrincipal("pinpoint.amazonaws.com"))
    _channel(stack, role=imported, orchestration_sending_role=created)
    properties = _channel_resource(stack)["Properties"]
    assert properties["RoleArn"] == "arn:aws:iam::111111111111:role/events"
    assert properties["OrchestrationSendingRoleArn"] == {
        "Fn::GetAtt": [stack.get_logical_id(created.node.default_child), "Arn"]  # type: ignore[arg-type]
    }


def test_a_foreign_role_in_an_environment_agnostic_stack_is_not_judged() -> None:
    stack = cdk.Stack(new_app(), "Agnostic")
    role = iam.Role.from_role_arn(stack, "Foreign", "arn:aws:iam::222222222222:role/events")
    _channel(stack, role=role, identity="arn:aws:ses:us-east-1:222222222222:identity/example.com")


def test_value_problems_of_a_channel_are_reported_together_and_nothing_is_built() -> None:
    stack = _env_stack()
    role = iam.Role.from_role_arn(stack, "Foreign", "arn:aws:iam::222222222222:role/events")
    with pytest.raises(ConstructValidationError) as error:
        _channel(
            stack,
            from_address="Doe, Jane <noreply@example.com>",
            configuration_set="arn:aws:ses:eu-west-1:111111111111:configuration-set/orders",
            role=role,
        )
    assert len(error.value.problems) == 3
    assert stack.node.try_find_child("Email") is None


def test_every_public_name_resolves() -> None:
    import constructs_pinpoint

    for name in constructs_pinpoint.__all__:
        assert getattr(constructs_pinpoint, name) is not None, name
    assert constructs_pinpoint.RESOURCE_TYPE is contract.RESOURCE_TYPE
    assert constructs_pinpoint.END_OF_SUPPORT_WARNING == (
        "constructs-pinpoint:pinpointEmailEndOfSupport"
    )
