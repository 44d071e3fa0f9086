"""The one handler Lambda per stack behind every ``Custom::PinpointEmailChannel``.

All channels of a stack share this function, its role and one policy. The policy grows one
resource ARN per channel (plus one per distinct role passed), so least privilege holds however
many channels a stack has.
"""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

# The newest Python runtime aws-cdk-lib offers; the handler needs nothing newer than 3.11.
HANDLER_RUNTIME = lambda_.Runtime.PYTHON_3_14
HANDLER_TIMEOUT = cdk.Duration.seconds(60)
# CloudFormation gives up on a silent handler after this; the Lambda timeout stays below it, and
# the handler answers FAILED on its own shortly before its Lambda timeout.
SERVICE_TIMEOUT = cdk.Duration.minutes(5)
LOG_RETENTION = logs.RetentionDays.ONE_YEAR

PROVIDER_ID = "PinpointEmailChannelProvider"
# IAM caps a role's inline policies at 10,240 characters in all and a managed policy at 6,144.
# A channel ARN renders to at most ~105 characters (aws-us-gov): the first channels go inline,
# then one managed policy per 50, so every policy stays under its limit with every channel's
# exact ARN (aws-cdk-lib's own overflow would put them all into one oversized managed policy).
INLINE_CHANNELS = 40
CHANNELS_PER_MANAGED_POLICY = 50
_PACKAGE_DIR = Path(__file__).parent
# Only what the handler calls: it never reads a channel, so no GetEmailChannel.
_CHANNEL_ACTIONS = [
    "mobiletargeting:UpdateEmailChannel",
    "mobiletargeting:DeleteEmailChannel",
]
# Service Authorization Reference, "Actions, resources, and condition keys for Amazon Pinpoint":
# UpdateEmailChannel lists iam:PassRole as a dependent action, and its API operations table gives
# iam:PassedToService = mobiletargeting.amazonaws.com for Pinpoint's PassRole dependencies.
PASSED_TO_SERVICE = "mobiletargeting.amazonaws.com"


def channel_arn(application_arn: str) -> str:
    return f"{application_arn}/channels/email"


class EmailChannelProvider(Construct):
    """Singleton per stack; get it with :meth:`of`."""

    @classmethod
    def of(cls, stack: cdk.Stack) -> EmailChannelProvider:
        existing = stack.node.try_find_child(PROVIDER_ID)
        if isinstance(existing, EmailChannelProvider):
            return existing
        return cls(stack, PROVIDER_ID)

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        self.log_group = logs.LogGroup(
            self,
            "LogGroup",
            retention=LOG_RETENTION,
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="Manages the Pinpoint email channels of this stack",
        )
        self.role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                resources=[self.log_group.log_group_arn],
            )
        )
        self.function = lambda_.Function(
            self,
            "Handler",
            runtime=HANDLER_RUNTIME,
            architecture=lambda_.Architecture.ARM_64,
            handler="handler.entry.on_event",
            code=lambda_.Code.from_asset(
                str(_PACKAGE_DIR),
                # Only the handler package: no CDK code, no bytecode, so the asset hash depends
                # on the handler's source alone.
                exclude=["*", "!handler", "!handler/*.py"],
            ),
            timeout=HANDLER_TIMEOUT,
            memory_size=128,
            role=self.role,
            log_group=self.log_group,
            description="Custom::PinpointEmailChannel handler (Update/DeleteEmailChannel)",
        )
        self.service_token = self.function.function_arn
        default_policy = self.role.node.find_child("DefaultPolicy").node.default_child
        assert isinstance(default_policy, cdk.CfnResource)
        self._policies = [default_policy]
        function_resource = self.function.node.default_child
        assert isinstance(function_resource, cdk.CfnResource)
        self._function_resource = function_resource
        self._depend_on_policies()
        self._channel_statements: list[iam.PolicyStatement] = []
        self._pass_role_statement: iam.PolicyStatement | None = None
        self._channel_arns: set[str] = set()
        self._passed_roles: set[str] = set()

    def _depend_on_policies(self) -> None:
        # The function must wait for every policy of its role. aws-cdk-lib also makes it depend
        # on the role, which the Role GetAtt already orders (cfn-lint W3005): list the policies.
        stack = cdk.Stack.of(self)
        self._function_resource.add_override(
            "DependsOn", [stack.get_logical_id(policy) for policy in self._policies]
        )

    def allow_channel(self, application_arn: str) -> None:
        arn = channel_arn(application_arn)
        if arn in self._channel_arns:
            return
        self._channel_arns.add(arn)
        count = len(self._channel_arns)
        shard = (
            0
            if count <= INLINE_CHANNELS
            else 1 + (count - INLINE_CHANNELS - 1) // CHANNELS_PER_MANAGED_POLICY
        )
        if shard < len(self._channel_statements):
            self._channel_statements[shard].add_resources(arn)
            return
        statement = iam.PolicyStatement(actions=_CHANNEL_ACTIONS, resources=[arn])
        self._channel_statements.append(statement)
        if shard == 0:
            self.role.add_to_principal_policy(statement)
            return
        policy = iam.ManagedPolicy(
            self,
            f"ChannelsPolicy{shard}",
            description=f"Email channels {shard} of the Custom::PinpointEmailChannel handler",
            statements=[statement],
            roles=[self.role],
        )
        resource = policy.node.default_child
        assert isinstance(resource, cdk.CfnResource)
        self._policies.append(resource)
        self._depend_on_policies()

    def allow_pass_role(self, role: iam.IRole) -> None:
        if role.role_arn in self._passed_roles:
            return
        self._passed_roles.add(role.role_arn)
        if self._pass_role_statement is None:
            self._pass_role_statement = iam.PolicyStatement(
                actions=["iam:PassRole"],
                resources=[role.role_arn],
                conditions={"StringEquals": {"iam:PassedToService": PASSED_TO_SERVICE}},
            )
            self.role.add_to_principal_policy(self._pass_role_statement)
        else:
            self._pass_role_statement.add_resources(role.role_arn)
