"""The email channel of a Pinpoint application, as ``Custom::PinpointEmailChannel``."""

from __future__ import annotations

from collections.abc import Mapping

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_ses as ses
from constructs import Construct

from . import _validation as check
from ._errors import ConstructValidationError
from ._provider import SERVICE_TIMEOUT, EmailChannelProvider
from ._sending_layer import SendingLayer
from .pinpoint_app import IPinpointApp
from .sending.config import (
    ENV_APPLICATION_ID,
    ENV_BACKEND,
    ENV_CONFIGURATION_SET,
    ENV_FROM_ADDRESS,
    ENV_IDENTITY_ARN,
    DeliveryBackend,
)

RESOURCE_TYPE = "Custom::PinpointEmailChannel"
SES_SEND_ACTIONS = ("ses:SendEmail", "ses:SendRawEmail")
CROSS_ACCOUNT_ROLE_WARNING = "constructs-pinpoint:crossAccountRole"

# Channels already declared per application, kept on the root of the construct tree: two
# channels on one app would overwrite each other's settings on every deploy.
_REGISTRY_ATTRIBUTE = "_constructs_pinpoint_email_channels"


class EmailChannel(cdk.Resource):
    """The email channel of a Pinpoint application, wired to SES resources.

    Backed by ``Custom::PinpointEmailChannel`` (child id ``Resource``) and one handler Lambda per
    stack, which calls UpdateEmailChannel on Create/Update and DeleteEmailChannel on Delete.

    :param application: The Pinpoint application whose email channel this is.
    :param from_address: The verified address to send from, ``addr`` or ``Name <addr>``.
    :param identity: The SES identity to send with: an ``ses.IEmailIdentity`` or its ARN.
    :param configuration_set: The SES configuration set, or its NAME. Default: none.
    :param role: The role Pinpoint assumes to submit email events (RoleArn). Default: none.
    :param orchestration_sending_role: The role Pinpoint uses to send campaign and journey email
        through SES (OrchestrationSendingRoleArn). Default: none.
    :param enabled: Whether the channel is enabled. Default: True.
    :param removal_policy: DESTROY deletes the channel with the resource; RETAIN leaves it as it
        is (DeletionPolicy and UpdateReplacePolicy Retain: the handler is not even invoked).
        Default: DESTROY.
    :param delivery_backend: What the sending code uses: Pinpoint SendMessages, or SES v2
        SendEmail through the same identity and configuration set. Changes grants and sender
        environment only. Default: ``DeliveryBackend.PINPOINT``.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        application: IPinpointApp,
        from_address: str,
        identity: str | ses.IEmailIdentity,
        configuration_set: str | ses.IConfigurationSet | None = None,
        role: iam.IRole | None = None,
        orchestration_sending_role: iam.IRole | None = None,
        enabled: bool = True,
        removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.DESTROY,
        delivery_backend: DeliveryBackend = DeliveryBackend.PINPOINT,
    ) -> None:
        super().__init__(scope, id)
        self.application = application
        self.from_address = from_address
        self.delivery_backend = DeliveryBackend(delivery_backend)
        self.identity_arn, identity_name = _identity_arn_and_name(identity)
        self.configuration_set_name = (
            configuration_set
            if configuration_set is None or isinstance(configuration_set, str)
            else configuration_set.configuration_set_name
        )
        self._validate(identity_name, role, orchestration_sending_role)

        provider = EmailChannelProvider.of(self)
        provider.allow_channel(application.application_arn)
        properties: dict[str, object] = {
            "ApplicationId": application.application_id,
            "FromAddress": from_address,
            "Identity": self.identity_arn,
            "Enabled": enabled,
        }
        if self.configuration_set_name is not None:
            properties["ConfigurationSet"] = self.configuration_set_name
        for name, passed in (
            ("RoleArn", role),
            ("OrchestrationSendingRoleArn", orchestration_sending_role),
        ):
            if passed is not None:
                properties[name] = passed.role_arn
                provider.allow_pass_role(passed)
        self.resource = cdk.CustomResource(
            self,
            "Resource",
            service_token=provider.service_token,
            resource_type=RESOURCE_TYPE,
            properties=properties,
            removal_policy=removal_policy,
            service_timeout=SERVICE_TIMEOUT,
        )

    @property
    def attr_messages_per_second(self) -> str:
        """Maximum messages per second the channel can send (from UpdateEmailChannel)."""
        return self.resource.get_att_string("MessagesPerSecond")

    @property
    def attr_version(self) -> str:
        """The channel's current version (from UpdateEmailChannel)."""
        return self.resource.get_att_string("Version")

    @property
    def application_id(self) -> str:
        return self.resource.ref

    def _validate(
        self, identity_name: str | None, role: iam.IRole | None, sending_role: iam.IRole | None
    ) -> None:
        problems: list[str] = []
        address: str | None = None
        if not check.unresolved(self.from_address):
            address, found = check.from_address_problems(self.from_address)
            problems += found
        if not check.unresolved(self.identity_arn):
            parsed, found = check.parse_identity_arn(self.identity_arn)
            problems += found
            if parsed is not None:
                identity_name = parsed.name
                problems += check.environment_problems(parsed, cdk.Stack.of(self))
        if address is not None and identity_name is not None and not check.unresolved(identity_name):
            problems += check.coverage_problems(address, identity_name)
        if self.configuration_set_name is not None and not check.unresolved(
            self.configuration_set_name
        ):
            problems += check.configuration_set_problems(self.configuration_set_name)
        problems += self._duplicate_problems()
        if problems:
            raise ConstructValidationError(self, problems)
        for prop, passed in (("role", role), ("orchestration_sending_role", sending_role)):
            self._warn_cross_account(prop, passed)

    def _duplicate_problems(self) -> list[str]:
        root = self.node.root
        channels: dict[str, str] | None = getattr(root, _REGISTRY_ATTRIBUTE, None)
        if channels is None:
            channels = {}
            setattr(root, _REGISTRY_ATTRIBUTE, channels)
        application_id = self.application.application_id
        other = channels.get(application_id)
        if other is not None:
            return [
                f"application {_describe_app(self.application)} already has the email channel "
                f"{other}: an app has one email channel, and two would overwrite each other; "
                "remove one, or give it its own application"
            ]
        channels[application_id] = self.node.path
        return []

    def _warn_cross_account(self, prop: str, role: iam.IRole | None) -> None:
        if role is None:
            return
        role_account, stack_account = role.env.account, cdk.Stack.of(self).account
        if check.unresolved(role_account) or check.unresolved(stack_account):
            return
        if role_account != stack_account:
            cdk.Annotations.of(self).add_warning_v2(
                CROSS_ACCOUNT_ROLE_WARNING,
                f"{prop} {role.role_arn} is in account {role_account}, not the stack's account "
                f"{stack_account}: Pinpoint can only assume it if its trust policy allows "
                "pinpoint.amazonaws.com from this account",
            )

    # Sending: the same code sends through Pinpoint or SES v2; only this side changes.

    def grant_send(self, grantee: iam.IGrantable) -> iam.Grant:
        """Grant what sending through this channel's delivery backend needs, and nothing more."""
        if self.delivery_backend is DeliveryBackend.PINPOINT:
            return self.application.grant_send_messages(grantee)
        resources = [self.identity_arn]
        if self.configuration_set_name is not None:
            resources.append(
                cdk.Stack.of(self).format_arn(
                    service="ses",
                    resource="configuration-set",
                    resource_name=self.configuration_set_name,
                )
            )
        return iam.Grant.add_to_principal(
            grantee=grantee, actions=list(SES_SEND_ACTIONS), resource_arns=resources
        )

    def sender_environment(self) -> Mapping[str, str]:
        """The variables ``constructs_pinpoint.sending.sender_from_environment`` reads."""
        environment = {
            ENV_BACKEND: self.delivery_backend.value,
            ENV_APPLICATION_ID: self.application.application_id,
            ENV_FROM_ADDRESS: self.from_address,
            ENV_IDENTITY_ARN: self.identity_arn,
        }
        if self.configuration_set_name is not None:
            environment[ENV_CONFIGURATION_SET] = self.configuration_set_name
        return environment

    def configure_sender(self, function: lambda_.Function) -> iam.Grant:
        """Make ``function`` a sender through this channel: its environment, the grant, and the
        stack's layer with ``constructs_pinpoint.sending`` (``sender_from_environment()``)."""
        for name, value in self.sender_environment().items():
            function.add_environment(name, value)
        function.add_layers(SendingLayer.of(function))
        return self.grant_send(function)


def _identity_arn_and_name(identity: str | ses.IEmailIdentity) -> tuple[str, str | None]:
    if isinstance(identity, str):
        return identity, None
    name: str | None = identity.email_identity_name
    if check.unresolved(name) and isinstance(identity, ses.EmailIdentity):
        # A new identity's name is a Ref; its CfnEmailIdentity still holds the literal.
        cfn = identity.node.default_child
        if isinstance(cfn, ses.CfnEmailIdentity):
            name = cfn.email_identity
    return identity.email_identity_arn, name


def _describe_app(application: IPinpointApp) -> str:
    if check.unresolved(application.application_id):
        return application.node.path
    return repr(application.application_id)
