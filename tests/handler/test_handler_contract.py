"""The handler's contract, one event at a time: what Pinpoint is asked, what CloudFormation gets.

Pinpoint is a real botocore client behind a ``Stubber`` (requests validated against the model);
CloudFormation's answer is the body of the PUT the local S3 stand-in received.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from botocore.stub import Stubber
from cfn_simulator import HANDLER_DIR, CloudFormation, FakeContext, contract
from pinpoint_stubs import (
    APP,
    ME,
    OTHER_APP,
    OWNER,
    expect_delete,
    expect_error,
    expect_tags,
    expect_update,
    properties,
)

LOGICAL_ID = "WelcomeChannel8E3B1C2A"
LOG_STREAM = FakeContext().log_stream_name


def body_of(exchange: Any) -> dict[str, Any]:
    assert exchange.answer  # exactly one delivered, well-formed answer
    return dict(json.loads(exchange.attempts[0].body))


def test_create_sends_the_full_request_and_answers_the_application_id(
    cfn: CloudFormation, pinpoint: Stubber
) -> None:
    expect_update(pinpoint, ConfigurationSet="transactional", Enabled=False)
    props = properties(ConfigurationSet="transactional", Enabled="false")

    exchange = cfn.create(LOGICAL_ID, props)

    assert body_of(exchange) == {
        "Status": "SUCCESS",
        "Reason": "",
        "PhysicalResourceId": APP,
        "StackId": cfn.stack_id,
        "RequestId": exchange.event["RequestId"],
        "LogicalResourceId": LOGICAL_ID,
        "NoEcho": False,
        "Data": {
            "ApplicationId": APP,
            "MessagesPerSecond": "14",
            "Version": "1",
            "Enabled": "false",
        },
    }
    put = exchange.attempts[0]
    assert put.headers.get("Content-Type", "") == ""
    assert put.headers["Content-Length"] == str(len(put.body))
    pinpoint.assert_no_pending_responses()


def test_optional_role_arns_are_passed_through(cfn: CloudFormation, pinpoint: Stubber) -> None:
    role = "arn:aws:iam::123456789012:role/pinpoint-events"
    orchestration = "arn:aws:iam::123456789012:role/pinpoint-orchestration"
    expect_update(pinpoint, RoleArn=role, OrchestrationSendingRoleArn=orchestration)

    exchange = cfn.create(
        LOGICAL_ID, properties(RoleArn=role, OrchestrationSendingRoleArn=orchestration)
    )

    assert exchange.answer.status == "SUCCESS"


def test_update_in_place_keeps_the_physical_id(cfn: CloudFormation, pinpoint: Stubber) -> None:
    expect_update(pinpoint, version=2, FromAddress="news@example.com")

    exchange = cfn.update(LOGICAL_ID, APP, properties(FromAddress="news@example.com"), properties())

    answer = exchange.answer
    assert (answer.status, answer.physical_id) == ("SUCCESS", APP)
    assert answer.data["Version"] == "2"


def test_update_to_another_application_replaces_and_the_old_channel_is_deleted_later(
    cfn: CloudFormation, pinpoint: Stubber
) -> None:
    expect_update(pinpoint, OTHER_APP)
    expect_delete(pinpoint, APP)  # the OLD application's channel

    replaced = cfn.update(LOGICAL_ID, APP, properties(OTHER_APP), properties(APP))
    assert (replaced.answer.status, replaced.answer.physical_id) == ("SUCCESS", OTHER_APP)

    # CloudFormation's cleanup: Delete of the old physical id, with the OLD properties.
    cleanup = cfn.delete(LOGICAL_ID, APP, properties(APP))
    assert (cleanup.answer.status, cleanup.answer.physical_id) == ("SUCCESS", APP)
    pinpoint.assert_no_pending_responses()


def test_delete_deletes_the_channel(cfn: CloudFormation, pinpoint: Stubber) -> None:
    expect_delete(pinpoint, APP)

    exchange = cfn.delete(LOGICAL_ID, APP, properties())

    assert body_of(exchange) == {
        "Status": "SUCCESS",
        "Reason": "",
        "PhysicalResourceId": APP,
        "StackId": cfn.stack_id,
        "RequestId": exchange.event["RequestId"],
        "LogicalResourceId": LOGICAL_ID,
        "NoEcho": False,
        "Data": {},
    }


def test_delete_of_a_missing_channel_succeeds(cfn: CloudFormation, pinpoint: Stubber) -> None:
    expect_tags(pinpoint, APP, {})  # a channel made before ownership tags
    expect_error(pinpoint, "delete_email_channel", "NotFoundException", "Resource not found")

    answer = cfn.delete(LOGICAL_ID, APP, properties()).answer

    assert (answer.status, answer.physical_id) == ("SUCCESS", APP)
    assert "already gone" in answer.reason


def test_failed_create_answers_a_marker_and_its_delete_makes_no_call(
    cfn: CloudFormation, pinpoint: Stubber
) -> None:
    expect_error(
        pinpoint, "update_email_channel", "BadRequestException", "Identity is not verified"
    )

    created = cfn.create(LOGICAL_ID, properties())
    marker = f"{contract.FAILED_CREATE_PREFIX}{created.event['RequestId']}"
    assert (created.answer.status, created.answer.physical_id) == ("FAILED", marker)

    deleted = cfn.delete(LOGICAL_ID, marker, properties())  # no stub queued: no call allowed
    assert (deleted.answer.status, deleted.answer.physical_id) == ("SUCCESS", marker)


def test_api_error_is_failed_with_a_readable_reason(cfn: CloudFormation, pinpoint: Stubber) -> None:
    expect_error(
        pinpoint,
        "update_email_channel",
        "BadRequestException",
        "Email identity example.com is not verified",
    )

    exchange = cfn.update(LOGICAL_ID, APP, properties(), properties(Enabled="false"))

    answer = exchange.answer
    assert (answer.status, answer.physical_id) == ("FAILED", APP)  # a failed Update keeps its id
    assert answer.reason == (
        f"Pinpoint rejected the email channel of application {APP}: BadRequestException: "
        "Email identity example.com is not verified. Pinpoint email reached end of support on "
        f"2026-10-30: move email to SES (docs/moving-to-ses.md). (log stream {LOG_STREAM})"
    )
    assert exchange.describe_stacks_calls == 1  # a forward Update (UPDATE_IN_PROGRESS): FAILED
    assert exchange.final_log["outcome"] == "FAILED"
    assert exchange.final_log["reason"] in answer.reason


def test_the_contract_has_one_home() -> None:
    """The resource type and the failed-Create marker are written in contract.py only: the
    handler and these tests import them (so does the construct)."""
    literals = [contract.RESOURCE_TYPE, contract.FAILED_CREATE_PREFIX]
    sources = [*HANDLER_DIR.glob("*.py"), *Path(__file__).parent.glob("*.py")]
    for source in sources:
        if source.name == "contract.py":
            continue
        code = source.read_text()
        for literal in literals:
            assert f'"{literal}' not in code, f"{source.name} has its own copy of {literal!r}"


def test_answer_after_a_lenient_delete_names_pinpoints_error(
    cfn: CloudFormation, pinpoint: Stubber
) -> None:
    expect_tags(pinpoint, APP, {OWNER: ME})
    expect_error(pinpoint, "delete_email_channel", "ForbiddenException", "Forbidden")

    exchange = cfn.delete(LOGICAL_ID, APP, properties())

    assert body_of(exchange)["Reason"] == (
        f"Email channel of application {APP} left in place: ForbiddenException: Forbidden. "
        "DeleteEmailChannel did not succeed, and the resource leaves the stack anyway (set "
        "StrictDelete to fail instead); delete the channel yourself if it still matters."
    )
