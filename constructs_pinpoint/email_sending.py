"""Wiring a Lambda function to send email: environment, layer and grants, per delivery backend.

``EmailChannel`` wires senders for Pinpoint or SES v2; ``SesEmailSending`` wires SES v2 senders
with no Pinpoint channel at all, the end state of the move to SES.
"""

from __future__ import annotations

from collections.abc import Mapping

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_ses as ses
from constructs import Construct

from . import _validation as check
from ._errors import ConstructValidationError
from ._sending_layer import SendingLayer
from ._stack_facts import stack_facts
from .sending.config import (
    ENV_APPLICATION_ID,
    ENV_BACKEND,
    ENV_CONFIGURATION_SET,
    ENV_FROM_ADDRESS,
    ENV_IDENTITY_ARN,
    DeliveryBackend,
)

SES_SEND_ACTIONS = ("ses:SendEmail", "ses:SendRawEmail")


class SenderWiring:
    """What ``configure_sender`` needs: a grant and the sender environment.

    A plain mixin, not an ``abc.ABC``: its subclasses are jsii classes with their own metaclass.
    """

    def grant_send(self, grantee: iam.IGrantable) -> iam.Grant:
        """Grant what sending through this backend needs, and nothing more."""
        raise NotImplementedError

    def sender_environment(self) -> Mapping[str, str]:
        """The variables ``constructs_pinpoint.sending.sender_from_environment`` reads."""
        raise NotImplementedError

    def configure_sender(self, function: lambda_.Function) -> iam.Grant:
        """Make ``function`` a sender: its environment, the grant, and the stack's layer with
        ``constructs_pinpoint.sending`` (call ``sender_from_environment()`` in its code)."""
        for name, value in self.sender_environment().items():
            function.add_environment(name, value)
        function.add_layers(SendingLayer.of(function))
        return self.grant_send(function)


def sender_environment_for(
    backend: DeliveryBackend,
    *,
    from_address: str,
    identity_arn: str,
    configuration_set: str | None,
    application_id: str | None = None,
) -> dict[str, str]:
    """The sender variables of one backend. SES v2 gets no application id, so a sender wired by
    an SES-backed channel and one wired by ``SesEmailSending`` see the same environment."""
    environment = {
        ENV_BACKEND: backend.value,
        ENV_FROM_ADDRESS: from_address,
        ENV_IDENTITY_ARN: identity_arn,
    }
    if backend is DeliveryBackend.PINPOINT:
        if application_id is None:
            raise ValueError("the Pinpoint backend needs an application id")
        environment[ENV_APPLICATION_ID] = application_id
    if configuration_set is not None:
        environment[ENV_CONFIGURATION_SET] = configuration_set
    return environment


def identity_arn_and_name(identity: str | ses.IEmailIdentity) -> tuple[str, str | None]:
    """The identity's ARN, and its literal email or domain where synth can know it."""
    if isinstance(identity, str):
        return identity, None
    name: str | None = identity.email_identity_name
    if check.unresolved(name) and isinstance(identity, ses.EmailIdentity):
        # A new identity's name is a Ref; its CfnEmailIdentity still holds the literal.
        cfn = identity.node.default_child
        if isinstance(cfn, ses.CfnEmailIdentity):
            name = cfn.email_identity
    return identity.email_identity_arn, name


def configuration_set_name_of(configuration_set: str | ses.IConfigurationSet | None) -> str | None:
    if configuration_set is None or isinstance(configuration_set, str):
        return configuration_set
    return configuration_set.configuration_set_name


def ses_send_grant(
    scope: Construct, grantee: iam.IGrantable, identity_arn: str, configuration_set: str | None
) -> iam.Grant:
    resources = [identity_arn]
    if configuration_set is not None:
        resources.append(
            cdk.Stack.of(scope).format_arn(
                service="ses", resource="configuration-set", resource_name=configuration_set
            )
        )
    return iam.Grant.add_to_principal(
        grantee=grantee, actions=list(SES_SEND_ACTIONS), resource_arns=resources
    )


class SesEmailSending(Construct, SenderWiring):
    """Senders that use SES v2 directly, with no Pinpoint channel. Creates no resources.

    :param from_address: The verified address to send from, ``addr`` or ``Name <addr>``.
    :param identity: The SES identity to send with: an ``ses.IEmailIdentity`` or its ARN.
    :param configuration_set: The SES configuration set, or its NAME. Default: none.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        from_address: str,
        identity: str | ses.IEmailIdentity,
        configuration_set: str | ses.IConfigurationSet | None = None,
    ) -> None:
        super().__init__(scope, id)
        self.from_address = from_address
        self.identity_arn, identity_name = identity_arn_and_name(identity)
        self.configuration_set_name = configuration_set_name_of(configuration_set)
        facts = stack_facts(self)
        problems = check.sending_problems(
            facts.region,
            facts.account,
            self.from_address,
            self.identity_arn,
            identity_name,
            self.configuration_set_name,
        )
        if problems:
            raise ConstructValidationError(self, problems)

    def grant_send(self, grantee: iam.IGrantable) -> iam.Grant:
        return ses_send_grant(self, grantee, self.identity_arn, self.configuration_set_name)

    def sender_environment(self) -> Mapping[str, str]:
        return sender_environment_for(
            DeliveryBackend.SES_V2,
            from_address=self.from_address,
            identity_arn=self.identity_arn,
            configuration_set=self.configuration_set_name,
        )
