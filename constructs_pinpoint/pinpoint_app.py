"""Amazon Pinpoint applications (projects): new ones, and existing ones imported by id or ARN."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import aws_cdk as cdk
from constructs import Construct, Node

from . import _validation as check
from ._errors import ConstructValidationError
from ._iam import literal_resource
from ._stack_facts import StackFacts, _remember, child_path, stack_facts
from .handler.contract import SEND_ACTIONS

if TYPE_CHECKING:
    # aws_iam and aws_pinpoint are imported where used: an import of an app needs neither, and
    # each costs Python import time in every synth.
    from aws_cdk import aws_iam as iam

END_OF_SUPPORT_ACK = "CloudFormation-Validate::W3696"
# Also written into every app's cfn-lint metadata: changing it changes every user's template.
END_OF_SUPPORT_REASON = (
    "Pinpoint's engagement features reached end of support on 2026-10-30. constructs_pinpoint "
    "keeps existing apps deployable, updatable and deletable while sending moves to SES v2 "
    "(EmailChannel delivery_backend=SES_V2); AWS::Pinpoint::App itself remains supported."
)


@runtime_checkable
class IPinpointApp(Protocol):
    """A Pinpoint application, created in this app or imported."""

    @property
    def application_id(self) -> str:
        """The application (project) id."""
        ...

    @property
    def application_arn(self) -> str:
        """``arn:<partition>:mobiletargeting:<region>:<account>:apps/<id>``."""
        ...

    @property
    def node(self) -> Node:
        """The construct tree node."""
        ...

    @property
    def stack(self) -> cdk.Stack:
        """The stack the application belongs to."""
        ...

    def grant(self, grantee: iam.IGrantable, *actions: str) -> iam.Grant:
        """Grant ``actions`` on the application's ARN."""
        ...

    def grant_send_messages(self, grantee: iam.IGrantable) -> iam.Grant:
        """Grant SendMessages and SendUsersMessages on ``apps/<id>/messages``."""
        ...


class _AppGrants:
    """The grants of created and imported applications, from their ARN alone.

    A ``*`` or ``?`` in a literal ARN is a literal character in the policy, never a wildcard.

    A plain mixin, not an ``abc.ABC``: its subclasses are jsii classes with their own metaclass.
    """

    # The facts of the stack the application belongs to: channels compare their own with them.
    _facts: StackFacts

    @property
    def application_arn(self) -> str:
        raise NotImplementedError

    def grant(self, grantee: iam.IGrantable, *actions: str) -> iam.Grant:
        """Grant ``actions`` on the application's ARN."""
        from aws_cdk import aws_iam as iam

        return iam.Grant.add_to_principal(
            grantee=grantee,
            actions=list(actions),
            resource_arns=[literal_resource(self.application_arn)],
        )

    def grant_send_messages(self, grantee: iam.IGrantable) -> iam.Grant:
        """Grant SendMessages and SendUsersMessages on ``apps/<id>/messages``."""
        from aws_cdk import aws_iam as iam

        return iam.Grant.add_to_principal(
            grantee=grantee,
            actions=list(SEND_ACTIONS),
            resource_arns=[literal_resource(f"{self.application_arn}/messages")],
        )


class PinpointAppBase(cdk.Resource, _AppGrants):
    """What created applications are built on: identity and grants."""

    @property
    def application_id(self) -> str:
        raise NotImplementedError

    @property
    def application_arn(self) -> str:
        raise NotImplementedError


class _ImportedPinpointApp(Construct, _AppGrants):
    """An existing application: no resource, its ARN composed in Python, and a construct made
    on first use.

    An import renders nothing, yet its construct was a third of the jsii round trips of an
    imported app and its channel (docs/performance.md). So the construct is made when jsii first
    needs the object: its ``node``, or passing it to a CDK API (``Stack.of``, ``Tags.of``,
    ``add_dependency``). Until then it is not among its scope's children (``node.children``,
    ``find_all``, ``try_find_child``, Aspects, ``tree.json``); once made, it is their last. Its
    id is checked at once against the other imports of its scope (the same import again returns
    the first), and against every other child of its scope when its construct is made.
    """

    _scope: Construct
    _id: str
    _path: str
    _stack: cdk.Stack
    _application_id: str
    _application_arn: str

    @classmethod
    def made_on_first_use(
        cls,
        scope: Construct,
        id: str,
        *,
        facts: StackFacts,
        application_id: str,
        application_arn: str,
    ) -> _ImportedPinpointApp:
        if not isinstance(id, str) or not id:
            raise ConstructValidationError(
                child_path(scope, str(id)),
                [f"id {id!r} is not a construct id: give a non-empty string"],
            )
        name = id.replace("/", "--")  # as the construct itself is named
        pending: dict[str, _ImportedPinpointApp] | None = getattr(scope, _PENDING_IMPORTS, None)
        if pending is None:
            pending = {}
            _remember(scope, _PENDING_IMPORTS, pending)
        existing = pending.get(name)
        if existing is not None:
            if (existing.application_id, existing.application_arn) == (
                application_id,
                application_arn,
            ):
                return existing  # e.g. `scope.node.try_find_child(id) or from_application_id(...)`
            raise ConstructValidationError(
                child_path(scope, name),
                [
                    f"there is already an imported application with id {id!r} in this scope "
                    f"(application {existing.application_id!r}): give each import its own id"
                ],
            )
        # Not cls(...): jsii's metaclass registers a new instance, which would make the
        # construct now. Construct.__init__ runs on first use instead (__jsii_ref__).
        app = cls.__new__(cls)
        app._scope, app._id, app._path = scope, name, child_path(scope, name)
        app._facts, app._stack = facts, facts.stack
        app._application_id, app._application_arn = application_id, application_arn
        kept = getattr(scope, _PENDING_IMPORTS, None) is pending
        if kept:
            pending[name] = app
        else:
            # A scope that keeps no Python attribute (a jsii interface proxy) keeps no record to
            # check ids against: the construct is made now, and CDK checks its id.
            app.__jsii_ref__  # noqa: B018
        return app

    # jsii reads this attribute whenever it needs the object; the first read makes the construct.
    @property
    def __jsii_ref__(self) -> Any:
        ref = self.__dict__.get(_JSII_REF)
        if ref is None:
            Construct.__init__(self, self._scope, self._id)
            ref = self.__dict__[_JSII_REF]
        return ref

    @__jsii_ref__.setter
    def __jsii_ref__(self, ref: Any) -> None:
        self.__dict__[_JSII_REF] = ref

    @property
    def stack(self) -> cdk.Stack:
        return self._stack

    @property
    def application_id(self) -> str:
        return self._application_id

    @property
    def application_arn(self) -> str:
        return self._application_arn


_PENDING_IMPORTS = "_constructs_pinpoint_imports"
_JSII_REF = "_constructs_pinpoint_jsii_ref"


class PinpointApp(PinpointAppBase):
    """An ``AWS::Pinpoint::App``; its child ``Resource`` is the ``CfnApp``.

    :param app_name: The application's display name. Default: the construct's unique id.

    Tag it with ``Tags.of(app).add(...)``.
    """

    def __init__(self, scope: Construct, id: str, *, app_name: str | None = None) -> None:
        super().__init__(scope, id)
        if app_name is not None and (
            not isinstance(app_name, str)
            or (not check.unresolved(app_name) and not app_name.strip())
        ):
            raise ConstructValidationError(
                self,
                [
                    f"app_name {app_name!r} is not a name: give a non-empty string, or leave "
                    "it unset"
                ],
            )
        from aws_cdk import aws_pinpoint as pinpoint

        self.resource = pinpoint.CfnApp(
            self, "Resource", name=app_name or cdk.Names.unique_id(self)
        )
        # Read once: every channel and grant asks for them, and each read is a jsii round trip.
        self._facts = stack_facts(scope)
        self._application_id = self.resource.ref
        self._application_arn = self.resource.attr_arn
        # Our own end-of-support warning (one per stack, naming the channels still on Pinpoint)
        # replaces the built-in validation's W3696 on every Pinpoint resource. Validations (and
        # the built-in validation itself) exist from aws-cdk-lib 2.257 and 2.274 on.
        validations = getattr(cdk, "Validations", None)
        if validations is not None:
            validations.of(self).acknowledge(
                cdk.Acknowledgment(id=END_OF_SUPPORT_ACK, reason=END_OF_SUPPORT_REASON)
            )
        # The same acknowledgment for cfn-lint run on the synthesized template.
        self.resource.add_metadata(
            "cfn-lint",
            {
                "config": {
                    "ignore_checks": ["W3696"],
                    "ignore_reasons": {"W3696": END_OF_SUPPORT_REASON},
                }
            },
        )

    @property
    def application_id(self) -> str:
        return self._application_id

    @property
    def application_arn(self) -> str:
        return self._application_arn

    @staticmethod
    def from_application_id(scope: Construct, id: str, application_id: str) -> IPinpointApp:
        """Import an existing application of this stack's account and region by its id."""
        problems = check.application_id_problems(application_id)
        if problems:
            raise ConstructValidationError(child_path(scope, id), problems)
        facts = stack_facts(scope)
        return _ImportedPinpointApp.made_on_first_use(
            scope,
            id,
            facts=facts,
            application_id=application_id,
            application_arn=facts.arn("mobiletargeting", f"apps/{application_id}"),
        )

    @staticmethod
    def from_application_arn(scope: Construct, id: str, application_arn: str) -> IPinpointApp:
        """Import an existing application by its ARN (``arn:...:mobiletargeting:...:apps/<id>``).

        The application must be in the stack's own region and account (and partition): the
        stack's channel handler calls Pinpoint there. Checked where the stack's environment and
        the ARN are known at synth.
        """
        facts = stack_facts(scope)
        if check.unresolved(application_arn):
            application_id = cdk.Arn.split(
                application_arn, cdk.ArnFormat.SLASH_RESOURCE_NAME
            ).resource_name
            assert application_id is not None
        else:
            parsed_id, problems = check.application_arn_problems(
                application_arn, region=facts.region, account=facts.account
            )
            if problems or parsed_id is None:
                raise ConstructValidationError(child_path(scope, id), problems)
            application_id = parsed_id
            if facts.region is None or facts.account is None:
                check.note_first_literal(
                    facts, child_path(scope, id), [("application_arn", application_arn)]
                )
        return _ImportedPinpointApp.made_on_first_use(
            scope,
            id,
            facts=facts,
            application_id=application_id,
            application_arn=application_arn,
        )
