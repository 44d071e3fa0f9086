"""One test per synth-time validation rule: each message names the bad value and the fix."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_ses as ses
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from constructs_pinpoint import ConstructValidationError, EmailChannel, PinpointApp

IDENTITY = "arn:aws:ses:eu-west-1:111111111111:identity/example.com"
ENV = cdk.Environment(account="111111111111", region="eu-west-1")


def _channel(stack: cdk.Stack | None = None, **overrides: Any) -> EmailChannel:
    stack = stack or cdk.Stack(cdk.App(), "S", env=ENV)
    props: dict[str, Any] = {
        "application": PinpointApp(stack, f"App{len(stack.node.children)}"),
        "from_address": "noreply@example.com",
        "identity": IDENTITY,
    }
    props.update(overrides)
    return EmailChannel(stack, f"Email{len(stack.node.children)}", **props)


def _problems(**overrides: Any) -> list[str]:
    with pytest.raises(ConstructValidationError) as error:
        _channel(**overrides)
    return error.value.problems


@pytest.mark.parametrize(
    "address",
    ["noreply", "noreply@", "@example.com", "no reply@example.com", "a@b", " a@example.com"],
)
def test_from_address_must_be_an_address(address: str) -> None:
    (problem,) = _problems(from_address=address)
    assert repr(address) in problem and "is not an email address" in problem


@pytest.mark.parametrize(
    "address",
    ["Orders <noreply@example.com", "<noreply@example.com>", "A <b> <noreply@example.com>"],
)
def test_display_name_form_is_whole_or_rejected(address: str) -> None:
    (problem,) = _problems(from_address=address)
    assert (
        repr(address) in problem and "display-name form" in problem
    ) or "not an email" in problem


def test_display_name_form_is_accepted_and_checked_by_its_address() -> None:
    _channel(from_address="Example Orders <noreply@example.com>")
    (problem,) = _problems(from_address="Example Orders <noreply@other.org>")
    assert "'noreply@other.org' is not covered by domain identity 'example.com'" in problem


@pytest.mark.parametrize(
    "identity",
    [
        "example.com",
        "arn:aws:ses:eu-west-1:111111111111:configuration-set/example.com",
        "arn:aws:ses:eu-west-1:1111:identity/example.com",
        "arn:aws:sns:eu-west-1:111111111111:identity/example.com",
    ],
)
def test_identity_must_be_an_ses_identity_arn(identity: str) -> None:
    (problem,) = _problems(identity=identity)
    assert repr(identity) in problem and "is not an SES identity ARN" in problem


def test_email_identity_must_equal_the_from_address() -> None:
    identity = "arn:aws:ses:eu-west-1:111111111111:identity/orders@example.com"
    _channel(identity=identity, from_address="Orders@example.com")
    (problem,) = _problems(identity=identity, from_address="noreply@example.com")
    assert "'noreply@example.com' is not covered by email identity 'orders@example.com'" in problem


@pytest.mark.parametrize("address", ["a@example.com", "a@mail.example.com", "a@x.y.example.com"])
def test_domain_identity_covers_its_domain_and_subdomains(address: str) -> None:
    _channel(from_address=address)


@pytest.mark.parametrize("address", ["a@notexample.com", "a@example.org", "a@com"])
def test_domain_identity_does_not_cover_other_domains(address: str) -> None:
    problems = _problems(from_address=address)
    assert any(repr(address.lower()) in p for p in problems)


def test_identity_construct_is_checked_by_its_literal_domain() -> None:
    stack = cdk.Stack(cdk.App(), "S", env=ENV)
    identity = ses.EmailIdentity(stack, "Domain", identity=ses.Identity.domain("example.org"))
    with pytest.raises(
        ConstructValidationError, match=r"not covered by domain identity 'example\.org'"
    ):
        _channel(stack, identity=identity)


def test_identity_region_and_account_must_match_the_stack() -> None:
    problems = _problems(identity="arn:aws:ses:us-east-1:222222222222:identity/example.com")
    assert any("identity region 'us-east-1'" in p and "'eu-west-1'" in p for p in problems)
    assert any("identity account '222222222222'" in p and "'111111111111'" in p for p in problems)


def test_environment_agnostic_stack_skips_region_check() -> None:
    _channel(
        cdk.Stack(cdk.App(), "S"),
        identity="arn:aws:ses:us-east-1:222222222222:identity/example.com",
    )


def test_configuration_set_arn_names_the_name_to_use() -> None:
    arn = "arn:aws:ses:eu-west-1:111111111111:configuration-set/orders"
    (problem,) = _problems(configuration_set=arn)
    assert repr(arn) in problem and "use 'orders'" in problem


@pytest.mark.parametrize("name", ["has space", "x" * 65, "dots.not.allowed", ""])
def test_configuration_set_name_pattern(name: str) -> None:
    (problem,) = _problems(configuration_set=name)
    assert repr(name) in problem and "1-64 letters" in problem


def test_all_problems_are_raised_together() -> None:
    problems = _problems(
        from_address="nope",
        identity="example.com",
        configuration_set="arn:aws:ses:eu-west-1:111111111111:configuration-set/c",
    )
    assert len(problems) == 3


def test_two_channels_on_one_app_are_rejected_across_stacks() -> None:
    app = cdk.App()
    first = cdk.Stack(app, "First", env=ENV)
    second = cdk.Stack(app, "Second", env=ENV)
    app_id = "0123456789abcdef0123456789abcdef"
    _channel(first, application=PinpointApp.from_application_id(first, "A", app_id))
    with pytest.raises(ConstructValidationError) as error:
        _channel(second, application=PinpointApp.from_application_id(second, "A", app_id))
    (problem,) = error.value.problems
    assert repr(app_id) in problem and "First/Email" in problem


def test_two_channels_on_one_new_app_are_rejected() -> None:
    stack = cdk.Stack(cdk.App(), "S", env=ENV)
    application = PinpointApp(stack, "Shared")
    _channel(stack, application=application)
    with pytest.raises(ConstructValidationError, match="S/Shared already has the email channel"):
        _channel(stack, application=application)


def test_separate_apps_do_not_share_the_registry() -> None:
    for _ in range(2):
        stack = cdk.Stack(cdk.App(), "S", env=ENV)
        _channel(stack, application=PinpointApp.from_application_id(stack, "A", "f" * 32))


def test_cross_account_role_is_an_error_that_says_why_and_the_fix() -> None:
    stack = cdk.Stack(cdk.App(), "S", env=ENV)
    role = iam.Role.from_role_arn(stack, "Other", "arn:aws:iam::999999999999:role/events")
    with pytest.raises(ConstructValidationError) as error:
        _channel(stack, role=role)
    (problem,) = error.value.problems
    assert "role 'arn:aws:iam::999999999999:role/events' is in account 999999999999" in problem
    assert "iam:PassRole" in problem and "create the role in account 111111111111" in problem


def test_role_of_another_partition_is_an_error() -> None:
    stack = cdk.Stack(cdk.App(), "S", env=ENV)
    role = iam.Role.from_role_arn(stack, "Cn", "arn:aws-cn:iam::111111111111:role/events")
    with pytest.raises(ConstructValidationError, match="partition 'aws-cn' does not match"):
        _channel(stack, orchestration_sending_role=role)


def test_tokens_are_not_validated() -> None:
    stack = cdk.Stack(cdk.App(), "S", env=ENV)
    address = cdk.CfnParameter(stack, "From").value_as_string
    identity = cdk.CfnParameter(stack, "Identity").value_as_string
    config_set = cdk.CfnParameter(stack, "ConfigSet").value_as_string
    _channel(stack, from_address=address, identity=identity, configuration_set=config_set)


TEXT = st.text(min_size=0, max_size=80)
ADDRESSISH = st.one_of(
    TEXT, st.from_regex(r"[A-Za-z0-9 .<>\"@_+-]{0,40}@[a-z.]{0,20}", fullmatch=True)
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(from_address=ADDRESSISH, identity=TEXT, configuration_set=st.one_of(st.none(), TEXT))
def test_arbitrary_input_is_valid_or_our_error(
    from_address: str, identity: str, configuration_set: str | None
) -> None:
    try:
        _channel(from_address=from_address, identity=identity, configuration_set=configuration_set)
    except ConstructValidationError as error:
        assert error.problems and all(isinstance(p, str) and p for p in error.problems)


def test_ses_email_sending_runs_the_same_checks() -> None:
    from constructs_pinpoint import SesEmailSending

    stack = cdk.Stack(cdk.App(), "S", env=ENV)
    with pytest.raises(ConstructValidationError) as error:
        SesEmailSending(
            stack,
            "Sending",
            from_address="noreply@other.org",
            identity=IDENTITY,
            configuration_set="arn:aws:ses:eu-west-1:111111111111:configuration-set/orders",
        )
    assert error.value.path == "S/Sending"
    assert len(error.value.problems) == 2
    assert any("use 'orders'" in p for p in error.value.problems)


# The _validation functions the constructs call: value rules from sending/rules.py, tokens skipped.


def test_validation_skips_tokens_without_judging_them() -> None:
    from constructs_pinpoint import _validation as check

    stack = cdk.Stack(cdk.App(), "S", env=ENV)
    token = cdk.CfnParameter(stack, "P").value_as_string
    assert check.unresolved(token) and not check.unresolved("plain") and not check.unresolved(None)
    assert check.application_id_problems(token) == []
    assert check.application_arn_problems(token, region="eu-west-1", account=None) == (None, [])
    assert check.role_problems("role", token, region="eu-west-1", account="111111111111") == []
    assert check.sending_problems("eu-west-1", "111111111111", token, token, None, token) == []


def test_ses_sending_allows_another_accounts_identity_and_never_says_pinpoint() -> None:
    from constructs_pinpoint import _validation as check

    other = "arn:aws:ses:eu-west-1:222222222222:identity/example.com"
    args = ("eu-west-1", "111111111111", "noreply@example.com", other, None, None)
    (problem,) = check.sending_problems(*args)
    assert "account '222222222222'" in problem
    assert check.ses_sending_problems(*args) == []
    problems = check.ses_sending_problems(
        "eu-west-1",
        "111111111111",
        "Doe, Jane <a@example.org>",
        "arn:aws:ses:us-east-1:222222222222:identity/example.com",
        None,
        "arn:aws:ses:eu-west-1:111111111111:configuration-set/orders",
    )
    assert len(problems) == 3 and not any("Pinpoint" in p for p in problems)


def test_validation_compares_partitions_with_the_stack_region() -> None:
    from constructs_pinpoint import _validation as check

    app_id, problems = check.application_arn_problems(
        "arn:aws:mobiletargeting:cn-north-1:111111111111:apps/" + "a" * 32,
        region="cn-north-1",
        account=None,
    )
    assert app_id == "a" * 32
    (problem,) = problems
    assert "partition 'aws' does not match its own region 'cn-north-1'" in problem
    assert "use arn:aws-cn:" in problem
    (role,) = check.role_problems(
        "role", "arn:aws:iam::111111111111:role/r", region="cn-north-1", account="111111111111"
    )
    assert "partition 'aws' does not match the stack's region 'cn-north-1'" in role


_STACK = cdk.Stack(cdk.App(), "Tokens")
_TOKENS = [
    cdk.Aws.REGION,
    _STACK.account,
    cdk.Fn.import_value("X"),
    cdk.Token.as_string({"Ref": "P"}),
    f"arn:{cdk.Aws.PARTITION}:s3:::b/{cdk.Aws.ACCOUNT_ID}",
]
_NOT_STRING_TOKENS = [
    "plain",
    "",
    "${Token[]}",
    "${Token[a b.1]}",
    "${Token[AWS.Region.1]",
    "#{Token[TOKEN.1]}",
]


@pytest.mark.parametrize(
    ("text", "is_token"),
    [(text, True) for text in _TOKENS]
    + [(text, False) for text in _NOT_STRING_TOKENS]
    + [("x${Token[A:b.c-d_9]}y", True)],
)
def test_unresolved_agrees_with_token_is_unresolved_on_strings(text: str, is_token: bool) -> None:
    """The Python check of a string token answers as aws-cdk-lib does, without a round trip."""
    from constructs_pinpoint._validation import unresolved

    assert cdk.Token.is_unresolved(text) is is_token
    assert unresolved(text) is is_token
