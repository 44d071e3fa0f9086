"""Least privilege at scale: 450 channels on imported apps and 100 distinct roles in one stack,
every channel's and every role's exact ARN granted, every policy of the handler's role within
IAM's size limits, and the handler function waiting for all of them."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Template
from synth_support import new_app, resources_of

from constructs_pinpoint import EmailChannel, PinpointApp

CHANNELS = 450
ROLES = 100
ENV = cdk.Environment(account="111111111111", region="us-gov-west-1")
INLINE_LIMIT = 10_240  # all inline policies of a role, whitespace excluded
MANAGED_LIMIT = 6_144
MANAGED_PER_ROLE = 10
ROLE = "PinpointEmailChannelProviderRoleB68ED14D"
PASSED_TO_SERVICE = {"StringEquals": {"iam:PassedToService": "mobiletargeting.amazonaws.com"}}
# What IAM sees where the template leaves a value to CloudFormation, at its longest.
WORST = {
    "AWS::Partition": "aws-us-gov",
    "AWS::StackId": "arn:aws-us-gov:cloudformation:us-gov-west-1:111111111111:stack/"
    + "s" * 128
    + "/12345678-1234-1234-1234-123456789012",
}


def _role_name(index: int) -> str:
    """64 characters: the longest role name IAM allows."""
    return f"events-{index:03d}-".ljust(64, "r")


def _render(value: Any, resources: dict[str, Any]) -> Any:
    """The policy as IAM sees it, in the longest partition (aws-us-gov), names at their longest."""
    if isinstance(value, dict):
        if value.keys() == {"Ref"}:
            return WORST[value["Ref"]]
        if value.keys() == {"Fn::Join"}:
            separator, parts = value["Fn::Join"]
            return separator.join(_render(part, resources) for part in parts)
        if value.keys() == {"Fn::GetAtt"}:
            name, attribute = value["Fn::GetAtt"]
            kind = resources[name]["Type"]
            assert (kind, attribute) == ("AWS::Logs::LogGroup", "Arn"), value
            generated = f"{'s' * 128}-{name}-ABCDEFGHIJKL"  # <stack>-<logical id>-<suffix>
            return f"arn:aws-us-gov:logs:us-gov-west-1:111111111111:log-group:{generated}:*"
        return {key: _render(item, resources) for key, item in value.items()}
    if isinstance(value, list):
        return [_render(item, resources) for item in value]
    return value


def _size(document: dict[str, Any], resources: dict[str, Any]) -> int:
    return len(json.dumps(_render(document, resources), separators=(",", ":")))


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    stack = cdk.Stack(new_app(), "Many", env=ENV)
    roles: list[iam.IRole] = [
        # Half as literal ARNs (counted as written), half from a name (a partition token).
        iam.Role.from_role_arn(
            stack, f"Role{i}", f"arn:aws-us-gov:iam::111111111111:role/{_role_name(i)}"
        )
        if i % 2
        else iam.Role.from_role_name(stack, f"Role{i}", _role_name(i))
        for i in range(ROLES)
    ]
    for index in range(CHANNELS):
        EmailChannel(
            stack,
            f"Email{index}",
            application=PinpointApp.from_application_id(stack, f"App{index}", f"{index:032x}"),
            from_address="noreply@example.com",
            identity="arn:aws-us-gov:ses:us-gov-west-1:111111111111:identity/example.com",
            role=roles[index % ROLES],
        )
    return Template.from_stack(stack).to_json()


def _policies(template: dict[str, Any]) -> dict[str, Any]:
    return {
        **resources_of(template, "AWS::IAM::Policy"),
        **resources_of(template, "AWS::IAM::ManagedPolicy"),
    }


def _granted(template: dict[str, Any], action: str) -> list[str]:
    resources = template["Resources"]
    granted: list[str] = []
    for policy in _policies(template).values():
        for statement in _render(policy["Properties"]["PolicyDocument"], resources)["Statement"]:
            if action in _as_list(statement["Action"]):
                if action == "iam:PassRole":
                    assert statement["Condition"] == PASSED_TO_SERVICE
                granted += _as_list(statement["Resource"])
    return granted


def test_every_channel_gets_its_exact_arn_and_nothing_more(template: dict[str, Any]) -> None:
    granted = _granted(template, "mobiletargeting:UpdateEmailChannel")
    expected = {
        f"arn:aws-us-gov:mobiletargeting:us-gov-west-1:111111111111:apps/{i:032x}/channels/email"
        for i in range(CHANNELS)
    }
    assert len(granted) == CHANNELS
    assert set(granted) == expected
    assert sorted(granted) == sorted(_granted(template, "mobiletargeting:DeleteEmailChannel"))


def test_every_role_is_passable_to_pinpoint_only_and_nothing_more(
    template: dict[str, Any],
) -> None:
    granted = _granted(template, "iam:PassRole")
    expected = {f"arn:aws-us-gov:iam::111111111111:role/{_role_name(i)}" for i in range(ROLES)}
    assert len(granted) == ROLES
    assert set(granted) == expected


def test_policies_stay_within_iam_limits(template: dict[str, Any]) -> None:
    resources = template["Resources"]
    inline = resources_of(template, "AWS::IAM::Policy")
    managed = resources_of(template, "AWS::IAM::ManagedPolicy")
    inline_chars = sum(_size(p["Properties"]["PolicyDocument"], resources) for p in inline.values())
    assert inline_chars <= INLINE_LIMIT
    # 40 channels inline, then 50 per ChannelsPolicy<k>: 9; the roles the inline policy has no
    # room for: one PassRolePolicy1. Exactly IAM's default quota of 10 per role.
    assert sorted(name[len("PinpointEmailChannelProvider") :][:-8] for name in managed) == [
        *(f"ChannelsPolicy{k}" for k in range(1, 10)),
        "PassRolePolicy1",
    ]
    assert len(managed) == MANAGED_PER_ROLE
    for policy in managed.values():
        assert _size(policy["Properties"]["PolicyDocument"], resources) <= MANAGED_LIMIT
        assert policy["Properties"]["Roles"] == [{"Ref": ROLE}]
    (default,) = inline.values()
    assert default["Properties"]["Roles"] == [{"Ref": ROLE}]


def test_handler_waits_for_every_policy_and_stack_fits(template: dict[str, Any]) -> None:
    (function,) = resources_of(template, "AWS::Lambda::Function").values()
    assert set(function["DependsOn"]) == set(_policies(template))
    assert len(function["DependsOn"]) == len(_policies(template)) == 11
    assert len(template["Resources"]) <= 500
    assert len(resources_of(template, "Custom::PinpointEmailChannel")) == CHANNELS
