"""Least privilege at scale: 200 channels on imported apps and 100 distinct roles in one stack,
every channel's, app's and role's exact ARN granted, every policy of the handler's role within
IAM's size limits (rendered with every value at its longest), and the handler function waiting for
all of them. Past IAM's limits, synth stops with an error that says why."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Template
from prefetch import python_job
from prefetch import result as prefetch_result
from prefetch import start as prefetch_start
from synth_support import OWNERSHIP_TAG_KEYS_ONLY, new_app, resources_of

from constructs_pinpoint import ConstructValidationError, EmailChannel, PinpointApp

CHANNELS = 200
ROLES = 100
TAG_ACTIONS = "mobiletargeting:TagResource"
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


def _imported_channel(stack: cdk.Stack, index: int, role: iam.IRole | None = None) -> None:
    """Channel ``index`` of the imported app ``index``, in us-gov-west-1."""
    EmailChannel(
        stack,
        f"Email{index}",
        application=PinpointApp.from_application_id(stack, f"App{index}", f"{index:032x}"),
        from_address="noreply@example.com",
        identity="arn:aws-us-gov:ses:us-gov-west-1:111111111111:identity/example.com",
        role=role,
    )


def _render(value: Any, resources: dict[str, Any]) -> Any:
    """The policy as IAM sees it, in the longest partition (aws-us-gov), names at their longest."""
    if isinstance(value, dict):
        if value.keys() == {"Ref"}:
            if value["Ref"] in resources:  # a role's name: generated at its longest
                assert resources[value["Ref"]]["Type"] == "AWS::IAM::Role", value
                return resources[value["Ref"]]["Properties"].get("RoleName", "n" * 64)
            return WORST[value["Ref"]]
        if value.keys() == {"Fn::Join"}:
            separator, parts = value["Fn::Join"]
            return separator.join(_render(part, resources) for part in parts)
        if value.keys() == {"Fn::GetAtt"}:
            name, attribute = value["Fn::GetAtt"]
            kind = resources[name]["Type"]
            if (kind, attribute) == ("AWS::IAM::Role", "Arn"):
                properties = resources[name]["Properties"]
                path, role = properties.get("Path", "/"), properties.get("RoleName", "n" * 64)
                return f"arn:aws-us-gov:iam::111111111111:role{path}{role}"
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
        _imported_channel(stack, index, roles[index % ROLES])
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
    apps = [
        f"arn:aws-us-gov:mobiletargeting:us-gov-west-1:111111111111:apps/{i:032x}"
        for i in range(CHANNELS)
    ]
    assert sorted(granted) == sorted(f"{app}/channels/email" for app in apps)
    assert sorted(granted) == sorted(_granted(template, "mobiletargeting:DeleteEmailChannel"))
    # The ownership tags: one statement for the apps of this account and region, limited to the
    # two ownership tag keys, whatever the number of channels.
    assert _granted(template, TAG_ACTIONS) == [
        "arn:aws-us-gov:mobiletargeting:us-gov-west-1:111111111111:apps/*"
    ]
    (ownership,) = (
        statement
        for policy in _policies(template).values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if TAG_ACTIONS in _as_list(statement["Action"])
    )
    assert ownership["Condition"] == OWNERSHIP_TAG_KEYS_ONLY


def test_every_role_is_passable_to_pinpoint_only_and_nothing_more(
    template: dict[str, Any],
) -> None:
    granted = _granted(template, "iam:PassRole")
    expected = {f"arn:aws-us-gov:iam::111111111111:role/{_role_name(i)}" for i in range(ROLES)}
    assert len(granted) == ROLES
    assert set(granted) == expected


def _within_limits(template: dict[str, Any]) -> dict[str, Any]:
    resources = template["Resources"]
    inline = resources_of(template, "AWS::IAM::Policy")
    managed = resources_of(template, "AWS::IAM::ManagedPolicy")
    inline_chars = sum(_size(p["Properties"]["PolicyDocument"], resources) for p in inline.values())
    assert inline_chars <= INLINE_LIMIT
    assert len(managed) <= MANAGED_PER_ROLE
    for policy in managed.values():
        assert _size(policy["Properties"]["PolicyDocument"], resources) <= MANAGED_LIMIT
        assert policy["Properties"]["Roles"] == [{"Ref": ROLE}]
    (default,) = inline.values()
    assert default["Properties"]["Roles"] == [{"Ref": ROLE}]
    return managed


def test_policies_stay_within_iam_limits(template: dict[str, Any]) -> None:
    managed = _within_limits(template)
    names = sorted(name[len("PinpointEmailChannelProvider") :][:-8] for name in managed)
    assert names[0] == "ChannelsPolicy1" and "PassRolePolicy1" in names


def test_handler_waits_for_every_policy_and_stack_fits(template: dict[str, Any]) -> None:
    (function,) = resources_of(template, "AWS::Lambda::Function").values()
    assert set(function["DependsOn"]) == set(_policies(template))
    assert len(template["Resources"]) <= 500
    assert len(resources_of(template, "Custom::PinpointEmailChannel")) == CHANNELS


def test_roles_of_the_stack_with_long_paths_are_counted_at_their_length() -> None:
    """100 iam.Roles of the stack with a 46-character path, passed to 100 channels: each GetAtt
    Arn is bounded with its path (and a generated name of 64), so the PassRole policies stay
    within IAM's limits rendered at their longest."""
    stack = cdk.Stack(new_app(), "Paths", env=ENV)
    path = "/team-" + "p" * 39 + "/"
    assert len(path) == 46
    for index in range(100):
        role = iam.Role(
            stack,
            f"Role{index}",
            assumed_by=iam.ServicePrincipal("pinpoint.amazonaws.com"),
            path=path,
        )
        _imported_channel(stack, index, role)
    template = Template.from_stack(stack).to_json()
    _within_limits(template)
    assert len(_granted(template, "iam:PassRole")) == 100


def test_more_than_iam_allows_is_an_error_that_says_why() -> None:
    """Channels that each pass their own role, of a 400-character path: the PassRole grants
    exhaust IAM's quotas long before CloudFormation's 500 resources."""
    stack = cdk.Stack(new_app(), "TooMany", env=ENV)
    with pytest.raises(ConstructValidationError) as error:
        for index in range(450):
            path = f"/team-{index:03d}-".ljust(400, "p") + "/"
            _imported_channel(
                stack,
                index,
                iam.Role.from_role_arn(
                    stack,
                    f"Role{index}",
                    f"arn:aws-us-gov:iam::111111111111:role{path}{_role_name(index)}",
                ),
            )
    message = str(error.value)
    assert "more than 10 managed policies" in message
    assert "6,144 characters" in message and "another stack" in message


def synth_450(outdir: Path) -> None:
    """450 channels of imported apps in one environment-agnostic stack, synthesized (run in a
    process of its own: ``_SYNTH_450``)."""
    app = new_app(outdir=outdir)
    stack = cdk.Stack(app, "Many")
    for index in range(450):
        _imported_channel(stack, index)
    app.synth()


_SYNTH_450 = partial(
    python_job,
    "n450",
    "import sys; from pathlib import Path; from test_iam_scale import synth_450; "
    "synth_450(Path(sys.argv[1]))",
)


def prefetch(item: pytest.Item) -> None:  # called by tests/conftest.py when collection ends
    if getattr(item, "originalname", "") == "test_450_imported_channels_fit_one_stack":
        prefetch_start("n450", _SYNTH_450)


def test_450_imported_channels_fit_one_stack() -> None:
    """Issue 20's largest bench case: 450 channels of imported apps in one stack, every ARN at
    its longest (an environment-agnostic stack resolves partition, region and account only at
    deploy)."""
    outdir, run = prefetch_result("n450", _SYNTH_450)
    assert run.returncode == 0, run.stderr[-3000:]
    template = json.loads((outdir / "Many.template.json").read_text())
    assert len(resources_of(template, "Custom::PinpointEmailChannel")) == 450
    assert len(template["Resources"]) <= 500
    assert len(resources_of(template, "AWS::IAM::ManagedPolicy")) <= MANAGED_PER_ROLE
