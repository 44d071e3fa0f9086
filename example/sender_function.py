"""The example's order-confirmation Lambda, with its own role and log group (no managed policy)."""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from constructs_pinpoint import SenderWiring

CODE_DIR = Path(__file__).parent / "order_confirmation"


class OrderConfirmationFunction(Construct):
    def __init__(self, scope: Construct, id: str, *, sending: SenderWiring) -> None:
        super().__init__(scope, id)
        log_group = logs.LogGroup(
            self,
            "LogGroup",
            retention=logs.RetentionDays.ONE_MONTH,
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )
        role = iam.Role(self, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                resources=[log_group.log_group_arn],
            )
        )
        self.function = lambda_.Function(
            self,
            "Function",
            runtime=lambda_.Runtime.PYTHON_3_14,
            architecture=lambda_.Architecture.ARM_64,
            handler="index.handler",
            code=lambda_.Code.from_asset(str(CODE_DIR), exclude=["__pycache__", "*.pyc"]),
            timeout=cdk.Duration.seconds(30),
            role=role,
            log_group=log_group,
            description="Sends order confirmations through constructs_pinpoint.sending",
        )
        sending.configure_sender(self.function)
        # Depend on the policy, not (again) on the role its GetAtt already orders (cfn-lint W3005).
        default_policy = role.node.find_child("DefaultPolicy").node.default_child
        function_resource = self.function.node.default_child
        assert isinstance(default_policy, cdk.CfnResource)
        assert isinstance(function_resource, cdk.CfnResource)
        function_resource.add_override(
            "DependsOn", [cdk.Stack.of(self).get_logical_id(default_policy)]
        )
