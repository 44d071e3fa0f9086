"""The example app's stacks: one self-contained stack (the embedded default), and the two stacks
of a deployment environment -- ``Messaging`` (shared: the Pinpoint app, SES identity and
configuration set) and ``Channels`` (the email channel on that app).

Cross-stack wiring without exports: ``Messaging`` writes the application id to an SSM parameter,
and ``Channels`` reads it at deploy time (a ``AWS::SSM::Parameter::Value<String>`` template
parameter) and imports the app with ``PinpointApp.from_application_id``. No ``Fn::ImportValue``
ties the stacks, so either can change or be removed without the "deadly embrace" of an export in
use; ``Channels`` depends on ``Messaging`` so it deploys after (and is destroyed before) it.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_ses as ses
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from constructs_pinpoint import (
    END_OF_SUPPORT_WARNING,
    EmailChannel,
    IPinpointApp,
    PinpointApp,
    SenderWiring,
)

from .config import DEFAULT_ENVIRONMENT, EnvironmentConfig
from .sender_function import OrderConfirmationFunction

# The example keeps its channels on the Pinpoint backend to show the move to SES step by step
# (docs/moving-to-ses.md); a deployed app moves (delivery_backend=DeliveryBackend.SES_V2) instead.
STILL_ON_PINPOINT = (
    "example app: shows the Pinpoint backend and the move to SES (docs/moving-to-ses.md)"
)


def _events_role(scope: Construct) -> iam.Role:
    return iam.Role(
        scope,
        "EmailEventsRole",
        assumed_by=iam.ServicePrincipal("pinpoint.amazonaws.com"),
        description="Lets Pinpoint submit email events of the orders app",
    )


class OrdersEmailStack(cdk.Stack):
    """Everything in one stack: a Pinpoint app, its SES identity and configuration set, and its
    email channel. With the default configuration it is environment-agnostic."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        config: EnvironmentConfig = DEFAULT_ENVIRONMENT,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, id, env=config.env, **kwargs)
        messaging: IPinpointApp = (
            PinpointApp.from_application_id(self, "Messaging", config.application_id)
            if config.application_id
            else PinpointApp(self, "Messaging", app_name=config.app_name)
        )
        identity: str | ses.IEmailIdentity = (
            config.identity
            if config.identity_is_arn
            else ses.EmailIdentity(self, "Domain", identity=ses.Identity.domain(config.identity))
        )
        config_set = ses.ConfigurationSet(
            self, "ConfigSet", configuration_set_name=config.configuration_set
        )
        self.channel = EmailChannel(
            self,
            "Email",
            application=messaging,
            from_address=config.from_address,
            identity=identity,
            configuration_set=config_set,
            role=_events_role(self),
            removal_policy=config.removal_policy,
        )
        cdk.Annotations.of(self).acknowledge_warning(END_OF_SUPPORT_WARNING, STILL_ON_PINPOINT)


class OrderConfirmationStack(cdk.Stack):
    """A service that sends email, kept apart from the messaging infrastructure: its function
    sends through whatever backend ``sending`` selects (Pinpoint or SES v2)."""

    def __init__(self, scope: Construct, id: str, *, sending: SenderWiring, **kwargs: Any) -> None:
        super().__init__(scope, id, **kwargs)
        # Strong, stated rather than left to the flag (cdk.json's recommended flags say weak,
        # aws-cdk-lib's default says strong): the function sends with the app, identity and
        # configuration set of the channel's stack, so CloudFormation must refuse to delete them
        # while this stack imports them. It also keeps the exports already deployed: a move to
        # weak goes through BOTH, one deploy each (aws-cdk-lib README, "Reference strength").
        cdk.CrossStackReferences.of(self).consume(cdk.ReferenceStrength.STRONG)
        self.order_confirmation = OrderConfirmationFunction(
            self, "OrderConfirmation", sending=sending
        )


class MessagingStack(cdk.Stack):
    """Shared resources of one environment: the Pinpoint app (unless an existing one is used),
    the SES domain identity (unless given as an ARN) and the SES configuration set."""

    def __init__(
        self, scope: Construct, id: str, *, config: EnvironmentConfig, **kwargs: Any
    ) -> None:
        super().__init__(scope, id, **kwargs)
        retained: list[cdk.Resource] = []
        self.application: PinpointApp | None = None
        self.application_id_parameter: ssm.StringParameter | None = None
        if config.application_id is None:
            self.application = PinpointApp(self, "Messaging", app_name=config.app_name)
            self.application.resource.apply_removal_policy(config.removal_policy)
            self.application_id_parameter = ssm.StringParameter(
                self,
                "ApplicationId",
                parameter_name=config.application_id_parameter,
                string_value=self.application.application_id,
                description=f"Pinpoint application id of the orders app ({config.name})",
            )
        if not config.identity_is_arn:
            retained.append(
                ses.EmailIdentity(self, "Domain", identity=ses.Identity.domain(config.identity))
            )
        self.configuration_set = ses.ConfigurationSet(
            self, "ConfigSet", configuration_set_name=config.configuration_set
        )
        retained.append(self.configuration_set)
        for resource in retained:
            resource.apply_removal_policy(config.removal_policy)


class ChannelsStack(cdk.Stack):
    """The email channel of one environment, on the application the ``Messaging`` stack made
    (its id read from SSM at deploy time) or on an existing one (``application_id``)."""

    def __init__(
        self, scope: Construct, id: str, *, config: EnvironmentConfig, **kwargs: Any
    ) -> None:
        super().__init__(scope, id, **kwargs)
        application_id = config.application_id or ssm.StringParameter.value_for_string_parameter(
            self, config.application_id_parameter
        )
        self.application = PinpointApp.from_application_id(self, "Messaging", application_id)
        identity: str | ses.IEmailIdentity = (
            config.identity
            if config.identity_is_arn
            else ses.EmailIdentity.from_email_identity_name(self, "Domain", config.identity)
        )
        self.channel = EmailChannel(
            self,
            "Email",
            application=self.application,
            from_address=config.from_address,
            identity=identity,
            configuration_set=config.configuration_set,
            role=_events_role(self),
            removal_policy=config.removal_policy,
        )
        cdk.Annotations.of(self).acknowledge_warning(END_OF_SUPPORT_WARNING, STILL_ON_PINPOINT)
