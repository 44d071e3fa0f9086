"""The fault matrix: every row gets exactly one well-formed answer (or, with no ResponseURL, a log
line and nothing sent), the right Status and PhysicalResourceId, a Reason a person can act on,
and exactly the Pinpoint calls it should (Stubber, ``assert_no_pending_responses``).

Backoff delays are recorded, not slept (the ``backoff`` fixture); rows about the Lambda's deadline
use real time with a fake context that has about a second left.

docs/reliability.md is this matrix as a table.
"""

from __future__ import annotations

import json
import socket
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, NoRegionError
from botocore.stub import Stubber
from cfn_simulator import (
    Backoff,
    CloudFormation,
    Exchange,
    Fail,
    FakeContext,
    Redirect,
    ResponseServer,
    Stall,
    cfn_response,
    contract,
    entry,
    pinpoint_calls,
    worker_threads,
)
from pinpoint_stubs import (
    APP,
    OTHER_APP,
    REFUSALS,
    BlockingClient,
    FailingClient,
    channel,
    expect_claim,
    expect_delete,
    expect_describe_stacks,
    expect_describe_stacks_error,
    expect_error,
    expect_refusal,
    expect_tags,
    expect_update,
    properties,
    request,
)

LOGICAL_ID = "WelcomeChannel8E3B1C2A"
LOG_SUFFIX = f" (log stream {FakeContext().log_stream_name})"
MARKER = "<marker>"  # stands for the failed-Create marker + RequestId in the rows below


def assert_actionable(exchange: Exchange) -> None:
    """A FAILED Reason says what went wrong and where the logs are; it is no traceback."""
    reason = exchange.answer.reason
    assert reason.endswith(LOG_SUFFIX), reason
    assert "Traceback" not in reason
    assert len(reason) > len(LOG_SUFFIX) + 20, reason


def expected_physical_id(exchange: Exchange, physical_id: str) -> str:
    if physical_id == MARKER:
        return str(contract.FAILED_CREATE_PREFIX + exchange.event["RequestId"])
    return physical_id


# --------------------------------------------------------------------------------------------
# Pinpoint answers, and bad events the handler must reject
# --------------------------------------------------------------------------------------------


def _throttled_twice(stubber: Stubber) -> None:
    expect_error(stubber, "update_email_channel", "TooManyRequestsException", "Too many requests")
    expect_error(stubber, "update_email_channel", "TooManyRequestsException", "Too many requests")
    expect_update(stubber)


def _persistent_5xx(stubber: Stubber) -> None:
    for _ in range(pinpoint_calls.DEFAULT_RETRY.max_attempts):
        expect_error(
            stubber, "update_email_channel", "InternalServerErrorException", "Internal failure"
        )


SES_DOC = "docs/moving-to-ses.md"
LONG_MESSAGE = "Email identity example.com is not verified: " + "üñí-códé " * 1200


@dataclass(frozen=True)
class Row:
    request_type: str
    stub: Callable[[Stubber], None]
    status: str
    physical_id: str
    reason_has: tuple[str, ...] = ()
    pinpoint_backoffs: int = 0
    properties: dict[str, Any] = field(default_factory=properties)
    max_reason: int = 1000
    describe_stacks: int = 0  # DescribeStacks calls: a FAILED Update asks whether it is a rollback


ROWS = {
    "throttled-twice-then-ok": Row("Create", _throttled_twice, "SUCCESS", APP, pinpoint_backoffs=2),
    "persistent-5xx": Row(
        "Update",
        _persistent_5xx,
        "FAILED",
        APP,
        (
            f"UpdateEmailChannel for application {APP} still failing after 5 attempts",
            "InternalServerErrorException: Internal failure",
            "deploy again later",
        ),
        pinpoint_backoffs=4,
        describe_stacks=1,
    ),
    "not-found-on-delete": Row(
        "Delete",
        lambda s: (
            expect_tags(s, APP, {}),
            expect_error(s, "delete_email_channel", "NotFoundException", "Not found"),
        ),
        "SUCCESS",
        APP,
        ("already gone",),
    ),
    "not-found-on-create-app-missing": Row(
        "Create",
        lambda s: expect_error(s, "update_email_channel", "NotFoundException", "Not found"),
        "FAILED",
        MARKER,
        (f"Pinpoint application {APP} was not found", "create the app before the channel"),
    ),
    "forbidden-on-create": Row(
        "Create",
        lambda s: expect_error(s, "update_email_channel", "ForbiddenException", "Forbidden"),
        "FAILED",
        MARKER,
        (f"Pinpoint refused access to application {APP}", "ForbiddenException", SES_DOC),
        max_reason=500,
    ),
    "access-denied-on-update": Row(
        "Update",
        lambda s: expect_error(
            s,
            "update_email_channel",
            "AccessDeniedException",
            "User is not authorized to perform: mobiletargeting:UpdateEmailChannel",
        ),
        "FAILED",
        APP,
        ("AccessDeniedException", "mobiletargeting:UpdateEmailChannel", SES_DOC),
        max_reason=500,
        describe_stacks=1,
    ),
    "bad-request-unverified-identity": Row(
        "Create",
        lambda s: expect_error(
            s,
            "update_email_channel",
            "BadRequestException",
            "Email identity example.com is not verified in us-east-1",
        ),
        "FAILED",
        MARKER,
        ("BadRequestException: Email identity example.com is not verified in us-east-1",),
    ),
    "unknown-request-type": Row(
        "Upsert", lambda s: None, "FAILED", MARKER, ("Unknown RequestType 'Upsert'",)
    ),
    "required-property-missing": Row(
        "Create",
        lambda s: None,
        "FAILED",
        MARKER,
        ("required property FromAddress is missing or empty",),
        properties=properties(FromAddress="<absent>"),
    ),
    "enabled-not-a-boolean-string": Row(
        "Update",
        lambda s: None,
        "FAILED",
        APP,
        ('property Enabled must be "true" or "false", got \'yes\'',),
        properties=properties(Enabled="yes"),
        describe_stacks=1,
    ),
    "property-of-the-wrong-json-type": Row(
        "Create",
        lambda s: None,
        "FAILED",
        MARKER,
        (
            "Invalid properties: FromAddress must be a string, got int 5",
            "ConfigurationSet must be a string, got list",
        ),
        properties={
            **properties(),
            contract.PROP_FROM_ADDRESS: 5,
            contract.PROP_CONFIGURATION_SET: ["a"],
        },
    ),
    "strict-delete-not-a-boolean-string": Row(
        "Create",
        lambda s: None,
        "FAILED",
        MARKER,
        ('property StrictDelete must be "true" or "false" (or absent), got \'yes\'',),
        properties=properties(StrictDelete="yes"),
    ),
    "error-message-too-long-for-4096-bytes": Row(
        "Create",
        lambda s: expect_error(s, "update_email_channel", "BadRequestException", LONG_MESSAGE),
        "FAILED",
        MARKER,
        ("Email identity example.com is not verified", "[truncated]"),
        max_reason=4096,
    ),
}


def event_for(cfn: CloudFormation, row: Row) -> dict[str, Any]:
    physical_id = None if row.request_type in ("Create", "Upsert") else APP
    # CloudFormation sends an Update only when a property changed: here the from address.
    old = (
        {**row.properties, contract.PROP_FROM_ADDRESS: "previous@example.com"}
        if row.request_type == "Update"
        else None
    )
    return cfn.event(
        row.request_type, LOGICAL_ID, row.properties, physical_id=physical_id, old_properties=old
    )


@pytest.mark.parametrize("row", ROWS.values(), ids=ROWS.keys())
def test_fault(row: Row, cfn: CloudFormation, pinpoint: Stubber, backoff: Backoff) -> None:
    row.stub(pinpoint)

    exchange = cfn.invoke(event_for(cfn, row))

    answer = exchange.answer  # exactly one, well-formed, within 4096 bytes
    assert answer.status == row.status, answer.reason
    assert answer.physical_id == expected_physical_id(exchange, row.physical_id)
    for text in row.reason_has:
        assert text in answer.reason
    if row.status == "FAILED":
        assert_actionable(exchange)
        assert len(answer.reason) <= row.max_reason
    assert len(backoff.pinpoint) == row.pinpoint_backoffs
    assert backoff.put == []
    assert exchange.final_log["outcome"] == row.status
    assert exchange.describe_stacks_calls == row.describe_stacks
    pinpoint.assert_no_pending_responses()


def test_too_long_reason_keeps_the_log_stream_and_fits_4096_bytes(
    cfn: CloudFormation, pinpoint: Stubber
) -> None:
    ROWS["error-message-too-long-for-4096-bytes"].stub(pinpoint)

    exchange = cfn.create(LOGICAL_ID, properties())

    assert len(LONG_MESSAGE.encode()) > 2 * cfn_response.MAX_BODY_BYTES
    assert exchange.answer.size <= cfn_response.MAX_BODY_BYTES
    assert exchange.answer.size > cfn_response.MAX_BODY_BYTES - 16  # cut, not dropped
    assert exchange.answer.reason.endswith("[truncated]" + LOG_SUFFIX)


# --------------------------------------------------------------------------------------------
# Unforeseen errors, and retries bounded by the deadline
# --------------------------------------------------------------------------------------------


def test_unexpected_exception_building_the_client(
    cfn: CloudFormation, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_region() -> Any:
        raise NoRegionError()

    monkeypatch.setattr(entry, "pinpoint_client", no_region)

    exchange = cfn.create(LOGICAL_ID, properties())

    assert exchange.answer.status == "FAILED"
    assert exchange.answer.reason.startswith("Unexpected NoRegionError: You must specify a region")
    assert_actionable(exchange)
    logged = [line for line in exchange.logs if line["message"] == "unexpected error"]
    assert logged and logged[0]["error_type"] == "NoRegionError"
    assert "Traceback" in logged[0]["traceback"]


def test_unexpected_exception_from_the_call(
    cfn: CloudFormation, monkeypatch: pytest.MonkeyPatch
) -> None:
    failing = FailingClient(KeyError("EmailChannelResponse"))
    monkeypatch.setattr(entry, "pinpoint_client", lambda: failing)

    exchange = cfn.update(LOGICAL_ID, APP, properties(), properties(Enabled="false"))

    answer = exchange.answer
    assert (answer.status, answer.physical_id) == ("FAILED", APP)
    assert answer.reason.startswith("Unexpected KeyError: 'EmailChannelResponse'")
    assert failing.calls == 1  # not a transient error: no retry


def test_persistent_5xx_gives_up_within_the_time_budget(
    cfn: CloudFormation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Real sleeps and a second left: the retries stop in time for the FAILED answer."""
    response: Any = {
        "Error": {"Code": "InternalServerErrorException", "Message": "Internal failure"},
        "ResponseMetadata": {"HTTPStatusCode": 500},
    }
    error = ClientError(response, "UpdateEmailChannel")
    failing = FailingClient(error)
    monkeypatch.setattr(entry, "pinpoint_client", lambda: failing)
    monkeypatch.setattr(pinpoint_calls, "backoff_sleep", time.sleep)
    monkeypatch.setattr(
        pinpoint_calls,
        "DEFAULT_RETRY",
        pinpoint_calls.RetryPolicy(max_attempts=100, base_delay=0.05, max_delay=0.4),
    )

    exchange = cfn.create(LOGICAL_ID, properties(), remaining_ms=1000)

    assert exchange.seconds < 1.0
    answer = exchange.answer
    assert answer.status == "FAILED"
    assert "still failing after" in answer.reason  # the retry loop's answer, not the guard's
    assert 2 <= failing.calls < 100


# --------------------------------------------------------------------------------------------
# Malformed events
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "mangle",
    [
        pytest.param(lambda e: {k: v for k, v in e.items() if k != "ResponseURL"}, id="no-url"),
        pytest.param(lambda e: {**e, "ResponseURL": ""}, id="empty-url"),
        pytest.param(lambda e: {**e, "ResponseURL": None}, id="null-url"),
        pytest.param(lambda e: None, id="event-none"),
        pytest.param(lambda e: [e], id="event-a-list"),
    ],
)
def test_event_without_response_url_is_logged_and_nothing_sent(
    mangle: Callable[[dict[str, Any]], Any],
    cfn: CloudFormation,
    server: ResponseServer,
    pinpoint: Stubber,
) -> None:
    exchange = cfn.invoke(mangle(cfn.event("Create", LOGICAL_ID, properties())))

    assert server.puts == []
    assert exchange.final_log["outcome"] == "dropped"
    assert exchange.final_log["level"] == "ERROR"
    pinpoint.assert_no_pending_responses()  # no Pinpoint call either


def test_unusable_response_url_is_logged_without_crashing(
    cfn: CloudFormation, server: ResponseServer
) -> None:
    event = cfn.event(
        "Delete", LOGICAL_ID, properties(), physical_id=contract.FAILED_CREATE_PREFIX + "earlier"
    )
    event["ResponseURL"] = "s3-presigned-url-missing-its-scheme?X-Amz-Signature=0123abcd"

    exchange = cfn.invoke(event)

    assert server.puts == []
    assert exchange.final_log["outcome"] == "dropped"
    assert "not an https URL" in exchange.final_log["message"]


# --------------------------------------------------------------------------------------------
# The Lambda's deadline
# --------------------------------------------------------------------------------------------


def test_close_to_the_lambda_timeout_answers_failed_once(
    cfn: CloudFormation,
    server: ResponseServer,
    pinpoint: Stubber,
    client: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    expect_update(pinpoint)
    slow = BlockingClient(client)
    monkeypatch.setattr(entry, "pinpoint_client", lambda: slow)

    exchange = cfn.create(LOGICAL_ID, properties(), remaining_ms=400)

    assert exchange.seconds < 0.4  # answered before the deadline
    answer = exchange.answer
    assert answer.status == "FAILED"
    assert answer.physical_id == contract.FAILED_CREATE_PREFIX + exchange.event["RequestId"]
    assert "Timed out waiting for Pinpoint" in answer.reason
    assert_actionable(exchange)
    assert slow.entered.is_set() and not slow.returned.is_set()

    slow.release.set()  # Pinpoint answers after all: the worker finishes ...
    for worker in worker_threads():
        worker.join(5)
    assert slow.returned.is_set()
    assert len(server.puts_to(exchange.event["ResponseURL"])) == 1  # ... and sends nothing more
    assert not any(line["message"] == "answered" for line in cfn.logs.take())
    pinpoint.assert_no_pending_responses()


def test_answer_in_flight_at_the_deadline_is_waited_for(
    cfn: CloudFormation, server: ResponseServer, pinpoint: Stubber
) -> None:
    """The worker is still PUTting its answer when the guard wakes up: returning then would
    freeze the Lambda mid-PUT, so the handler waits for that PUT (and sends no second one)."""
    expect_update(pinpoint)
    server.script(Stall(0.85))

    exchange = cfn.create(LOGICAL_ID, properties(), remaining_ms=1000)

    put = exchange.attempts[0]
    assert put.completed_at is not None and put.completed_at <= exchange.returned_at
    assert exchange.answer.status == "SUCCESS"
    assert exchange.final_log["outcome"] == "SUCCESS"


def test_s3_hanging_never_holds_the_lambda_past_its_deadline(
    cfn: CloudFormation, server: ResponseServer, pinpoint: Stubber
) -> None:
    expect_update(pinpoint)
    server.script(Stall(10))

    exchange = cfn.create(LOGICAL_ID, properties(), remaining_ms=1000)

    assert exchange.seconds < 1.0
    assert exchange.answers == []
    assert exchange.final_log["delivery"] == "failed"
    assert exchange.final_log["outcome"] == "SUCCESS"


# --------------------------------------------------------------------------------------------
# Delivering the answer
# --------------------------------------------------------------------------------------------


def test_put_retried_after_500_and_a_reset_connection(
    cfn: CloudFormation, server: ResponseServer, pinpoint: Stubber, backoff: Backoff
) -> None:
    from cfn_simulator import Reset

    expect_update(pinpoint)
    server.script(Fail(500), Reset())

    exchange = cfn.create(LOGICAL_ID, properties())

    assert [put.status for put in exchange.attempts] == [500, None, 200]
    assert exchange.answer.status == "SUCCESS"  # one answer, the same body each time
    assert backoff.put == [0.25, 0.5]  # exponential backoff between the attempts
    assert exchange.final_log["outcome"] == "SUCCESS"
    assert "delivery" not in exchange.final_log


def test_put_refused_with_403_is_not_retried(
    cfn: CloudFormation, server: ResponseServer, pinpoint: Stubber, backoff: Backoff
) -> None:
    expect_delete(pinpoint)
    server.script(Fail(403))

    exchange = cfn.delete(LOGICAL_ID, APP, properties())

    assert [put.status for put in exchange.attempts] == [403]
    assert backoff.put == []
    assert exchange.final_log["delivery"] == "failed"
    assert exchange.final_log["delivery_error"].endswith("after 1 attempts: HTTP 403")


def test_put_failing_every_time_gives_up_after_the_policy(
    cfn: CloudFormation, server: ResponseServer, pinpoint: Stubber, backoff: Backoff
) -> None:
    expect_update(pinpoint)
    server.script(*[Fail(503)] * cfn_response.DEFAULT_PUT.max_attempts)

    exchange = cfn.create(LOGICAL_ID, properties())

    assert [put.status for put in exchange.attempts] == [503] * 5
    assert backoff.put == [0.25, 0.5, 1.0, 2.0]
    assert exchange.answers == []
    assert exchange.final_log["delivery_error"].endswith("after 5 attempts: HTTP 503")


def test_s3_unreachable_is_retried_then_logged(
    cfn: CloudFormation, server: ResponseServer, pinpoint: Stubber, backoff: Backoff
) -> None:
    """A Lambda in a subnet with no route to S3: connection refused on every attempt."""
    expect_delete(pinpoint)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    event = cfn.event("Delete", LOGICAL_ID, properties(), physical_id=APP)
    event["ResponseURL"] = event["ResponseURL"].replace(
        server.origin, f"http://127.0.0.1:{closed_port}"
    )

    exchange = cfn.invoke(event)

    assert len(backoff.put) == 4
    assert "ConnectionRefusedError" in exchange.final_log["delivery_error"]


# --------------------------------------------------------------------------------------------
# Lambda's asynchronous retry: the same event twice
# --------------------------------------------------------------------------------------------


def _twice_create(s: Stubber) -> None:
    expect_update(s)
    expect_update(s)


def _twice_failed_create(s: Stubber) -> None:
    expect_error(s, "update_email_channel", "BadRequestException", "Identity is not verified")
    expect_error(s, "update_email_channel", "BadRequestException", "Identity is not verified")


def _twice_delete(s: Stubber) -> None:
    expect_delete(s)
    expect_tags(s, APP, {})  # the first run removed the owner tag
    expect_error(s, "delete_email_channel", "NotFoundException", "Not found")  # gone by now


@pytest.mark.parametrize(
    ("request_type", "stub", "status"),
    [
        pytest.param("Create", _twice_create, "SUCCESS", id="create"),
        pytest.param("Create", _twice_failed_create, "FAILED", id="failed-create"),
        pytest.param("Delete", _twice_delete, "SUCCESS", id="delete"),
    ],
)
def test_same_event_delivered_twice(
    request_type: str,
    stub: Callable[[Stubber], None],
    status: str,
    cfn: CloudFormation,
    pinpoint: Stubber,
) -> None:
    stub(pinpoint)
    physical_id = APP if request_type == "Delete" else None
    event = cfn.event(request_type, LOGICAL_ID, properties(), physical_id=physical_id)

    first, second = cfn.invoke(event), cfn.invoke(event)

    assert first.answer.status == second.answer.status == status
    assert first.answer.physical_id == second.answer.physical_id
    assert first.answer.data == second.answer.data
    pinpoint.assert_no_pending_responses()


# --------------------------------------------------------------------------------------------
# Delete refused: the channel is left in place (SUCCESS), or FAILED with StrictDelete="true"
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", REFUSALS)
def test_refused_delete_leaves_the_channel_in_place(
    shape: str, cfn: CloudFormation, pinpoint: Stubber, backoff: Backoff
) -> None:
    detail = expect_refusal(pinpoint, "delete_email_channel", shape)

    exchange = cfn.delete(LOGICAL_ID, APP, properties())

    answer = exchange.answer
    assert (answer.status, answer.physical_id) == ("SUCCESS", APP)
    assert f"application {APP} left in place: {detail}" in answer.reason
    assert answer.data == {}
    final = exchange.final_log
    assert final["message"] == "done"
    assert final["outcome"] == "SUCCESS" and final["left_in_place"] is True
    assert f"left in place: {detail}" in final["reason"]
    assert len(backoff.pinpoint) == REFUSALS[shape][2] - 1
    pinpoint.assert_no_pending_responses()


@pytest.mark.parametrize("shape", REFUSALS)
def test_refused_delete_in_strict_mode_fails(
    shape: str, cfn: CloudFormation, pinpoint: Stubber
) -> None:
    detail = expect_refusal(pinpoint, "delete_email_channel", shape)

    exchange = cfn.delete(LOGICAL_ID, APP, properties(StrictDelete="true"))

    answer = exchange.answer
    assert (answer.status, answer.physical_id) == ("FAILED", APP)
    assert detail.split(" (still")[0] in answer.reason
    assert "left in place" not in answer.reason
    assert_actionable(exchange)
    pinpoint.assert_no_pending_responses()


@pytest.mark.parametrize(
    ("error", "detail"),
    [
        pytest.param(
            KeyError("EmailChannelResponse"), "KeyError: 'EmailChannelResponse'", id="bug"
        ),
        pytest.param(
            EndpointConnectionError(endpoint_url="https://pinpoint.us-east-1.amazonaws.com"),
            "EndpointConnectionError: Could not connect to the endpoint URL",
            id="unreachable",
        ),
    ],
)
@pytest.mark.parametrize("strict", [False, True], ids=["default", "strict"])
def test_delete_failing_unexpectedly(
    error: Exception,
    detail: str,
    strict: bool,
    cfn: CloudFormation,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    failing = FailingClient(error)
    monkeypatch.setattr(entry, "pinpoint_client", lambda: failing)
    props = properties(StrictDelete="true") if strict else properties()

    answer = cfn.delete(LOGICAL_ID, APP, props).answer

    assert answer.status == ("FAILED" if strict else "SUCCESS")
    assert detail in answer.reason
    assert ("left in place" in answer.reason) is not strict


@pytest.mark.parametrize("strict", [False, True], ids=["default", "strict"])
def test_delete_hanging_until_the_deadline(
    strict: bool,
    cfn: CloudFormation,
    pinpoint: Stubber,
    client: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    expect_delete(pinpoint)
    slow = BlockingClient(client)
    monkeypatch.setattr(entry, "pinpoint_client", lambda: slow)
    props = properties(StrictDelete="true") if strict else properties()

    exchange = cfn.delete(LOGICAL_ID, APP, props, remaining_ms=400)

    answer = exchange.answer
    assert exchange.seconds < 0.4
    assert answer.status == ("FAILED" if strict else "SUCCESS")
    assert "imed out waiting for Pinpoint" in answer.reason
    slow.release.set()
    for worker in worker_threads():
        worker.join(5)
    cfn.logs.take()


# --------------------------------------------------------------------------------------------
# Update refused: DescribeStacks tells a rollback (SUCCESS) from a forward Update (FAILED)
# --------------------------------------------------------------------------------------------

REFUSAL = "Email channels are no longer supported"


def _update_refused(s: Stubber, **request_overrides: Any) -> None:
    expect_error(s, "update_email_channel", "BadRequestException", REFUSAL, **request_overrides)


def assert_left_in_place(exchange: Exchange, *, enabled: str = "true") -> None:
    answer = exchange.answer
    assert (answer.status, answer.physical_id) == ("SUCCESS", APP)
    assert f"left in place: BadRequestException: {REFUSAL}" in answer.reason
    # Every Data key the construct exposes: GetAtt reads the latest answer only.
    assert answer.data == {
        contract.DATA_APPLICATION_ID: APP,
        contract.DATA_ENABLED: enabled,
        contract.DATA_MESSAGES_PER_SECOND: "",
        contract.DATA_VERSION: "",
    }
    assert set(answer.data) == set(contract.DATA_KEYS)
    assert exchange.final_log["left_in_place"] is True


@pytest.mark.parametrize(
    ("stack_status", "status"),
    [
        pytest.param("UPDATE_ROLLBACK_IN_PROGRESS", "SUCCESS", id="rollback"),
        pytest.param("UPDATE_IN_PROGRESS", "FAILED", id="forward"),
    ],
)
def test_refused_update_by_stack_status(
    stack_status: str, status: str, cfn: CloudFormation, pinpoint: Stubber
) -> None:
    _update_refused(pinpoint)

    exchange = cfn.invoke(
        cfn.event(
            "Update",
            LOGICAL_ID,
            properties(),
            physical_id=APP,
            old_properties=properties(Enabled="false"),
        ),
        stack_status=stack_status,
    )

    assert exchange.describe_stacks_calls == 1
    assert exchange.answer.status == status
    if status == "SUCCESS":
        assert_left_in_place(exchange)
        assert exchange.answer.reason.startswith("Rollback: ")
    else:
        assert f"BadRequestException: {REFUSAL}" in exchange.answer.reason
        assert SES_DOC in exchange.answer.reason
        assert_actionable(exchange)


def test_describe_stacks_denied_answers_success_rather_than_risk_a_stuck_rollback(
    cfn: CloudFormation, pinpoint: Stubber, cloudformation: Stubber
) -> None:
    _update_refused(pinpoint, Enabled=False)
    expect_describe_stacks_error(
        cloudformation,
        cfn.stack_id,
        "AccessDenied",
        "User is not authorized to perform: cloudformation:DescribeStacks",
        status=403,
    )

    exchange = cfn.update(LOGICAL_ID, APP, properties(Enabled="false"), properties())

    assert_left_in_place(exchange, enabled="false")
    assert "The stack's status could not be read (DescribeStacks failed (AccessDenied" in (
        exchange.answer.reason
    )
    assert SES_DOC in exchange.answer.reason


def test_describe_stacks_throttled_is_retried(
    cfn: CloudFormation, pinpoint: Stubber, cloudformation: Stubber, backoff: Backoff
) -> None:
    _update_refused(pinpoint)
    expect_describe_stacks_error(cloudformation, cfn.stack_id, "Throttling", "Rate exceeded")
    expect_describe_stacks(cloudformation, cfn.stack_id, "UPDATE_IN_PROGRESS")

    exchange = cfn.update(LOGICAL_ID, APP, properties(), properties(Enabled="false"))

    assert exchange.answer.status == "FAILED"  # a forward Update, once the status is known
    assert len(backoff.pinpoint) == 1


def test_describe_stacks_unavailable_past_the_retries(
    cfn: CloudFormation, pinpoint: Stubber, cloudformation: Stubber, backoff: Backoff
) -> None:
    _update_refused(pinpoint)
    for _ in range(pinpoint_calls.DEFAULT_RETRY.max_attempts):
        expect_describe_stacks_error(
            cloudformation, cfn.stack_id, "InternalFailure", "Service unavailable", status=503
        )

    exchange = cfn.update(LOGICAL_ID, APP, properties(), properties(Enabled="false"))

    assert_left_in_place(exchange)
    assert "still failing after 5 attempts" in exchange.answer.reason
    assert len(backoff.pinpoint) == 4


def test_stack_id_that_is_no_arn_is_not_asked_about(
    cfn: CloudFormation, pinpoint: Stubber, cloudformation: Stubber
) -> None:
    _update_refused(pinpoint)
    event = cfn.event("Update", LOGICAL_ID, properties(), physical_id=APP, old_properties={})
    event["StackId"] = "pinpoint-demo"

    exchange = cfn.invoke(event)

    assert_left_in_place(exchange)
    assert "StackId is not a stack ARN" in exchange.answer.reason
    cloudformation.assert_no_pending_responses()  # nothing queued: no call was made


@pytest.mark.parametrize(
    ("stack_status", "status"),
    [
        pytest.param("UPDATE_ROLLBACK_IN_PROGRESS", "SUCCESS", id="rollback"),
        pytest.param("UPDATE_IN_PROGRESS", "FAILED", id="forward"),
    ],
)
def test_update_hanging_until_the_deadline(
    stack_status: str,
    status: str,
    cfn: CloudFormation,
    pinpoint: Stubber,
    client: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    expect_update(pinpoint)
    slow = BlockingClient(client)
    monkeypatch.setattr(entry, "pinpoint_client", lambda: slow)
    event = cfn.event("Update", LOGICAL_ID, properties(), physical_id=APP, old_properties={})

    exchange = cfn.invoke(event, remaining_ms=1000, stack_status=stack_status)

    assert exchange.seconds < 1.0
    assert exchange.describe_stacks_calls == 1  # asked by the deadline guard
    assert (exchange.answer.status, exchange.answer.physical_id) == (status, APP)
    assert "imed out waiting for Pinpoint" in exchange.answer.reason
    slow.release.set()
    for worker in worker_threads():
        worker.join(5)
    cfn.logs.take()


def test_an_unchanged_update_answers_before_its_best_effort_claim_hangs(
    cfn: CloudFormation, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only StrictDelete changed: no UpdateEmailChannel, SUCCESS at once; the ownership claim
    that follows (ListTagsForResource) hangs until the deadline, and changes nothing."""
    slow = BlockingClient(client)
    monkeypatch.setattr(entry, "pinpoint_client", lambda: slow)
    event = cfn.event(
        "Update",
        LOGICAL_ID,
        properties(StrictDelete="true"),
        physical_id=APP,
        old_properties=properties(),
    )

    exchange = cfn.invoke(event, remaining_ms=1000, stack_status="UPDATE_IN_PROGRESS")

    assert slow.entered.is_set() and not slow.returned.is_set()  # answered while it hung
    assert (exchange.answer.status, exchange.answer.physical_id) == ("SUCCESS", APP)
    assert exchange.describe_stacks_calls == 0  # no deadline guard: the answer was sent
    assert exchange.seconds < 1.0
    slow.release.set()
    for worker in worker_threads():
        worker.join(5)
    cfn.logs.take()


# --------------------------------------------------------------------------------------------
# Malformed events and contexts (issue 11, defect 7)
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw", [[APP], f"ApplicationId={APP}", 5], ids=["list", "string", "number"]
)
def test_resource_properties_that_are_no_object(
    raw: Any, cfn: CloudFormation, pinpoint: Stubber
) -> None:
    created = cfn.event("Create", LOGICAL_ID, properties())
    created["ResourceProperties"] = raw
    deleted = cfn.event("Delete", LOGICAL_ID, properties(), physical_id=APP)
    deleted["ResourceProperties"] = raw

    create, delete = cfn.invoke(created), cfn.invoke(deleted)

    assert create.answer.status == "FAILED"
    assert create.answer.reason.startswith(
        f"Invalid properties: ResourceProperties must be a JSON object, got {type(raw).__name__}"
    )
    assert "AttributeError" not in create.answer.reason
    assert (delete.answer.status, delete.answer.physical_id) == ("SUCCESS", APP)  # no call


UNSAFE_APPLICATION_IDS = ["..", "a/b", "%2e%2e", "../../apps/other", "app id", "x" * 129]


@pytest.mark.parametrize("unsafe", UNSAFE_APPLICATION_IDS)
def test_application_id_unsafe_in_a_request_path_never_reaches_pinpoint(
    unsafe: str, cfn: CloudFormation, pinpoint: Stubber
) -> None:
    props = properties(unsafe)

    created = cfn.create(LOGICAL_ID, props)
    updated = cfn.update(LOGICAL_ID, APP, props, properties())
    deleted = cfn.delete(LOGICAL_ID, unsafe, props)

    for failed in (created, updated):
        assert failed.answer.status == "FAILED"
        assert f"ApplicationId {unsafe[:77]!r}"[:40] in failed.answer.reason
        assert "is not a Pinpoint application id" in failed.answer.reason
    assert updated.describe_stacks_calls == 1
    assert deleted.answer.status == "SUCCESS"
    assert deleted.answer.reason.startswith("No call made: ApplicationId")
    pinpoint.assert_no_pending_responses()  # nothing queued: any call would have failed


class OddContext(FakeContext):
    """A context whose get_remaining_time_in_millis() answers ``remaining`` (or raises it)."""

    def __init__(self, remaining: Any) -> None:
        super().__init__()
        self.remaining = remaining
        self.log_stream_name = 42  # type: ignore[assignment]

    def get_remaining_time_in_millis(self) -> Any:
        if isinstance(self.remaining, Exception):
            raise self.remaining
        return self.remaining


@pytest.mark.parametrize(
    "remaining",
    [None, "soon", float("nan"), float("inf"), -5, RuntimeError("no deadline"), [1000]],
    ids=["none", "garbage", "nan", "infinite", "negative", "raises", "a-list"],
)
def test_context_without_a_usable_deadline_still_answers_once(
    remaining: Any, cfn: CloudFormation, pinpoint: Stubber
) -> None:
    expect_update(pinpoint)

    exchange = cfn.invoke(
        cfn.event("Create", LOGICAL_ID, properties()), context=OddContext(remaining)
    )

    assert exchange.answer.status == "SUCCESS"
    assert exchange.final_log["outcome"] == "SUCCESS"


@pytest.fixture
def no_file_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Fails the test if urllib's file:// (or ftp://) handler is ever used."""
    opened: list[str] = []

    def refuse(self: Any, request: Any) -> Any:
        opened.append(type(self).__name__)
        raise AssertionError("a non-https ResponseURL was opened")

    monkeypatch.setattr(urllib.request.FileHandler, "file_open", refuse)
    monkeypatch.setattr(urllib.request.FTPHandler, "ftp_open", refuse)
    return opened


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd?X-Amz-Signature=0123456789abcdef",
        "file://localhost/etc/hostname",
        "ftp://bucket.example.com/key?X-Amz-Signature=0123456789abcdef",
        "http://bucket.s3.amazonaws.com/key?X-Amz-Signature=0123456789abcdef",
        "data:text/plain,X-Amz-Signature=0123456789abcdef",
        "https:///no-host?X-Amz-Signature=0123456789abcdef",
        "https://bucket.s3.amazonaws.com/key with space?X-Amz-Signature=0123456789abcdef",
    ],
    ids=["file", "file-localhost", "ftp", "plain-http", "data", "no-host", "whitespace"],
)
def test_response_url_that_is_not_https_is_never_opened(
    url: str,
    cfn: CloudFormation,
    server: ResponseServer,
    pinpoint: Stubber,
    no_file_reads: list[str],
) -> None:
    event = cfn.event("Create", LOGICAL_ID, properties())
    event["ResponseURL"] = url

    exchange = cfn.invoke(event)

    assert server.puts == [] and no_file_reads == []
    assert exchange.final_log["outcome"] == "dropped"
    assert "not an https URL" in exchange.final_log["message"]
    assert "0123456789abcdef" not in str(exchange.logs)
    pinpoint.assert_no_pending_responses()  # no Pinpoint call either


def test_plain_http_is_refused_in_production(
    cfn: CloudFormation, server: ResponseServer, pinpoint: Stubber, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the test suite lists its loopback S3 stand-in; production allows https alone."""
    monkeypatch.setattr(cfn_response, "PLAIN_HTTP_HOSTS", frozenset())

    exchange = cfn.create(LOGICAL_ID, properties())

    assert server.puts == []
    assert exchange.final_log["outcome"] == "dropped"
    with pytest.raises(cfn_response.ResponseNotDelivered, match="never opened"):
        cfn_response.put_response(exchange.event["ResponseURL"], b"{}")


def test_redirect_of_the_put_is_not_followed(
    cfn: CloudFormation, server: ResponseServer, pinpoint: Stubber, no_file_reads: list[str]
) -> None:
    expect_update(pinpoint)
    server.script(Redirect("file:///etc/passwd"))

    exchange = cfn.create(LOGICAL_ID, properties())

    assert [put.status for put in exchange.attempts] == [307]
    assert exchange.final_log["delivery_error"].endswith("after 1 attempts: HTTP 307")
    assert no_file_reads == []


# --------------------------------------------------------------------------------------------
# At most 4096 bytes, whichever field is oversized
# --------------------------------------------------------------------------------------------

HUGE = "WelcomeChannel" * 8000  # about 110 KB


@pytest.mark.parametrize(
    ("field_name", "request_type"),
    [
        ("LogicalResourceId", "Create"),
        ("StackId", "Create"),
        ("RequestId", "Create"),
        ("PhysicalResourceId", "Delete"),
    ],
)
def test_oversized_event_field_is_cut(
    field_name: str, request_type: str, cfn: CloudFormation, pinpoint: Stubber
) -> None:
    _update_refused(pinpoint) if request_type == "Create" else None
    event = cfn.event(
        request_type,
        LOGICAL_ID,
        properties(),
        physical_id=APP if request_type == "Delete" else None,
    )
    event[field_name] = HUGE

    exchange = cfn.invoke(event)

    answer = exchange.answer  # parsed: the echoed fields are the event's, or cut from them
    assert answer.size <= cfn_response.MAX_BODY_BYTES
    assert len(answer.physical_id.encode()) <= cfn_response.MAX_PHYSICAL_ID_BYTES
    assert answer.reason.strip()
    if request_type == "Create":
        assert answer.status == "FAILED"
        assert f"BadRequestException: {REFUSAL}" in answer.reason  # the Reason survives
    else:
        assert (answer.status, answer.reason) == (
            "SUCCESS",
            "No channel was created for this resource",
        )
    pinpoint.assert_no_pending_responses()


def test_oversized_data_keeps_every_key(cfn: CloudFormation, pinpoint: Stubber) -> None:
    response = channel()
    response["EmailChannelResponse"]["ApplicationId"] = HUGE
    pinpoint.add_response(
        "update_email_channel",
        response,
        {"ApplicationId": APP, "EmailChannelRequest": request()},
    )
    expect_claim(pinpoint)

    answer = cfn.create(LOGICAL_ID, properties()).answer

    assert answer.status == "SUCCESS"
    assert answer.size <= cfn_response.MAX_BODY_BYTES
    assert set(answer.data) == set(contract.DATA_KEYS)
    assert answer.data[contract.DATA_VERSION] == "1"
    assert answer.data[contract.DATA_APPLICATION_ID].startswith("Welcome")


@pytest.mark.parametrize(
    "text", ["a", "ü", "\x01", "\U0001f600"], ids=["ascii", "2-byte", "ctl", "4-byte"]
)
def test_every_field_oversized_at_once_fits(text: str) -> None:
    big = text * 50_000
    event = {"StackId": big, "RequestId": big, "LogicalResourceId": big}

    body = cfn_response.build_body(
        event,
        status="FAILED",
        physical_id=big,
        reason=big,
        data=dict.fromkeys(contract.DATA_KEYS, big),
        reason_suffix=" (log stream " + big + ")",
    )

    assert len(body) <= cfn_response.MAX_BODY_BYTES
    document = json.loads(body)
    assert document["Status"] == "FAILED" and document["Reason"]
    assert set(document["Data"]) == set(contract.DATA_KEYS)
    assert len(document["PhysicalResourceId"].encode()) <= cfn_response.MAX_PHYSICAL_ID_BYTES


def test_refused_move_to_another_application_with_unknown_status_keeps_the_old_channel(
    cfn: CloudFormation, pinpoint: Stubber, cloudformation: Stubber
) -> None:
    expect_error(pinpoint, "update_email_channel", "GoneException", "Gone", app=OTHER_APP)
    expect_describe_stacks_error(cloudformation, cfn.stack_id, "AccessDenied", "Denied", 403)

    answer = cfn.update(LOGICAL_ID, APP, properties(OTHER_APP), properties(APP)).answer

    assert (answer.status, answer.physical_id) == ("SUCCESS", APP)  # no replacement
    assert answer.data[contract.DATA_APPLICATION_ID] == APP  # the channel that stays
    assert f"email channel of application {APP} left in place: GoneException: Gone" in (
        answer.reason
    )
