"""The email channel of a Pinpoint application, as ``Custom::PinpointEmailChannel``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import aws_cdk as cdk
import jsii
from constructs import Construct, IConstruct

from . import _validation as check
from ._errors import ConstructValidationError
from ._stack_facts import StackFacts, child_path, stack_facts
from .email_sending import (
    SenderWiring,
    _is_plain_value,
    configuration_set_name_of,
    identity_arn_and_name,
    sender_type_problems,
)
from .handler.contract import (
    DATA_MESSAGES_PER_SECOND,
    DATA_VERSION,
    MOVING_TO_SES_GUIDE_COMMAND,
    PINPOINT_EMAIL_END_OF_SUPPORT,
    PROP_APPLICATION_ID,
    PROP_CONFIGURATION_SET,
    PROP_ENABLED,
    PROP_FROM_ADDRESS,
    PROP_IDENTITY,
    PROP_ORCHESTRATION_SENDING_ROLE_ARN,
    PROP_ROLE_ARN,
    PROP_STRICT_DELETE,
    RESOURCE_TYPE,
    SERVICE_TIMEOUT_SECONDS,
    STRICT_DELETE_ON,
)
from .pinpoint_app import IPinpointApp, _AppGrants
from .sending._text import counted
from .sending.config import DeliveryBackend

if TYPE_CHECKING:
    from aws_cdk import aws_iam as iam
    from aws_cdk import aws_ses as ses

__all__ = ["END_OF_SUPPORT_WARNING", "RESOURCE_TYPE", "EmailChannel"]

END_OF_SUPPORT_WARNING = "constructs-pinpoint:pinpointEmailEndOfSupport"
_REMOVAL_POLICIES = (cdk.RemovalPolicy.DESTROY, cdk.RemovalPolicy.RETAIN)


class EmailChannel(cdk.Resource, SenderWiring):
    """The email channel of a Pinpoint application, wired to SES resources.

    Backed by ``Custom::PinpointEmailChannel`` (child id ``Resource``, a ``cdk.CfnResource``) and
    one handler Lambda per stack, which calls UpdateEmailChannel on Create/Update and
    DeleteEmailChannel on Delete.

    :param application: The Pinpoint application whose email channel this is.
    :param from_address: The verified address to send from, ``addr`` or ``Name <addr>``.
    :param identity: The SES identity to send with: an ``ses.IEmailIdentity`` or its ARN.
    :param configuration_set: The SES configuration set, or its NAME. Default: none.
    :param role: The role Pinpoint assumes to submit email events (RoleArn), of the stack's
        account. Default: none.
    :param orchestration_sending_role: The role Pinpoint uses to send campaign and journey email
        through SES (OrchestrationSendingRoleArn), of the stack's account. Default: none.
    :param enabled: Whether the channel is enabled. Default: True.
    :param removal_policy: DESTROY deletes the channel with the resource (no policy is
        rendered: CloudFormation's default, Delete); RETAIN leaves it as it is (DeletionPolicy and
        UpdateReplacePolicy Retain: the handler is not even invoked). Nothing else: a channel has
        no snapshot. Default: DESTROY.
    :param delivery_backend: What the sending code uses: Pinpoint SendMessages, or SES v2
        SendEmail through the same identity and configuration set. Changes grants and sender
        environment only. Default: ``DeliveryBackend.PINPOINT``, which reached end of support on
        2026-10-30: each stack with such channels gets one synth warning
        (``END_OF_SUPPORT_WARNING``).
    :param strict_delete: What the channel's Delete answers when Pinpoint refuses
        DeleteEmailChannel. False: SUCCESS, the channel left in place as it was (logged, and said
        in the Reason). True: FAILED, as a native ``AWS::Pinpoint::EmailChannel`` does, so the
        stack's delete or the replacement stops in DELETE_FAILED until someone intervenes.
        Default: False, because since Pinpoint's end of support (2026-10-30) such a refusal may
        never go away, and a refused delete must not strand the stack.
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
        strict_delete: bool = False,
    ) -> None:
        problems = _type_problems(
            application=application,
            from_address=from_address,
            identity=identity,
            configuration_set=configuration_set,
            role=role,
            orchestration_sending_role=orchestration_sending_role,
            enabled=enabled,
            removal_policy=removal_policy,
            delivery_backend=delivery_backend,
            strict_delete=strict_delete,
        )
        path = child_path(scope, id)
        if problems:
            raise ConstructValidationError(path, problems)
        facts = stack_facts(scope)
        application_id = application.application_id
        identity_arn, identity_name = identity_arn_and_name(identity)
        configuration_set_name = configuration_set_name_of(configuration_set)
        roles = {
            prop: (name, passed.role_arn)
            for prop, name, passed in (
                ("role", PROP_ROLE_ARN, role),
                (
                    "orchestration_sending_role",
                    PROP_ORCHESTRATION_SENDING_ROLE_ARN,
                    orchestration_sending_role,
                ),
            )
            if passed is not None
        }
        problems = check.sending_problems(
            facts.region,
            facts.account,
            from_address,
            identity_arn,
            identity_name,
            configuration_set_name,
        )
        for prop, (_, role_arn) in roles.items():
            problems += check.role_problems(
                prop, role_arn, region=facts.region, account=facts.account
            )
        problems += _app_environment_problems(application, facts)
        # A literal id names the app; a token app (created, or imported from a token) is known
        # by the very token strings it hands out, its id's and its ARN's.
        app_keys = (
            (application_id,)
            if not check.unresolved(application_id)
            else (application_id, application.application_arn)
        )
        other = next((facts.channels[key] for key in app_keys if key in facts.channels), None)
        if other is not None:
            problems.append(
                f"application {_describe_app(application)} already has the email channel "
                f"{other._path}: an app has one email channel, and two would overwrite each "
                "other; remove one, or give it its own application"
            )
        if problems:
            raise ConstructValidationError(path, problems)
        if facts.region is None or facts.account is None:
            # IAM role ARNs have no region: they are compared by account only.
            check.note_first_literal(
                facts,
                path,
                [("identity", identity_arn)]
                + [(prop, arn) for prop, (_, arn) in roles.items() if facts.account is None],
            )

        super().__init__(scope, id)
        self.application = application
        self._application_id = application_id
        self.from_address = from_address
        self.delivery_backend = DeliveryBackend(delivery_backend)
        self.identity_arn = identity_arn
        self.configuration_set_name = configuration_set_name
        self._sender_application = application
        self._sender_application_id = application_id
        self._path = path
        self._facts = facts
        provider = facts.provider
        properties: dict[str, object] = {
            "ServiceToken": provider.service_token,
            "ServiceTimeout": str(SERVICE_TIMEOUT_SECONDS),
            PROP_APPLICATION_ID: application_id,
            PROP_FROM_ADDRESS: from_address,
            PROP_IDENTITY: identity_arn,
            PROP_ENABLED: enabled,
        }
        if configuration_set_name is not None:
            properties[PROP_CONFIGURATION_SET] = configuration_set_name
        for name, role_arn in roles.values():
            properties[name] = role_arn
            provider.allow_pass_role(role_arn)
        if strict_delete:
            properties[PROP_STRICT_DELETE] = STRICT_DELETE_ON
        provider.allow_channel(application.application_arn)
        self.resource = cdk.CfnResource(self, "Resource", type=RESOURCE_TYPE, properties=properties)
        # DESTROY renders no policy: CloudFormation's default (Delete) is the same.
        if removal_policy is cdk.RemovalPolicy.RETAIN:
            self.resource.apply_removal_policy(removal_policy)
        for key in app_keys:
            facts.channels[key] = self
        if self.delivery_backend is DeliveryBackend.PINPOINT:
            _warn_end_of_support(facts, path, self.resource)

    @property
    def attr_messages_per_second(self) -> str:
        """Maximum messages per second the channel can send (from UpdateEmailChannel)."""
        return cdk.Token.as_string(self.resource.get_att(DATA_MESSAGES_PER_SECOND))

    @property
    def attr_version(self) -> str:
        """The channel's current version (from UpdateEmailChannel)."""
        return cdk.Token.as_string(self.resource.get_att(DATA_VERSION))

    @property
    def application_id(self) -> str:
        """The application id, as the channel's physical id: it orders after the channel."""
        return self.resource.ref

    # Sending (grant_send, sender_environment, configure_sender): SenderWiring builds them from
    # delivery_backend, application, identity and configuration set, for SesEmailSending too.


def _type_problems(
    *,
    application: object,
    from_address: object,
    identity: object,
    configuration_set: object,
    role: object,
    orchestration_sending_role: object,
    enabled: object,
    removal_policy: object,
    delivery_backend: object,
    strict_delete: object,
) -> list[str]:
    """Wrong argument types, as sentences, before anything is built from them."""
    problems = []
    # _AppGrants first: a Protocol check reads every member, each a jsii round trip.
    if not isinstance(application, _AppGrants) and not isinstance(application, IPinpointApp):
        hint = (
            ": import it with PinpointApp.from_application_id(scope, id, application_id)"
            if isinstance(application, str)
            else ""
        )
        problems.append(
            f"application {application!r} is a {type(application).__name__}, not a Pinpoint "
            f"application: pass a PinpointApp or an imported IPinpointApp{hint}"
        )
    problems += sender_type_problems(from_address, identity, configuration_set)
    for prop, passed in (
        ("role", role),
        ("orchestration_sending_role", orchestration_sending_role),
    ):
        if passed is not None and _is_plain_value(passed):
            hint = (
                f": use iam.Role.from_role_arn(scope, id, {passed!r})"
                if isinstance(passed, str)
                else ""
            )
            problems.append(
                f"{prop} {passed!r} is a {type(passed).__name__}, not an iam.IRole{hint}"
            )
    for prop, flag in (("enabled", enabled), ("strict_delete", strict_delete)):
        if not isinstance(flag, bool):
            problems.append(
                f"{prop} {flag!r} is a {type(flag).__name__}, not a bool: use True or False"
            )
    if removal_policy not in _REMOVAL_POLICIES:
        problems.append(
            f"removal_policy {removal_policy!r} is not supported by an email channel: use "
            "RemovalPolicy.DESTROY (delete the channel with the resource) or RemovalPolicy.RETAIN "
            "(leave it in place); a channel has no snapshot"
        )
    if delivery_backend not in list(DeliveryBackend):
        problems.append(
            f"delivery_backend {delivery_backend!r} is not a DeliveryBackend: use "
            "DeliveryBackend.PINPOINT or DeliveryBackend.SES_V2"
        )
    return problems


def _describe_app(application: IPinpointApp) -> str:
    if check.unresolved(application.application_id):
        # An import knows its path without its construct, which reading node would make.
        path: str | None = getattr(application, "_path", None)
        return path if path is not None else application.node.path
    return repr(application.application_id)


def _environment(region: str | None, account: str | None) -> str:
    return (
        f"account {account or '(not set)'}, region {region or '(not set)'}"
        if region or account
        else "environment-agnostic"
    )


def _app_environment_problems(application: IPinpointApp, facts: StackFacts) -> list[str]:
    """An application of another account or region than the channel's stack, as a sentence;
    where one side is environment-agnostic, an info note on that stack instead."""
    app_facts: StackFacts | None = getattr(application, "_facts", None)
    if app_facts is facts:
        # The same stack: an ARN given to from_application_arn was compared with it there.
        return []
    if app_facts is None:
        app_facts = stack_facts(application.stack)  # an IPinpointApp of the user's own making
        if app_facts is facts:
            return []
    region, account = app_facts.region, app_facts.account
    arn = application.application_arn
    if isinstance(arn, str) and not check.unresolved(arn):
        parts = arn.split(":")
        if len(parts) >= 6:
            region, account = parts[3] or None, parts[4] or None
    pairs = ((region, facts.region), (account, facts.account))
    if any(theirs and ours and theirs != ours for theirs, ours in pairs):
        theirs_env, ours_env = (
            _environment(region, account),
            _environment(facts.region, facts.account),
        )
        return [
            f"application {_describe_app(application)} belongs to stack {app_facts.path} "
            f"({theirs_env}), but this channel is in stack {facts.path} ({ours_env}): the "
            "channel's handler calls Pinpoint in its own stack's account and region, where that "
            f"application does not exist; create the channel in a stack of {theirs_env}, or give "
            f"it an application of {ours_env}"
        ]
    if any((theirs is None) != (ours is None) for theirs, ours in pairs):
        agnostic = facts if facts.region is None or facts.account is None else app_facts
        check.note_uncompared(
            agnostic,
            f"application {_describe_app(application)} of stack {app_facts.path}, used by the "
            f"email channel of stack {facts.path}",
        )
    return []


# The end-of-support warning: one per stack, added at synth when every channel is known.

_ROOT_ACKNOWLEDGED = "_constructs_pinpoint_end_of_support_acknowledged"


def _end_of_support_message(paths: list[str]) -> str:
    channels = counted(len(paths), "email channel")
    return (
        f"{channels} of this stack still send through Amazon Pinpoint, which reached end of "
        f"support on {PINPOINT_EMAIL_END_OF_SUPPORT}: {', '.join(paths)}. Move each to SES: set "
        "delivery_backend=DeliveryBackend.SES_V2 on the EmailChannel and deploy, then follow "
        f"the guide ({MOVING_TO_SES_GUIDE_COMMAND}). Once planned, acknowledge with "
        "cdk.Annotations.of(scope).acknowledge_warning(END_OF_SUPPORT_WARNING, '<reason>')"
    )


def _warn_end_of_support(facts: StackFacts, path: str, resource: cdk.CfnResource) -> None:
    if not facts.pinpoint_channels:
        # An aspect on this one leaf is visited once, at synth, after the whole tree (and every
        # acknowledgment) exists: one warning per stack for O(1) jsii calls. Read-only priority:
        # it only reports, after any aspect that changes channels has run.
        cdk.Aspects.of(resource).add(
            _EndOfSupportWarning(facts), priority=cdk.AspectPriority.READONLY
        )
    facts.pinpoint_channels.append(path)


@jsii.implements(cdk.IAspect)
class _EndOfSupportWarning:
    def __init__(self, facts: StackFacts) -> None:
        self._facts = facts
        self._warned = False

    def visit(self, node: IConstruct) -> None:
        if self._warned or not self._facts.pinpoint_channels:
            return
        self._warned = True
        stack = self._facts.stack
        if _acknowledged_at_root(stack):
            return
        # Annotations honours an acknowledgment on the stack or any stage above it. Releases
        # that look only at a construct's ancestors (2.230 and older) see a stack's own
        # acknowledgment only for a warning below it: there, it goes on the first channel.
        target = stack if _acknowledgments_include_self(stack) else node
        cdk.Annotations.of(target).add_warning_v2(
            END_OF_SUPPORT_WARNING, _end_of_support_message(self._facts.pinpoint_channels)
        )


_SELF_ACKNOWLEDGED = "_constructs_pinpoint_acknowledgments_include_self"
_SELF_PROBE = "constructs-pinpoint:acknowledgmentSemanticsProbe"


def _acknowledgments_include_self(stack: cdk.Stack) -> bool:
    """Whether this aws-cdk-lib honours an acknowledgment made on the annotated construct
    itself, found once per app with a probe on the root (whose annotations are never written)."""
    root = stack.node.root
    known: bool | None = getattr(root, _SELF_ACKNOWLEDGED, None)
    if known is None:
        annotations = cdk.Annotations.of(root)
        annotations.acknowledge_warning(_SELF_PROBE, "probe")
        annotations.add_warning_v2(_SELF_PROBE, _SELF_PROBE)
        known = not any(
            isinstance(entry.data, str) and entry.data.startswith(_SELF_PROBE)
            for entry in root.node.metadata
        )
        setattr(root, _SELF_ACKNOWLEDGED, known)
    return known


def _acknowledged_at_root(stack: cdk.Stack) -> bool:
    """Whether the app itself acknowledged the warning.

    aws-cdk-lib looks up acknowledgments on a construct's path and its parents, but not on the
    root (path ""), so an ``acknowledge_warning`` on the App made before the warning exists would
    be missed. A probe annotation on the root is added only where the root has no
    acknowledgment; the root's own annotations are never written to the cloud assembly.
    """
    root = stack.node.root
    known: bool | None = getattr(root, _ROOT_ACKNOWLEDGED, None)
    if known is None:
        probe = f"{END_OF_SUPPORT_WARNING} acknowledgment probe"
        annotations = cdk.Annotations.of(root)
        # add_info_v2 is newer than the oldest aws-cdk-lib supported (2.172); a warning probe
        # there works the same: acknowledged or not, the root's annotations are never written.
        add_probe = getattr(annotations, "add_info_v2", None) or annotations.add_warning_v2
        add_probe(END_OF_SUPPORT_WARNING, probe)
        known = not any(
            isinstance(entry.data, str) and entry.data.startswith(probe)
            for entry in root.node.metadata
        )
        setattr(root, _ROOT_ACKNOWLEDGED, known)
    return known
