"""Small apps written the way their users write them, for the inventory to read.

``build_shapes(app)`` adds every shape to one App (one synth for the whole set):

- ``prod/Parent``: a Stage with a stack whose NestedStack ``Inner`` holds a NestedStack
  ``Deeper`` with a function granted ``mobiletargeting:SendMessages``;
- ``Sam``: SAM functions (``AWS::Serverless::Function`` under the SAM transform), one with a
  policy statement and an AWS managed policy about Pinpoint, one with an imported role and the
  ``PinpointEndpointAccessPolicy`` template only;
- ``Shared``: one role with ``mobiletargeting:*`` used by three functions, one with SendMessages
  plus GetEndpoint (narrow: keep GetEndpoint), one with CreateCampaign only (remove), one with
  an ``AWS::IAM::RolePolicy`` granting CreateJourney, and a function granted only GetEndpoint;
- ``Campaigns``: an email campaign, an SMS campaign (not listed), an email template, and an event
  stream of an app whose only channel is email;
- ``Channels`` and ``Senders``: our EmailChannel in one stack, its sender in another;
- ``Imported``: a function whose role is imported by ARN, granted through a policy naming the
  role, and a role with an imported customer managed policy.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_pinpoint as pinpoint

from constructs_pinpoint import EmailChannel, PinpointApp, SesEmailSending

ENV = cdk.Environment(account="111111111111", region="eu-west-1")
IDENTITY_ARN = "arn:aws:ses:eu-west-1:111111111111:identity/example.com"
CODE = "def handler(event, context):\n    return None\n"


def function(scope: Any, id: str, **kwargs: Any) -> lambda_.Function:
    return lambda_.Function(
        scope,
        id,
        runtime=lambda_.Runtime.PYTHON_3_14,
        handler="index.handler",
        code=lambda_.Code.from_inline(CODE),
        **kwargs,
    )


def statement(*actions: str) -> iam.PolicyStatement:
    return iam.PolicyStatement(actions=list(actions), resources=["*"])


def lambda_role(scope: Any, id: str) -> iam.Role:
    return iam.Role(scope, id, assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))


def nested_in_stage(app: cdk.App) -> None:
    stage = cdk.Stage(app, "prod", env=ENV)
    parent = cdk.Stack(stage, "Parent")
    inner = cdk.NestedStack(parent, "Inner")
    deeper = cdk.NestedStack(inner, "Deeper")
    function(deeper, "Notify").add_to_role_policy(statement("mobiletargeting:SendMessages"))


def sam(app: cdk.App) -> None:
    stack = cdk.Stack(app, "Sam", env=ENV)
    stack.add_transform("AWS::Serverless-2016-10-31")
    cdk.CfnResource(
        stack,
        "Mailer",
        type="AWS::Serverless::Function",
        properties={
            "Runtime": "python3.14",
            "Handler": "index.handler",
            "InlineCode": CODE,
            "Policies": [
                {
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": ["mobiletargeting:SendUsersMessages"],
                            "Resource": "*",
                        }
                    ]
                },
                "AWSLambdaBasicExecutionRole",
            ],
        },
    )
    cdk.CfnResource(
        stack,
        "Endpoints",
        type="AWS::Serverless::Function",
        properties={
            "Runtime": "python3.14",
            "Handler": "index.handler",
            "InlineCode": CODE,
            "Policies": [{"PinpointEndpointAccessPolicy": {"PinpointApplicationId": "abc"}}],
        },
    )


def shared_roles(app: cdk.App) -> None:
    stack = cdk.Stack(app, "Shared", env=ENV)
    everything = lambda_role(stack, "MessagingRole")
    everything.add_to_policy(statement("mobiletargeting:*"))
    for name in ("Orders", "Invoices", "Reminders"):
        function(stack, name, role=everything)
    mixed = lambda_role(stack, "MixedRole")
    mixed.add_to_policy(statement("mobiletargeting:SendMessages", "mobiletargeting:GetEndpoint"))
    function(stack, "Alerts", role=mixed)
    function(stack, "Digest", role=mixed)
    campaigns = lambda_role(stack, "CampaignRole")
    campaigns.add_to_policy(statement("mobiletargeting:CreateCampaign"))
    function(stack, "Scheduler", role=campaigns)
    journeys = lambda_role(stack, "JourneyRole")
    iam.CfnRolePolicy(
        stack,
        "JourneyPolicy",
        role_name=journeys.role_name,
        policy_name="journeys",
        policy_document={
            "Statement": [
                {"Effect": "Allow", "Action": "mobiletargeting:CreateJourney", "Resource": "*"}
            ]
        },
    )
    function(stack, "Journeys", role=journeys)
    function(stack, "Lookup").add_to_role_policy(statement("mobiletargeting:GetEndpoint"))


def campaigns(app: cdk.App) -> None:
    stack = cdk.Stack(app, "Campaigns", env=ENV)
    project = pinpoint.CfnApp(stack, "App", name="news")
    segment = pinpoint.CfnSegment(stack, "Everyone", application_id=project.ref, name="all")
    schedule = pinpoint.CfnCampaign.ScheduleProperty(start_time="IMMEDIATE")
    pinpoint.CfnCampaign(
        stack,
        "Newsletter",
        application_id=project.ref,
        name="newsletter",
        segment_id=segment.attr_segment_id,
        schedule=schedule,
        message_configuration=pinpoint.CfnCampaign.MessageConfigurationProperty(
            email_message=pinpoint.CfnCampaign.CampaignEmailMessageProperty(
                title="News", html_body="<p>News</p>", from_address="news@example.com"
            )
        ),
    )
    pinpoint.CfnCampaign(
        stack,
        "TextAlert",
        application_id=project.ref,
        name="sms",
        segment_id=segment.attr_segment_id,
        schedule=schedule,
        message_configuration=pinpoint.CfnCampaign.MessageConfigurationProperty(
            sms_message=pinpoint.CfnCampaign.CampaignSmsMessageProperty(body="hi")
        ),
    )
    pinpoint.CfnEmailTemplate(
        stack, "Welcome", template_name="welcome", subject="Welcome", html_part="<p>Hi</p>"
    )
    pinpoint.CfnEmailChannel(
        stack,
        "Channel",
        application_id=project.ref,
        from_address="news@example.com",
        identity=IDENTITY_ARN,
    )
    pinpoint.CfnEventStream(
        stack,
        "Events",
        application_id=project.ref,
        destination_stream_arn="arn:aws:kinesis:eu-west-1:111111111111:stream/events",
        role_arn="arn:aws:iam::111111111111:role/pinpoint-events",
    )
    # An app with SMS too: its event stream carries SMS events and stays.
    texts = pinpoint.CfnApp(stack, "Texts", name="texts")
    pinpoint.CfnSMSChannel(stack, "Sms", application_id=texts.ref)
    pinpoint.CfnEmailChannel(
        stack,
        "TextsEmail",
        application_id=texts.ref,
        from_address="texts@example.com",
        identity=IDENTITY_ARN,
    )
    pinpoint.CfnEventStream(
        stack,
        "TextEvents",
        application_id=texts.ref,
        destination_stream_arn="arn:aws:kinesis:eu-west-1:111111111111:stream/texts",
        role_arn="arn:aws:iam::111111111111:role/pinpoint-events",
    )


def channel_and_senders(app: cdk.App) -> None:
    channels = cdk.Stack(app, "Channels", env=ENV)
    messaging = PinpointApp(channels, "Messaging", app_name="orders")
    channel = EmailChannel(
        channels,
        "Email",
        application=messaging,
        from_address="noreply@example.com",
        identity=IDENTITY_ARN,
    )
    senders = cdk.Stack(app, "Senders", env=ENV)
    channel.configure_sender(function(senders, "Confirm"))


def imported(app: cdk.App) -> None:
    stack = cdk.Stack(app, "Imported", env=ENV)
    role = iam.Role.from_role_arn(
        stack, "TeamRole", "arn:aws:iam::111111111111:role/team/mailer", mutable=True
    )
    iam.Policy(stack, "TeamSend", roles=[role], statements=[statement("mobiletargeting:Send*")])
    function(stack, "TeamMailer", role=role)
    managed = lambda_role(stack, "ManagedRole")
    managed.add_managed_policy(
        iam.ManagedPolicy.from_managed_policy_arn(
            stack, "TeamPolicy", "arn:aws:iam::111111111111:policy/team-messaging"
        )
    )
    function(stack, "Managed", role=managed)


def build_shapes(app: cdk.App) -> None:
    nested_in_stage(app)
    sam(app)
    shared_roles(app)
    campaigns(app)
    channel_and_senders(app)
    imported(app)


def build_moved(app: cdk.App) -> None:
    """The end state: SesEmailSending wires the sender, the Pinpoint app alone remains."""
    stack = cdk.Stack(app, "Orders", env=ENV)
    PinpointApp(stack, "App", app_name="orders")
    sending = SesEmailSending(
        stack, "Email", from_address="noreply@example.com", identity=IDENTITY_ARN
    )
    sending.configure_sender(function(stack, "Sender"))
    # SMS goes on through Pinpoint: a grant of surviving actions is not a finding.
    function(stack, "Texts").add_to_role_policy(
        statement("mobiletargeting:GetEndpoint", "mobiletargeting:UpdateSmsChannel")
    )
