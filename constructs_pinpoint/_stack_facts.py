"""What every channel of a stack needs to know about it, read from jsii once per stack.

Each jsii call is a round trip to the Node process; at hundreds of channels per stack, reading
the stack's environment and tree root once instead of per channel is most of the synth time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import aws_cdk as cdk
from constructs import IConstruct

from . import _validation as check

_STACK_ATTRIBUTE = "_constructs_pinpoint_stack_facts"
_ROOT_ATTRIBUTE = "_constructs_pinpoint_email_channels"


@dataclass
class StackFacts:
    stack: cdk.Stack
    region: str | None
    """None when the stack is environment-agnostic (an unresolved token)."""
    account: str | None
    channels: dict[str, Any]
    """Email channels by application id, shared by every stack of the construct tree."""


def stack_facts(scope: IConstruct) -> StackFacts:
    stack = cdk.Stack.of(scope)
    facts: StackFacts | None = getattr(stack, _STACK_ATTRIBUTE, None)
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
            channels=channels,
        )
        setattr(stack, _STACK_ATTRIBUTE, facts)
    return facts
