"""Wiring a Lambda function to send email: environment, layer and grants, per delivery backend.

``EmailChannel`` wires senders for Pinpoint or SES v2; ``SesEmailSending`` wires SES v2 senders
with no Pinpoint channel at all, the end state of the move to SES. Both share one home for the
grant, the sender environment and the wiring checks: :class:`SenderWiring`.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from constructs import Construct

from . import _validation as check
from ._errors import ConstructValidationError
from ._iam import literal_resource
from ._stack_facts import StackFacts, child_path, stack_facts
from .sending.config import DeliveryBackend, SenderConfig

if TYPE_CHECKING:
    # Imported where used: a channel's path needs none of them, and aws_lambda alone costs
    # ~0.2 s of every synth (a caller passing a Function has imported it already).
    from aws_cdk import aws_iam as iam
    from aws_cdk import aws_lambda as lambda_
    from aws_cdk import aws_ses as ses

    from .pinpoint_app import IPinpointApp

# What the SES v2 sender calls: SendEmail (plain and raw messages) and SendBulkEmail (personalized
# messages, 50 recipients a call), on the identity and the configuration set.
SES_SEND_ACTIONS = ("ses:SendEmail", "ses:SendRawEmail", "ses:SendBulkEmail")
# The sender reads the account's SendQuota.MaxSendRate once, to pace itself. GetAccount has no
# resource-level permissions, so its statement names "*": in a policy of its own (SES_QUOTA_POLICY,
# one per role), acknowledged for cdk-nag's AwsSolutions-IAM5 there and nowhere else.
SES_QUOTA_ACTION = "ses:GetAccount"
SES_QUOTA_POLICY = "SesSendQuotaPolicy"
_QUOTA_NAG_FINDING = "AwsSolutions::AwsSolutions-IAM5[Resource::*]"
_QUOTA_REASON = (
    "ses:GetAccount has no resource-level permissions (IAM requires Resource *); the "
    "constructs_pinpoint sender reads SendQuota.MaxSendRate with it to stay under the account's "
    "send rate. This policy holds that one action only."
)
# Functions wired by configure_sender, by construct path: (the wiring, its grant). On the root,
# so a function wired in one stack and again in another is seen.
_ROOT_SENDERS = "_constructs_pinpoint_senders"


class SenderWiring:
    """What a Lambda function needs to send: a grant, the sender environment, the layer.

    One home for both ``EmailChannel`` and ``SesEmailSending``: each constructor sets the
    attributes below, and everything a sender gets is built from them here.

    A plain mixin, not an ``abc.ABC``: its subclasses are jsii classes with their own metaclass.
    """

    delivery_backend: DeliveryBackend
    from_address: str
    identity_arn: str
    configuration_set_name: str | None
    # The Pinpoint application sending goes through (None for SesEmailSending).
    _sender_application: IPinpointApp | None
    _sender_application_id: str | None
    _path: str
    _facts: StackFacts

    def grant_send(self, grantee: iam.IGrantable) -> iam.Grant:
        """Grant what sending through this delivery backend needs, and nothing more.

        A Lambda function of a stack in another region than this one's is refused: the sender
        calls Pinpoint or SES in its function's own region.
        """
        problems = self._sender_region_problems(grantee)
        if problems:
            raise ConstructValidationError(self._path, problems)
        if self.delivery_backend is DeliveryBackend.PINPOINT:
            assert self._sender_application is not None
            return self._sender_application.grant_send_messages(grantee)
        return ses_send_grant(self._facts, grantee, self.identity_arn, self.configuration_set_name)

    def sender_environment(self) -> Mapping[str, str]:
        """The variables ``constructs_pinpoint.sending.sender_from_environment`` reads."""
        return SenderConfig(
            backend=self.delivery_backend,
            application_id=self._sender_application_id,
            from_address=self.from_address,
            identity_arn=self.identity_arn,
            configuration_set=self.configuration_set_name,
        ).to_environ()

    def configure_sender(self, function: lambda_.Function) -> iam.Grant:
        """Make ``function`` a sender: its environment, the grant, and the stack's layer with
        ``constructs_pinpoint.sending`` (call ``sender_from_environment()`` in its code).

        Calling it again with the same function changes nothing and returns the first grant. A
        function has one sender environment: wiring it to a second channel (or to a channel and
        an ``SesEmailSending``) is refused, naming both.
        """
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
        wired = _wired_senders(self._facts)
        function_path = function.node.path
        previous = wired.get(function_path)
        if previous is not None:
            wiring, grant = previous
            if wiring is self:
                return grant
            raise ConstructValidationError(
                self._path,
                [
                    f"function {function_path} is already a sender of {wiring._path} "
                    "(configure_sender was called for it there): a function has one sender "
                    "environment, and wiring it here too would overwrite the first one's "
                    f"variables; give {self._path} its own function, or call configure_sender "
                    "once per function"
                ],
            )
        problems = self._sender_region_problems(function)
        if problems:
            raise ConstructValidationError(self._path, problems)
        for name, value in self.sender_environment().items():
            function.add_environment(name, value)
        function.add_layers(SendingLayer.of(function))
        grant = self.grant_send(function)
        wired[function_path] = (self, grant)
        return grant

    def _sender_region_problems(self, grantee: object) -> list[str]:
        """A Lambda function of another region than this construct's stack, as a sentence."""
        # Only a Lambda function runs the sender; a caller passing one has imported aws_lambda.
        lambda_module: Any = sys.modules.get("aws_cdk.aws_lambda")
        if lambda_module is None or not isinstance(grantee, lambda_module.FunctionBase):
            return []
        region: str = grantee.env.region
        own = self._facts
        known = not check.unresolved(region)
        if not known or own.region is None:
            if known:
                check.note_uncompared(own, f"the region of the sender function {grantee.node.path}")
            elif own.region is not None:
                check.note_uncompared(
                    stack_facts(grantee),
                    f"the region of the sender function {grantee.node.path}, wired to "
                    f"{self._path} in {own.region}",
                )
            return []
        if region == own.region:
            return []
        pinpoint = self.delivery_backend is DeliveryBackend.PINPOINT
        service, what, kind = (
            ("Pinpoint", "its application", "an EmailChannel")
            if pinpoint
            else ("SES", "its identity", "an EmailChannel or SesEmailSending")
        )
        return [
            f"sender function {grantee.node.path} is in stack {stack_facts(grantee).path} (region "
            f"{region}), but {self._path} is in stack {own.path} (region {own.region}): the "
            f"sender calls {service} in its function's own region, and {what} is in "
            f"{own.region}; define the function in a stack of {own.region}, or wire it to "
            f"{kind} of a stack in {region}"
        ]


def _wired_senders(facts: StackFacts) -> dict[str, tuple[SenderWiring, iam.Grant]]:
    root = facts.stack.node.root
    wired: dict[str, tuple[SenderWiring, iam.Grant]] | None = getattr(root, _ROOT_SENDERS, None)
    if wired is None:
        wired = {}
        setattr(root, _ROOT_SENDERS, wired)
    return wired


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
    facts: StackFacts, grantee: iam.IGrantable, identity_arn: str, configuration_set: str | None
) -> iam.Grant:
    """SES_SEND_ACTIONS on exactly the identity and the configuration set (a ``*`` or ``?`` in a
    user-given name is a literal character, never a wildcard), and GetAccount for pacing."""
    resources = [literal_resource(identity_arn)]
    if configuration_set is not None:
        resources.append(
            literal_resource(facts.arn("ses", f"configuration-set/{configuration_set}"))
        )
    from aws_cdk import aws_iam as iam

    grant = iam.Grant.add_to_principal(
        grantee=grantee, actions=list(SES_SEND_ACTIONS), resource_arns=resources
    )
    _grant_send_quota(grantee)
    return grant


def _grant_send_quota(grantee: iam.IGrantable) -> None:
    """GetAccount on "*" in one policy of its own per role, so that cdk-nag's IAM5 finding is
    acknowledged on that statement alone (aws-cdk-lib >= 2.257: Validations); a principal that
    is not a role gets the statement on its own policy."""
    import aws_cdk as cdk
    from aws_cdk import aws_iam as iam

    principal = grantee.grant_principal
    if not isinstance(principal, iam.Role):
        iam.Grant.add_to_principal(grantee=grantee, actions=[SES_QUOTA_ACTION], resource_arns=["*"])
        return
    if principal.node.try_find_child(SES_QUOTA_POLICY) is not None:
        return
    statement = iam.PolicyStatement(actions=[SES_QUOTA_ACTION], resources=["*"])
    policy = iam.Policy(principal, SES_QUOTA_POLICY, statements=[statement], roles=[principal])
    validations = getattr(cdk, "Validations", None)
    if validations is not None:
        validations.of(policy).acknowledge(
            cdk.Acknowledgment(id=_QUOTA_NAG_FINDING, reason=_QUOTA_REASON)
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
        if facts.region is None:
            # Another account's identity is allowed here: only the region is compared.
            check.note_first_literal(facts, path, [("identity", identity_arn)])
        super().__init__(scope, id)
        self.delivery_backend = DeliveryBackend.SES_V2
        self.from_address = from_address
        self.identity_arn = identity_arn
        self.configuration_set_name = configuration_set_name
        self._sender_application = None
        self._sender_application_id = None
        self._path = path
        self._facts = facts
