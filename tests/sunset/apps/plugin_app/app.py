"""A small app for ``cdk synth`` with PinpointEmailInventory (tests/sunset/test_plugin.py).

Context ``mode``: ``report`` (default: a native channel and a sender, findings reported),
``fail`` (the same with ``fail_on_findings=True``), ``ses`` (fully on SES: no finding).
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_pinpoint as pinpoint

from constructs_pinpoint import SesEmailSending
from constructs_pinpoint.email_inventory import PinpointEmailInventory

IDENTITY_ARN = "arn:aws:ses:eu-west-1:111111111111:identity/example.com"
CODE = "def handler(event, context):\n    return None\n"

app = cdk.App()
mode = app.node.try_get_context("mode") or "report"
cdk.Validations.of(app).add_plugins(PinpointEmailInventory(fail_on_findings=mode == "fail"))
stack = cdk.Stack(app, "Messaging", env=cdk.Environment(account="111111111111", region="eu-west-1"))
project = pinpoint.CfnApp(stack, "App", name="orders")
sender = lambda_.Function(
    stack,
    "Sender",
    runtime=lambda_.Runtime.PYTHON_3_14,
    handler="index.handler",
    code=lambda_.Code.from_inline(CODE),
)
if mode == "ses":
    SesEmailSending(
        stack, "Email", from_address="noreply@example.com", identity=IDENTITY_ARN
    ).configure_sender(sender)
else:
    pinpoint.CfnEmailChannel(
        stack,
        "Channel",
        application_id=project.ref,
        from_address="noreply@example.com",
        identity=IDENTITY_ARN,
    )
    sender.add_to_role_policy(
        iam.PolicyStatement(
            actions=["mobiletargeting:SendMessages"], resources=[f"{project.attr_arn}/messages"]
        )
    )
app.synth()
