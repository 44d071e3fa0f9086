"""Is this Update CloudFormation's rollback? Read the stack's status with DescribeStacks.

A forward Update that Pinpoint refuses changed nothing; CloudFormation then rolls back with a
second Update to the old properties, which Pinpoint refuses too. Answering that one FAILED would
leave the stack in UPDATE_ROLLBACK_FAILED, so the handler asks the stack itself. The role may call
DescribeStacks on its own stack only (``{"Ref": "AWS::StackId"}``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from .pinpoint_calls import PinpointCallFailed, call_with_retries, describe

ROLLBACK_STATUS = "UPDATE_ROLLBACK_IN_PROGRESS"


class StackStatusUnknown(Exception):
    """DescribeStacks did not tell the stack's status; the message says why (no secrets)."""


def read(client: Any, stack_id: Any, *, seconds_left: Callable[[], float]) -> str:
    """The StackStatus of ``stack_id``, with the same deadline-aware retries as Pinpoint calls."""
    if not isinstance(stack_id, str) or not stack_id.startswith("arn:"):
        raise StackStatusUnknown("the event's StackId is not a stack ARN")
    try:
        response = call_with_retries(
            lambda: client.describe_stacks(StackName=stack_id),
            operation="DescribeStacks",
            seconds_left=seconds_left,
            service="CloudFormation",
        )
    except (ClientError, BotoCoreError, PinpointCallFailed) as error:
        raise StackStatusUnknown(f"DescribeStacks failed ({describe(error)})") from error
    stacks = response.get("Stacks") or []
    status = stacks[0].get("StackStatus") if stacks else None
    if not isinstance(status, str) or not status:
        raise StackStatusUnknown("DescribeStacks returned no StackStatus")
    return status
