"""Which resource manages an app's email channel: ownership tags on the Pinpoint app.

Why. The physical id of a channel is its application id, and CloudFormation deletes a resource
that left the template only after every new resource exists. Rename an ``EmailChannel`` (new
logical id, same app), move it within its stack or to another stack, and the new resource's
Create configures the channel first; the old resource's Delete then names the same app. Without a
record of who manages the channel, that Delete would remove the channel the new resource has just
configured. So the channel's manager is written down where both resources can read it: tags on
the Pinpoint app (``arn:<partition>:mobiletargeting:<region>:<account>:apps/<id>``; partition,
region and account are those of the event's ``StackId``, so no new resource property).

- ``contract.OWNER_TAG``: the resource that last configured the channel.
- ``contract.PREVIOUS_OWNER_TAG``: the owner it took the channel over from, until that one's
  Delete (or the rollback of the take-over) settles it.

Create and Update claim the channel after UpdateEmailChannel succeeds (``claim``). A Delete
(``read`` then ``entry._delete``) removes the channel only when its resource is the owner and no
previous owner waits; an owner that is someone else means "renamed or moved": keep it; an owner
that is this resource with a previous owner means "rollback of a take-over": hand the channel back.

The owner value (``owner_value``) is ``<stack name>/<logical id>@<hash>``: the readable part is
for people reading the tags (cut to ``READABLE_CHARS``, characters Pinpoint refuses in a tag value
replaced by ``_``); the hash, the first ``HASH_HEX_CHARS`` hex digits of SHA-256 over the full
``StackId`` ARN (which carries the stack's unique id) and the ``LogicalResourceId``, is what makes
it collision-free: a stack deleted and created again under the same name gets another value. At
most 1 + READABLE_CHARS + 1 + HASH_HEX_CHARS characters, far below Pinpoint's 256.

Known limit: a previous owner that never gets its Delete (a ``RETAIN`` resource, a stack deleted
with ``--retain-resources``) stays recorded; the later Delete of the new owner then hands the
channel back to it instead of deleting: the channel is left in place (a leak, never a loss).
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from . import contract
from .pinpoint_calls import (
    NOT_FOUND_CODE,
    PinpointCallFailed,
    call_with_retries,
    describe,
    error_code,
)
from .properties import bounded

READABLE_CHARS = 200
HASH_HEX_CHARS = 20
# Pinpoint tag values: letters, digits, spaces and _ . : / = + - @ (anything else becomes "_").
_NOT_IN_TAG_VALUE = re.compile(r"[^A-Za-z0-9 _.:/=+\-@]")
_STACK_ARN = re.compile(
    r"arn:(?P<partition>aws[a-z-]*):cloudformation:(?P<region>[a-z0-9-]{1,64}):"
    r"(?P<account>[0-9]{12}):stack/(?P<name>[^/]{1,255})/.{1,1024}",
    re.S,
)


class OwnershipUnknown(Exception):
    """The tags could not be read or written; ``detail`` says why (the service's code: message),
    ``gone`` is True when Pinpoint says the app does not exist."""

    def __init__(self, detail: str, *, gone: bool = False) -> None:
        super().__init__(detail)
        self.detail = detail
        self.gone = gone


@dataclass(frozen=True)
class Tags:
    owner: str | None
    previous: str | None


def owner_value(stack_id: Any, logical_id: Any) -> str:
    """The OWNER_TAG value of the resource ``logical_id`` of stack ``stack_id``."""
    stack = stack_id if isinstance(stack_id, str) else str(stack_id)
    logical = logical_id if isinstance(logical_id, str) else str(logical_id)
    digest = hashlib.sha256(f"{stack}\n{logical}".encode("utf-8", "replace")).hexdigest()
    match = _STACK_ARN.fullmatch(stack[:2048])
    name = match.group("name") if match else "stack"
    readable = _NOT_IN_TAG_VALUE.sub("_", f"{name[:READABLE_CHARS]}/{logical[:READABLE_CHARS]}")
    return f"{readable[:READABLE_CHARS]}@{digest[:HASH_HEX_CHARS]}"


def app_arn(stack_id: Any, application_id: str) -> str:
    """The Pinpoint app's ARN in the partition, region and account of the event's stack."""
    match = _STACK_ARN.fullmatch(stack_id[:2048]) if isinstance(stack_id, str) else None
    if match is None:
        raise OwnershipUnknown("the event's StackId is not a stack ARN")
    partition, region, account = match.group("partition", "region", "account")
    return f"arn:{partition}:mobiletargeting:{region}:{account}:apps/{application_id}"


def _call(
    call: Callable[[], dict[str, Any]], operation: str, seconds_left: Callable[[], float]
) -> dict[str, Any]:
    try:
        return call_with_retries(call, operation=operation, seconds_left=seconds_left)
    except ClientError as error:
        raise OwnershipUnknown(
            bounded(describe(error)), gone=error_code(error) == NOT_FOUND_CODE
        ) from error
    except PinpointCallFailed as error:
        raise OwnershipUnknown(bounded(error.detail)) from error
    except Exception as error:  # a client bug, no credentials: the tags stay unknown
        raise OwnershipUnknown(bounded(describe(error))) from error


def read(client: Any, arn: str, *, seconds_left: Callable[[], float]) -> Tags:
    """The app's ownership tags (ListTagsForResource)."""
    response = _call(
        lambda: client.list_tags_for_resource(ResourceArn=arn), "ListTagsForResource", seconds_left
    )
    model = response.get("TagsModel")
    tags = model.get("tags") if isinstance(model, Mapping) else None
    if not isinstance(tags, Mapping):
        tags = {}
    owner, previous = tags.get(contract.OWNER_TAG), tags.get(contract.PREVIOUS_OWNER_TAG)
    return Tags(
        owner if isinstance(owner, str) and owner else None,
        previous if isinstance(previous, str) and previous else None,
    )


def tag(
    client: Any, arn: str, tags: Mapping[str, str], *, seconds_left: Callable[[], float]
) -> None:
    _call(
        lambda: client.tag_resource(ResourceArn=arn, TagsModel={"tags": dict(tags)}),
        "TagResource",
        seconds_left,
    )


def untag(client: Any, arn: str, keys: list[str], *, seconds_left: Callable[[], float]) -> None:
    _call(
        lambda: client.untag_resource(ResourceArn=arn, TagKeys=keys), "UntagResource", seconds_left
    )


def claim(client: Any, arn: str, me: str, *, seconds_left: Callable[[], float]) -> str:
    """Record ``me`` as the channel's owner, keeping a different owner as the previous one.

    Returns what was done, for the log; raises ``OwnershipUnknown`` if the claim failed.
    """
    current = read(client, arn, seconds_left=seconds_left)
    if current.owner == me:
        return "already the owner"
    if current.owner is None:
        tag(client, arn, {contract.OWNER_TAG: me}, seconds_left=seconds_left)
        if current.previous is not None:  # a stale previous owner of an unowned channel
            # Best effort: at worst a later Delete leaves the channel in place.
            with contextlib.suppress(OwnershipUnknown):
                untag(client, arn, [contract.PREVIOUS_OWNER_TAG], seconds_left=seconds_left)
        return "claimed"
    tag(
        client,
        arn,
        {contract.OWNER_TAG: me, contract.PREVIOUS_OWNER_TAG: current.owner},
        seconds_left=seconds_left,
    )
    return f"taken over from {bounded(current.owner, 300)}"
