"""What every channel of a stack needs to know about it, read from jsii once per stack.

Each jsii call is a round trip to the Node process; at hundreds of channels per stack, reading
the stack's environment, path and provider once instead of per channel is most of the synth time.
Facts are kept on the Python objects of the stack and of each scope, so a channel or an import
whose scope was seen before makes no round trip to find them.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import aws_cdk as cdk
from constructs import IConstruct

from . import _validation as check
from ._iam import PSEUDO_PARAMETER

if TYPE_CHECKING:
    from ._provider import EmailChannelProvider

_FACTS_ATTRIBUTE = "_constructs_pinpoint_stack_facts"
_PATH_ATTRIBUTE = "_constructs_pinpoint_path"
_ROOT_ATTRIBUTE = "_constructs_pinpoint_email_channels"


@dataclass
class StackFacts:
    stack: cdk.Stack
    region: str | None
    """None when the stack is environment-agnostic (an unresolved token)."""
    account: str | None
    region_token: str
    """What ``stack.region`` returns: the literal region, or the ``AWS::Region`` token."""
    account_token: str
    partition: str
    """What ``stack.partition`` returns (a literal where the region and feature flags allow)."""
    path: str
    channels: dict[str, Any]
    """Email channels by application id, shared by every stack of the construct tree."""
    pinpoint_channels: list[str] = field(default_factory=list)
    """Construct paths of this stack's channels still on ``DeliveryBackend.PINPOINT``."""
    _provider: EmailChannelProvider | None = None

    @property
    def provider(self) -> EmailChannelProvider:
        if self._provider is None:
            from ._provider import EmailChannelProvider

            self._provider = EmailChannelProvider.of(
                self.stack, known=self._channel_resources, apps=self.ownership_resources()
            )
        return self._provider

    def _channel_resources(self) -> set[int]:
        """The ``id()`` of every channel's CfnResource: the provider's DependsOn scan skips
        them without a jsii call."""
        return {id(channel.resource) for channel in self.channels.values()}

    def ownership_resources(self) -> tuple[str, str] | None:
        """Every Pinpoint app of this stack's account and region (the handler's ownership tags'
        resource), as the template writes it and as cdk-nag names it in a finding; None where
        the stack's environment holds a token other than a pseudo parameter (a parameter's
        Ref): the provider then resolves it."""
        names = []
        for part in (self.partition, self.region_token, self.account_token):
            pseudo = PSEUDO_PARAMETER.fullmatch(part)
            if pseudo is None and check.unresolved(part):
                return None
            names.append(f"<AWS::{pseudo.group(1)}>" if pseudo else part)
        partition, region, account = names
        return (
            self.arn("mobiletargeting", "apps/*"),
            f"arn:{partition}:mobiletargeting:{region}:{account}:apps/*",
        )

    def arn(self, service: str, resource: str) -> str:
        """``arn:<partition>:<service>:<region>:<account>:<resource>`` as ``Stack.format_arn``
        renders it, composed in Python (literals, or the stack's pseudo-parameter tokens)."""
        return f"arn:{self.partition}:{service}:{self.region_token}:{self.account_token}:{resource}"


def stack_facts(scope: IConstruct) -> StackFacts:
    facts: StackFacts | None = getattr(scope, _FACTS_ATTRIBUTE, None)
    if facts is not None:
        return facts
    stack = scope if isinstance(scope, cdk.Stack) else cdk.Stack.of(scope)
    facts = getattr(stack, _FACTS_ATTRIBUTE, None)
    if facts is None:
        root = stack.node.root
        channels: dict[str, Any] | None = getattr(root, _ROOT_ATTRIBUTE, None)
        if channels is None:
            channels = {}
            setattr(root, _ROOT_ATTRIBUTE, channels)
        region, account = stack.region, stack.account
        facts = StackFacts(
            stack=stack,
            region=None if check.unresolved(region) else region,
            account=None if check.unresolved(account) else account,
            region_token=region,
            account_token=account,
            partition=stack.partition,
            path=stack.node.path,
            channels=channels,
        )
        setattr(stack, _FACTS_ATTRIBUTE, facts)
        _remember(stack, _PATH_ATTRIBUTE, facts.path)
    if scope is not stack:
        _remember(scope, _FACTS_ATTRIBUTE, facts)
    return facts


def child_path(scope: IConstruct, id: str) -> str:
    """The construct path a child ``id`` of ``scope`` gets, with one lookup per scope."""
    path: str | None = getattr(scope, _PATH_ATTRIBUTE, None)
    if path is None:
        path = scope.node.path
        _remember(scope, _PATH_ATTRIBUTE, path)
    return f"{path}/{id}" if path else id


def _remember(scope: IConstruct, name: str, value: object) -> None:
    # A jsii interface proxy takes no new attributes: it is looked up again next time.
    with contextlib.suppress(AttributeError):
        setattr(scope, name, value)
