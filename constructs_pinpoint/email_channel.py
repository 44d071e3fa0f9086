"""The email channel of a Pinpoint application, as ``Custom::PinpointEmailChannel``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_ses as ses
from constructs import Construct

from . import _validation as check
from ._errors import ConstructValidationError
from ._provider import SERVICE_TIMEOUT, EmailChannelProvider
from ._stack_facts import StackFacts, stack_facts
from .email_sending import (
    SenderWiring,
    configuration_set_name_of,
    identity_arn_and_name,
    sender_environment_for,
    ses_send_grant,
)
from .pinpoint_app import IPinpointApp
from .sending.config import DeliveryBackend

RESOURCE_TYPE = "Custom::PinpointEmailChannel"
CROSS_ACCOUNT_ROLE_WARNING = "constructs-pinpoint:crossAccountRole"


class EmailChannel(cdk.Resource, SenderWiring):
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
        self._application_id = application.application_id
        self.from_address = from_address
        self.delivery_backend = DeliveryBackend(delivery_backend)
        self.identity_arn, identity_name = identity_arn_and_name(identity)
        self.configuration_set_name = configuration_set_name_of(configuration_set)
        facts = stack_facts(self)
        self._validate(facts, identity_name, role, orchestration_sending_role)

        provider = EmailChannelProvider.of(facts.stack)
        provider.allow_channel(application.application_arn)
        properties: dict[str, object] = {
            "ApplicationId": self._application_id,
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
        self,
        facts: StackFacts,
        identity_name: str | None,
        role: iam.IRole | None,
        sending_role: iam.IRole | None,
    ) -> None:
        problems = check.sending_problems(
            facts.region,
            facts.account,
            self.from_address,
            self.identity_arn,
            identity_name,
            self.configuration_set_name,
        )
        problems += self._duplicate_problems(facts.channels)
        if problems:
            raise ConstructValidationError(self, problems)
        for prop, passed in (("role", role), ("orchestration_sending_role", sending_role)):
            self._warn_cross_account(prop, passed, facts.account)

    def _duplicate_problems(self, channels: dict[str, Any]) -> list[str]:
        other = channels.get(self._application_id)
        if other is not None:
            return [
                f"application {_describe_app(self.application)} already has the email channel "
                f"{other.node.path}: an app has one email channel, and two would overwrite each "
                "other; remove one, or give it its own application"
            ]
        channels[self._application_id] = self
        return []

    def _warn_cross_account(
        self, prop: str, role: iam.IRole | None, stack_account: str | None
    ) -> None:
        if role is None or stack_account is None:
            return
        role_account = role.env.account
        if check.unresolved(role_account):
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
        return ses_send_grant(self, grantee, self.identity_arn, self.configuration_set_name)

    def sender_environment(self) -> Mapping[str, str]:
        """The variables ``constructs_pinpoint.sending.sender_from_environment`` reads."""
        return sender_environment_for(
            self.delivery_backend,
            from_address=self.from_address,
            identity_arn=self.identity_arn,
            configuration_set=self.configuration_set_name,
            application_id=self._application_id,
        )


def _describe_app(application: IPinpointApp) -> str:
    if check.unresolved(application.application_id):
        return application.node.path
    return repr(application.application_id)
