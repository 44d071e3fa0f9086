"""Wiring a Lambda function to send email: environment, layer and grants, per delivery backend.

``EmailChannel`` wires senders for Pinpoint or SES v2; ``SesEmailSending`` wires SES v2 senders
with no Pinpoint channel at all, the end state of the move to SES.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from constructs import Construct

from . import _validation as check
from ._errors import ConstructValidationError
from ._stack_facts import child_path, stack_facts
from .sending.config import DeliveryBackend, SenderConfig

if TYPE_CHECKING:
    # Imported where used: a channel's path needs none of them, and aws_lambda alone costs
    # ~0.2 s of every synth (a caller passing a Function has imported it already).
    from aws_cdk import aws_iam as iam
    from aws_cdk import aws_lambda as lambda_
    from aws_cdk import aws_ses as ses

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
        from aws_cdk import aws_lambda as lambda_

        from ._sending_layer import SendingLayer

        if not isinstance(function, lambda_.Function):
            raise TypeError(
                f"configure_sender({function!r}): {type(function).__name__} is not a "
                "lambda_.Function of this app, so its environment and layers cannot be set; pass "
                "the Function you define, or for an imported function set its environment to "
                "sender_environment(), give it the sending layer yourself and call "
                "grant_send(function)"
            )
        for name, value in self.sender_environment().items():
            function.add_environment(name, value)
        function.add_layers(SendingLayer.of(function))
        return self.grant_send(function)


def identity_arn_and_name(identity: str | ses.IEmailIdentity) -> tuple[str, str | None]:
    """The identity's ARN, and its literal email or domain where synth can know it."""
    if isinstance(identity, str):
        return identity, None
    from aws_cdk import aws_ses as ses

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
        resources.append(stack_facts(scope).arn("ses", f"configuration-set/{configuration_set}"))
    from aws_cdk import aws_iam as iam

    return iam.Grant.add_to_principal(
        grantee=grantee, actions=list(SES_SEND_ACTIONS), resource_arns=resources
    )


_PLAIN_VALUES = (str, bytes, int, float, bool, dict, list, tuple, set)


def _is_plain_value(value: object) -> bool:
    """A Python value where a construct or jsii object belongs (jsii interfaces can't be
    isinstance-checked, so a wrong type is told by what it is, not by what it lacks)."""
    return value is None or isinstance(value, _PLAIN_VALUES)


def sender_type_problems(
    from_address: object, identity: object, configuration_set: object
) -> list[str]:
    """Wrong argument types of what senders send from and with, as sentences."""
    problems = []
    if not isinstance(from_address, str):
        problems.append(
            f"from_address {from_address!r} is a {type(from_address).__name__}, not a string: "
            "use 'noreply@example.com' or 'Example Orders <noreply@example.com>'"
        )
    if not isinstance(identity, str) and _is_plain_value(identity):
        problems.append(
            f"identity {identity!r} is a {type(identity).__name__}: pass an ses.IEmailIdentity "
            "or its ARN string, e.g. 'arn:aws:ses:eu-west-1:111111111111:identity/example.com'"
        )
    if (
        configuration_set is not None
        and not isinstance(configuration_set, str)
        and _is_plain_value(configuration_set)
    ):
        problems.append(
            f"configuration_set {configuration_set!r} is a {type(configuration_set).__name__}: "
            "pass an ses.IConfigurationSet or its name"
        )
    return problems


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
        path = child_path(scope, id)
        problems = sender_type_problems(from_address, identity, configuration_set)
        if problems:
            raise ConstructValidationError(path, problems)
        identity_arn, identity_name = identity_arn_and_name(identity)
        configuration_set_name = configuration_set_name_of(configuration_set)
        facts = stack_facts(scope)
        problems = check.ses_sending_problems(
            facts.region,
            facts.account,
            from_address,
            identity_arn,
            identity_name,
            configuration_set_name,
        )
        if problems:
            raise ConstructValidationError(path, problems)
        super().__init__(scope, id)
        self.from_address = from_address
        self.identity_arn = identity_arn
        self.configuration_set_name = configuration_set_name

    def grant_send(self, grantee: iam.IGrantable) -> iam.Grant:
        return ses_send_grant(self, grantee, self.identity_arn, self.configuration_set_name)

    def sender_environment(self) -> Mapping[str, str]:
        return SenderConfig(
            backend=DeliveryBackend.SES_V2,
            from_address=self.from_address,
            identity_arn=self.identity_arn,
            configuration_set=self.configuration_set_name,
        ).to_environ()
