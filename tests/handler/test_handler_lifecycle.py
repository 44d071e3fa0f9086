"""Whole resource lifecycles, played the way CloudFormation plays them (``SimulatedStack``).

Each step is a real ``on_event`` invocation answered through an HTTP PUT on the local S3
stand-in; the Stubber holds exactly the Pinpoint calls each sequence may make, in order.
"""

from __future__ import annotations

from botocore.stub import Stubber
from cfn_simulator import SimulatedStack, entry
from pinpoint_stubs import APP, OTHER_APP, expect_delete, expect_error, expect_update, properties


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
        "ApplicationId": APP,
        "MessagesPerSecond": "14",
        "Version": "2",
        "Enabled": "false",
    }
    pinpoint.assert_no_pending_responses()


def test_failed_create_then_delete_of_the_id_it_was_given(
    stack: SimulatedStack, pinpoint: Stubber
) -> None:
    # The app may already have a channel from outside the stack: the rollback must not delete it.
    expect_error(pinpoint, "update_email_channel", "NotFoundException", "App not found")

    created, rolled_back = stack.create(properties())

    marker = entry.FAILED_CREATE_PREFIX + created.event["RequestId"]
    assert outcomes([created, rolled_back]) == [
        ("Create", "FAILED", marker),
        ("Delete", "SUCCESS", marker),
    ]
    assert rolled_back.event["PhysicalResourceId"] == marker
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
    assert cleanup.event["ResourceProperties"]["ApplicationId"] == APP
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
