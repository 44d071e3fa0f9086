"""A consumer's app, as a user writes it against the installed wheel: every construct once.

tests/ends synthesizes it with the real CDK CLI on each end of the supported aws-cdk-lib range.
"""

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_pinpoint as pinpoint
from aws_cdk import aws_ses as ses

from constructs_pinpoint import (
    END_OF_SUPPORT_WARNING,
    HANDLER_RUNTIME,
    DeliveryBackend,
    EmailChannel,
    PinpointApp,
    RetainEmailChannels,
    SesEmailSending,
)

SENDER_CODE = """
from constructs_pinpoint.sending import EmailMessage, sender_from_environment

sender = sender_from_environment()


def handler(event, context):
    message = EmailMessage(subject="Hello", text_body="Hello!")
    return [r.status.value for r in sender.send_to_addresses(message, [event["email"]])]
"""

app = cdk.App()
cdk.Aspects.of(app).add(RetainEmailChannels())
stack = cdk.Stack(app, "Consumer", env=cdk.Environment(account="111111111111", region="eu-west-1"))
# Per stack: aws-cdk-lib 2.230 and older ignore an acknowledgment made on the App itself.
cdk.Annotations.of(stack).acknowledge_warning(END_OF_SUPPORT_WARNING, "moving to SES: TICKET-42")

created = PinpointApp(stack, "Messaging")
imported = PinpointApp.from_application_id(stack, "Legacy", "0123456789abcdef0123456789abcdef")
by_arn = PinpointApp.from_application_arn(
    stack,
    "ByArn",
    "arn:aws:mobiletargeting:eu-west-1:111111111111:apps/fedcba9876543210fedcba9876543210",
)
# An import becomes a construct when jsii first needs it, with this end of aws-cdk-lib too.
assert cdk.Stack.of(by_arn) is stack and stack.node.find_child("ByArn") is by_arn
identity = ses.EmailIdentity(stack, "Identity", identity=ses.Identity.domain("example.com"))
configuration_set = ses.ConfigurationSet(stack, "Events")
events_role = iam.Role(
    stack, "EventsRole", assumed_by=iam.ServicePrincipal("pinpoint.amazonaws.com")
)

EmailChannel(
    stack,
    "Email",
    application=created,
    from_address="Example <noreply@example.com>",
    identity=identity,
    configuration_set=configuration_set,
    role=events_role,
    delivery_backend=DeliveryBackend.SES_V2,
)
legacy = EmailChannel(
    stack,
    "LegacyEmail",
    application=imported,
    from_address="noreply@example.com",
    identity="arn:aws:ses:eu-west-1:111111111111:identity/example.com",
    strict_delete=True,
    removal_policy=cdk.RemovalPolicy.RETAIN,
)
EmailChannel(
    stack,
    "ByArnEmail",
    application=by_arn,
    from_address="noreply@example.com",
    identity="arn:aws:ses:eu-west-1:111111111111:identity/example.com",
    enabled=False,
)
pinpoint.CfnEmailChannel(
    stack,
    "Native",
    application_id="00112233445566778899aabbccddeeff",
    from_address="noreply@example.org",
    identity="arn:aws:ses:eu-west-1:111111111111:identity/example.org",
)

log_group = logs.LogGroup(stack, "SenderLogs", retention=logs.RetentionDays.ONE_MONTH)
sender = lambda_.Function(
    stack,
    "Sender",
    runtime=HANDLER_RUNTIME,
    handler="index.handler",
    code=lambda_.Code.from_inline(SENDER_CODE),
    log_group=log_group,
)
legacy.configure_sender(sender)

ses_only = SesEmailSending(
    stack,
    "SesOnly",
    from_address="noreply@example.com",
    identity="arn:aws:ses:eu-west-1:111111111111:identity/example.com",
)
ses_sender = lambda_.Function(
    stack,
    "SesSender",
    runtime=HANDLER_RUNTIME,
    handler="index.handler",
    code=lambda_.Code.from_inline(SENDER_CODE),
)
ses_only.configure_sender(ses_sender)

app.synth()
