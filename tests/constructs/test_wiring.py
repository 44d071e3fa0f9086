"""Wiring across stacks and functions: environments compared at synth (or said to be unknown, once
per stack), no wildcard from user input in any policy, and one sender wiring per function."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk.assertions import Annotations, Match, Template
from synth_support import OWNERSHIP_TAG_ACTIONS, OWNERSHIP_TAG_KEYS_ONLY, new_app, resources_of

from constructs_pinpoint import (
    ConstructValidationError,
    DeliveryBackend,
    EmailChannel,
    PinpointApp,
    SesEmailSending,
)
from constructs_pinpoint.email_sending import SES_QUOTA_ACTION
from constructs_pinpoint.sending import config

APP_ID = "0123456789abcdef0123456789abcdef"
IDENTITY = "arn:aws:ses:eu-west-1:111111111111:identity/example.com"
EU = cdk.Environment(account="111111111111", region="eu-west-1")
US = cdk.Environment(account="111111111111", region="us-east-1")
OTHER_ACCOUNT = cdk.Environment(account="222222222222", region="eu-west-1")


def _channel(stack: cdk.Stack, id: str = "Email", **overrides: Any) -> EmailChannel:
    props: dict[str, Any] = {
        "from_address": "noreply@example.com",
        "identity": IDENTITY,
    }
    props.update(overrides)
    if "application" not in props:
        props["application"] = PinpointApp.from_application_id(stack, f"{id}App", APP_ID)
    return EmailChannel(stack, id, **props)


def _function(stack: cdk.Stack, id: str = "Sender") -> lambda_.Function:
    return lambda_.Function(
        stack,
        id,
        runtime=lambda_.Runtime.PYTHON_3_14,
        handler="index.handler",
        code=lambda_.Code.from_inline("def handler(event, context): pass"),
    )


def _sender(template: dict[str, Any]) -> dict[str, Any]:
    (function,) = (
        f
        for name, f in resources_of(template, "AWS::Lambda::Function").items()
        if name.startswith("Sender")
    )
    return function["Properties"]  # type: ignore[no-any-return]


def _problem(call: Any) -> tuple[str, str]:
    with pytest.raises(ConstructValidationError) as error:
        call()
    (problem,) = error.value.problems
    return error.value.path, problem


def _infos(stack: cdk.Stack) -> list[str]:
    found = Annotations.from_stack(stack).find_info("*", Match.any_value())
    return [str(message.entry.data) for message in found]


def _warnings(stack: cdk.Stack) -> list[str]:
    found = Annotations.from_stack(stack).find_warning("*", Match.any_value())
    return [str(message.entry.data) for message in found]


# 1. Cross-stack wiring across environments: refused at synth, naming both stacks and the fix.


@pytest.mark.parametrize(
    ("other_env", "expected"),
    [
        (US, "(account 111111111111, region us-east-1)"),
        (OTHER_ACCOUNT, "(account 222222222222, region eu-west-1)"),
    ],
)
@pytest.mark.parametrize("kind", ["created", "imported"])
def test_an_app_of_a_stack_in_another_environment_is_refused(
    kind: str, other_env: cdk.Environment, expected: str
) -> None:
    root = new_app()
    channels, apps = cdk.Stack(root, "Channels", env=EU), cdk.Stack(root, "Apps", env=other_env)
    application = (
        PinpointApp(apps, "App")
        if kind == "created"
        else PinpointApp.from_application_id(apps, "App", APP_ID)
    )
    path, problem = _problem(lambda: _channel(channels, application=application))
    assert path == "Channels/Email"
    assert f"belongs to stack Apps {expected}" in problem
    assert "this channel is in stack Channels (account 111111111111, region eu-west-1)" in problem
    assert f"create the channel in a stack of {expected[1:-1]}" in problem
    assert channels.node.try_find_child("Email") is None


def test_an_imported_arn_of_another_region_is_refused_even_from_an_agnostic_stack() -> None:
    root = new_app()
    channels, apps = cdk.Stack(root, "Channels", env=EU), cdk.Stack(root, "Apps")
    arn = f"arn:aws:mobiletargeting:us-east-1:111111111111:apps/{APP_ID}"
    application = PinpointApp.from_application_arn(apps, "App", arn)
    _, problem = _problem(lambda: _channel(channels, application=application))
    assert "belongs to stack Apps (account 111111111111, region us-east-1)" in problem


def test_an_app_of_another_stack_in_the_same_environment_is_accepted() -> None:
    root = new_app()
    channels, apps = cdk.Stack(root, "Channels", env=EU), cdk.Stack(root, "Apps", env=EU)
    _channel(channels, application=PinpointApp(apps, "App"))
    _channel(channels, "Imported", application=PinpointApp.from_application_id(apps, "I", "a" * 32))


@pytest.mark.parametrize("backend", list(DeliveryBackend))
@pytest.mark.parametrize("how", ["configure_sender", "grant_send"])
def test_a_sender_function_of_another_region_is_refused(how: str, backend: DeliveryBackend) -> None:
    root = new_app()
    channels, senders = cdk.Stack(root, "Channels", env=EU), cdk.Stack(root, "Senders", env=US)
    channel = _channel(channels, delivery_backend=backend)
    function = _function(senders)
    path, problem = _problem(lambda: getattr(channel, how)(function))
    assert path == "Channels/Email"
    assert "sender function Senders/Sender is in stack Senders (region us-east-1)" in problem
    assert "Channels/Email is in stack Channels (region eu-west-1)" in problem
    assert "define the function in a stack of eu-west-1" in problem
    # Nothing was wired: no environment, no layer, no grant.
    template = Template.from_stack(senders).to_json()
    assert "Environment" not in _sender(template) and "Layers" not in _sender(template)
    assert resources_of(template, "AWS::IAM::Policy") == {}


def test_an_ses_sender_function_of_another_region_is_refused_without_speaking_of_pinpoint() -> None:
    root = new_app()
    sending_stack, senders = cdk.Stack(root, "Sending", env=EU), cdk.Stack(root, "S2", env=US)
    sending = SesEmailSending(
        sending_stack, "Sending", from_address="noreply@example.com", identity=IDENTITY
    )
    _, problem = _problem(lambda: sending.configure_sender(_function(senders)))
    assert "sender calls SES in its function's own region" in problem
    assert "pinpoint" not in problem.lower()


def test_a_sender_function_of_another_stack_in_the_same_region_is_accepted() -> None:
    root = new_app()
    channels, senders = cdk.Stack(root, "Channels", env=EU), cdk.Stack(root, "Senders", env=EU)
    _channel(channels).configure_sender(_function(senders))


def test_an_imported_function_of_another_region_cannot_be_granted() -> None:
    stack = cdk.Stack(new_app(), "Channels", env=EU)
    channel = _channel(stack)
    imported = lambda_.Function.from_function_arn(
        stack, "Far", "arn:aws:lambda:us-east-1:111111111111:function:sender"
    )
    _, problem = _problem(lambda: channel.grant_send(imported))
    assert "sender function Channels/Far is in stack Channels (region us-east-1)" in problem


def test_a_role_grantee_of_another_region_is_not_judged() -> None:
    """IAM roles are global: only a Lambda function runs the sender in its own region."""
    root = new_app()
    channel = _channel(cdk.Stack(root, "Channels", env=EU))
    role = iam.Role(cdk.Stack(root, "Roles", env=US), "R", assumed_by=iam.AccountRootPrincipal())
    channel.grant_send(role)


# 2. No wildcard from user input in any policy the constructs write.


def _policy_resources(template: dict[str, Any]) -> list[str]:
    """Every Resource string of every IAM policy statement, tokens rendered as JSON, but for the
    two statements the library writes with a wildcard by design, which hold nothing a user gave:
    GetAccount on "*" (it has no resource-level permissions), and the handler's ownership tags on
    the apps of its stack's account and region, for the two ownership tag keys only."""
    found = []
    for resource in resources_of(template, "AWS::IAM::Policy").values():
        for statement in resource["Properties"]["PolicyDocument"]["Statement"]:
            if statement["Action"] == SES_QUOTA_ACTION:
                assert statement["Resource"] == "*"
                continue
            if statement["Action"] == OWNERSHIP_TAG_ACTIONS:
                assert statement["Condition"] == OWNERSHIP_TAG_KEYS_ONLY
                assert json.dumps(statement["Resource"]).endswith(':apps/*"]]}')
                continue
            listed = statement["Resource"]
            for item in listed if isinstance(listed, list) else [listed]:
                found.append(item if isinstance(item, str) else json.dumps(item))
    return found


def _unescaped_wildcards(resources: list[str]) -> list[str]:
    return [r for r in resources if "*" in r.replace("${*}", "") or "?" in r.replace("${?}", "")]


@pytest.mark.parametrize("backend", list(DeliveryBackend))
def test_wildcard_characters_of_user_arns_are_literal_in_every_policy(
    backend: DeliveryBackend,
) -> None:
    stack = cdk.Stack(new_app(), "S", env=EU)
    role = iam.Role.from_role_arn(stack, "Team", "arn:aws:iam::111111111111:role/team-*/x")
    channel = _channel(
        stack,
        from_address="a*b?c@example.com",
        identity="arn:aws:ses:eu-west-1:111111111111:identity/a*b?c@example.com",
        role=role,
        orchestration_sending_role=role,
        configuration_set="orders",
        delivery_backend=backend,
    )
    channel.configure_sender(_function(stack))
    channel.application.grant(_function(stack, "Other"), "mobiletargeting:GetApp")
    resources = _policy_resources(Template.from_stack(stack).to_json())
    assert _unescaped_wildcards(resources) == []
    assert "arn:aws:iam::111111111111:role/team-${*}/x" in resources
    if backend is DeliveryBackend.SES_V2:
        assert "arn:aws:ses:eu-west-1:111111111111:identity/a${*}b${?}c@example.com" in resources
    # The channel's own properties keep the values as given: only policies escape them.
    (properties,) = (
        r["Properties"]
        for r in resources_of(
            Template.from_stack(stack).to_json(), "Custom::PinpointEmailChannel"
        ).values()
    )
    assert properties["RoleArn"] == "arn:aws:iam::111111111111:role/team-*/x"


def test_ses_email_sending_escapes_its_identity() -> None:
    stack = cdk.Stack(new_app(), "S", env=EU)
    sending = SesEmailSending(
        stack,
        "Sending",
        from_address="team*@example.com",
        identity="arn:aws:ses:eu-west-1:111111111111:identity/team*@example.com",
    )
    sending.grant_send(_function(stack))
    resources = _policy_resources(Template.from_stack(stack).to_json())
    assert resources == ["arn:aws:ses:eu-west-1:111111111111:identity/team${*}@example.com"]


def test_grants_on_an_app_escape_a_literal_arn() -> None:
    """``grant`` and ``grant_send_messages`` of any app built on ``_AppGrants``."""
    from constructs_pinpoint._stack_facts import stack_facts
    from constructs_pinpoint.pinpoint_app import _ImportedPinpointApp

    stack = cdk.Stack(new_app(), "S", env=EU)
    odd = _ImportedPinpointApp.made_on_first_use(
        stack,
        "Odd",
        facts=stack_facts(stack),
        application_id=APP_ID,
        application_arn="arn:aws:mobiletargeting:eu-west-1:111111111111:apps/a*?",
    )
    function = _function(stack)
    odd.grant(function, "mobiletargeting:GetApp")
    odd.grant_send_messages(function)
    resources = _policy_resources(Template.from_stack(stack).to_json())
    assert sorted(resources) == [
        "arn:aws:mobiletargeting:eu-west-1:111111111111:apps/a${*}${?}",
        "arn:aws:mobiletargeting:eu-west-1:111111111111:apps/a${*}${?}/messages",
    ]


# 3. Wiring is idempotent and exclusive.


def test_configure_sender_twice_changes_nothing() -> None:
    def build(times: int) -> tuple[dict[str, Any], list[iam.Grant]]:
        stack = cdk.Stack(new_app(), "S", env=EU)
        channel = _channel(stack)
        function = _function(stack)
        grants = [channel.configure_sender(function) for _ in range(times)]
        return Template.from_stack(stack).to_json(), grants

    once, _ = build(1)
    twice, grants = build(2)
    assert twice == once
    assert grants[0] is grants[1]
    assert len(_sender(twice)["Layers"]) == 1


@pytest.mark.parametrize("second", ["channel", "ses"])
def test_a_function_wired_to_a_second_sender_is_refused_naming_both(second: str) -> None:
    root = new_app()
    stack = cdk.Stack(root, "S", env=EU)
    first = _channel(stack)
    other: Any = (
        _channel(stack, "Other", application=PinpointApp.from_application_id(stack, "B", "b" * 32))
        if second == "channel"
        else SesEmailSending(stack, "Other", from_address="noreply@example.com", identity=IDENTITY)
    )
    function = _function(stack)
    first.configure_sender(function)
    path, problem = _problem(lambda: other.configure_sender(function))
    assert path == "S/Other"
    assert "function S/Sender is already a sender of S/Email" in problem
    assert "give S/Other its own function" in problem
    # The first wiring stands: its environment was not overwritten.
    variables = _sender(Template.from_stack(stack).to_json())["Environment"]["Variables"]
    assert variables[config.ENV_APPLICATION_ID] == APP_ID
    assert variables[config.ENV_BACKEND] == "pinpoint"


def test_a_function_wired_in_one_stack_is_refused_by_a_sender_of_another() -> None:
    root = new_app()
    first, second = cdk.Stack(root, "First", env=EU), cdk.Stack(root, "Second", env=EU)
    function = _function(first)
    _channel(first).configure_sender(function)
    other = _channel(second, application=PinpointApp(second, "App"))
    _, problem = _problem(lambda: other.configure_sender(function))
    assert "function First/Sender is already a sender of First/Email" in problem


@pytest.mark.parametrize("by", ["application_id", "application_arn"])
def test_the_same_token_imported_twice_is_one_app(by: str) -> None:
    stack = cdk.Stack(new_app(), "S", env=EU)
    token = cdk.CfnParameter(stack, "App").value_as_string
    import_ = getattr(PinpointApp, f"from_{by}")
    _channel(stack, "First", application=import_(stack, "A1", token))
    path, problem = _problem(
        lambda: _channel(stack, "Second", application=import_(stack, "A2", token))
    )
    assert path == "S/Second"
    assert "already has the email channel S/First" in problem
    if by == "application_arn":
        assert "application S/A2 already has" in problem


@pytest.mark.parametrize("by", ["application_id", "application_arn"])
def test_a_created_app_imported_by_its_own_token_is_the_same_app(by: str) -> None:
    root = new_app()
    stack, other = cdk.Stack(root, "S", env=EU), cdk.Stack(root, "T", env=EU)
    created = PinpointApp(stack, "App")
    _channel(stack, application=created)
    importer = (
        PinpointApp.from_application_id
        if by == "application_id"
        else PinpointApp.from_application_arn
    )
    again = importer(other, "Again", getattr(created, by))
    _, problem = _problem(lambda: _channel(other, "Second", application=again))
    assert "already has the email channel S/Email" in problem


def test_different_token_apps_are_different_apps() -> None:
    stack = cdk.Stack(new_app(), "S", env=EU)
    for index in range(2):
        arn = cdk.CfnParameter(stack, f"AppArn{index}").value_as_string
        _channel(
            stack,
            f"Email{index}",
            application=PinpointApp.from_application_arn(stack, f"A{index}", arn),
        )
    _channel(stack, "New0", application=PinpointApp(stack, "N0"))
    _channel(stack, "New1", application=PinpointApp(stack, "N1"))


# 4. Environment-agnostic stacks: said once per stack, as info, never as a warning.


def test_an_agnostic_stack_says_once_that_literal_arns_were_not_compared() -> None:
    stack = cdk.Stack(new_app(), "Agnostic")
    for index in range(3):
        _channel(
            stack,
            f"Email{index}",
            application=PinpointApp(stack, f"App{index}"),
            identity="arn:aws:ses:us-east-1:222222222222:identity/example.com",
            delivery_backend=DeliveryBackend.SES_V2,
        )
    (info,) = _infos(stack)
    assert info.startswith("Agnostic is environment-agnostic")
    assert "identity 'arn:aws:ses:us-east-1:222222222222:identity/example.com' of " in info
    assert "Agnostic/Email0" in info and "Agnostic/Email1" not in info
    assert "env=cdk.Environment(account=..., region=...)" in info
    assert _warnings(stack) == []


@pytest.mark.parametrize(
    ("build", "named"),
    [
        (
            lambda s: _channel(
                s,
                application=PinpointApp(s, "App"),
                identity=cdk.CfnParameter(s, "I").value_as_string,
                role=iam.Role.from_role_arn(s, "R", "arn:aws:iam::222222222222:role/events"),
            ),
            "role 'arn:aws:iam::222222222222:role/events' of Agnostic/Email",
        ),
        (
            lambda s: PinpointApp.from_application_arn(
                s, "Imported", f"arn:aws:mobiletargeting:us-east-1:111111111111:apps/{APP_ID}"
            ),
            "application_arn 'arn:aws:mobiletargeting:us-east-1:111111111111:apps/"
            f"{APP_ID}' of Agnostic/Imported",
        ),
        (
            lambda s: SesEmailSending(
                s, "Sending", from_address="noreply@example.com", identity=IDENTITY
            ),
            f"identity '{IDENTITY}' of Agnostic/Sending",
        ),
    ],
)
def test_each_literal_arn_of_an_agnostic_stack_is_noted(build: Any, named: str) -> None:
    stack = cdk.Stack(new_app(), "Agnostic")
    build(stack)
    (info,) = _infos(stack)
    assert named in info


def test_an_agnostic_stack_with_no_literal_arn_says_nothing() -> None:
    stack = cdk.Stack(new_app(), "Agnostic")
    _channel(
        stack,
        application=PinpointApp(stack, "App"),
        identity=cdk.CfnParameter(stack, "I").value_as_string,
        role=iam.Role(stack, "R", assumed_by=iam.ServicePrincipal("pinpoint.amazonaws.com")),
    )
    assert _infos(stack) == []


def test_stacks_with_an_environment_say_nothing() -> None:
    stack = cdk.Stack(new_app(), "S", env=EU)
    _channel(stack).configure_sender(_function(stack))
    assert _infos(stack) == []


def test_an_app_or_function_across_a_known_and_an_agnostic_stack_is_noted_once() -> None:
    root = new_app()
    known, agnostic = cdk.Stack(root, "Known", env=EU), cdk.Stack(root, "Agnostic")
    # A created app would be a cross-stack reference, which CDK itself refuses here.
    application = PinpointApp.from_application_id(agnostic, "App", APP_ID)
    channel = _channel(known, application=application)
    channel.configure_sender(_function(agnostic))
    (info,) = _infos(agnostic)
    assert f"application '{APP_ID}' of stack Agnostic, used by the email channel of " in info
    assert _infos(known) == []


def test_a_sender_function_of_an_agnostic_stack_is_noted_on_its_stack() -> None:
    # Literal values only: a token would be a cross-stack reference, which CDK itself refuses
    # between a stack with a region and one without.
    root = new_app()
    known, agnostic = cdk.Stack(root, "Known", env=EU), cdk.Stack(root, "Agnostic")
    _channel(known).configure_sender(_function(agnostic))
    (info,) = _infos(agnostic)
    assert "starting with the region of the sender function Agnostic/Sender" in info
    assert _infos(known) == []


def test_two_agnostic_stacks_share_one_unknown_environment_and_say_nothing() -> None:
    root = new_app()
    first, second = cdk.Stack(root, "First"), cdk.Stack(root, "Second")
    identity = cdk.CfnParameter(first, "Identity").value_as_string
    channel = _channel(first, application=PinpointApp(second, "App"), identity=identity)
    third = cdk.Stack(root, "Third")
    channel.configure_sender(_function(third))
    assert _infos(first) == _infos(second) == _infos(third) == []


# 5. Errors: counted right.


def test_the_error_counts_its_problems_in_words() -> None:
    with pytest.raises(ConstructValidationError, match=r"^S/Email: 1 invalid input:\n"):
        _channel(cdk.Stack(new_app(), "S", env=EU), from_address="nope")
    with pytest.raises(ConstructValidationError, match=r"^S/Email: 2 invalid inputs:\n"):
        _channel(
            cdk.Stack(new_app(), "S", env=EU), from_address="nope", configuration_set="has space"
        )
