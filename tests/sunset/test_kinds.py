"""Each kind of finding on its own makes the command exit 1 and print it; hand-written templates
(no synth). Also: how channels' steps follow their state, and the backend value's normalization."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sunset_support import write_assembly

from constructs_pinpoint.handler.contract import HANDLER_ENTRY, RESOURCE_TYPE
from constructs_pinpoint.sending.config import ENV_BACKEND, SenderConfigError, _read_backend
from constructs_pinpoint.sending.types import DeliveryBackend
from constructs_pinpoint.sunset import (
    EXIT_CLEAN,
    EXIT_REMAINING,
    STEP_REMOVE,
    STEP_RETAIN,
    STEP_SWITCH,
    inventory,
    main,
)
from constructs_pinpoint.sunset.rules import normalize_backend


def _function(role: str | None = None, **variables: Any) -> dict[str, Any]:
    properties: dict[str, Any] = {"Handler": "index.handler", "Runtime": "python3.14"}
    if role:
        properties["Role"] = {"Fn::GetAtt": [role, "Arn"]}
    if variables:
        properties["Environment"] = {"Variables": variables}
    return {"Type": "AWS::Lambda::Function", "Properties": properties}


def _policy(role: str, *actions: str) -> dict[str, Any]:
    return {
        "Type": "AWS::IAM::Policy",
        "Properties": {
            "PolicyName": "p",
            "Roles": [{"Ref": role}],
            "PolicyDocument": {
                "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": "*"}]
            },
        },
    }


ROLE = {"Type": "AWS::IAM::Role", "Properties": {}}
APP = {"Type": "AWS::Pinpoint::App", "Properties": {"Name": "a"}}
APP_ID = {"ApplicationId": {"Ref": "App"}}

# Each kind of finding, alone in its assembly: (resources, what the output must show).
ALONE: dict[str, tuple[dict[str, Any], str]] = {
    "sender by grant": (
        {"Fn": _function("Role"), "Role": ROLE, "P": _policy("Role", "mobiletargeting:Send*")},
        "  sender Fn  AWS::Lambda::Function",
    ),
    "sender by environment": (
        {"Fn": _function(**{ENV_BACKEND: "pinpoint"})},
        "PINPOINT_EMAIL_BACKEND=pinpoint",
    ),
    "sender with admin grant": (
        {"Fn": _function("Role"), "Role": ROLE, "P": _policy("Role", "*")},
        "grant: * (P)",
    ),
    "refused backend value": (
        {"Fn": _function(**{ENV_BACKEND: " ses_v2 "})},
        "next: fix PINPOINT_EMAIL_BACKEND=' ses_v2 ': the runtime refuses it",
    ),
    "campaign": (
        {
            "App": APP,
            "C": {
                "Type": "AWS::Pinpoint::Campaign",
                "Properties": {
                    **APP_ID,
                    "MessageConfiguration": {"EmailMessage": {"Title": "t"}},
                },
            },
        },
        "  campaign C  AWS::Pinpoint::Campaign",
    ),
    "campaign by template": (
        {
            "C": {
                "Type": "AWS::Pinpoint::Campaign",
                "Properties": {"TemplateConfiguration": {"EmailTemplate": {"Name": "x"}}},
            }
        },
        "email campaign (EmailTemplate)",
    ),
    "email template": (
        {"T": {"Type": "AWS::Pinpoint::EmailTemplate", "Properties": {"TemplateName": "w"}}},
        "  email template T  AWS::Pinpoint::EmailTemplate",
    ),
    "event stream": (
        {
            "App": APP,
            "E": {"Type": "AWS::Pinpoint::EmailChannel", "Properties": APP_ID},
            "S": {"Type": "AWS::Pinpoint::EventStream", "Properties": APP_ID},
        },
        "  event stream S  AWS::Pinpoint::EventStream",
    ),
    "native channel": (
        {"E": {"Type": "AWS::Pinpoint::EmailChannel", "Properties": {}}},
        "  channel (native) E",
    ),
    "our channel": (
        {"E": {"Type": RESOURCE_TYPE, "Properties": {}}},
        "  channel (ours) E",
    ),
    "journey function": (
        {"Fn": _function("Role"), "Role": ROLE, "P": _policy("Role", "mobiletargeting:*Journey")},
        "on Pinpoint email: journey",
    ),
    "role with no function": (
        {"Role": ROLE, "P": _policy("Role", "mobiletargeting:CreateEmailTemplate")},
        "  role Role",
    ),
    "check": (
        {
            "Fn": _function("Role"),
            "Role": {
                "Type": "AWS::IAM::Role",
                "Properties": {"ManagedPolicyArns": ["arn:aws:iam::111111111111:policy/x"]},
            },
        },
        "  check role Role: managed policy arn:aws:iam::111111111111:policy/x",
    ),
    "event stream of an app without channels": (
        {"S": {"Type": "AWS::Pinpoint::EventStream", "Properties": {"ApplicationId": "abc"}}},
        "  check event stream S",
    ),
}


@pytest.mark.parametrize("kind", ALONE)
def test_each_kind_alone_exits_1_and_is_printed(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    resources, shown = ALONE[kind]
    write_assembly(tmp_path, {"S": {"Resources": resources}})
    assert main([str(tmp_path)]) == EXIT_REMAINING
    out, err = capsys.readouterr()
    assert err == ""
    assert shown in out, out
    assert "Still on Pinpoint email: " in out


# What is not a finding: (resources).
CLEAN: dict[str, dict[str, Any]] = {
    "sesv2 sender": {"Fn": _function(**{ENV_BACKEND: "sesv2"})},
    "sesv2 with spaces (the runtime strips them)": {"Fn": _function(**{ENV_BACKEND: " sesv2 "})},
    "surviving grant": {
        "Fn": _function("Role"),
        "Role": ROLE,
        "P": _policy("Role", "mobiletargeting:GetEndpoint", "mobiletargeting:UpdateSmsChannel"),
    },
    "denied send": {
        "Fn": _function("Role"),
        "Role": ROLE,
        "P": {
            "Type": "AWS::IAM::Policy",
            "Properties": {
                "Roles": [{"Ref": "Role"}],
                "PolicyDocument": {
                    "Statement": {
                        "Effect": "Deny",
                        "Action": "mobiletargeting:SendMessages",
                        "Resource": "*",
                    }
                },
            },
        },
    },
    "sms campaign": {
        "C": {
            "Type": "AWS::Pinpoint::Campaign",
            "Properties": {"MessageConfiguration": {"SMSMessage": {"Body": "b"}}},
        }
    },
    "event stream of an app with SMS": {
        "App": APP,
        "SMS": {"Type": "AWS::Pinpoint::SMSChannel", "Properties": APP_ID},
        "S": {"Type": "AWS::Pinpoint::EventStream", "Properties": APP_ID},
    },
    "our handler's role": {
        "H": {
            "Type": "AWS::Lambda::Function",
            "Properties": {"Handler": HANDLER_ENTRY, "Role": {"Fn::GetAtt": ["Role", "Arn"]}},
        },
        "Role": ROLE,
        "P": _policy("Role", "mobiletargeting:UpdateEmailChannel"),
    },
    "lambda basic execution role": {
        "Fn": _function("Role"),
        "Role": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "ManagedPolicyArns": [
                    {
                        "Fn::Join": [
                            "",
                            [
                                "arn:",
                                {"Ref": "AWS::Partition"},
                                ":iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
                            ],
                        ]
                    }
                ]
            },
        },
    },
}


@pytest.mark.parametrize("kind", CLEAN)
def test_what_survives_the_sunset_exits_0(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_assembly(tmp_path, {"S": {"Resources": CLEAN[kind]}})
    assert main([str(tmp_path)]) == EXIT_CLEAN
    out, _ = capsys.readouterr()
    assert "S: nothing on Pinpoint email" in out
    assert out.rstrip().endswith("Nothing left on Pinpoint email in 1 stack.")


def test_then_lines_mention_only_what_exists(tmp_path: Path) -> None:
    native = {"Type": "AWS::Pinpoint::EmailChannel", "Properties": {}}
    write_assembly(tmp_path / "alone", {"S": {"Resources": {"E": native}}})
    (stack,) = inventory(tmp_path / "alone")
    assert "senders" not in stack.channels[0].step.then
    resources = {"E": native, "Fn": _function(**{ENV_BACKEND: "pinpoint"})}
    write_assembly(tmp_path / "with", {"S": {"Resources": resources}})
    (stack,) = inventory(tmp_path / "with")
    assert stack.channels[0].step.then.startswith("move the senders listed")
    # A sender whose role holds no email grant: its then line names no role.
    assert "role" not in stack.functions[0].step.then


def test_channel_steps_follow_its_state(tmp_path: Path) -> None:
    """Ours: switch while Pinpoint senders remain, then retain, then replace."""
    channel = {
        "Type": RESOURCE_TYPE,
        "Properties": {"ApplicationId": {"Ref": "AppId"}, "StrictDelete": "true"},
    }
    sender = _function(
        **{ENV_BACKEND: "pinpoint", "PINPOINT_EMAIL_APPLICATION_ID": {"Fn::ImportValue": "X"}}
    )
    shared = {
        "Parameters": {
            "AppId": {"Type": "AWS::SSM::Parameter::Value<String>", "Default": "/orders/app-id"}
        },
        "Outputs": {"Id": {"Value": {"Ref": "AppId"}, "Export": {"Name": "X"}}},
    }

    def state(name: str, retain: bool, with_sender: bool) -> Any:
        resources = {"Email": dict(channel, DeletionPolicy="Retain") if retain else channel}
        senders = {"Send": sender} if with_sender else {}
        root = write_assembly(
            tmp_path / name,
            {"A": {"Resources": resources, **shared}, "B": {"Resources": senders}},
        )
        stacks = {stack.stack: stack for stack in inventory(root)}
        return stacks["A"].channels[0], stacks["B"].senders

    ours, senders = state("0", retain=False, with_sender=True)
    assert ours.application == "ssm:/orders/app-id"
    assert ours.strict_delete is True
    assert ours.step.docs == STEP_SWITCH
    assert senders[0].application == "A: ssm:/orders/app-id"
    assert "(Email)" in senders[0].step.next
    retained = state("1", retain=True, with_sender=True)[0].step
    assert (retained.docs, retained.then) == (STEP_SWITCH, ours.step.then.split("; then ")[1])
    assert state("2", retain=False, with_sender=False)[0].step.docs == STEP_RETAIN
    assert state("3", retain=True, with_sender=False)[0].step.docs == STEP_REMOVE


def test_a_leftover_grant_on_an_ses_sender_is_listed(tmp_path: Path) -> None:
    resources = {
        "Fn": _function("Role", **{ENV_BACKEND: "sesv2"}),
        "Role": ROLE,
        "P": _policy("Role", "MobileTargeting:SendUsersMessages"),
    }
    (stack,) = inventory(write_assembly(tmp_path, {"S": {"Resources": resources}}))
    (function,) = stack.functions
    assert function.step.next == "nothing in its code: it sends through SES already"
    (role,) = stack.roles
    assert role.grants == ["MobileTargeting:SendUsersMessages (P)"]
    assert role.step.next.startswith("remove the grants MobileTargeting:SendUsersMessages")


@pytest.mark.parametrize(
    ("value", "finding"),
    [
        ("pinpoint", "sender"),
        (" pinpoint ", "sender"),
        ("sesv2", None),
        ("\tsesv2\n", None),
        (" ses_v2 ", "refused"),
        ("SESV2", "refused"),
        ("", "refused"),
    ],
)
def test_backend_values_are_read_as_the_runtime_reads_them(
    value: str, finding: str | None, tmp_path: Path
) -> None:
    (stack,) = inventory(
        write_assembly(tmp_path, {"S": {"Resources": {"Fn": _function(**{ENV_BACKEND: value})}}})
    )
    if finding is None:
        assert stack.functions == []
        return
    (function,) = stack.functions
    assert function.backend == value
    if finding == "sender":
        assert function.uses == ["send"]
        assert "delivery_backend=DeliveryBackend.SES_V2" in function.step.next
    else:
        assert function.step.next.startswith(f"fix {ENV_BACKEND}={value!r}")
        assert "sends through SES already" not in function.step.next


@given(st.text(alphabet=" \t\nsepinotv2_SEPINOTV", max_size=12))
def test_the_normalizer_agrees_with_the_runtime(value: str) -> None:
    """normalize_backend is the smallest copy of sending/config.py's rule (which is private
    there): this pins that the two agree."""
    try:
        expected: DeliveryBackend | None = _read_backend({ENV_BACKEND: value})
    except SenderConfigError:
        expected = None
    assert normalize_backend(value) is expected


def _role_of(tmp_path: Path, resources: dict[str, Any]) -> Any:
    (stack,) = inventory(write_assembly(tmp_path, {"S": {"Resources": resources}}))
    (role,) = stack.roles
    return stack, role


def test_a_role_imported_by_arn_sub_gets_the_grants_that_name_it(tmp_path: Path) -> None:
    function = _function()
    function["Properties"]["Role"] = {
        "Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/team/mailer"
    }
    policy = _policy("x", "mobiletargeting:SendMessages")
    policy["Properties"]["Roles"] = ["mailer"]
    stack, role = _role_of(tmp_path, {"Fn": function, "P": policy})
    assert role.name == "mailer (defined outside the assembly)"
    assert role.functions == ["S: Fn"]
    assert [check.reason for check in stack.checks] == [
        "the role's own policies: not in the assembly"
    ]


def test_a_managed_policy_attached_through_managed_policy_arns(tmp_path: Path) -> None:
    managed = _policy("x", "mobiletargeting:CreateCampaign")
    managed["Type"] = "AWS::IAM::ManagedPolicy"
    del managed["Properties"]["Roles"]
    role_resource = {"Type": "AWS::IAM::Role", "Properties": {"ManagedPolicyArns": [{"Ref": "M"}]}}
    stack, role = _role_of(tmp_path, {"Fn": _function("Role"), "Role": role_resource, "M": managed})
    assert role.grants == ["mobiletargeting:CreateCampaign (M)"]
    assert stack.functions[0].uses == ["campaign"]


def test_a_not_action_statement_counts_and_is_narrowed(tmp_path: Path) -> None:
    policy = _policy("Role")
    policy["Properties"]["PolicyDocument"] = {
        "Statement": [{"Effect": "Allow", "NotAction": ["iam:*"], "Resource": "*"}]
    }
    _, role = _role_of(tmp_path, {"Fn": _function("Role"), "Role": ROLE, "P": policy})
    assert role.grants == ['NotAction ["iam:*"] (P)']
    assert role.step.next.startswith("narrow its grants: replace NotAction")
