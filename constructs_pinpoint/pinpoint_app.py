"""Amazon Pinpoint applications (projects): new ones, and existing ones imported by id or ARN."""

from __future__ import annotations

import re
from typing import Protocol, runtime_checkable

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_pinpoint as pinpoint
from constructs import Construct, Node

from ._errors import ConstructValidationError

APPLICATION_ID_PATTERN = re.compile(r"^[0-9a-f]{32}$")
_APP_ARN = re.compile(r"^arn:[a-z0-9-]+:mobiletargeting:[a-z0-9-]*:\d{12}:apps/(?P<id>[^/]+)$")
SEND_ACTIONS = ("mobiletargeting:SendMessages", "mobiletargeting:SendUsersMessages")
END_OF_SUPPORT_ACK = "CloudFormation-Validate::W3696"
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


class PinpointAppBase(cdk.Resource):
    """What created and imported applications share: identity and grants."""

    @property
    def application_id(self) -> str:
        raise NotImplementedError

    @property
    def application_arn(self) -> str:
        raise NotImplementedError

    def grant(self, grantee: iam.IGrantable, *actions: str) -> iam.Grant:
        return iam.Grant.add_to_principal(
            grantee=grantee, actions=list(actions), resource_arns=[self.application_arn]
        )

    def grant_send_messages(self, grantee: iam.IGrantable) -> iam.Grant:
        return iam.Grant.add_to_principal(
            grantee=grantee,
            actions=list(SEND_ACTIONS),
            resource_arns=[f"{self.application_arn}/messages"],
        )


class _ImportedPinpointApp(PinpointAppBase):
    def __init__(
        self, scope: Construct, id: str, *, application_id: str, application_arn: str | None
    ) -> None:
        super().__init__(
            scope, id, **({"environment_from_arn": application_arn} if application_arn else {})
        )
        self._application_id = application_id
        self._application_arn = application_arn or cdk.Stack.of(self).format_arn(
            service="mobiletargeting",
            resource="apps",
            resource_name=application_id,
            arn_format=cdk.ArnFormat.SLASH_RESOURCE_NAME,
        )

    @property
    def application_id(self) -> str:
        return self._application_id

    @property
    def application_arn(self) -> str:
        return self._application_arn


class PinpointApp(PinpointAppBase):
    """An ``AWS::Pinpoint::App``; its child ``Resource`` is the ``CfnApp``.

    :param app_name: The application's display name. Default: the construct's unique id.

    Tag it with ``Tags.of(app).add(...)``.
    """

    def __init__(self, scope: Construct, id: str, *, app_name: str | None = None) -> None:
        super().__init__(scope, id)
        if app_name is not None and not cdk.Token.is_unresolved(app_name) and not app_name.strip():
            raise ConstructValidationError(
                self, [f"app_name {app_name!r} is empty: give a name or leave it unset"]
            )
        self.resource = pinpoint.CfnApp(
            self, "Resource", name=app_name or cdk.Names.unique_id(self)
        )
        # Read once: every channel and grant asks for them, and each read is a jsii round trip.
        self._application_id = self.resource.ref
        self._application_arn = self.resource.attr_arn
        cdk.Validations.of(self).acknowledge(
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
        if not cdk.Token.is_unresolved(application_id) and not APPLICATION_ID_PATTERN.match(
            application_id
        ):
            raise ConstructValidationError(
                scope,
                [
                    f"application id {application_id!r} is not a Pinpoint project id: expected 32 "
                    "lowercase hexadecimal characters, as shown as 'Project ID' in the console"
                ],
            )
        return _ImportedPinpointApp(scope, id, application_id=application_id, application_arn=None)

    @staticmethod
    def from_application_arn(scope: Construct, id: str, application_arn: str) -> IPinpointApp:
        """Import an existing application by its ARN (``arn:...:mobiletargeting:...:apps/<id>``)."""
        if cdk.Token.is_unresolved(application_arn):
            application_id = cdk.Arn.split(
                application_arn, cdk.ArnFormat.SLASH_RESOURCE_NAME
            ).resource_name
            assert application_id is not None
        else:
            match = _APP_ARN.match(application_arn)
            if not match or not APPLICATION_ID_PATTERN.match(match["id"]):
                raise ConstructValidationError(
                    scope,
                    [
                        f"application ARN {application_arn!r} is not a Pinpoint application ARN: "
                        "expected arn:<partition>:mobiletargeting:<region>:<account>:apps/<id> "
                        "with a 32-hex-digit id"
                    ],
                )
            application_id = match["id"]
        return _ImportedPinpointApp(
            scope, id, application_id=application_id, application_arn=application_arn
        )
