"""The migration inventory (``python -m constructs_pinpoint.sunset``) and ``RetainEmailChannels``.

Each app is synthesized once into a tmp directory; the CLI reads it like any user's cdk.out.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_pinpoint as pinpoint
from aws_cdk import aws_ses as ses
from aws_cdk.assertions import Template
from synth_support import REPO_ROOT, new_app

from constructs_pinpoint import EmailChannel, PinpointApp, SesEmailSending
from constructs_pinpoint.aspects import RetainEmailChannels
from constructs_pinpoint.handler.contract import RESOURCE_TYPE
from constructs_pinpoint.sunset import (
    ANCHORS,
    DOC,
    EXIT_CLEAN,
    EXIT_INVALID,
    EXIT_REMAINING,
    NATIVE_RESOURCE_TYPE,
    inventory,
    main,
)

ENV = cdk.Environment(account="111111111111", region="eu-west-1")
IDENTITY_ARN = "arn:aws:ses:eu-west-1:111111111111:identity/example.com"


def _run(cdk_out: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "constructs_pinpoint.sunset", str(cdk_out), *options],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        check=False,
    )


def _function(scope: cdk.Stack, id: str, **kwargs: Any) -> lambda_.Function:
    return lambda_.Function(
        scope,
        id,
        runtime=lambda_.Runtime.PYTHON_3_14,
        handler="index.handler",
        code=lambda_.Code.from_inline("def handler(event, context):\n    return None\n"),
        **kwargs,
    )


def _send_statement(actions: list[str]) -> iam.PolicyStatement:
    return iam.PolicyStatement(actions=actions, resources=["*"])


def _legacy_stack(scope: cdk.App | cdk.Stage, id: str) -> cdk.Stack:
    """What native users have: CfnApp, CfnEmailChannel, senders granted by hand."""
    stack = cdk.Stack(scope, id, env=ENV)
    app = pinpoint.CfnApp(stack, "App", name="legacy")
    pinpoint.CfnEmailChannel(
        stack,
        "Channel",
        application_id=app.ref,
        from_address="noreply@example.com",
        identity=IDENTITY_ARN,
        enabled=True,
    )
    # A sender granted SendMessages through its role's default policy (AWS::IAM::Policy).
    _function(stack, "Notify").add_to_role_policy(
        iam.PolicyStatement(
            actions=["mobiletargeting:SendMessages"],
            resources=[f"{app.attr_arn}/messages"],
        )
    )
    # One through the role's inline Policies, with a wildcard action.
    inline_role = iam.Role(
        stack,
        "InlineRole",
        assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
        inline_policies={
            "send": iam.PolicyDocument(statements=[_send_statement(["mobiletargeting:Send*"])])
        },
    )
    _function(stack, "Inline", role=inline_role)
    # One through a customer managed policy listing the role.
    managed_role = iam.Role(
        stack, "ManagedRole", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com")
    )
    iam.ManagedPolicy(
        stack,
        "Managed",
        statements=[_send_statement(["mobiletargeting:*"])],
        roles=[managed_role],
    )
    _function(stack, "ManagedSender", role=managed_role)
    # Not senders: an administrator grant ("*" says nothing about Pinpoint), another service,
    # a denied SendMessages.
    _function(stack, "Admin").add_to_role_policy(_send_statement(["*"]))
    _function(stack, "Other").add_to_role_policy(_send_statement(["mobiletargeting:GetApp"]))
    _function(stack, "Denied").add_to_role_policy(
        iam.PolicyStatement(
            effect=iam.Effect.DENY, actions=["mobiletargeting:SendMessages"], resources=["*"]
        )
    )
    return stack


def _synth(app: cdk.App) -> Path:
    app.synth()
    return Path(app.outdir)


@pytest.fixture(scope="module")
def example_out(synthesized: Any) -> Path:
    """The suite's one synthesis of the example app (and the channel configurations beside it)."""
    return Path(synthesized.outdir)


@pytest.fixture(scope="module")
def legacy_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    app = new_app(outdir=tmp_path_factory.mktemp("legacy.out"))
    _legacy_stack(app, "Legacy")
    stage = cdk.Stage(app, "prod", env=ENV)
    nested = _legacy_stack(stage, "Legacy")
    cdk.Aspects.of(stage).add(RetainEmailChannels())
    # Our channel in the nested stage, already on SES with no sender left.
    EmailChannel(
        nested,
        "Email",
        application=PinpointApp.from_application_id(
            nested, "Imported", "0123456789abcdef0123456789abcdef"
        ),
        from_address="noreply@example.com",
        identity=IDENTITY_ARN,
    )
    return _synth(app)


@pytest.fixture(scope="module")
def moved_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The end state: SesEmailSending wires the sender, the Pinpoint app alone remains."""
    app = new_app(outdir=tmp_path_factory.mktemp("moved.out"))
    stack = cdk.Stack(app, "Orders", env=ENV)
    PinpointApp(stack, "App", app_name="orders")
    sending = SesEmailSending(
        stack, "Email", from_address="noreply@example.com", identity=IDENTITY_ARN
    )
    sending.configure_sender(_function(stack, "Sender"))
    return _synth(app)


def _by_stack(cdk_out: Path) -> dict[str, Any]:
    return {stack.stack: stack for stack in inventory(cdk_out)}


# --- the example app ------------------------------------------------------------------------


def test_example_app_lists_its_channel_and_exits_1(example_out: Path) -> None:
    run = _run(example_out)
    assert run.returncode == EXIT_REMAINING, run.stderr
    assert run.stderr == ""
    stacks = _by_stack(example_out)
    (channel,) = stacks["OrdersEmail"].channels
    assert (channel.kind, channel.type, channel.logical_id) == (
        "custom",
        RESOURCE_TYPE,
        "EmailF8518450",
    )
    assert channel.path == "OrdersEmail/Email"
    assert channel.application == "!Ref Messaging4C94D7F8 (AWS::Pinpoint::App)"
    assert channel.deletion_policy == "Delete"
    assert "channel (ours) EmailF8518450  Custom::PinpointEmailChannel  OrdersEmail/Email" in (
        run.stdout
    )


def test_example_sender_is_listed_exactly_while_its_environment_says_pinpoint(
    example_out: Path,
) -> None:
    template = json.loads((example_out / "OrdersEmailSender.template.json").read_text())
    (function,) = (r for r in template["Resources"].values() if r["Type"].endswith("Function"))
    on_pinpoint = function["Properties"]["Environment"]["Variables"]["PINPOINT_EMAIL_BACKEND"]
    stacks = _by_stack(example_out)
    (channel,) = stacks["OrdersEmail"].channels
    if on_pinpoint == "pinpoint":
        (sender,) = stacks["OrdersEmailSender"].senders
        assert sender.path == "OrdersEmailSender/OrderConfirmation/Function"
        # The import is followed to the exporting stack: the sender is matched to its channel.
        assert sender.application == "OrdersEmail: !Ref Messaging4C94D7F8 (AWS::Pinpoint::App)"
        assert "OrdersEmail/Email" in sender.step.next
        assert "delivery_backend=DeliveryBackend.SES_V2" in channel.step.next
    else:
        assert stacks["OrdersEmailSender"].senders == []
        assert "RemovalPolicy.RETAIN" in channel.step.next


# --- native channels, hand-written grants, a nested stage -----------------------------------


def test_native_channel_and_each_kind_of_send_grant(legacy_out: Path) -> None:
    run = _run(legacy_out)
    assert run.returncode == EXIT_REMAINING, run.stderr
    legacy = _by_stack(legacy_out)["Legacy"]
    (channel,) = legacy.channels
    assert (channel.kind, channel.type, channel.path) == (
        "native",
        NATIVE_RESOURCE_TYPE,
        "Legacy/Channel",
    )
    assert channel.application == "!Ref App (AWS::Pinpoint::App)"
    assert channel.deletion_policy == "Delete"
    assert "RetainEmailChannels" in channel.step.next
    assert channel.step.docs.endswith("#native-step-1-retain-every-cfnemailchannel")
    senders = {sender.path: sender for sender in legacy.senders}
    assert sorted(senders) == ["Legacy/Inline", "Legacy/ManagedSender", "Legacy/Notify"]
    assert [g.split(" ")[0] for g in senders["Legacy/Notify"].grants] == [
        "mobiletargeting:SendMessages"
    ]
    assert senders["Legacy/Inline"].grants[0].startswith("mobiletargeting:Send* (InlineRole")
    assert senders["Legacy/ManagedSender"].grants[0].startswith("mobiletargeting:* (Managed")
    for sender in senders.values():
        assert sender.backend is None
        assert "SesEmailSending" in sender.step.next


def test_nested_stage_is_read_with_its_display_name(legacy_out: Path) -> None:
    stacks = _by_stack(legacy_out)
    assert sorted(stacks) == ["Legacy", "prod/Legacy"]
    nested = stacks["prod/Legacy"]
    native, ours = sorted(nested.channels, key=lambda c: c.kind, reverse=True)
    # RetainEmailChannels on the stage: the native channel's next step is the senders.
    assert (native.kind, native.deletion_policy, native.update_replace_policy) == (
        "native",
        "Retain",
        "Retain",
    )
    assert native.step.docs.endswith("#native-step-2-move-the-senders-to-ses")
    assert (ours.kind, ours.deletion_policy, ours.path) == ("custom", "Retain", "prod/Legacy/Email")
    assert ours.application == "0123456789abcdef0123456789abcdef"
    assert len(nested.senders) == 3


def test_json_output_for_pipelines(legacy_out: Path) -> None:
    run = _run(legacy_out, "--json")
    assert run.returncode == EXIT_REMAINING
    document = json.loads(run.stdout)
    assert document["remaining"] == sum(
        len(s["channels"]) + len(s["senders"]) for s in document["stacks"]
    )
    channel = document["stacks"][0]["channels"][0]
    assert set(channel) >= {"logical_id", "application", "deletion_policy", "step"}
    assert set(channel["step"]) == {"next", "then", "docs"}


def test_fully_moved_app_exits_0(moved_out: Path) -> None:
    run = _run(moved_out)
    assert run.returncode == EXIT_CLEAN, run.stdout + run.stderr
    assert run.stdout.strip().endswith("Nothing left on Pinpoint email in 1 stack(s).")
    assert "Orders: nothing on Pinpoint email" in run.stdout


def test_channel_steps_follow_its_state(tmp_path: Path) -> None:
    """Ours: switch while Pinpoint senders remain, then retain, then replace."""
    channel = {
        "Type": RESOURCE_TYPE,
        "Properties": {"ApplicationId": {"Ref": "AppId"}, "StrictDelete": "true"},
    }
    sender = {
        "Type": "AWS::Lambda::Function",
        "Properties": {
            "Environment": {
                "Variables": {
                    "PINPOINT_EMAIL_BACKEND": "pinpoint",
                    "PINPOINT_EMAIL_APPLICATION_ID": {"Fn::ImportValue": "AppIdExport"},
                }
            }
        },
    }
    shared = {
        "Parameters": {
            "AppId": {"Type": "AWS::SSM::Parameter::Value<String>", "Default": "/orders/app-id"}
        },
        "Outputs": {"Id": {"Value": {"Ref": "AppId"}, "Export": {"Name": "AppIdExport"}}},
    }

    def state(retain: bool, with_sender: bool) -> Any:
        resources = {"Email": dict(channel, DeletionPolicy="Retain") if retain else channel}
        senders = {"Send": sender} if with_sender else {}
        _write_assembly(
            tmp_path, {"A": {"Resources": resources, **shared}, "B": {"Resources": senders}}
        )
        stacks = _by_stack(tmp_path)
        return stacks["A"].channels[0], stacks["B"].senders

    ours, senders = state(retain=False, with_sender=True)
    assert ours.application == "ssm:/orders/app-id"
    assert ours.strict_delete is True
    assert ours.step.docs == ANCHORS[0]
    assert senders[0].application == "A: ssm:/orders/app-id"
    assert senders[0].grants == []
    assert "(Email)" in senders[0].step.next
    retained = state(retain=True, with_sender=True)[0].step
    assert (retained.docs, retained.then) == (ANCHORS[0], ours.step.then.split("; then ")[1])
    assert state(retain=False, with_sender=False)[0].step.docs == ANCHORS[1]
    assert state(retain=True, with_sender=False)[0].step.docs == ANCHORS[2]


def test_a_sender_matching_no_channel_holds_every_channel_at_step_1(tmp_path: Path) -> None:
    """A weak cross-stack reference (an SSM parameter) cannot be followed: the channel must not
    be told to go on while a Pinpoint sender may still use it."""
    _write_assembly(
        tmp_path,
        {
            "A": {"Resources": {"Email": {"Type": RESOURCE_TYPE, "Properties": {}}}},
            "B": {
                "Parameters": {"Id": {"Type": "AWS::SSM::Parameter::Value<String>"}},
                "Resources": {
                    "Send": {
                        "Type": "AWS::Lambda::Function",
                        "Properties": {
                            "Environment": {
                                "Variables": {
                                    "PINPOINT_EMAIL_BACKEND": "pinpoint",
                                    "PINPOINT_EMAIL_APPLICATION_ID": {"Ref": "Id"},
                                }
                            }
                        },
                    }
                },
            },
        },
    )
    stacks = _by_stack(tmp_path)
    assert stacks["A"].channels[0].step.docs == ANCHORS[0]
    assert stacks["B"].senders[0].application == "ssm:Id"


def test_a_leftover_grant_on_an_ses_sender_is_listed(tmp_path: Path) -> None:
    _write_assembly(
        tmp_path,
        {
            "S": {
                "Resources": {
                    "Fn": {
                        "Type": "AWS::Lambda::Function",
                        "Properties": {
                            "Role": {"Fn::GetAtt": ["Role", "Arn"]},
                            "Environment": {"Variables": {"PINPOINT_EMAIL_BACKEND": "sesv2"}},
                        },
                    },
                    "Role": {"Type": "AWS::IAM::Role", "Properties": {}},
                    "Policy": {
                        "Type": "AWS::IAM::Policy",
                        "Properties": {
                            "Roles": [{"Ref": "Role"}],
                            "PolicyDocument": {
                                "Statement": {
                                    "Effect": "Allow",
                                    "Action": "MobileTargeting:SendUsersMessages",
                                    "Resource": "*",
                                }
                            },
                        },
                    },
                }
            }
        },
    )
    (sender,) = _by_stack(tmp_path)["S"].senders
    assert sender.grants == ["MobileTargeting:SendUsersMessages (Policy)"]
    assert sender.step.next.startswith("remove the leftover mobiletargeting grant")


# --- errors: exit 2, one line, no traceback -------------------------------------------------


def _write_assembly(root: Path, templates: dict[str, Any]) -> None:
    artifacts = {
        name: {"type": "aws:cloudformation:stack", "properties": {"templateFile": f"{name}.json"}}
        for name in templates
    }
    (root / "manifest.json").write_text(json.dumps({"version": "55.0.0", "artifacts": artifacts}))
    for name, template in templates.items():
        (root / f"{name}.json").write_text(json.dumps(template))


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("missing", r"no cloud assembly there: run `cdk synth` first"),
        ("empty", r"manifest\.json: no such file \(cloud assembly manifest\)"),
        ("broken", r"manifest\.json: not valid JSON \(Expecting .*line 1 column"),
        ("not-object", r"manifest\.json: expected a JSON object .* got list"),
        ("bad-artifacts", r"'artifacts' is not an object"),
        ("no-template", r"S\.json: no such file \(template of stack S\)"),
        ("bad-template", r"S\.json: 'Resources' is not an object of objects"),
        ("bad-nested", r"nested assembly 'n' has no directoryName"),
    ],
)
def test_unreadable_assembly_exits_2_with_one_line(tmp_path: Path, case: str, message: str) -> None:
    out = tmp_path / "cdk.out"
    if case != "missing":
        out.mkdir()
    stack = {"type": "aws:cloudformation:stack", "properties": {"templateFile": "S.json"}}
    manifests: dict[str, str] = {
        "broken": '{"artifacts": ',
        "not-object": "[]",
        "bad-artifacts": '{"artifacts": []}',
        "no-template": json.dumps({"artifacts": {"S": stack}}),
        "bad-template": json.dumps({"artifacts": {"S": stack}}),
        "bad-nested": json.dumps({"artifacts": {"n": {"type": "cdk:cloud-assembly"}}}),
    }
    if case in manifests:
        (out / "manifest.json").write_text(manifests[case])
    if case == "bad-template":
        (out / "S.json").write_text('{"Resources": {"X": 1}}')
    run = _run(out)
    assert run.returncode == EXIT_INVALID
    assert run.stdout == ""
    assert len(run.stderr.splitlines()) == 1, run.stderr
    assert run.stderr.startswith("error: ")
    assert re.search(message, run.stderr), run.stderr


def test_default_directory_is_cdk_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "cdk.out").mkdir()
    _write_assembly(tmp_path / "cdk.out", {})
    monkeypatch.chdir(tmp_path)
    assert main([]) == EXIT_CLEAN


def test_the_cli_imports_no_cdk() -> None:
    code = (
        "import sys, constructs_pinpoint.sunset\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] in ('aws_cdk', 'jsii', 'boto3')]\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO_ROOT)


def test_every_step_points_to_a_section_of_the_doc() -> None:
    text = (REPO_ROOT / DOC).read_text()
    slugs = {
        re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        for heading in re.findall(r"^#+ (.+)$", text, flags=re.MULTILINE)
    }
    for anchor in ANCHORS:
        assert anchor.split("#")[1] in slugs, anchor


# --- RetainEmailChannels --------------------------------------------------------------------


def _channels_stack(scope: cdk.App | cdk.Stage) -> cdk.Stack:
    stack = cdk.Stack(scope, "Channels", env=ENV)
    app = PinpointApp(stack, "App", app_name="orders")
    pinpoint.CfnEmailChannel(
        stack,
        "Native",
        application_id=app.application_id,
        from_address="a@example.com",
        identity=IDENTITY_ARN,
    )
    EmailChannel(
        stack, "Ours", application=app, from_address="a@example.com", identity=IDENTITY_ARN
    )
    ses.ConfigurationSet(stack, "ConfigSet")
    return stack


def _resources(stack: cdk.Stack) -> dict[str, Any]:
    return Template.from_stack(stack).to_json()["Resources"]  # type: ignore[no-any-return]


def test_aspect_retains_both_kinds_and_touches_nothing_else() -> None:
    before = _resources(_channels_stack(new_app()))
    app = new_app()
    after_stack = _channels_stack(app)
    cdk.Aspects.of(app).add(RetainEmailChannels())
    after = _resources(after_stack)
    assert after.keys() == before.keys()
    changed = {name for name in before if before[name] != after[name]}
    channel_types = {NATIVE_RESOURCE_TYPE, RESOURCE_TYPE}
    assert changed == {name for name, r in before.items() if r["Type"] in channel_types}
    assert len(changed) == 2
    for name in changed:
        assert after[name]["DeletionPolicy"] == after[name]["UpdateReplacePolicy"] == "Retain"
        rest = {k: v for k, v in after[name].items() if not k.endswith("Policy")}
        assert rest == {k: v for k, v in before[name].items() if not k.endswith("Policy")}


def test_aspect_on_a_stage_reaches_its_stacks_and_one_on_the_app_does_not() -> None:
    """CDK applies aspects within one Stage (aws/aws-cdk#20468): the docs say to add the aspect
    to each Stage. This pins that rule."""
    app = new_app()
    covered = _channels_stack(cdk.Stage(app, "covered"))
    missed = _channels_stack(cdk.Stage(app, "missed"))
    cdk.Aspects.of(app.node.find_child("covered")).add(RetainEmailChannels())
    cdk.Aspects.of(app).add(RetainEmailChannels())
    app.synth()

    def policies(stack: cdk.Stack) -> set[Any]:
        return {
            r.get("DeletionPolicy")
            for r in _resources(stack).values()
            if r["Type"] in {NATIVE_RESOURCE_TYPE, RESOURCE_TYPE}
        }

    assert policies(covered) == {"Retain"}
    assert "Retain" not in policies(missed)
