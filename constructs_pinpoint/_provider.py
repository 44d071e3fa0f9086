"""The one handler Lambda per stack behind every ``Custom::PinpointEmailChannel``.

All channels of a stack share this function, its role and its policies. The policies grow one
resource ARN per channel and per distinct role passed, so least privilege holds however many
channels a stack has.

The log group and the function are plain ``cdk.CfnResource``s with a file asset, as
aws-cdk-lib's own core ``CustomResourceProvider`` builds its function (the asset hashed and
staged here, in Python, the way ``cdk.AssetStaging`` does it); the role and its policies
are aws_iam L1s (~10 ms to import), so cdk-nag's IAM rules still check them. No ``aws_lambda`` or
``aws_logs`` import (~0.2 s per process), no L2, a handful of jsii round trips. Each resource sits
at the construct path the L2 that used to build it gave it, so no logical id changes. cdk-nag
does not recognise the function as a Lambda function: tests/constructs/test_provider.py asserts on
the template what AwsSolutions checked on it (latest runtime, its own log group with retention).
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aws_cdk as cdk
import jsii
from aws_cdk import aws_iam as iam
from constructs import Construct, IConstruct

from ._errors import ConstructValidationError

if TYPE_CHECKING:
    from hashlib import sha256

    from aws_cdk import aws_lambda
else:  # CPython's own SHA-256: hashlib would load OpenSSL first (~3 ms of every synth)
    try:
        from _sha256 import sha256  # 3.11
    except ImportError:  # pragma: no cover
        try:
            from _sha2 import sha256  # 3.12+
        except ImportError:
            from hashlib import sha256

# The newest Python runtime aws-cdk-lib offers; the handler needs nothing newer than 3.11.
# ``HANDLER_RUNTIME`` (an ``aws_lambda.Runtime``) is built from it in ``_runtime``, on demand.
HANDLER_RUNTIME_NAME = "python3.14"
HANDLER_TIMEOUT_SECONDS = 60
# CloudFormation gives up on a silent handler after this; the Lambda timeout stays below it, and
# the handler answers FAILED on its own shortly before its Lambda timeout.
SERVICE_TIMEOUT_SECONDS = 300
# Both built on first access (module __getattr__ below): importing this module makes no jsii call.
SERVICE_TIMEOUT: cdk.Duration
HANDLER_RUNTIME: aws_lambda.Runtime
LOG_RETENTION_DAYS = 365

PROVIDER_ID = "PinpointEmailChannelProvider"
# IAM caps a role's inline policies at 10,240 characters in all, a managed policy at 6,144 and
# a role at 10 managed policies (default quota). Channel ARNs: the first INLINE_CHANNELS inline,
# then one managed policy per CHANNELS_PER_MANAGED_POLICY (bench/run.py reads these two).
# PassRole role ARNs fill what the inline policy has left, then managed policies of their own.
INLINE_CHANNELS = 40
CHANNELS_PER_MANAGED_POLICY = 50
INLINE_POLICY_LIMIT = 10_240
MANAGED_POLICY_LIMIT = 6_144
MANAGED_POLICIES_PER_ROLE = 10

_PACKAGE_DIR = Path(__file__).parent
# Only the handler package: no CDK code, no bytecode, so the asset hash depends on the handler's
# source alone (the same options Code.from_asset had, hence the same hash).
_ASSET_EXCLUDE = ["*", "!handler", "!handler/*.py"]
_ASSET_DISPLAY_NAME = f"{PROVIDER_ID}/Handler/Code"
# Contexts under which cdk.AssetStaging does more than hash and copy: a salt in the hash, or no
# staging at all (the asset is then the source directory). There, cdk.AssetStaging does it.
_ASSET_SALT_CONTEXT = "@aws-cdk/core:assetHashSalt"
_DISABLE_STAGING_CONTEXT = "aws:cdk:disable-asset-staging"
_ASSET_METADATA_CONTEXT = "aws:cdk:enable-asset-metadata"
# Only what the handler calls: it never reads a channel, so no GetEmailChannel.
_CHANNEL_ACTIONS = [
    "mobiletargeting:UpdateEmailChannel",
    "mobiletargeting:DeleteEmailChannel",
]
_LOG_ACTIONS = ["logs:CreateLogStream", "logs:PutLogEvents"]
# The handler tells CloudFormation's rollback Update from a forward one by its stack's status.
_DESCRIBE_STACKS = "cloudformation:DescribeStacks"
# Service Authorization Reference, "Actions, resources, and condition keys for Amazon Pinpoint":
# UpdateEmailChannel lists iam:PassRole as a dependent action, and its API operations table gives
# iam:PassedToService = mobiletargeting.amazonaws.com for Pinpoint's PassRole dependencies.
PASSED_TO_SERVICE = "mobiletargeting.amazonaws.com"
_PASS_ROLE_CONDITION = {"StringEquals": {"iam:PassedToService": PASSED_TO_SERVICE}}
_POLICY_TYPES = ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::RolePolicy")

# Worst-case rendered lengths, in the longest partition and region (aws-us-gov is the longest
# partition name; 15 characters covers every region name), for what synth cannot see.
_PARTITION_REGION = len("aws-us-gov") + 15
_CHANNEL_ARN_MAX = len("arn::mobiletargeting::123456789012:apps//channels/email") + (
    _PARTITION_REGION + 32
)
# A role ARN that is a token: arn:<partition>:iam::<account>:role/<name of at most 64>. A role
# with a path renders longer; a literal ARN is counted as written.
_ROLE_ARN_MAX = len("arn:aws-us-gov:iam::123456789012:role/") + 64
_TOKEN = re.compile(r"\$\{Token\[[^\]]*\]\}")
_TOKEN_MAX = 64  # a role name, the longest part of an ARN a token can stand for
# Tokens of pseudo parameters render as "${Token[AWS.Partition.8]}" and the like.
_PSEUDO_CHARS = {"AWS.Partition": len("aws-us-gov"), "AWS.Region": 15, "AWS.AccountId": 12}
# CloudFormation names the log group <stack>-<logical id>-<suffix> (stack names <= 128).
_LOG_GROUP_ARN_MAX = len("arn::logs::123456789012:log-group::*") + _PARTITION_REGION + 200
_STACK_ID_MAX = len("arn::cloudformation::123456789012:stack//") + _PARTITION_REGION + 128 + 36


def channel_arn(application_arn: str) -> str:
    return f"{application_arn}/channels/email"


def _statement(
    actions: list[str], resources: list[Any], condition: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A statement as aws-cdk-lib's PolicyStatement renders it (one value: no list)."""
    statement: dict[str, Any] = {"Action": actions[0] if len(actions) == 1 else actions}
    if condition is not None:
        statement["Condition"] = condition
    statement["Effect"] = "Allow"
    statement["Resource"] = resources[0] if len(resources) == 1 else resources
    return statement


def _document(statements: Iterable[dict[str, Any]]) -> dict[str, Any]:
    return {"Statement": list(statements), "Version": "2012-10-17"}


def _chars(document: dict[str, Any]) -> int:
    """Characters IAM counts: the JSON without whitespace."""
    return len(json.dumps(document, separators=(",", ":")))


def _role_arn_chars(role_arn: str) -> int:
    """Upper bound of the rendered ARN, as a JSON list item (quotes and comma included)."""
    tokens = _TOKEN.findall(role_arn)
    if not tokens:
        return len(role_arn) + 3
    bound = len(_TOKEN.sub("", role_arn)) + sum(_token_chars(token) for token in tokens)
    # A role's GetAtt Arn is one token: it renders to at most _ROLE_ARN_MAX (no path).
    return max(bound, _ROLE_ARN_MAX) + 3


def _token_chars(token: str) -> int:
    for pseudo, chars in _PSEUDO_CHARS.items():
        if pseudo in token:
            return chars
    return _TOKEN_MAX


def _pass_role(resources: list[str]) -> dict[str, Any]:
    return _statement(["iam:PassRole"], resources, _PASS_ROLE_CONDITION)


def _channel_statement(resources: list[str]) -> dict[str, Any]:
    return _statement(_CHANNEL_ACTIONS, resources)


def _x(length: int) -> str:
    return "x" * length


# What the inline policy holds before any role ARN, at its worst: the log and DescribeStacks
# statements, INLINE_CHANNELS channel ARNs, and an empty PassRole statement.
_INLINE_ROLE_BUDGET = INLINE_POLICY_LIMIT - _chars(
    _document(
        [
            _statement(_LOG_ACTIONS, [_x(_LOG_GROUP_ARN_MAX)]),
            _statement([_DESCRIBE_STACKS], [_x(_STACK_ID_MAX)]),
            _statement(_CHANNEL_ACTIONS, [_x(_CHANNEL_ARN_MAX)] * INLINE_CHANNELS),
            _pass_role([]),
        ]
    )
)
_MANAGED_ROLE_BUDGET = MANAGED_POLICY_LIMIT - _chars(_document([_pass_role([])]))


# cdk.AssetStaging's source hash (aws-cdk-lib core/lib/fs/fingerprint.ts), computed here so a
# stack does not pay its ~25 ms of Node-side directory walking: SHA-256 over fields
# SOH header STX value ETX; each file's value is "<size>:<sha256>" of its bytes with CRLF read as
# LF, decoded per 8 KiB block (unless the first block has a NUL), as Node does.
_CHUNK = 8 * 1024


def _field(digest: Any, header: str, value: str) -> None:
    digest.update(b"\x01" + header.encode() + b"\x02" + value.encode() + b"\x03")


def _content_fingerprint(data: bytes) -> str:
    digest = sha256()
    size = 0
    binary = False
    pending = ""  # a block ending in CR waits for the next: its LF may follow
    for start in range(0, len(data), _CHUNK):
        block = data[start : start + _CHUNK]
        if size == 0:
            binary = b"\0" in block
        if binary:
            size += len(block)
            digest.update(block)
            continue
        text = block.decode("utf-8", "replace")
        if text.endswith("\r"):
            pending += text
            continue
        normal = (pending + text).replace("\r\n", "\n").encode()
        pending = ""
        size += len(normal)
        digest.update(normal)
    if pending:
        digest.update(pending.encode())  # not counted in the size, as in Node
    return f"{size}:{digest.hexdigest()}"


@functools.cache
def _handler_files() -> tuple[tuple[str, bytes, int], ...]:
    """What _ASSET_EXCLUDE keeps: handler/*.py (path in the asset, bytes, mode), sorted."""
    files = []
    for path in sorted((_PACKAGE_DIR / "handler").iterdir()):
        if path.suffix == ".py" and not path.name.startswith(".") and path.is_file():
            files.append((f"handler/{path.name}", path.read_bytes(), path.stat().st_mode))
    return tuple(files)


@functools.cache
def _asset_hash() -> str:
    digest = sha256()
    _field(digest, "options.extra", "")
    _field(digest, "options.follow", "external")
    for name, data, _mode in _handler_files():
        _field(digest, f"file:{name}", _content_fingerprint(data))
    return digest.hexdigest()


def _stage(asset_outdir: str) -> str:
    """Copy the handler files to <asset_outdir>/asset.<hash> unless there already (as
    cdk.AssetStaging does), atomically; returns that directory."""
    target = os.path.join(asset_outdir, f"asset.{_asset_hash()}")
    if os.path.isdir(target):
        return target
    building = tempfile.mkdtemp(prefix=".building.", dir=asset_outdir)
    try:
        os.chmod(building, 0o755)
        os.mkdir(os.path.join(building, "handler"))
        for name, data, mode in _handler_files():
            path = os.path.join(building, name)
            with open(path, "wb") as file:
                file.write(data)
            os.chmod(path, mode & 0o777)
        try:
            os.rename(building, target)
        except OSError:
            if not os.path.isdir(target):  # else another process staged it first
                raise
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return target


@jsii.implements(cdk.IAnyProducer)
class _Producer:
    """A cdk.Lazy value computed at synth from Python state: one jsii object, not one per item."""

    def __init__(self, produce: Callable[[], Any]) -> None:
        self._produce = produce

    def produce(self, context: cdk.IResolveContext) -> Any:
        return self._produce()


@jsii.implements(cdk.IAnyProducer)
class _DependsOn:
    """The function's DependsOn: every policy of its role, found in the whole tree.

    CDK resolves a template twice: to find cross-stack references (``preparing``), then to render
    it. Logical ids hold no reference, so the tree is scanned for the rendering only (~20 ms at
    150 channels). Our own policies are in both.
    """

    def __init__(self, provider: EmailChannelProvider) -> None:
        self._provider = provider

    def produce(self, context: cdk.IResolveContext) -> Any:
        return self._provider._policies_of_role(foreign=not context.preparing)


def _lazy(produce: Callable[[], Any]) -> cdk.IResolvable:
    # Produced when the template is resolved, after every channel has added its ARN.
    return cdk.Lazy.uncached_any(_Producer(produce))


class _ManagedPolicy:
    """One ``AWS::IAM::ManagedPolicy`` at ``<provider>/<id>/Resource``, as iam.ManagedPolicy
    renders it: one statement over ``resources``, which grows until synth."""

    def __init__(
        self,
        provider: EmailChannelProvider,
        id: str,
        description: str,
        statement: Callable[[list[str]], dict[str, Any]],
        first: str,
        chars: int = 0,
    ) -> None:
        self.resources = [first]
        self.chars = chars
        self.resource = iam.CfnManagedPolicy(
            Construct(provider, id),
            "Resource",
            description=description,
            path="/",
            policy_document=_lazy(lambda: _document([statement(self.resources)])),
            roles=[provider.role_ref],
        )
        self.logical_id = self.resource.logical_id  # a token: DependsOn renders it, no callback


class EmailChannelProvider(Construct):
    """Singleton per stack; get it with :meth:`of`."""

    @classmethod
    def of(cls, stack: cdk.Stack) -> EmailChannelProvider:
        existing = stack.node.try_find_child(PROVIDER_ID)
        if isinstance(existing, EmailChannelProvider):
            return existing
        return cls(stack, PROVIDER_ID)

    def __init__(self, scope: cdk.Stack, id: str) -> None:
        super().__init__(scope, id)
        self._stack = scope
        log_group = cdk.CfnResource(
            Construct(self, "LogGroup"),
            "Resource",
            type="AWS::Logs::LogGroup",
            properties={"RetentionInDays": LOG_RETENTION_DAYS},
        )
        log_group.apply_removal_policy(cdk.RemovalPolicy.DESTROY)
        role_scope = Construct(self, "Role")
        role = iam.CfnRole(
            role_scope,
            "Resource",
            assume_role_policy_document=_document(
                [
                    {
                        "Action": "sts:AssumeRole",
                        "Effect": "Allow",
                        "Principal": {"Service": "lambda.amazonaws.com"},
                    }
                ]
            ),
            description="Manages the Pinpoint email channels of this stack",
        )
        self.role_ref = role.ref

        # Ref and GetAtt written out: one jsii call (the logical id) instead of two.
        log_group_id = log_group.logical_id
        self._log_statement = _statement(_LOG_ACTIONS, [{"Fn::GetAtt": [log_group_id, "Arn"]}])
        self._describe_statement = _statement([_DESCRIBE_STACKS], [cdk.Aws.STACK_ID])
        self._channel_arns: set[str] = set()
        self._inline_channels: list[str] = []
        self._channel_policies: list[_ManagedPolicy] = []
        self._passed_roles: set[str] = set()
        self._inline_roles: list[str] = []
        self._inline_role_chars = 0
        self._role_policies: list[_ManagedPolicy] = []
        default_policy = iam.CfnPolicy(
            Construct(role_scope, "DefaultPolicy"),
            "Resource",
            policy_document=_lazy(self._default_document),
            policy_name="",  # set below, once the resource has its logical id
            roles=[self.role_ref],
        )
        # As iam.Policy names it: its own logical id (a token, resolved without a callback).
        self._default_policy_id = default_policy.logical_id
        default_policy.policy_name = self._default_policy_id
        self._default_policy = default_policy

        handler = Construct(self, "Handler")
        context = self.node.get_all_context()
        asset_path, location = _file_asset(scope, handler, context)
        function = cdk.CfnResource(
            handler,
            "Resource",
            type="AWS::Lambda::Function",
            properties={
                "Architectures": ["arm64"],
                "Code": {"S3Bucket": location.bucket_name, "S3Key": location.object_key},
                "Description": "Custom::PinpointEmailChannel handler (Update/DeleteEmailChannel)",
                "Handler": "handler.entry.on_event",
                "LoggingConfig": {"LogGroup": {"Ref": log_group_id}},
                "MemorySize": 128,
                "Role": role.attr_arn,
                "Runtime": HANDLER_RUNTIME_NAME,
                "Timeout": HANDLER_TIMEOUT_SECONDS,
            },
        )
        # The function waits for every policy of its role, ours and any other attached to it;
        # the role itself needs no DependsOn: the Role GetAtt orders it (cfn-lint W3005).
        function.add_override("DependsOn", cdk.Lazy.uncached_any(_DependsOn(self)))
        if context.get(_ASSET_METADATA_CONTEXT):
            # What Code.from_asset wrote, for `sam local` and the CLI's asset tooling.
            function.add_override(
                "Metadata",
                {
                    "aws:asset:path": asset_path,
                    "aws:asset:is-bundled": False,
                    "aws:asset:property": "Code",
                },
            )
        self._ours: tuple[cdk.CfnResource, ...] = (log_group, role, default_policy, function)
        self.service_token: str = cdk.Token.as_string(function.get_att("Arn"))

    def allow_channel(self, application_arn: str) -> None:
        """Grant the handler Update/DeleteEmailChannel on exactly this app's email channel."""
        arn = channel_arn(application_arn)
        if arn in self._channel_arns:
            return
        self._channel_arns.add(arn)
        if len(self._inline_channels) < INLINE_CHANNELS:
            self._inline_channels.append(arn)
        elif (
            self._channel_policies
            and len(self._channel_policies[-1].resources) < CHANNELS_PER_MANAGED_POLICY
        ):
            self._channel_policies[-1].resources.append(arn)
        else:
            shard = len(self._channel_policies) + 1
            self._check_managed_count()
            self._channel_policies.append(
                _ManagedPolicy(
                    self,
                    f"ChannelsPolicy{shard}",
                    f"Email channels {shard} of the Custom::PinpointEmailChannel handler",
                    _channel_statement,
                    arn,
                )
            )

    def allow_pass_role(self, role_arn: str) -> None:
        """Grant the handler iam:PassRole on exactly this role, to Pinpoint only."""
        if role_arn in self._passed_roles:
            return
        self._passed_roles.add(role_arn)
        chars = _role_arn_chars(role_arn)
        last = self._role_policies[-1] if self._role_policies else None
        if not self._role_policies and self._inline_role_chars + chars <= _INLINE_ROLE_BUDGET:
            self._inline_roles.append(role_arn)
            self._inline_role_chars += chars
        elif last is not None and last.chars + chars <= _MANAGED_ROLE_BUDGET:
            last.resources.append(role_arn)
            last.chars += chars
        else:
            shard = len(self._role_policies) + 1
            self._check_managed_count()
            self._role_policies.append(
                _ManagedPolicy(
                    self,
                    f"PassRolePolicy{shard}",
                    f"Roles {shard} the Custom::PinpointEmailChannel handler passes to Pinpoint",
                    _pass_role,
                    role_arn,
                    chars,
                )
            )

    def _check_managed_count(self) -> None:
        count = len(self._channel_policies) + len(self._role_policies)
        if count >= MANAGED_POLICIES_PER_ROLE:
            raise ConstructValidationError(
                self,
                [
                    f"the handler role of stack {self._stack.stack_name} needs more than "
                    f"{MANAGED_POLICIES_PER_ROLE} managed policies for "
                    f"{len(self._channel_arns)} channels and {len(self._passed_roles)} roles "
                    "(IAM's default quota per role): put some of these channels in another "
                    "stack, or pass fewer distinct roles"
                ],
            )

    def _default_document(self) -> dict[str, Any]:
        statements = [self._log_statement, self._describe_statement]
        if self._inline_channels:
            statements.append(_channel_statement(self._inline_channels))
        if self._inline_roles:
            statements.append(_pass_role(self._inline_roles))
        return _document(statements)

    def _policies_of_role(self, foreign: bool = True) -> list[str]:
        shards = [*self._channel_policies, *self._role_policies]
        ids = [self._default_policy_id, *(p.logical_id for p in shards)]
        if foreign:
            own = [self._default_policy, *(p.resource for p in shards)]
            ids += [self._stack.get_logical_id(p) for p in self._foreign_policies(own)]
        return ids

    def _foreign_policies(self, own: list[cdk.CfnResource]) -> list[cdk.CfnResource]:
        """Policies that others attach to the handler role (by its Ref), found at synth.

        One pass over the stack's constructs, typed in Python: a jsii round trip only for an IAM
        policy L1 and for a plain CfnResource that is not a channel's or a custom resource's.
        """
        policy_classes = (iam.CfnPolicy, iam.CfnManagedPolicy, iam.CfnRolePolicy)
        skip = {id(resource) for resource in (*own, *self._ours)}
        role = self._stack.resolve(self.role_ref)
        found: list[cdk.CfnResource] = []
        previous: IConstruct | None = None
        for construct in self._stack.node.find_all():
            before, previous = previous, construct
            if not isinstance(construct, cdk.CfnResource) or id(construct) in skip:
                continue
            if not isinstance(construct, policy_classes):
                if type(construct) is not cdk.CfnResource or _resource_of(before, construct):
                    continue
                if construct.cfn_resource_type not in _POLICY_TYPES:
                    continue
            if cdk.Stack.of(construct) is not self._stack:
                continue
            # L1 classes keep their properties camelCase until rendering; plain ones as given.
            properties = self._stack.resolve(construct._cfn_properties)
            attached = [
                *(properties.get("Roles") or properties.get("roles") or []),
                properties.get("RoleName") or properties.get("roleName"),
            ]
            if role in attached:
                found.append(construct)
        return found


def _file_asset(
    stack: cdk.Stack, handler: Construct, context: dict[str, Any]
) -> tuple[str, cdk.FileAssetLocation]:
    """Stage the handler asset, register it with the stack's synthesizer: (the staged path as
    the asset manifest has it, relative to the stack's assembly directory; its location)."""
    if context.get(_ASSET_SALT_CONTEXT) or context.get(_DISABLE_STAGING_CONTEXT):
        staging = cdk.AssetStaging(
            handler, "Code", source_path=str(_PACKAGE_DIR), exclude=_ASSET_EXCLUDE
        )
        asset_path = staging.relative_staged_path(stack)
        asset_hash = staging.asset_hash
    else:
        stage = cdk.Stage.of(stack)
        assert stage is not None, "a Stack is always in a Stage (its App)"
        staged = _stage(os.path.abspath(stage.asset_outdir))
        asset_path = os.path.relpath(staged, os.path.abspath(stage.outdir))
        asset_hash = _asset_hash()
    location = stack.synthesizer.add_file_asset(
        source_hash=asset_hash,
        file_name=asset_path,
        packaging=cdk.FileAssetPackaging.ZIP_DIRECTORY,
        deploy_time=True,
        display_name=_ASSET_DISPLAY_NAME,
    )
    return asset_path, location


def _resource_of(before: IConstruct | None, resource: cdk.CfnResource) -> bool:
    """Whether ``resource``, next after ``before`` in pre-order, is the resource of a custom
    resource (its first and only child) or of one of this library's constructs."""
    if isinstance(before, cdk.CustomResource):
        return True
    return type(before).__module__.startswith("constructs_pinpoint.") and (
        getattr(before, "resource", None) is resource
    )


def __getattr__(name: str) -> Any:
    if name == "SERVICE_TIMEOUT":
        value: Any = cdk.Duration.seconds(SERVICE_TIMEOUT_SECONDS)
    elif name == "HANDLER_RUNTIME":
        # Lives in _runtime, which imports aws_lambda: only when asked for.
        from ._runtime import HANDLER_RUNTIME as value
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value
