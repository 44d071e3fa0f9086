"""The handler provider as plain CfnResources: the template the L2s wrote, and what cdk-nag's
AwsSolutions rules checked on it, asserted here since they no longer recognise the function.

aws-cdk-lib's L2s appear only in this test, as the reference the provider must render exactly.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from functools import partial
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import jsii._kernel.providers.process as jsii_process
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk.assertions import Template
from cdk_nag import AwsSolutionsChecks
from constructs import Construct
from prefetch import python_job
from prefetch import result as prefetch_result
from prefetch import start as prefetch_start
from synth_support import (
    OWNERSHIP_TAG_ACTIONS,
    OWNERSHIP_TAG_KEYS_ONLY,
    REPO_ROOT,
    new_app,
    ownership_statement,
    resources_of,
)

import constructs_pinpoint
from constructs_pinpoint import ConstructValidationError, EmailChannel, PinpointApp
from constructs_pinpoint._provider import (
    LOG_RETENTION_DAYS,
    PROVIDER_ID,
    EmailChannelProvider,
    asset,
    budget,
    nag,
    policies,
)
from constructs_pinpoint._runtime import HANDLER_RUNTIME
from constructs_pinpoint.handler.contract import (
    CHANNEL_ACTIONS as CONTRACT_CHANNEL_ACTIONS,
)
from constructs_pinpoint.handler.contract import (
    HANDLER_ENTRY,
    HANDLER_RUNTIME_NAME,
    IAM_MANAGED_POLICIES_PER_ROLE,
    OWNERSHIP_ACTIONS,
)

ENV = cdk.Environment(account="111111111111", region="eu-west-1")
APP_IDS = [f"{i:032x}" for i in range(120)]  # fills the inline policy, then ChannelsPolicy1
ROLE_ARNS = [f"arn:aws:iam::111111111111:role/events-{i}" for i in range(3)]
# Never change: a changed logical id is a replacement on the user's next deploy.
LOGICAL_IDS = {
    "PinpointEmailChannelProviderHandlerA0544E59": "AWS::Lambda::Function",
    "PinpointEmailChannelProviderLogGroup78722250": "AWS::Logs::LogGroup",
    "PinpointEmailChannelProviderRoleB68ED14D": "AWS::IAM::Role",
    "PinpointEmailChannelProviderRoleDefaultPolicy44B3FCE7": "AWS::IAM::Policy",
    "PinpointEmailChannelProviderChannelsPolicy1D80496A6": "AWS::IAM::ManagedPolicy",
}
CHANNEL_ACTIONS = ["mobiletargeting:UpdateEmailChannel", "mobiletargeting:DeleteEmailChannel"]
TAG_ACTIONS = OWNERSHIP_TAG_ACTIONS
PASS_ROLE_CONDITION = {"StringEquals": {"iam:PassedToService": "mobiletargeting.amazonaws.com"}}
OWNERSHIP_CONDITION = OWNERSHIP_TAG_KEYS_ONLY


def _app_arns(stack: cdk.Stack) -> list[str]:
    """One app of the stack (a GetAtt), the others imported (a partition token)."""
    new_app_arn = cdk.Token.as_string(
        cdk.CfnResource(
            stack, "NewApp", type="AWS::Pinpoint::App", properties={"Name": "n"}
        ).get_att("Arn")
    )
    imported = [
        f"arn:{cdk.Aws.PARTITION}:mobiletargeting:eu-west-1:111111111111:apps/{app_id}"
        for app_id in APP_IDS[1:]
    ]
    return [new_app_arn, *imported]


def _ours(stack: cdk.Stack) -> EmailChannelProvider:
    provider = EmailChannelProvider.of(stack)
    for role_arn in ROLE_ARNS:  # first, so that they stay in the inline policy
        provider.allow_pass_role(role_arn)
    for arn in _app_arns(stack):
        provider.allow_channel(arn)
    return provider


def _inline_channels(stack: cdk.Stack) -> int:
    """How many channels the provider of ``stack`` granted in its inline policy."""
    inline = EmailChannelProvider.of(stack)._shards.inline
    return len(inline.resources[policies.CHANNELS])


def _l2_reference(stack: cdk.Stack, inline: int) -> None:
    """The provider as the L2s built it (HEAD before this change), plus DescribeStacks and the
    ownership tags' statement; ``inline``: the channels granted in the inline policy."""
    scope = Construct(stack, PROVIDER_ID)
    log_group = logs.LogGroup(
        scope,
        "LogGroup",
        retention=logs.RetentionDays.ONE_YEAR,
        removal_policy=cdk.RemovalPolicy.DESTROY,
    )
    role = iam.Role(
        scope,
        "Role",
        assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
        description="Manages the Pinpoint email channels of this stack",
    )
    # The role's default policy, as iam.Policy writes it (not split by the role: IAM's limit is
    # checked on the rendered values, tests/constructs/test_iam_scale.py).
    default = iam.Policy(role, "DefaultPolicy", roles=[role])
    default.add_statements(
        iam.PolicyStatement(
            actions=["logs:CreateLogStream", "logs:PutLogEvents"],
            resources=[log_group.log_group_arn],
        )
    )
    function = lambda_.Function(
        scope,
        "Handler",
        runtime=HANDLER_RUNTIME,
        architecture=lambda_.Architecture.ARM_64,
        handler=HANDLER_ENTRY,
        code=lambda_.Code.from_asset(
            str(REPO_ROOT / "constructs_pinpoint"), exclude=["*", "!handler", "!handler/*.py"]
        ),
        timeout=cdk.Duration.seconds(60),
        memory_size=128,
        role=role,
        log_group=log_group,
        description="Custom::PinpointEmailChannel handler (Update/DeleteEmailChannel)",
    )
    default.add_statements(
        iam.PolicyStatement(actions=["cloudformation:DescribeStacks"], resources=[cdk.Aws.STACK_ID])
    )
    default.add_statements(
        iam.PolicyStatement(
            actions=TAG_ACTIONS,
            resources=[f"arn:{stack.partition}:mobiletargeting:eu-west-1:111111111111:apps/*"],
            conditions=OWNERSHIP_CONDITION,
        )
    )
    apps = _app_arns(stack)
    arns = [f"{arn}/channels/email" for arn in apps]
    default.add_statements(iam.PolicyStatement(actions=CHANNEL_ACTIONS, resources=arns[:inline]))
    default.add_statements(
        iam.PolicyStatement(
            actions=["iam:PassRole"],
            resources=ROLE_ARNS,
            conditions=PASS_ROLE_CONDITION,
        )
    )
    managed = iam.ManagedPolicy(
        scope,
        "ChannelsPolicy1",
        description="Email channels 1 of the Custom::PinpointEmailChannel handler",
        statements=[
            iam.PolicyStatement(actions=CHANNEL_ACTIONS, resources=arns[inline:]),
        ],
        roles=[role],
    )
    default_resource = default.node.default_child
    assert isinstance(default_resource, cdk.CfnResource)
    default_resource.add_metadata(
        "cdk_nag",
        {
            "rules_to_suppress": [
                {
                    "reason": nag.OWNERSHIP_REASON,
                    "id": "AwsSolutions-IAM5",
                    "applies_to": [
                        "Resource::arn:<AWS::Partition>:mobiletargeting:eu-west-1:111111111111:apps/*"
                    ],
                }
            ]
        },
    )
    policies = [default_resource, managed.node.default_child]
    resource = function.node.default_child
    assert isinstance(resource, cdk.CfnResource)
    resource.add_override("DependsOn", [stack.get_logical_id(p) for p in policies])  # type: ignore[arg-type]


def _provider_resources(stack: cdk.Stack) -> dict[str, Any]:
    resources = Template.from_stack(stack).to_json()["Resources"]
    return {name: r for name, r in resources.items() if name.startswith(PROVIDER_ID)}


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    stack = cdk.Stack(new_app(), "Ours", env=ENV)
    _ours(stack)
    return Template.from_stack(stack).to_json()


def test_renders_exactly_what_the_l2s_rendered(template: dict[str, Any]) -> None:
    stack = cdk.Stack(new_app(), "Ours", env=ENV)
    _ours(stack)
    inline = _inline_channels(stack)
    assert 0 < inline < len(APP_IDS)
    reference = cdk.Stack(new_app(), "Reference", env=ENV)
    _l2_reference(reference, inline)
    ours = {n: r for n, r in template["Resources"].items() if n.startswith(PROVIDER_ID)}
    assert ours == _provider_resources(reference)
    assert {name: r["Type"] for name, r in ours.items()} == LOGICAL_IDS


def test_construct_paths_are_the_l2s(template: dict[str, Any]) -> None:
    app = new_app()
    app.node.set_context("aws:cdk:enable-path-metadata", True)
    stack = cdk.Stack(app, "Paths", env=ENV)
    _ours(stack)
    paths = {
        name: r["Metadata"]["aws:cdk:path"]
        for name, r in Template.from_stack(stack).to_json()["Resources"].items()
        if name.startswith(PROVIDER_ID)
    }
    assert sorted(paths.values()) == sorted(
        f"Paths/{PROVIDER_ID}/{path}/Resource"
        for path in ("Handler", "LogGroup", "Role", "Role/DefaultPolicy", "ChannelsPolicy1")
    )


def test_default_policy_name_is_its_logical_id(template: dict[str, Any]) -> None:
    (name, policy), *_ = resources_of(template, "AWS::IAM::Policy").items()
    assert policy["Properties"]["PolicyName"] == name


# What AwsSolutions checked on the L2 function and role, which it cannot see on a CfnResource.


def _newest_python_runtime() -> str:
    versions = [
        tuple(int(part) for part in name.removeprefix("PYTHON_").split("_"))
        for name in dir(lambda_.Runtime)
        if re.fullmatch(r"PYTHON_\d+_\d+", name)
    ]
    major, minor = max(versions)
    return f"python{major}.{minor}"


def test_what_cdk_nag_checked_holds(template: dict[str, Any]) -> None:
    """What AwsSolutions checked on the L2 function (L1, its log group), on the plain one: the
    role and its policies are L1s that cdk-nag itself checks (test_cdk_nag_checks_...)."""
    (function,) = resources_of(template, "AWS::Lambda::Function").values()
    (role,) = resources_of(template, "AWS::IAM::Role").values()
    assert "ManagedPolicyArns" not in role["Properties"]
    assert function["Properties"]["Runtime"] == HANDLER_RUNTIME_NAME == HANDLER_RUNTIME.name
    ((log_group, log_group_resource),) = resources_of(template, "AWS::Logs::LogGroup").items()
    assert function["Properties"]["LoggingConfig"] == {"LogGroup": {"Ref": log_group}}
    assert log_group_resource["Properties"]["RetentionInDays"] == LOG_RETENTION_DAYS
    (policy,) = resources_of(template, "AWS::IAM::Policy").values()
    logs_statement, describe, ownership, *_ = policy["Properties"]["PolicyDocument"]["Statement"]
    assert logs_statement["Resource"] == {"Fn::GetAtt": [log_group, "Arn"]}
    assert describe == {
        "Action": "cloudformation:DescribeStacks",
        "Effect": "Allow",
        "Resource": {"Ref": "AWS::StackId"},
    }
    assert ownership == ownership_statement(
        {
            "Fn::Join": [
                "",
                [
                    "arn:",
                    {"Ref": "AWS::Partition"},
                    ":mobiletargeting:eu-west-1:111111111111:apps/*",
                ],
            ]
        }
    )


def test_handler_runtime_is_the_newest_python_of_aws_cdk_lib() -> None:
    assert _newest_python_runtime() == HANDLER_RUNTIME_NAME
    newest = getattr(lambda_.Runtime, "PYTHON_" + HANDLER_RUNTIME_NAME[6:].replace(".", "_"))
    assert HANDLER_RUNTIME.runtime_equals(newest)
    assert HANDLER_RUNTIME.family == lambda_.RuntimeFamily.PYTHON
    assert constructs_pinpoint.HANDLER_RUNTIME is HANDLER_RUNTIME
    assert tuple(CHANNEL_ACTIONS) == CONTRACT_CHANNEL_ACTIONS


# The function waits for every policy attached to its role, whoever attached it.


def test_depends_on_every_policy_of_its_role_whoever_attached_it() -> None:
    stack = cdk.Stack(new_app(), "Foreign", env=ENV)
    _ours(stack)
    provider = EmailChannelProvider.of(stack)
    role_ref = provider.role_ref
    statement = iam.PolicyStatement(actions=["kms:Decrypt"], resources=["arn:aws:kms:x"])
    iam.Policy(
        stack,
        "L2Policy",
        roles=[iam.Role.from_role_name(stack, "HandlerRole", role_ref)],
        statements=[statement],
    )
    iam.CfnManagedPolicy(
        stack,
        "L1Managed",
        roles=[role_ref],
        policy_document={"Version": "2012-10-17", "Statement": [statement.to_statement_json()]},
    )
    cdk.CfnResource(
        Construct(stack, "Nested"),
        "Plain",
        type="AWS::IAM::RolePolicy",
        properties={"RoleName": role_ref, "PolicyName": "p", "PolicyDocument": {}},
    )
    # Right after a construct of this library in the tree: still found.
    EmailChannel(
        stack,
        "Channel",
        application=PinpointApp.from_application_id(stack, "Imported", APP_IDS[0]),
        from_address="noreply@example.com",
        identity="arn:aws:ses:eu-west-1:111111111111:identity/example.com",
    )
    PinpointApp.from_application_id(stack, "ImportedToo", APP_IDS[1])
    cdk.CfnResource(
        stack,
        "AfterImport",
        type="AWS::IAM::Policy",
        properties={"Roles": [role_ref], "PolicyName": "q", "PolicyDocument": {}},
    )
    other = iam.Role(stack, "Other", assumed_by=iam.AccountRootPrincipal())
    other.add_to_policy(statement)
    template = Template.from_stack(stack).to_json()
    (function,) = resources_of(template, "AWS::Lambda::Function").values()
    attached = [
        name
        for name, r in template["Resources"].items()
        if r["Type"].startswith("AWS::IAM::")
        and {"Ref": "PinpointEmailChannelProviderRoleB68ED14D"}
        in [*r["Properties"].get("Roles", []), r["Properties"].get("RoleName")]
    ]
    assert len(attached) == 6  # DefaultPolicy, ChannelsPolicy1 and the four above
    assert sorted(function["DependsOn"]) == sorted(attached)
    assert not [d for d in function["DependsOn"] if d.startswith("Other")]


def _statements(template: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (name, statement)
        for name, policy in {
            **resources_of(template, "AWS::IAM::Policy"),
            **resources_of(template, "AWS::IAM::ManagedPolicy"),
        }.items()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_grants_are_deduplicated_sharded_and_ownership_is_one_statement() -> None:
    stack = cdk.Stack(new_app(), "Shards", env=ENV)
    provider = EmailChannelProvider.of(stack)
    apps = [f"arn:aws:mobiletargeting:eu-west-1:111111111111:apps/{i:032x}" for i in range(150)]
    for arn in apps + apps:
        provider.allow_channel(arn)
    for role_arn in ROLE_ARNS + ROLE_ARNS:
        provider.allow_pass_role(role_arn)
    granted: dict[str, list[str]] = {"channels": [], "roles": []}
    ownership: list[tuple[str, dict[str, Any]]] = []
    policies_of: dict[str, set[str]] = {}
    for name, statement in _statements(Template.from_stack(stack).to_json()):
        resources = _as_list(statement["Resource"])
        if statement["Action"] == CHANNEL_ACTIONS:
            granted["channels"] += resources
        elif statement["Action"] == TAG_ACTIONS:
            ownership.append((name, statement))
            continue
        elif statement["Action"] == "iam:PassRole":
            assert statement["Condition"] == PASS_ROLE_CONDITION
            granted["roles"] += resources
        else:
            continue
        for resource in resources:
            policies_of.setdefault(resource, set()).add(name)
    assert granted == {"channels": [f"{arn}/channels/email" for arn in apps], "roles": ROLE_ARNS}
    assert list(OWNERSHIP_ACTIONS) == TAG_ACTIONS
    # The ownership tags: once, in the inline policy, whatever the number of channels.
    assert [(name, s["Condition"]) for name, s in ownership] == [
        ("PinpointEmailChannelProviderRoleDefaultPolicy44B3FCE7", OWNERSHIP_CONDITION)
    ]
    # Each grant sits in one policy; past the inline policy, in managed shards.
    assert all(len(names) == 1 for names in policies_of.values())
    assert len({n for names in policies_of.values() for n in names}) > 2


def test_more_managed_policies_than_iam_allows_is_an_error_naming_the_fix() -> None:
    stack = cdk.Stack(new_app(), "TooMany", env=ENV)
    provider = EmailChannelProvider.of(stack)
    with pytest.raises(ConstructValidationError, match="more than 10 managed policies") as error:
        for i in range(1000):
            provider.allow_channel(f"arn:aws:mobiletargeting:eu-west-1:111111111111:apps/{i}")
    assert "another stack" in str(error.value)
    managed = resources_of(Template.from_stack(stack).to_json(), "AWS::IAM::ManagedPolicy")
    assert len(managed) == IAM_MANAGED_POLICIES_PER_ROLE


@pytest.mark.parametrize("kind", ["app", "role", "in-stack role"])
def test_a_star_or_question_mark_in_a_user_given_arn_is_never_a_wildcard(kind: str) -> None:
    stack = cdk.Stack(new_app(), "Escaped", env=ENV)
    provider = EmailChannelProvider.of(stack)
    if kind == "app":
        provider.allow_channel("arn:aws:mobiletargeting:eu-west-1:111111111111:apps/a*b?")
        expected = ["arn:aws:mobiletargeting:eu-west-1:111111111111:apps/a${*}b${?}/channels/email"]
    elif kind == "role":
        provider.allow_pass_role("arn:aws:iam::111111111111:role/team-*/x?")
        expected = ["arn:aws:iam::111111111111:role/team-${*}/x${?}"]
    else:
        role = iam.Role(
            stack, "Events", assumed_by=iam.ServicePrincipal("pinpoint.amazonaws.com"), path="/t*/"
        )
        provider.allow_pass_role(role.role_arn)
        expected = [
            {
                "Fn::Join": [
                    "",
                    [
                        "arn:",
                        {"Ref": "AWS::Partition"},
                        ":iam::111111111111:role/t${*}/",
                        {"Ref": stack.get_logical_id(role.node.default_child)},  # type: ignore[arg-type]
                    ],
                ]
            }
        ]
    granted = [
        resource
        for name, statement in _statements(Template.from_stack(stack).to_json())
        if name.startswith(PROVIDER_ID) and statement["Action"] != TAG_ACTIONS
        for resource in _as_list(statement["Resource"])
        if resource != {"Ref": "AWS::StackId"} and "Fn::GetAtt" not in resource
    ]
    assert sorted(map(json.dumps, granted)) == sorted(map(json.dumps, expected))


# The asset, the imports and the jsii cost.


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"plain\n",
        b"a" * 8191 + b"\r\n" + b"x\r\n" * 5000,  # CRLF across the 8 KiB block boundary
        b"a" * 8190 + "\u00e9\u20ac".encode() * 3000,  # a UTF-8 character across it
        b"b" * 8191 + b"\r",  # a last block that is a lone CR
        b"\r" * 8192 + b"\nz",
        b"\0\r\n" * 9000,  # binary: hashed as is
        b"a" * 9000 + b"\0\r\n",  # a NUL after the first block: still text
        b"\xff\xfe\r\n" * 5000,  # not UTF-8
    ],
    ids=["empty", "plain", "crlf", "utf8", "cr", "crs", "binary", "late-nul", "not-utf8"],
)
def test_content_fingerprint_is_aws_cdk_libs(tmp_path: Path, content: bytes) -> None:
    """The asset hash is computed in Python: byte for byte what cdk.AssetStaging computes."""
    path = tmp_path / "file"
    path.write_bytes(content)
    digest = hashlib.sha256()
    asset.field(digest, "options.extra", "")
    asset.field(digest, "options.follow", "external")
    asset.field(digest, "file:", asset.content_fingerprint(content))
    assert digest.hexdigest() == cdk.FileSystem.fingerprint(str(path))


def test_asset_hash_is_the_one_asset_staging_computes_for_the_handler() -> None:
    package = REPO_ROOT / "constructs_pinpoint"
    expected = cdk.FileSystem.fingerprint(
        str(package), exclude=[".is_custom_resource", "*", "!handler", "!handler/*.py"]
    )
    assert asset.asset_hash() == expected
    assert [name for name, *_ in asset.handler_files()] == sorted(
        f"handler/{p.name}" for p in (package / "handler").glob("*.py")
    )


# Every asset option a user can set: (context, stack options); "stage" puts the stacks in a
# nested Stage, "relative" synthesizes into a relative outdir, "synthesizer" makes each stack's.
_METADATA = {"aws:cdk:enable-asset-metadata": True}
ASSET_OPTIONS: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "default": ({}, {}),
    "asset-metadata": (_METADATA, {}),
    "salt": ({**_METADATA, "@aws-cdk/core:assetHashSalt": "pepper"}, {}),
    "no-staging": ({**_METADATA, "aws:cdk:disable-asset-staging": True}, {}),
    "bundling-stacks-none": ({**_METADATA, "aws:cdk:bundling-stacks": []}, {}),
    "bundling-stacks-all": ({"aws:cdk:bundling-stacks": ["**"]}, {}),
    "nested-stage": (_METADATA, {"stage": True}),
    "relative-outdir": (_METADATA, {"relative": True}),
    "legacy-synthesizer": ({}, {"synthesizer": cdk.LegacyStackSynthesizer}),
    "cli-credentials-synthesizer": (_METADATA, {"synthesizer": cdk.CliCredentialsStackSynthesizer}),
    "qualified-synthesizer": (
        {},
        {
            "synthesizer": lambda: cdk.DefaultStackSynthesizer(
                qualifier="q1w2e3", file_assets_bucket_name="assets-${AWS::AccountId}"
            )
        },
    ),
}


def _function(template: dict[str, Any]) -> dict[str, Any]:
    (function,) = resources_of(template, "AWS::Lambda::Function").values()
    return function  # type: ignore[no-any-return]


def _zip_assets(directory: Path, artifact: Any) -> list[Any]:
    """The stack's zip asset as its synthesizer registered it: manifest entry, or metadata."""
    manifest = directory / f"{artifact.id}.assets.json"
    if manifest.exists():
        files = json.loads(manifest.read_text())["files"].values()
        return [entry for entry in files if entry["source"].get("packaging") == "zip"]
    return [
        {k: v for k, v in vars(entry).items() if k != "id"} if hasattr(entry, "__dict__") else entry
        for entry in artifact.assets
    ]


@pytest.mark.parametrize("option", list(ASSET_OPTIONS))
def test_the_asset_is_what_asset_staging_makes_under_every_option(
    tmp_path: Path, option: str
) -> None:
    """The Python fingerprint and staging against Code.from_asset (cdk.AssetStaging): the same
    Code, Metadata, template Parameters, asset registration and staged files, twice in one app."""
    context, how = ASSET_OPTIONS[option]
    outdir = tmp_path / "cdk.out"
    if how.get("relative"):  # relative to the working directory of Python and Node alike
        outdir = Path(os.path.relpath(outdir))
    app = new_app(outdir=outdir)
    for key, value in context.items():
        app.node.set_context(key, value)
    parent: Construct = cdk.Stage(app, "Nested") if how.get("stage") else app
    synthesizer = how.get("synthesizer")
    stacks = {
        name: cdk.Stack(parent, name, env=ENV, synthesizer=synthesizer() if synthesizer else None)
        for name in ("Asset", "Twice", "Reference")
    }
    _ours(stacks["Asset"])
    _ours(stacks["Twice"])
    _l2_reference(stacks["Reference"], _inline_channels(stacks["Asset"]))
    assembly = parent.synth() if isinstance(parent, cdk.Stage) else app.synth()
    directory = Path(assembly.directory)
    artifacts = {
        name: assembly.get_stack_by_name(stack.stack_name) for name, stack in stacks.items()
    }
    ours, twice, theirs = (
        _function(artifacts[n].template) for n in ("Asset", "Twice", "Reference")
    )
    assert ours["Properties"]["Code"] == twice["Properties"]["Code"] == theirs["Properties"]["Code"]
    assert ours.get("Metadata") == twice.get("Metadata") == theirs.get("Metadata")
    assert artifacts["Asset"].template.get("Parameters") == artifacts["Reference"].template.get(
        "Parameters"
    )
    registered = {n: _zip_assets(directory, artifacts[n]) for n in ("Asset", "Reference")}
    assert registered["Asset"] == registered["Reference"] and registered["Asset"]
    staged_root = outdir.resolve()
    staged = sorted(p.name for p in staged_root.iterdir() if p.name.startswith(("asset.", ".")))
    if "aws:cdk:disable-asset-staging" in context:
        assert staged == []
        return
    assert len(staged) == 1 and staged[0].startswith("asset.")  # no half-staged directory left
    files = sorted(
        p.relative_to(staged_root / staged[0]).as_posix()
        for p in (staged_root / staged[0]).rglob("*")
        if p.is_file()
    )
    handler = REPO_ROOT / "constructs_pinpoint" / "handler"
    assert files == sorted(f"handler/{p.name}" for p in handler.glob("*.py"))


@pytest.mark.parametrize("case", ["as-built", "escaped", "wildcard"])
def test_cdk_nag_checks_the_role_and_its_policies(tmp_path: Path, case: str) -> None:
    """AwsSolutions passes every grant the provider writes, the ownership grant and escaped
    literal * of user-given ARNs included (acknowledged one by one: IAM5 reads ${*} as a
    wildcard); a real wildcard in a grant is still an AwsSolutions-IAM5 finding."""
    app = new_app(outdir=tmp_path)
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    stack = cdk.Stack(app, "Nag")
    provider = _ours(stack)
    if case == "escaped":
        path = "/team-*/"
        role = iam.Role(stack, "Events", assumed_by=iam.AccountRootPrincipal(), path=path)
        provider.allow_pass_role(role.role_arn)
        provider.allow_pass_role("arn:aws:iam::111111111111:role/ops-*/x?")
        provider.allow_channel(
            f"arn:{cdk.Aws.PARTITION}:mobiletargeting:{cdk.Aws.REGION}:{cdk.Aws.ACCOUNT_ID}:apps/a*"
        )
        for i in range(60):  # the escaped app also in a managed policy
            provider.allow_channel(f"arn:aws:mobiletargeting:eu-west-1:111111111111:apps/{i}")
        provider.allow_channel("arn:aws:mobiletargeting:eu-west-1:111111111111:apps/b*")
    if case != "wildcard":
        app.synth()
        return
    provider._shards.inline.resources.setdefault(policies.CHANNELS, []).append(
        "arn:aws:mobiletargeting:eu-west-1:111111111111:apps/*/channels/email"
    )
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    report = (tmp_path / "validation-report.json").read_text()
    assert "AwsSolutions-IAM5" in report
    assert "PinpointEmailChannelProvider/Role/DefaultPolicy/Resource" in report


class _RoundTrips:
    """Counts requests from Python to the jsii kernel (one Node round trip each)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        send = jsii_process._NodeProcess.send

        def counting(process: Any, request: Any, response_type: Any) -> Any:
            self.count += 1
            return send(process, request, response_type)

        monkeypatch.setattr(jsii_process._NodeProcess, "send", counting)


def test_jsii_round_trips(monkeypatch: pytest.MonkeyPatch) -> None:
    stack = cdk.Stack(new_app(), "Cost", env=ENV)
    trips = _RoundTrips(monkeypatch)
    provider = EmailChannelProvider.of(stack)
    built = trips.count
    for i in range(30):  # all within the inline policy
        provider.allow_channel(f"arn:aws:mobiletargeting:eu-west-1:111111111111:apps/{i}")
        provider.allow_pass_role(f"arn:aws:iam::111111111111:role/r{i}")
    grants = trips.count - built
    assert not provider._shards.managed[policies.CHANNEL_POLICIES]
    # Building: 43 (each CfnResource, its scope, the asset's registration, the ownership tags'
    # ARN and its cdk-nag 3 acknowledgment and cdk-nag 2 metadata). A grant within a policy: none.
    assert built <= 43
    assert grants == 0
    before = trips.count
    cdk.App.of(stack).synth()  # type: ignore[union-attr]
    # Rendering: 14 (round 1: 20). The default policy's document (3 resolutions), DependsOn (2)
    # and its one tree scan; no callback for a policy name, no call per own logical id.
    assert trips.count - before <= 14


def foreign_and_sharded_template(outdir: Path) -> Path:
    """A provider whose pass-role grants overflow into a managed policy, and a policy someone else
    attaches to its role: synthesized into ``outdir``."""
    app = new_app(outdir=outdir)
    stack = cdk.Stack(app, "Lint", env=ENV)
    provider = _ours(stack)
    for i in range(60):  # token role ARNs: the inline policy runs out, PassRolePolicy1 follows
        provider.allow_pass_role(
            iam.Role(
                stack, f"R{i}", assumed_by=iam.ServicePrincipal("pinpoint.amazonaws.com")
            ).role_arn
        )
    iam.CfnManagedPolicy(
        stack,
        "Extra",
        roles=[provider.role_ref],
        policy_document={
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "arn:aws:kms:x"}
            ],
        },
    )
    app.synth()
    return outdir / "Lint.template.json"


# Synthesized and linted in a process of its own (about 2.5 s), started when collection ends.
_FOREIGN_AND_SHARDED = """
import json, sys
from pathlib import Path
from prefetch import cfn_lint
from test_provider import foreign_and_sharded_template
print(json.dumps(cfn_lint([foreign_and_sharded_template(Path(sys.argv[1]))])))
"""
_FOREIGN_AND_SHARDED_JOB = (
    "foreign-and-sharded",
    partial(python_job, "foreign-and-sharded", _FOREIGN_AND_SHARDED),
)


def prefetch(item: pytest.Item) -> None:  # called by tests/conftest.py when collection ends
    if item.name == "test_cfn_lint_is_clean_with_foreign_and_sharded_policies":
        prefetch_start(*_FOREIGN_AND_SHARDED_JOB)


def test_cfn_lint_is_clean_with_foreign_and_sharded_policies() -> None:
    outdir, run = prefetch_result(*_FOREIGN_AND_SHARDED_JOB)
    assert run.returncode == 0, run.stderr[-3000:]
    template = json.loads((outdir / "Lint.template.json").read_text())
    assert "PinpointEmailChannelProviderPassRolePolicy1" in " ".join(template["Resources"])
    assert "Extra" in template["Resources"]
    findings = [f"{m['Rule']['Id']}: {m['Message']}" for m in json.loads(run.stdout)]
    assert [f for f in findings if not f.startswith("W3696")] == []


def test_each_grant_is_bounded_by_what_synth_can_see_of_it() -> None:
    """Pseudo parameters at their longest; a role of the app by its own path and name; any
    other role ARN token at 512 characters of path and 64 of name; literal text as escaped."""
    stack = cdk.Stack(new_app(), "Bounds")
    app_arn = (
        f"arn:{cdk.Aws.PARTITION}:mobiletargeting:{cdk.Aws.REGION}:{cdk.Aws.ACCOUNT_ID}:apps/a"
    )
    worst = "arn:aws-us-gov:mobiletargeting:" + "r" * 15 + ":123456789012:apps/a"
    assert budget.app_arn_chars(app_arn) == len(worst)
    assert budget.app_arn_chars("arn:aws:mobiletargeting:r:1:apps/a${*}") == len(
        "arn:aws:mobiletargeting:r:1:apps/a${*}"
    )
    named = iam.Role(
        stack, "Named", assumed_by=iam.AccountRootPrincipal(), path="/a/b/", role_name="n" * 10
    )
    generated = iam.Role(stack, "Generated", assumed_by=iam.AccountRootPrincipal())
    prefix = len("arn:aws-us-gov:iam::123456789012:role")
    assert budget.role_grant(named.role_arn)[1] == prefix + len("/a/b/") + 10
    assert budget.role_grant(generated.role_arn)[1] == prefix + 1 + 64
    parameter = cdk.CfnParameter(stack, "RoleArn").value_as_string
    assert budget.role_grant(parameter)[1] == budget.ROLE_ARN_MAX == prefix + 512 + 64
    by_name = iam.Role.from_role_name(stack, "ByName", "events")
    assert budget.role_grant(by_name.role_arn)[1] == prefix + len("/events")


@pytest.mark.parametrize(
    "env",
    [None, ENV, cdk.Environment(account="111111111111", region="us-gov-west-1"), "parameter"],
    ids=["agnostic", "explicit", "gov", "parameter"],
)
def test_channels_compose_the_ownership_resource_as_the_stack_formats_it(
    env: cdk.Environment | str | None,
) -> None:
    """A channel's stack facts give the provider the ownership tags' ARN and its cdk-nag name
    without a jsii call; both match what Stack.format_arn and resolving it give. An account that
    is a parameter's Ref is left to the provider, which resolves it."""
    from constructs_pinpoint._provider.construct import apps_of
    from constructs_pinpoint._stack_facts import stack_facts

    if env == "parameter":
        env = cdk.Environment(account=cdk.Fn.ref("Account"), region="eu-west-1")
    assert not isinstance(env, str)
    stack = cdk.Stack(new_app(), "Facts", env=env)
    composed = stack_facts(stack).ownership_resources()
    formatted_arn, formatted_name = apps_of(stack)
    if composed is None:
        assert formatted_name == "arn:<AWS::Partition>:mobiletargeting:eu-west-1:<Account>:apps/*"
        return
    composed_arn, composed_name = composed
    assert stack.resolve(composed_arn) == stack.resolve(formatted_arn)
    assert composed_name == formatted_name


def test_cdk_nag_2_reads_the_same_suppression_from_the_policys_metadata(
    template: dict[str, Any],
) -> None:
    """cdk-nag 2 (an aspect, no Validations) reads suppressions from the resource's cdk_nag
    metadata, in the form its NagSuppressions writes: the same finding, applies_to."""
    (policy,) = resources_of(template, "AWS::IAM::Policy").values()
    (rule,) = policy["Metadata"]["cdk_nag"]["rules_to_suppress"]
    assert rule["id"] == "AwsSolutions-IAM5"
    assert rule["applies_to"] == [
        "Resource::arn:<AWS::Partition>:mobiletargeting:eu-west-1:111111111111:apps/*"
    ]
    assert len(rule["reason"]) >= 10 and "aws:TagKeys" in rule["reason"]


def test_the_handler_tags_only_what_the_ownership_statement_allows(
    template: dict[str, Any],
) -> None:
    """The app ARN the handler builds from the event's StackId falls under the synthesized
    ownership statement of a stack in the same account and region (and no other), and the tag
    keys the handler writes are exactly the statement's condition."""
    import fnmatch

    from constructs_pinpoint.handler import contract
    from constructs_pinpoint.handler.ownership import app_arn

    (ownership,) = (s for _, s in _statements(template) if s["Action"] == TAG_ACTIONS)
    separator, parts = ownership["Resource"]["Fn::Join"]
    granted = separator.join("aws" if part == {"Ref": "AWS::Partition"} else part for part in parts)
    stack_id = (
        "arn:aws:cloudformation:eu-west-1:111111111111:stack/Ours/0a1b2c3d-0000-1111-2222-3333"
    )
    assert fnmatch.fnmatchcase(app_arn(stack_id, "0" * 32), granted)
    elsewhere = stack_id.replace("eu-west-1", "us-east-1")
    assert not fnmatch.fnmatchcase(app_arn(elsewhere, "0" * 32), granted)
    keys = ownership["Condition"]["ForAllValues:StringEquals"]["aws:TagKeys"]
    assert sorted(keys) == sorted([contract.OWNER_TAG, contract.PREVIOUS_OWNER_TAG])
