"""Whole resource lifecycles, played the way CloudFormation plays them (``SimulatedStack``).

Each step is a real ``on_event`` invocation answered through an HTTP PUT on the local S3
stand-in; the Stubber holds exactly the Pinpoint calls each sequence may make, in order.
"""

from __future__ import annotations

import pytest
from botocore.stub import Stubber
from cfn_simulator import SimulatedStack, contract
from pinpoint_stubs import (
    APP,
    ME,
    OTHER_APP,
    OWNER,
    REFUSALS,
    expect_delete,
    expect_error,
    expect_refusal,
    expect_tags,
    expect_update,
    properties,
)


def outcomes(steps: list[object]) -> list[tuple[str, str, str]]:
    return [
        (step.event["RequestType"], step.answer.status, step.answer.physical_id)  # type: ignore[attr-defined]
        for step in steps
    ]


def test_create_update_delete(stack: SimulatedStack, pinpoint: Stubber) -> None:
    expect_update(pinpoint)
    expect_update(pinpoint, version=2, Enabled=False)
    expect_delete(pinpoint)

    created = stack.create(properties())
    updated = stack.update(properties(Enabled="false"))
    deleted = stack.delete()

    assert outcomes([*created, *updated, deleted]) == [
        ("Create", "SUCCESS", APP),
        ("Update", "SUCCESS", APP),
        ("Delete", "SUCCESS", APP),
    ]
    assert updated[0].answer.data == {
        contract.DATA_APPLICATION_ID: APP,
        contract.DATA_MESSAGES_PER_SECOND: "14",
        contract.DATA_VERSION: "2",
        contract.DATA_ENABLED: "false",
    }
    assert stack.status == "DELETE_COMPLETE"
    assert [step.describe_stacks_calls for step in stack.history] == [0, 0, 0]
    pinpoint.assert_no_pending_responses()


def test_failed_create_then_delete_of_the_id_it_was_given(
    stack: SimulatedStack, pinpoint: Stubber
) -> None:
    # The app may already have a channel from outside the stack: the rollback must not delete it.
    expect_error(pinpoint, "update_email_channel", "NotFoundException", "App not found")

    created, rolled_back = stack.create(properties())

    marker = contract.FAILED_CREATE_PREFIX + created.event["RequestId"]
    assert outcomes([created, rolled_back]) == [
        ("Create", "FAILED", marker),
        ("Delete", "SUCCESS", marker),
    ]
    assert rolled_back.event["PhysicalResourceId"] == marker
    assert stack.status == "ROLLBACK_COMPLETE"
    pinpoint.assert_no_pending_responses()  # one UpdateEmailChannel, no DeleteEmailChannel


def test_update_to_a_new_application_then_cleanup_deletes_the_old_channel(
    stack: SimulatedStack, pinpoint: Stubber
) -> None:
    expect_update(pinpoint, APP)
    expect_update(pinpoint, OTHER_APP)
    expect_delete(pinpoint, APP)  # cleanup: the OLD app's channel, never the new one
    expect_delete(pinpoint, OTHER_APP)

    stack.create(properties(APP))
    replaced, cleanup = stack.update(properties(OTHER_APP))
    deleted = stack.delete()

    assert outcomes([replaced, cleanup, deleted]) == [
        ("Update", "SUCCESS", OTHER_APP),
        ("Delete", "SUCCESS", APP),
        ("Delete", "SUCCESS", OTHER_APP),
    ]
    assert cleanup.event["ResourceProperties"][contract.PROP_APPLICATION_ID] == APP
    pinpoint.assert_no_pending_responses()


def test_replacement_rolled_back_deletes_only_the_new_channel(
    stack: SimulatedStack, pinpoint: Stubber
) -> None:
    expect_update(pinpoint, APP)
    expect_update(pinpoint, OTHER_APP)
    expect_delete(pinpoint, OTHER_APP)

    stack.create(properties(APP))
    replaced, rollback = stack.update(properties(OTHER_APP), later_resource_fails=True)

    assert outcomes([replaced, rollback]) == [
        ("Update", "SUCCESS", OTHER_APP),
        ("Delete", "SUCCESS", OTHER_APP),
    ]
    assert stack.physical_id == APP  # the old channel stays, untouched
    pinpoint.assert_no_pending_responses()


def test_failed_update_then_rollback_with_properties_swapped(
    stack: SimulatedStack, pinpoint: Stubber
) -> None:
    expect_update(pinpoint)
    expect_error(
        pinpoint,
        "update_email_channel",
        "BadRequestException",
        "Configuration set missing-set does not exist",
        ConfigurationSet="missing-set",
    )
    expect_update(pinpoint, version=3)  # the rollback restores the old settings

    stack.create(properties())
    failed, rollback = stack.update(properties(ConfigurationSet="missing-set"))

    assert outcomes([failed, rollback]) == [
        ("Update", "FAILED", APP),
        ("Update", "SUCCESS", APP),
    ]
    assert "missing-set does not exist" in failed.answer.reason
    assert rollback.event["ResourceProperties"] == failed.event["OldResourceProperties"]
    assert rollback.event["OldResourceProperties"] == failed.event["ResourceProperties"]
    assert stack.status == "UPDATE_ROLLBACK_COMPLETE"
    assert (failed.describe_stacks_calls, rollback.describe_stacks_calls) == (1, 0)
    pinpoint.assert_no_pending_responses()


def test_in_place_update_rolled_back_after_another_resource_failed(
    stack: SimulatedStack, pinpoint: Stubber
) -> None:
    expect_update(pinpoint)
    expect_update(pinpoint, version=2, Enabled=False)
    expect_update(pinpoint, version=3)

    stack.create(properties())
    updated, rollback = stack.update(properties(Enabled="false"), later_resource_fails=True)

    assert outcomes([updated, rollback]) == [
        ("Update", "SUCCESS", APP),
        ("Update", "SUCCESS", APP),
    ]
    pinpoint.assert_no_pending_responses()


def test_delete_of_an_invented_physical_id_makes_no_call(
    stack: SimulatedStack, pinpoint: Stubber
) -> None:
    deleted = stack.create_cancelled(properties())

    invented = deleted.event["PhysicalResourceId"]
    assert invented.startswith(f"{stack.cfn.stack_name}-{stack.logical_id}-")
    assert outcomes([deleted]) == [("Delete", "SUCCESS", invented)]
    assert "No channel was created" in deleted.answer.reason
    pinpoint.assert_no_pending_responses()  # nothing queued: any Pinpoint call would fail


# --------------------------------------------------------------------------------------------
# After Pinpoint's end of support: refusals never strand the stack
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", REFUSALS)
def test_refused_delete_ends_delete_complete(
    shape: str, stack: SimulatedStack, pinpoint: Stubber
) -> None:
    expect_update(pinpoint)
    stack.create(properties())
    detail = expect_refusal(pinpoint, "delete_email_channel", shape)

    deleted = stack.delete()

    assert outcomes([deleted]) == [("Delete", "SUCCESS", APP)]
    assert f"left in place: {detail}" in deleted.answer.reason
    assert f"left in place: {detail}" in deleted.final_log["reason"]
    assert stack.status == "DELETE_COMPLETE"
    pinpoint.assert_no_pending_responses()


@pytest.mark.parametrize("shape", REFUSALS)
def test_refused_delete_in_strict_mode_ends_delete_failed(
    shape: str, stack: SimulatedStack, pinpoint: Stubber
) -> None:
    expect_update(pinpoint)
    stack.create(properties(StrictDelete="true"))
    detail = expect_refusal(pinpoint, "delete_email_channel", shape)

    deleted = stack.delete()

    assert outcomes([deleted]) == [("Delete", "FAILED", APP)]
    assert detail.split(" (still")[0] in deleted.answer.reason
    assert stack.status == "DELETE_FAILED"
    pinpoint.assert_no_pending_responses()


@pytest.mark.parametrize("shape", REFUSALS)
def test_refused_update_then_refused_rollback_ends_update_rollback_complete(
    shape: str, stack: SimulatedStack, pinpoint: Stubber
) -> None:
    expect_update(pinpoint)
    stack.create(properties())
    forward_detail = expect_refusal(
        pinpoint, "update_email_channel", shape, ConfigurationSet="transactional"
    )
    rollback_detail = expect_refusal(pinpoint, "update_email_channel", shape)  # old settings

    forward, rollback = stack.update(properties(ConfigurationSet="transactional"))

    assert outcomes([forward, rollback]) == [("Update", "FAILED", APP), ("Update", "SUCCESS", APP)]
    assert stack.status == "UPDATE_ROLLBACK_COMPLETE"
    assert (forward.stack_status, rollback.stack_status) == (
        "UPDATE_IN_PROGRESS",
        "UPDATE_ROLLBACK_IN_PROGRESS",
    )
    assert forward.describe_stacks_calls == rollback.describe_stacks_calls == 1
    assert forward_detail.split(" (still")[0] in forward.answer.reason
    if REFUSALS[shape][2] == 1:
        assert "move email to SES (docs/moving-to-ses.md)" in forward.answer.reason
    else:
        assert "deploy again later" in forward.answer.reason
    assert f"Rollback: email channel of application {APP} left in place: " in (
        rollback.answer.reason
    )
    assert rollback_detail in rollback.answer.reason
    assert set(rollback.answer.data) == set(contract.DATA_KEYS)
    assert rollback.answer.data[contract.DATA_APPLICATION_ID] == APP
    assert stack.physical_id == APP
    pinpoint.assert_no_pending_responses()


def test_refused_create_then_its_delete_makes_no_call(
    stack: SimulatedStack, pinpoint: Stubber
) -> None:
    expect_refusal(pinpoint, "update_email_channel", "400-bad-request")

    created, rolled_back = stack.create(properties())

    marker = contract.FAILED_CREATE_PREFIX + created.event["RequestId"]
    assert outcomes([created, rolled_back]) == [
        ("Create", "FAILED", marker),
        ("Delete", "SUCCESS", marker),
    ]
    assert "docs/moving-to-ses.md" in created.answer.reason
    assert stack.status == "ROLLBACK_COMPLETE"
    assert created.describe_stacks_calls == rolled_back.describe_stacks_calls == 0
    pinpoint.assert_no_pending_responses()  # one UpdateEmailChannel, no DeleteEmailChannel


def test_whole_sunset_story_update_refused_then_stack_deleted(
    stack: SimulatedStack, pinpoint: Stubber
) -> None:
    """An app on Pinpoint after the end of support: every call refused, the stack never stuck."""
    expect_update(pinpoint)
    stack.create(properties())
    expect_refusal(pinpoint, "update_email_channel", "410-gone", Enabled=False)
    expect_refusal(pinpoint, "update_email_channel", "410-gone")
    expect_refusal(pinpoint, "delete_email_channel", "410-gone")

    stack.update(properties(Enabled="false"))
    assert stack.status == "UPDATE_ROLLBACK_COMPLETE"
    stack.delete()

    assert stack.status == "DELETE_COMPLETE"
    assert [step.answer.status for step in stack.history] == [
        "SUCCESS",
        "FAILED",
        "SUCCESS",
        "SUCCESS",
    ]
    pinpoint.assert_no_pending_responses()


def test_update_rolled_back_after_another_resource_failed_and_pinpoint_refuses_the_rollback(
    stack: SimulatedStack, pinpoint: Stubber
) -> None:
    expect_update(pinpoint)
    expect_update(pinpoint, version=2, Enabled=False)
    expect_refusal(pinpoint, "update_email_channel", "403-forbidden")  # back to Enabled=true

    stack.create(properties())
    updated, rollback = stack.update(properties(Enabled="false"), later_resource_fails=True)

    assert outcomes([updated, rollback]) == [("Update", "SUCCESS", APP), ("Update", "SUCCESS", APP)]
    assert stack.status == "UPDATE_ROLLBACK_COMPLETE"
    assert "the channel keeps the ones it has" in rollback.answer.reason
    assert rollback.answer.data[contract.DATA_ENABLED] == "true"  # the properties rolled back to
    pinpoint.assert_no_pending_responses()


def test_update_of_strict_delete_alone_makes_no_pinpoint_call(
    stack: SimulatedStack, pinpoint: Stubber
) -> None:
    # Turning strict deletes on (or off) must deploy even where Pinpoint now refuses every
    # UpdateEmailChannel: nothing Pinpoint sees changes, so the handler does not call it (it
    # only reads the ownership tags, best effort: the channel is already this resource's).
    expect_update(pinpoint)
    expect_tags(pinpoint, APP, {OWNER: ME})
    expect_refusal(pinpoint, "delete_email_channel", "403-forbidden")

    created = stack.create(properties())
    updated = stack.update(properties(**{contract.PROP_STRICT_DELETE: "true"}))
    deleted = stack.delete()

    assert outcomes([*created, *updated, deleted]) == [
        ("Create", "SUCCESS", APP),
        ("Update", "SUCCESS", APP),
        ("Delete", "FAILED", APP),
    ]
    assert set(updated[0].answer.data) == set(contract.DATA_KEYS)
    assert updated[0].answer.data[contract.DATA_APPLICATION_ID] == APP
    assert [step.describe_stacks_calls for step in stack.history] == [0, 0, 0]
    pinpoint.assert_no_pending_responses()  # one UpdateEmailChannel (the Create), one Delete
