"""``EmailChannelProvider``: the one handler Lambda per stack behind every channel.

All channels of a stack share this function, its role and its policies; the policies grow one
exact resource per channel, app and distinct role passed (``policies``), so least privilege holds
however many channels a stack has.

The log group and the function are plain ``cdk.CfnResource``s with a file asset (``asset``), as
aws-cdk-lib's own core ``CustomResourceProvider`` builds its function; the role and its policies
are aws_iam L1s (~10 ms to import), so cdk-nag's IAM rules still check them. No ``aws_lambda`` or
``aws_logs`` import (~0.2 s per process), no L2, a handful of jsii round trips per stack and none
per grant. Each resource sits at the construct path the L2 that used to build it gave it, so no
logical id changes. cdk-nag does not recognise the function as a Lambda function:
tests/constructs/test_provider.py asserts on the template what AwsSolutions checked on it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import aws_cdk as cdk
import jsii
from aws_cdk import aws_iam as iam
from constructs import Construct

from .._errors import ConstructValidationError
from .._iam import literal_resource
from ..handler.contract import (
    HANDLER_ENTRY,
    HANDLER_RUNTIME_NAME,
    HANDLER_TIMEOUT_SECONDS,
    IAM_INLINE_POLICY_CHARS,
    OWNERSHIP_ACTIONS,
    OWNERSHIP_CONDITION,
)
from . import asset, budget
from .budget import CHANNEL_SUFFIX
from .depends_on import DependsOn
from .nag import acknowledge_escaped, acknowledge_ownership_tags, nag_text
from .policies import (
    CHANNEL_POLICIES,
    CHANNELS,
    FAMILIES,
    PASS_ROLE,
    PASS_ROLE_POLICIES,
    Family,
    Shard,
    Shards,
    chars,
    document,
    statement,
)

PROVIDER_ID = "PinpointEmailChannelProvider"
LOG_RETENTION_DAYS = 365
_LOG_ACTIONS = ("logs:CreateLogStream", "logs:PutLogEvents")
# The handler tells CloudFormation's rollback Update from a forward one by its stack's status.
_DESCRIBE_STACKS = ("cloudformation:DescribeStacks",)
_ASSET_DISPLAY_NAME = f"{PROVIDER_ID}/Handler/Code"
# The inline policy's own statements, at their longest (budget): what the grants share it with.
_INLINE_FIXED_WORST = chars(
    document(
        [
            statement(_LOG_ACTIONS, ["x" * budget.LOG_GROUP_ARN_MAX]),
            statement(_DESCRIBE_STACKS, ["x" * budget.STACK_ID_MAX]),
            statement(OWNERSHIP_ACTIONS, ["x" * budget.APPS_ARN_MAX], OWNERSHIP_CONDITION),
        ]
    )
)


def apps_of(stack: cdk.Stack) -> tuple[str, str]:
    """Every Pinpoint app of the stack's account and region, the ownership tags' resource (the
    handler only reads or writes the tags of apps in its own stack's account and region): as the
    template writes it, and as cdk-nag names it in a finding. Channels pass both, composed from
    their stack's facts without a jsii call (``StackFacts.ownership_resources``)."""
    arn = stack.format_arn(service="mobiletargeting", resource="apps", resource_name="*")
    return arn, nag_text(stack.resolve(arn))


def _identities(*resources: object) -> set[int]:
    return {id(resource) for resource in resources}


def channel_arn(application_arn: str) -> str:
    return f"{application_arn}{CHANNEL_SUFFIX}"


@jsii.implements(cdk.IAnyProducer)
class _Document:
    """A policy document produced at synth, once every channel has added its grants: one jsii
    object per policy, not one per grant."""

    def __init__(self, shard: Shard) -> None:
        self._shard = shard

    def produce(self, context: cdk.IResolveContext) -> Any:
        return self._shard.document()


class EmailChannelProvider(Construct):
    """Singleton per stack; get it with :meth:`of`."""

    @classmethod
    def of(
        cls,
        stack: cdk.Stack,
        known: Callable[[], set[int]] | None = None,
        apps: tuple[str, str] | None = None,
    ) -> EmailChannelProvider:
        existing = stack.node.try_find_child(PROVIDER_ID)
        if isinstance(existing, EmailChannelProvider):
            return existing
        return cls(stack, PROVIDER_ID, known, apps)

    def __init__(
        self,
        scope: cdk.Stack,
        id: str,
        known: Callable[[], set[int]] | None = None,
        apps: tuple[str, str] | None = None,
    ) -> None:
        """``known``: the ids (``id()``) of other CfnResources of this library in the stack (the
        channels'), which the DependsOn scan skips without a jsii call. ``apps``: the ownership
        tags' resource and its name in cdk-nag's findings (default: ``apps_of`` the stack)."""
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
            assume_role_policy_document=document(
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
        apps_arn, apps_in_findings = apps or apps_of(scope)
        inline = Shard(
            IAM_INLINE_POLICY_CHARS,
            fixed=[
                statement(_LOG_ACTIONS, [{"Fn::GetAtt": [log_group_id, "Arn"]}]),
                statement(_DESCRIBE_STACKS, [cdk.Aws.STACK_ID]),
                # One statement for every app, not one ARN per app: ~95 characters a channel
                # would cap a stack below 330 channels within IAM's quotas (docs/architecture.md).
                statement(OWNERSHIP_ACTIONS, [apps_arn], OWNERSHIP_CONDITION),
            ],
            worst=_INLINE_FIXED_WORST,
        )
        self._shards = Shards(inline, self._new_managed_policy, self._too_many)
        self._managed: list[tuple[Family, iam.CfnManagedPolicy, str]] = []
        self._apps: set[str] = set()
        self._roles: set[str] = set()
        default_policy = iam.CfnPolicy(
            Construct(role_scope, "DefaultPolicy"),
            "Resource",
            policy_document=cdk.Lazy.uncached_any(_Document(inline)),
            policy_name="",  # set below, once the resource has its logical id
            roles=[self.role_ref],
        )
        # As iam.Policy names it: its own logical id (a token, resolved without a callback).
        self._default_policy_id = default_policy.logical_id
        self._policy_of: dict[Shard, cdk.CfnResource] = {inline: default_policy}
        default_policy.policy_name = self._default_policy_id
        acknowledge_ownership_tags(default_policy, apps_in_findings)

        handler = Construct(self, "Handler")
        context = self.node.get_all_context()
        asset_path, bucket, key = asset.file_asset(scope, handler, _ASSET_DISPLAY_NAME, context)
        function = cdk.CfnResource(
            handler,
            "Resource",
            type="AWS::Lambda::Function",
            properties={
                "Architectures": ["arm64"],
                "Code": {"S3Bucket": bucket, "S3Key": key},
                "Description": "Custom::PinpointEmailChannel handler (Update/DeleteEmailChannel)",
                "Handler": HANDLER_ENTRY,
                "LoggingConfig": {"LogGroup": {"Ref": log_group_id}},
                "MemorySize": 128,
                "Role": role.attr_arn,
                "Runtime": HANDLER_RUNTIME_NAME,
                "Timeout": HANDLER_TIMEOUT_SECONDS,
            },
        )
        ours = _identities(log_group, role, default_policy, function)
        # The function waits for every policy of its role, ours and any other attached to it;
        # the role itself needs no DependsOn: the Role GetAtt orders it (cfn-lint W3005).
        depends_on = DependsOn(
            scope,
            self.role_ref,
            own=self._policies,
            known=lambda: (
                ours
                | _identities(*(policy for _, policy, _ in self._managed))
                | (known() if known else set())
            ),
        )
        function.add_override("DependsOn", cdk.Lazy.uncached_any(depends_on))
        if context.get(asset.METADATA_CONTEXT):
            # What Code.from_asset wrote, for `sam local` and the CLI's asset tooling.
            function.add_override(
                "Metadata",
                {
                    "aws:asset:path": asset_path,
                    "aws:asset:is-bundled": False,
                    "aws:asset:property": "Code",
                },
            )
        self.service_token: str = cdk.Token.as_string(function.get_att("Arn"))

    def allow_channel(self, application_arn: str) -> None:
        """Grant the handler the channel actions on exactly this app's email channel (its
        ownership tags are granted once for the stack, in the inline policy)."""
        app_arn = literal_resource(application_arn)
        if app_arn in self._apps:
            return
        resource = channel_arn(app_arn)
        worst = budget.item_chars(budget.app_arn_chars(app_arn) + len(CHANNEL_SUFFIX))
        shard = self._shards.place(CHANNEL_POLICIES, [(CHANNELS, resource, worst)])
        self._apps.add(app_arn)
        acknowledge_escaped(self._policy_of[shard], resource)

    def allow_pass_role(self, role_arn: str) -> None:
        """Grant the handler iam:PassRole on exactly this role, to Pinpoint only."""
        arn = literal_resource(role_arn)
        if arn in self._roles:
            return
        resource, chars = budget.role_grant(arn)
        item = (PASS_ROLE, resource, budget.item_chars(chars))
        shard = self._shards.place(PASS_ROLE_POLICIES, [item])
        self._roles.add(arn)
        acknowledge_escaped(self._policy_of[shard], resource)

    def _new_managed_policy(self, family: Family, k: int, shard: Shard) -> None:
        policy = iam.CfnManagedPolicy(
            Construct(self, f"{family.prefix}{k}"),
            "Resource",
            description=family.description.format(k=k),
            path="/",
            policy_document=cdk.Lazy.uncached_any(_Document(shard)),
            roles=[self.role_ref],
        )
        # Its logical id, a token read once: DependsOn renders it with no callback.
        self._managed.append((family, policy, policy.logical_id))
        self._policy_of[shard] = policy

    def _policies(self) -> list[str]:
        """The provider's policies (logical ids): the inline one, then each family's managed
        policies in order."""
        return [
            self._default_policy_id,
            *(i for family in FAMILIES for f, _, i in self._managed if f is family),
        ]

    def _too_many(self, why: str) -> ConstructValidationError:
        return ConstructValidationError(
            self,
            [
                f"the handler role of stack {self._stack.stack_name} {why}, with the "
                f"{len(self._apps)} channels and {len(self._roles)} distinct roles granted so "
                "far: put some of these channels in another stack, or pass fewer distinct roles"
            ],
        )
