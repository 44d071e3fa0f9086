"""The handler provider as plain CfnResources: the template the L2s wrote, and what cdk-nag's
AwsSolutions rules checked on it, asserted here since they no longer recognise the function.

aws-cdk-lib's L2s appear only in this test, as the reference the provider must render exactly.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
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
from synth_support import REPO_ROOT, new_app, resources_of

from constructs_pinpoint import ConstructValidationError, EmailChannel, PinpointApp, _provider
from constructs_pinpoint._provider import (
    CHANNELS_PER_MANAGED_POLICY,
    HANDLER_RUNTIME_NAME,
    INLINE_CHANNELS,
    PROVIDER_ID,
    EmailChannelProvider,
)
from constructs_pinpoint._runtime import HANDLER_RUNTIME

ENV = cdk.Environment(account="111111111111", region="eu-west-1")
APP_IDS = [f"{i:032x}" for i in range(INLINE_CHANNELS + 5)]  # fills the inline policy, +1 shard
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
PASS_ROLE_CONDITION = {"StringEquals": {"iam:PassedToService": "mobiletargeting.amazonaws.com"}}


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
    for arn in _app_arns(stack):
        provider.allow_channel(arn)
    for role_arn in ROLE_ARNS:
        provider.allow_pass_role(role_arn)
    return provider


def _l2_reference(stack: cdk.Stack) -> None:
    """The provider as the L2s built it (HEAD before this change), plus DescribeStacks."""
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
    role.add_to_principal_policy(
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
        handler="handler.entry.on_event",
        code=lambda_.Code.from_asset(
            str(REPO_ROOT / "constructs_pinpoint"), exclude=["*", "!handler", "!handler/*.py"]
        ),
        timeout=cdk.Duration.seconds(60),
        memory_size=128,
        role=role,
        log_group=log_group,
        description="Custom::PinpointEmailChannel handler (Update/DeleteEmailChannel)",
    )
    role.add_to_principal_policy(
        iam.PolicyStatement(actions=["cloudformation:DescribeStacks"], resources=[cdk.Aws.STACK_ID])
    )
    arns = [f"{arn}/channels/email" for arn in _app_arns(stack)]
    role.add_to_principal_policy(
        iam.PolicyStatement(actions=CHANNEL_ACTIONS, resources=arns[:INLINE_CHANNELS])
    )
    role.add_to_principal_policy(
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
        statements=[iam.PolicyStatement(actions=CHANNEL_ACTIONS, resources=arns[INLINE_CHANNELS:])],
        roles=[role],
    )
    default_policy = role.node.find_child("DefaultPolicy").node.default_child
    policies = [default_policy, managed.node.default_child]
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
    reference = cdk.Stack(new_app(), "Reference", env=ENV)
    _l2_reference(reference)
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


def _nag_findings(template: dict[str, Any]) -> list[str]:
    """AwsSolutions L1, IAM4, IAM5 and the log group, on the provider's resources."""
    resources = template["Resources"]
    ours = {n: r for n, r in resources.items() if n.startswith(PROVIDER_ID)}
    findings: list[str] = []
    for name, resource in ours.items():
        properties = resource.get("Properties", {})
        if resource["Type"] == "AWS::Lambda::Function":
            if properties.get("Runtime") != _newest_python_runtime():
                findings.append(f"L1 {name}: {properties.get('Runtime')}")
            log_group = properties.get("LoggingConfig", {}).get("LogGroup", {}).get("Ref")
            if resources.get(log_group, {}).get("Type") != "AWS::Logs::LogGroup":
                findings.append(f"logs {name}: no log group of its own")
            elif not resources[log_group]["Properties"].get("RetentionInDays"):
                findings.append(f"logs {log_group}: no retention")
        if resource["Type"] == "AWS::IAM::Role":
            for arn in properties.get("ManagedPolicyArns", []):
                findings.append(f"IAM4 {name}: {arn}")
        if resource["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            for statement in properties["PolicyDocument"]["Statement"]:
                for key in ("Action", "Resource"):
                    for value in _strings(statement[key]):
                        if "*" in value:
                            findings.append(f"IAM5 {name}: {key} {value}")
    return findings


def _strings(value: Any) -> list[str]:
    """Every literal string in a (possibly intrinsic) value: what a wildcard could hide in."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    return []


def test_what_cdk_nag_checked_holds(template: dict[str, Any]) -> None:
    assert _nag_findings(template) == []
    (function,) = resources_of(template, "AWS::Lambda::Function").values()
    assert function["Properties"]["Runtime"] == HANDLER_RUNTIME_NAME == HANDLER_RUNTIME.name
    (log_group,) = resources_of(template, "AWS::Logs::LogGroup")
    (policy,) = resources_of(template, "AWS::IAM::Policy").values()
    logs_statement, describe, *_ = policy["Properties"]["PolicyDocument"]["Statement"]
    assert logs_statement["Resource"] == {"Fn::GetAtt": [log_group, "Arn"]}
    assert describe == {
        "Action": "cloudformation:DescribeStacks",
        "Effect": "Allow",
        "Resource": {"Ref": "AWS::StackId"},
    }


@pytest.mark.parametrize(
    ("breakage", "finding"),
    [
        (lambda t, f, _: f["Properties"].update(Runtime="python3.12"), "L1 "),
        (lambda t, f, _: f["Properties"].pop("LoggingConfig"), "logs "),
        (lambda t, _, p: p["Statement"][0].update(Resource="*"), "IAM5 "),
        (lambda t, _, p: p["Statement"][2].update(Action="mobiletargeting:*"), "IAM5 "),
        (
            lambda t, _, p: next(iter(resources_of(t, "AWS::IAM::Role").values()))[
                "Properties"
            ].update(ManagedPolicyArns=["arn:aws:iam::aws:policy/AdministratorAccess"]),
            "IAM4 ",
        ),
    ],
)
def test_the_nag_checks_can_fail(template: dict[str, Any], breakage: Any, finding: str) -> None:
    broken = json.loads(json.dumps(template))
    (function,) = resources_of(broken, "AWS::Lambda::Function").values()
    (policy,) = resources_of(broken, "AWS::IAM::Policy").values()
    breakage(broken, function, policy["Properties"]["PolicyDocument"])
    assert [f for f in _nag_findings(broken) if f.startswith(finding)]


def test_handler_runtime_is_the_newest_python_of_aws_cdk_lib() -> None:
    assert _newest_python_runtime() == HANDLER_RUNTIME_NAME
    newest = getattr(lambda_.Runtime, "PYTHON_" + HANDLER_RUNTIME_NAME[6:].replace(".", "_"))
    assert HANDLER_RUNTIME.runtime_equals(newest)
    assert HANDLER_RUNTIME.family == lambda_.RuntimeFamily.PYTHON
    assert _provider.HANDLER_RUNTIME is HANDLER_RUNTIME


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


def test_grants_are_deduplicated_and_sharded() -> None:
    stack = cdk.Stack(new_app(), "Shards", env=ENV)
    provider = EmailChannelProvider.of(stack)
    arns = [f"arn:aws:mobiletargeting:eu-west-1:111111111111:apps/{i}" for i in range(100)]
    for arn in arns + arns:
        provider.allow_channel(arn)
    for role_arn in ROLE_ARNS + ROLE_ARNS:
        provider.allow_pass_role(role_arn)
    template = Template.from_stack(stack).to_json()
    granted: list[str] = []
    for policy in [
        *resources_of(template, "AWS::IAM::Policy").values(),
        *resources_of(template, "AWS::IAM::ManagedPolicy").values(),
    ]:
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if statement["Action"] == CHANNEL_ACTIONS:
                assert len(statement["Resource"]) in (
                    INLINE_CHANNELS,
                    CHANNELS_PER_MANAGED_POLICY,
                    10,
                )
                granted += statement["Resource"]
            if statement["Action"] == "iam:PassRole":
                assert statement["Resource"] == ROLE_ARNS
                assert statement["Condition"] == PASS_ROLE_CONDITION
    assert granted == [f"{arn}/channels/email" for arn in arns]


def test_more_managed_policies_than_iam_allows_is_an_error_naming_the_fix() -> None:
    stack = cdk.Stack(new_app(), "TooMany", env=ENV)
    provider = EmailChannelProvider.of(stack)
    allowed = INLINE_CHANNELS + 10 * CHANNELS_PER_MANAGED_POLICY
    for i in range(allowed):
        provider.allow_channel(f"arn:aws:mobiletargeting:eu-west-1:111111111111:apps/{i}")
    with pytest.raises(ConstructValidationError, match="more than 10 managed policies") as error:
        provider.allow_channel("arn:aws:mobiletargeting:eu-west-1:111111111111:apps/one-more")
    assert "another stack" in str(error.value)


# The asset, the imports and the jsii cost.


def test_asset_is_the_handler_package_only_with_code_from_assets_hash(tmp_path: Path) -> None:
    app = new_app(outdir=tmp_path)
    app.node.set_context("aws:cdk:enable-asset-metadata", True)
    stack = cdk.Stack(app, "Asset", env=ENV)
    _ours(stack)
    reference = cdk.Stack(app, "Reference", env=ENV)
    _l2_reference(reference)
    assembly = app.synth()
    functions = [
        next(iter(resources_of(assembly.get_stack_by_name(s).template, "AWS::Lambda::Function")))
        for s in ("Asset", "Reference")
    ]
    ours, theirs = (
        resources_of(assembly.get_stack_by_name(s).template, "AWS::Lambda::Function")[f]
        for s, f in zip(("Asset", "Reference"), functions, strict=True)
    )
    assert ours["Properties"]["Code"] == theirs["Properties"]["Code"]
    assert ours["Metadata"] == theirs["Metadata"]
    staged = tmp_path / ours["Metadata"]["aws:asset:path"]
    files = sorted(p.relative_to(staged).as_posix() for p in staged.rglob("*") if p.is_file())
    handler = REPO_ROOT / "constructs_pinpoint" / "handler"
    assert files == sorted(f"handler/{p.name}" for p in handler.glob("*.py"))
    manifest = json.loads((tmp_path / "Asset.assets.json").read_text())
    (asset,) = [a for a in manifest["files"].values() if a["source"]["packaging"] == "zip"]
    assert asset["displayName"] == f"{PROVIDER_ID}/Handler/Code"


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
    _provider._field(digest, "options.extra", "")
    _provider._field(digest, "options.follow", "external")
    _provider._field(digest, "file:", _provider._content_fingerprint(content))
    assert digest.hexdigest() == cdk.FileSystem.fingerprint(str(path))


def test_asset_hash_is_the_one_asset_staging_computes_for_the_handler() -> None:
    package = REPO_ROOT / "constructs_pinpoint"
    expected = cdk.FileSystem.fingerprint(
        str(package), exclude=[".is_custom_resource", "*", "!handler", "!handler/*.py"]
    )
    assert _provider._asset_hash() == expected
    assert [name for name, *_ in _provider._handler_files()] == sorted(
        f"handler/{p.name}" for p in (package / "handler").glob("*.py")
    )


def test_asset_in_a_nested_stage_and_twice_is_staged_once_where_asset_staging_puts_it(
    tmp_path: Path,
) -> None:
    app = new_app(outdir=tmp_path)
    app.node.set_context("aws:cdk:enable-asset-metadata", True)
    stage = cdk.Stage(app, "Nested")
    for name in ("One", "Two"):
        _ours(cdk.Stack(stage, name, env=ENV))
    _l2_reference(cdk.Stack(stage, "Reference", env=ENV))
    assembly = stage.synth()
    ours, twice, theirs = (
        next(
            iter(
                resources_of(
                    assembly.get_stack_by_name(s).template, "AWS::Lambda::Function"
                ).values()
            )
        )
        for s in (f"Nested-{name}" for name in ("One", "Two", "Reference"))
    )
    assert ours["Metadata"] == twice["Metadata"] == theirs["Metadata"]
    assert ours["Metadata"]["aws:asset:path"].startswith("../asset.")
    assert ours["Properties"]["Code"] == theirs["Properties"]["Code"]
    staged = [p.name for p in tmp_path.iterdir() if not p.name.startswith("assembly-")]
    assert [p for p in staged if p.startswith("asset.")] == [ours["Metadata"]["aws:asset:path"][3:]]
    assert not [p for p in staged if p.startswith(".")]  # no half-staged directory left


@pytest.mark.parametrize(
    "context",
    [{"@aws-cdk/core:assetHashSalt": "pepper"}, {"aws:cdk:disable-asset-staging": True}],
    ids=["salt", "no-staging"],
)
def test_where_asset_staging_does_more_it_is_asset_staging(
    tmp_path: Path, context: dict[str, Any]
) -> None:
    """A salted hash, or no staging at all (`sam local`): cdk.AssetStaging itself, as before."""
    app = new_app(outdir=tmp_path)
    for key, value in {"aws:cdk:enable-asset-metadata": True, **context}.items():
        app.node.set_context(key, value)
    _ours(cdk.Stack(app, "Asset", env=ENV))
    _l2_reference(cdk.Stack(app, "Reference", env=ENV))
    assembly = app.synth()
    ours, theirs = (
        next(
            iter(
                resources_of(
                    assembly.get_stack_by_name(s).template, "AWS::Lambda::Function"
                ).values()
            )
        )
        for s in ("Asset", "Reference")
    )
    assert ours["Properties"]["Code"] == theirs["Properties"]["Code"]
    assert ours["Metadata"] == theirs["Metadata"]


def test_cdk_nag_still_checks_the_role_and_its_policies(tmp_path: Path) -> None:
    """A wildcard in a grant is an AwsSolutions-IAM5 finding on our own policy."""
    app = new_app(outdir=tmp_path)
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    provider = EmailChannelProvider.of(cdk.Stack(app, "Nag", env=ENV))
    provider.allow_channel("arn:aws:mobiletargeting:eu-west-1:111111111111:apps/*")
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
    for i in range(INLINE_CHANNELS):
        provider.allow_channel(f"arn:aws:mobiletargeting:eu-west-1:111111111111:apps/{i}")
        provider.allow_pass_role(f"arn:aws:iam::111111111111:role/r{i}")
    grants = trips.count - built
    # Building: 38 (each CfnResource, its scope, the asset's registration). A grant within a
    # policy: none.
    assert built <= 40
    assert grants == 0
    before = trips.count
    cdk.App.of(stack).synth()  # type: ignore[union-attr]
    # Rendering: 14 (round 1: 20). The default policy's document (3 resolutions), DependsOn (2)
    # and its one tree scan; no callback for a policy name, no call per own logical id.
    assert trips.count - before <= 14


def test_cfn_lint_is_clean_with_foreign_and_sharded_policies(tmp_path: Path) -> None:
    executable = shutil.which("cfn-lint")
    assert executable, "cfn-lint is installed by scripts/setup.sh"
    stack = cdk.Stack(new_app(), "Lint", env=ENV)
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
    template = Template.from_stack(stack).to_json()
    assert "PinpointEmailChannelProviderPassRolePolicy1" in " ".join(template["Resources"])
    path = tmp_path / "lint.template.json"
    path.write_text(json.dumps(template))
    run = subprocess.run(
        [executable, "--format", "json", str(path)], capture_output=True, text=True
    )
    findings = [f"{m['Rule']['Id']}: {m['Message']}" for m in json.loads(run.stdout or "[]")]
    assert [f for f in findings if not f.startswith("W3696")] == []
