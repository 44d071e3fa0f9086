"""Least privilege at scale: 450 channels on imported apps in one stack, every channel's exact
ARN granted, every policy of the handler's role within IAM's size limits."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template
from synth_support import new_app, resources_of

from constructs_pinpoint import EmailChannel, PinpointApp

CHANNELS = 450
ENV = cdk.Environment(account="111111111111", region="us-gov-west-1")
INLINE_LIMIT = 10_240  # all inline policies of a role, whitespace excluded
MANAGED_LIMIT = 6_144
MANAGED_PER_ROLE = 10
ROLE = "PinpointEmailChannelProviderRole"


def _render(value: Any) -> Any:
    """The policy as IAM sees it, in the longest partition (aws-us-gov)."""
    if isinstance(value, dict):
        if value.keys() == {"Ref"} and value["Ref"] == "AWS::Partition":
            return "aws-us-gov"
        if value.keys() == {"Fn::Join"}:
            separator, parts = value["Fn::Join"]
            return separator.join(_render(part) for part in parts)
        if value.keys() == {"Fn::GetAtt"}:
            log_group = value["Fn::GetAtt"][0]
            return f"arn:aws-us-gov:logs:us-gov-west-1:111111111111:log-group:{log_group}:*"
        return {key: _render(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_render(item) for item in value]
    return value


def _size(document: dict[str, Any]) -> int:
    return len(json.dumps(_render(document), separators=(",", ":")))


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    stack = cdk.Stack(new_app(), "Many", env=ENV)
    for index in range(CHANNELS):
        EmailChannel(
            stack,
            f"Email{index}",
            application=PinpointApp.from_application_id(stack, f"App{index}", f"{index:032x}"),
            from_address="noreply@example.com",
            identity="arn:aws-us-gov:ses:us-gov-west-1:111111111111:identity/example.com",
        )
    return Template.from_stack(stack).to_json()


def test_every_channel_gets_its_exact_arn_and_nothing_more(template: dict[str, Any]) -> None:
    granted: list[str] = []
    documents = [
        p["Properties"]["PolicyDocument"]
        for kind in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy")
        for p in resources_of(template, kind).values()
    ]
    for document in documents:
        for statement in _render(document)["Statement"]:
            if statement["Action"] == [
                "mobiletargeting:UpdateEmailChannel",
                "mobiletargeting:DeleteEmailChannel",
            ]:
                resources = statement["Resource"]
                granted += [resources] if isinstance(resources, str) else resources
    expected = {
        f"arn:aws-us-gov:mobiletargeting:us-gov-west-1:111111111111:apps/{i:032x}/channels/email"
        for i in range(CHANNELS)
    }
    assert len(granted) == CHANNELS
    assert set(granted) == expected


def test_policies_stay_within_iam_limits(template: dict[str, Any]) -> None:
    inline = resources_of(template, "AWS::IAM::Policy")
    managed = resources_of(template, "AWS::IAM::ManagedPolicy")
    assert sum(_size(p["Properties"]["PolicyDocument"]) for p in inline.values()) <= INLINE_LIMIT
    assert 0 < len(managed) <= MANAGED_PER_ROLE
    for policy in managed.values():
        assert _size(policy["Properties"]["PolicyDocument"]) <= MANAGED_LIMIT
        assert policy["Properties"]["Roles"] == [{"Ref": next(iter(_roles(template)))}]


def test_handler_waits_for_every_policy_and_stack_fits(template: dict[str, Any]) -> None:
    (function,) = resources_of(template, "AWS::Lambda::Function").values()
    policies = set(resources_of(template, "AWS::IAM::Policy")) | set(
        resources_of(template, "AWS::IAM::ManagedPolicy")
    )
    assert set(function["DependsOn"]) == policies
    assert len(template["Resources"]) <= 500
    assert len(resources_of(template, "Custom::PinpointEmailChannel")) == CHANNELS


def _roles(template: dict[str, Any]) -> dict[str, Any]:
    return {n: r for n, r in resources_of(template, "AWS::IAM::Role").items() if n.startswith(ROLE)}
