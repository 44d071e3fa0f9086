"""Channel ownership: a renamed or moved channel is never deleted (issue 16).

Each test plays a CloudFormation sequence (``SimulatedStack``) against ``FakePinpoint``, Pinpoint
with state (each app's email channel and tags) behind a real botocore client, and asserts the
state it ends in and exactly one answer per event (``Exchange.answer`` fails otherwise).
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.stub import Stubber
from cfn_simulator import (
    CloudFormation,
    Exchange,
    FakePinpoint,
    LogCapture,
    ResponseServer,
    SimulatedStack,
    contract,
)
from pinpoint_stubs import (
    APP,
    OTHER_APP,
    REFUSALS,
    expect_describe_stacks_error,
    owner_of,
    properties,
)

OWNER = contract.OWNER_TAG
PREVIOUS = contract.PREVIOUS_OWNER_TAG
RENAMED = "WelcomeEmailChannel5D6E7F80"
MOVED_IN_STACK = "NotificationsWelcomeChannelC0FFEE12"  # the construct moved under another parent


def outcomes(steps: list[Exchange]) -> list[tuple[str, str, str]]:
    return [
        (step.event["RequestType"], step.answer.status, step.answer.physical_id) for step in steps
    ]


def owner(stack: SimulatedStack) -> str:
    return owner_of(stack.logical_id, stack.cfn.stack_id)


def other_stack(server: ResponseServer, logs: LogCapture) -> CloudFormation:
    return CloudFormation(server, logs, "pinpoint-mail", "9d8c7b6a-1234-11f1-8abc-0a1b2c3d4e5f")


# --------------------------------------------------------------------------------------------
# The owner value
# --------------------------------------------------------------------------------------------


def test_owner_value_is_readable_stable_and_tells_resources_apart(
    cfn: CloudFormation, server: ResponseServer, logs: LogCapture
) -> None:
    stack_id = cfn.stack_id
    value = owner_of("WelcomeChannel8E3B1C2A", stack_id)

    assert value.startswith("pinpoint-demo/WelcomeChannel8E3B1C2A@")
    assert value == owner_of("WelcomeChannel8E3B1C2A", stack_id)  # stable
    others = {
        owner_of(RENAMED, stack_id),  # renamed
        owner_of("WelcomeChannel8E3B1C2A", other_stack(server, logs).stack_id),  # moved
        # the same stack name, deleted and created again: another unique id
        owner_of("WelcomeChannel8E3B1C2A", stack_id.replace("5b1c9e40", "5b1c9e41")),
    }
    assert value not in others and len(others) == 3
    crafted = owner_of("x" * 5000 + "é<>&\n", "arn:aws:cloudformation:" + "y" * 5000)
    for text in (value, crafted):
        assert len(text) <= 256
        assert all(c.isascii() and (c.isalnum() or c in " _.:/=+-@") for c in text), text


# --------------------------------------------------------------------------------------------
# Rename, move, replacement, stack delete: the channel is deleted exactly when no resource
# manages it any more
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("new_logical_id", [RENAMED, MOVED_IN_STACK], ids=["rename", "move"])
def test_rename_or_move_within_the_stack_keeps_the_channel(
    new_logical_id: str, stack: SimulatedStack, fake_pinpoint: FakePinpoint
) -> None:
    stack.create(properties())
    assert fake_pinpoint.tags(APP) == {OWNER: owner(stack)}

    renamed, steps = stack.rename(new_logical_id)

    assert outcomes(steps) == [("Create", "SUCCESS", APP), ("Delete", "SUCCESS", APP)]
    assert f"kept: managed by {owner(renamed)}" in steps[1].answer.reason
    assert fake_pinpoint.has_channel(APP)
    assert fake_pinpoint.tags(APP) == {OWNER: owner(renamed)}  # the previous owner settled
    assert "DeleteEmailChannel" not in fake_pinpoint.operations()

    renamed.delete()  # and the renamed resource still deletes it when it goes

    assert not fake_pinpoint.has_channel(APP)
    assert fake_pinpoint.tags(APP) == {}
    assert renamed.status == "DELETE_COMPLETE"


def test_move_to_another_stack_new_stack_deployed_first_keeps_the_channel(
    stack: SimulatedStack,
    fake_pinpoint: FakePinpoint,
    server: ResponseServer,
    logs: LogCapture,
) -> None:
    stack.create(properties())
    moved = SimulatedStack(other_stack(server, logs), stack.logical_id)  # same logical id

    created = moved.create(properties())
    assert fake_pinpoint.tags(APP) == {OWNER: owner(moved), PREVIOUS: owner(stack)}
    removed = stack.remove()

    assert outcomes([*created, removed]) == [("Create", "SUCCESS", APP), ("Delete", "SUCCESS", APP)]
    assert "kept: managed by pinpoint-mail/" in removed.answer.reason
    assert fake_pinpoint.has_channel(APP)
    assert fake_pinpoint.tags(APP) == {OWNER: owner(moved)}
    assert "DeleteEmailChannel" not in fake_pinpoint.operations()


def test_move_to_another_stack_old_stack_deployed_first_ends_with_the_channel(
    stack: SimulatedStack,
    fake_pinpoint: FakePinpoint,
    server: ResponseServer,
    logs: LogCapture,
) -> None:
    """Removed from its stack before the new stack exists, the resource is the channel's only
    manager: its Delete deletes the channel, and the new stack's Create configures it again
    (docs/reliability.md: deploy the new stack first, or retain the old resource, to keep it
    without a gap)."""
    stack.create(properties())
    moved = SimulatedStack(other_stack(server, logs), stack.logical_id)

    removed = stack.remove()
    assert not fake_pinpoint.has_channel(APP) and fake_pinpoint.tags(APP) == {}
    created = moved.create(properties())

    assert outcomes([removed, *created]) == [("Delete", "SUCCESS", APP), ("Create", "SUCCESS", APP)]
    assert fake_pinpoint.has_channel(APP)
    assert fake_pinpoint.tags(APP) == {OWNER: owner(moved)}


def test_replacement_deletes_the_old_applications_channel_only(
    stack: SimulatedStack, fake_pinpoint: FakePinpoint
) -> None:
    stack.create(properties(APP))

    replaced, cleanup = stack.update(properties(OTHER_APP))

    assert outcomes([replaced, cleanup]) == [
        ("Update", "SUCCESS", OTHER_APP),
        ("Delete", "SUCCESS", APP),
    ]
    assert not fake_pinpoint.has_channel(APP) and fake_pinpoint.tags(APP) == {}
    assert fake_pinpoint.has_channel(OTHER_APP)
    assert fake_pinpoint.tags(OTHER_APP) == {OWNER: owner(stack)}


def test_stack_delete_deletes_the_channel_and_its_owner_tag(
    stack: SimulatedStack, fake_pinpoint: FakePinpoint
) -> None:
    stack.create(properties())
    mark = len(fake_pinpoint.calls)

    deleted = stack.delete()

    assert outcomes([deleted]) == [("Delete", "SUCCESS", APP)]
    assert fake_pinpoint.operations(mark) == [
        "ListTagsForResource",
        "DeleteEmailChannel",
        "UntagResource",
    ]
    assert not fake_pinpoint.has_channel(APP) and fake_pinpoint.tags(APP) == {}
    assert stack.status == "DELETE_COMPLETE"


def test_a_refused_untag_after_the_delete_still_answers_success_once(
    stack: SimulatedStack, fake_pinpoint: FakePinpoint
) -> None:
    """Removing the owner tag is best effort: the channel is gone, the stale tag names a
    resource that no longer exists, and CloudFormation gets one SUCCESS."""
    stack.create(properties())
    fake_pinpoint.refuse("UntagResource", "403-forbidden")

    deleted = stack.delete()

    assert outcomes([deleted]) == [("Delete", "SUCCESS", APP)]
    assert not fake_pinpoint.has_channel(APP)
    assert fake_pinpoint.tags(APP) == {OWNER: owner(stack)}
    assert stack.status == "DELETE_COMPLETE"


def test_rollback_of_a_rename_hands_the_channel_back(
    stack: SimulatedStack, fake_pinpoint: FakePinpoint
) -> None:
    stack.create(properties())

    _, steps = stack.rename(RENAMED, later_resource_fails=True)

    assert outcomes(steps) == [("Create", "SUCCESS", APP), ("Delete", "SUCCESS", APP)]
    assert steps[1].event["LogicalResourceId"] == RENAMED  # the new resource goes
    assert f"kept: handed back to {owner(stack)}" in steps[1].answer.reason
    assert fake_pinpoint.has_channel(APP)
    assert fake_pinpoint.tags(APP) == {OWNER: owner(stack)}  # as before the rename
    assert stack.status == "UPDATE_ROLLBACK_COMPLETE"

    stack.delete()  # the original resource still owns, and deletes, it

    assert not fake_pinpoint.has_channel(APP) and fake_pinpoint.tags(APP) == {}


def test_rename_whose_create_cannot_claim_rolls_back_and_keeps_the_channel(
    stack: SimulatedStack, fake_pinpoint: FakePinpoint
) -> None:
    stack.create(properties())
    fake_pinpoint.refuse("TagResource", "403-access-denied")

    _, steps = stack.rename(RENAMED)

    marker = contract.FAILED_CREATE_PREFIX + steps[0].event["RequestId"]
    assert outcomes(steps) == [("Create", "FAILED", marker), ("Delete", "SUCCESS", marker)]
    assert "ownership could not be recorded" in steps[0].answer.reason
    assert "AccessDeniedException: User is not authorized" in steps[0].answer.reason
    assert fake_pinpoint.has_channel(APP)
    assert fake_pinpoint.tags(APP) == {OWNER: owner(stack)}  # the old resource still owns it


# --------------------------------------------------------------------------------------------
# Ownership calls refused (Pinpoint after its end of support, or a role without them)
# --------------------------------------------------------------------------------------------

OWNERSHIP_REFUSALS = ["403-access-denied", "400-bad-request", "throttled-past-the-retries"]


@pytest.mark.parametrize("shape", OWNERSHIP_REFUSALS)
@pytest.mark.parametrize("operation", ["ListTagsForResource", "TagResource"])
def test_create_whose_claim_is_refused_fails(
    operation: str, shape: str, stack: SimulatedStack, fake_pinpoint: FakePinpoint
) -> None:
    detail = fake_pinpoint.refuse(operation, shape)

    created, rolled_back = stack.create(properties())

    marker = contract.FAILED_CREATE_PREFIX + created.event["RequestId"]
    assert outcomes([created, rolled_back]) == [
        ("Create", "FAILED", marker),
        ("Delete", "SUCCESS", marker),
    ]
    reason = created.answer.reason
    assert f"Email channel of application {APP} was configured, but its ownership" in reason
    assert detail in reason
    assert "mobiletargeting:TagResource" in reason
    assert stack.status == "ROLLBACK_COMPLETE"
    # The rollback's Delete names the marker: no call, the configured channel is left in place.
    assert fake_pinpoint.operations().count("DeleteEmailChannel") == 0


@pytest.mark.parametrize("shape", OWNERSHIP_REFUSALS)
@pytest.mark.parametrize("strict", [False, True], ids=["lenient", "strict"])
def test_delete_whose_tags_cannot_be_read(
    strict: bool, shape: str, stack: SimulatedStack, fake_pinpoint: FakePinpoint
) -> None:
    stack.create(properties(StrictDelete="true") if strict else properties())
    detail = fake_pinpoint.refuse("ListTagsForResource", shape)

    deleted = stack.delete()

    assert fake_pinpoint.has_channel(APP)  # never deleted without knowing who manages it
    assert "DeleteEmailChannel" not in fake_pinpoint.operations()
    reason = deleted.answer.reason
    assert detail.split(" (still")[0] in reason
    if strict:
        assert outcomes([deleted]) == [("Delete", "FAILED", APP)]
        assert "its ownership could not be read" in reason
        assert stack.status == "DELETE_FAILED"
    else:
        assert outcomes([deleted]) == [("Delete", "SUCCESS", APP)]
        assert f"application {APP} left in place: its ownership could not be read" in reason
        assert deleted.final_log["left_in_place"] is True
        assert stack.status == "DELETE_COMPLETE"


def test_forward_update_whose_claim_is_refused_fails_and_its_rollback_succeeds(
    stack: SimulatedStack, fake_pinpoint: FakePinpoint
) -> None:
    stack.create(properties())
    detail = fake_pinpoint.refuse("ListTagsForResource", "403-forbidden")

    forward, rollback = stack.update(properties(Enabled="false"))

    assert outcomes([forward, rollback]) == [("Update", "FAILED", APP), ("Update", "SUCCESS", APP)]
    assert detail in forward.answer.reason
    assert rollback.answer.reason.startswith("Rollback: this Update answers SUCCESS")
    assert "has the settings asked for, but its ownership could not be recorded" in (
        rollback.answer.reason
    )
    assert rollback.answer.data[contract.DATA_VERSION] == "3"  # Pinpoint's own answer
    assert rollback.answer.data[contract.DATA_ENABLED] == "true"
    assert stack.status == "UPDATE_ROLLBACK_COMPLETE"
    assert fake_pinpoint.channel(APP) == {  # the rollback restored the settings
        "FromAddress": properties()[contract.PROP_FROM_ADDRESS],
        "Identity": properties()[contract.PROP_IDENTITY],
        "Enabled": True,
    }


# --------------------------------------------------------------------------------------------
# Channels made before ownership tags (legacy)
# --------------------------------------------------------------------------------------------


def legacy(stack: SimulatedStack, fake: FakePinpoint, props: dict[str, str]) -> None:
    """A resource created by a handler that wrote no tags: a channel, no tags."""
    fake.apps[APP].channel = {"FromAddress": "old@example.com", "Identity": "x", "Enabled": True}
    stack.physical_id, stack.properties, stack.status = APP, dict(props), "CREATE_COMPLETE"


def test_legacy_channel_delete_behaves_as_before(
    stack: SimulatedStack, fake_pinpoint: FakePinpoint
) -> None:
    legacy(stack, fake_pinpoint, properties())

    deleted = stack.delete()

    assert outcomes([deleted]) == [("Delete", "SUCCESS", APP)]
    assert fake_pinpoint.operations() == ["ListTagsForResource", "DeleteEmailChannel"]
    assert not fake_pinpoint.has_channel(APP)


def test_legacy_channel_is_claimed_by_its_next_update_then_renamed_safely(
    stack: SimulatedStack, fake_pinpoint: FakePinpoint
) -> None:
    legacy(stack, fake_pinpoint, properties())

    stack.update(properties(Enabled="false"))
    assert fake_pinpoint.tags(APP) == {OWNER: owner(stack)}
    renamed, steps = stack.rename(RENAMED)

    assert outcomes(steps) == [("Create", "SUCCESS", APP), ("Delete", "SUCCESS", APP)]
    assert fake_pinpoint.has_channel(APP)
    assert fake_pinpoint.tags(APP) == {OWNER: owner(renamed)}


def test_legacy_channel_renamed_without_an_update_is_kept(
    stack: SimulatedStack, fake_pinpoint: FakePinpoint
) -> None:
    legacy(stack, fake_pinpoint, properties())

    renamed, steps = stack.rename(RENAMED)

    assert outcomes(steps) == [("Create", "SUCCESS", APP), ("Delete", "SUCCESS", APP)]
    assert fake_pinpoint.has_channel(APP)
    assert fake_pinpoint.tags(APP) == {OWNER: owner(renamed)}


@pytest.mark.parametrize("refused", [False, True], ids=["claimed", "tags-refused"])
def test_update_without_a_pinpoint_change_claims_best_effort(
    refused: bool, stack: SimulatedStack, fake_pinpoint: FakePinpoint
) -> None:
    legacy(stack, fake_pinpoint, properties())
    if refused:
        fake_pinpoint.refuse("ListTagsForResource", "410-gone")

    (updated,) = stack.update(properties(StrictDelete="true"))

    assert outcomes([updated]) == [("Update", "SUCCESS", APP)]
    assert "UpdateEmailChannel" not in fake_pinpoint.operations()
    assert fake_pinpoint.tags(APP) == ({} if refused else {OWNER: owner(stack)})
    if refused:
        assert any(
            line["message"] == "ownership of the channel not recorded" for line in updated.logs
        )


# --------------------------------------------------------------------------------------------
# StrictDelete: lenient unless the value, trimmed and case-folded, is "true"
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "status"),
    [
        (None, "SUCCESS"),
        ("false", "SUCCESS"),
        ("yes", "SUCCESS"),
        ("", "SUCCESS"),
        (" TRUE ", "FAILED"),
        ("True", "FAILED"),
        ("true", "FAILED"),
    ],
    ids=["absent", "false", "yes", "empty", "spaced-upper", "capitalised", "true"],
)
def test_strict_delete_spellings_through_a_refused_delete(
    value: str | None, status: str, cfn: CloudFormation, fake_pinpoint: FakePinpoint
) -> None:
    fake_pinpoint.apps[APP].channel = {"FromAddress": "a@example.com", "Identity": "x"}
    fake_pinpoint.apps[APP].tags = {OWNER: owner_of()}
    detail = fake_pinpoint.refuse("DeleteEmailChannel", "410-gone")
    props: dict[str, Any] = properties()
    if value is not None:
        props[contract.PROP_STRICT_DELETE] = value

    answer = cfn.delete("WelcomeChannel8E3B1C2A", APP, props).answer

    assert (answer.status, answer.physical_id) == (status, APP), answer.reason
    assert detail in answer.reason
    assert ("left in place" in answer.reason) is (status == "SUCCESS")
    assert fake_pinpoint.has_channel(APP)


@pytest.mark.parametrize("value", [" TRUE ", "True", "false", "FALSE "])
def test_strict_delete_spellings_deploy(
    value: str, stack: SimulatedStack, fake_pinpoint: FakePinpoint
) -> None:
    """Create accepts what Delete reads: trimmed and case-folded "true" or "false"."""
    (created,) = stack.create(properties(StrictDelete=value))

    assert created.answer.status == "SUCCESS"


def test_refusals_used_here_exist() -> None:
    assert set(OWNERSHIP_REFUSALS) <= set(REFUSALS)


# --------------------------------------------------------------------------------------------
# Edges of a Delete: the app gone, a hand-back refused
# --------------------------------------------------------------------------------------------

MISSING_APP = "00112233445566778899aabbccddeeff"


def test_delete_when_the_app_is_gone_makes_no_delete_call(
    cfn: CloudFormation, fake_pinpoint: FakePinpoint
) -> None:
    answer = cfn.delete("WelcomeChannel8E3B1C2A", MISSING_APP, properties(MISSING_APP)).answer

    assert (answer.status, answer.physical_id) == ("SUCCESS", MISSING_APP)
    assert answer.reason == "Email channel was already gone"
    assert fake_pinpoint.operations() == ["ListTagsForResource"]  # NotFoundException


@pytest.mark.parametrize("strict", [False, True], ids=["lenient", "strict"])
def test_hand_back_refused(strict: bool, cfn: CloudFormation, fake_pinpoint: FakePinpoint) -> None:
    original = owner_of()
    fake_pinpoint.apps[APP].channel = {"FromAddress": "a@example.com", "Identity": "x"}
    fake_pinpoint.apps[APP].tags = {OWNER: owner_of(RENAMED), PREVIOUS: original}
    detail = fake_pinpoint.refuse("TagResource", "403-access-denied")
    props = properties(StrictDelete="true") if strict else properties()

    exchange = cfn.delete(RENAMED, APP, props)  # the rollback's Delete of the renamed resource

    answer = exchange.answer
    assert answer.status == ("FAILED" if strict else "SUCCESS")
    assert f"kept: handed back to {original}" in answer.reason
    assert f"the app's owner tag could not be updated ({detail})" in answer.reason
    assert fake_pinpoint.has_channel(APP)  # kept either way: the original resource manages it
    assert "DeleteEmailChannel" not in fake_pinpoint.operations()
    if not strict:
        assert exchange.final_log["left_in_place"] is True


def test_replacement_whose_claim_is_refused_with_the_stack_status_unknown(
    stack: SimulatedStack, fake_pinpoint: FakePinpoint, cloudformation: Stubber
) -> None:
    """Pinpoint configured the new app's channel: answering SUCCESS (rather than risk a stuck
    rollback) completes the replacement, and the old app's channel is cleaned up as usual."""
    stack.create(properties(APP))
    fake_pinpoint.refuse("TagResource", "403-access-denied")
    expect_describe_stacks_error(cloudformation, stack.cfn.stack_id, "AccessDenied", "Denied", 403)

    replaced, cleanup = stack.update(properties(OTHER_APP))

    assert outcomes([replaced, cleanup]) == [
        ("Update", "SUCCESS", OTHER_APP),
        ("Delete", "SUCCESS", APP),
    ]
    assert "The stack's status could not be read" in replaced.answer.reason
    assert "its ownership could not be recorded" in replaced.answer.reason
    assert replaced.answer.data[contract.DATA_APPLICATION_ID] == OTHER_APP
    assert fake_pinpoint.has_channel(OTHER_APP) and fake_pinpoint.tags(OTHER_APP) == {}
    assert not fake_pinpoint.has_channel(APP)
