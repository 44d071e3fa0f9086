"""The fault matrix: every row gets exactly one well-formed answer (or, with no ResponseURL, a log
line and nothing sent), the right Status and PhysicalResourceId, a Reason a person can act on,
and exactly the Pinpoint calls it should (Stubber, ``assert_no_pending_responses``).

Backoff delays are recorded, not slept (the ``backoff`` fixture); rows about the Lambda's deadline
use real time with a fake context that has about a second left.

The README section "Reliability" is this matrix as a table.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from botocore.exceptions import ClientError, NoRegionError
from botocore.stub import Stubber
from cfn_simulator import (
    Backoff,
    CloudFormation,
    Exchange,
    Fail,
    FakeContext,
    ResponseServer,
    Stall,
    cfn_response,
    entry,
    pinpoint_calls,
    worker_threads,
)
from pinpoint_stubs import (
    APP,
    BlockingClient,
    FailingClient,
    expect_delete,
    expect_error,
    expect_update,
    properties,
)

LOGICAL_ID = "WelcomeChannel8E3B1C2A"
LOG_SUFFIX = f" (log stream {FakeContext().log_stream_name})"
MARKER = "<marker>"  # stands for create-failed:<RequestId> in the rows below


def assert_actionable(exchange: Exchange) -> None:
    """A FAILED Reason says what went wrong and where the logs are; it is no traceback."""
    reason = exchange.answer.reason
    assert reason.endswith(LOG_SUFFIX), reason
    assert "Traceback" not in reason
    assert len(reason) > len(LOG_SUFFIX) + 20, reason


def expected_physical_id(exchange: Exchange, physical_id: str) -> str:
    if physical_id == MARKER:
        return str(entry.FAILED_CREATE_PREFIX + exchange.event["RequestId"])
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


LONG_MESSAGE = "Email identity example.com is not verified: " + "üñí-códé " * 1200


@dataclass(frozen=True)
class Row:
    request_type: str
    stub: Callable[[Stubber], None]
    status: str
    physical_id: str
    reason_has: tuple[str, ...] = ()
    pinpoint_backoffs: int = 0
    properties: dict[str, str] = field(default_factory=properties)
    max_reason: int = 1000


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
    ),
    "not-found-on-delete": Row(
        "Delete",
        lambda s: expect_error(s, "delete_email_channel", "NotFoundException", "Not found"),
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
        (f"Pinpoint refused access to application {APP}", "ForbiddenException"),
        max_reason=400,
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
        ("AccessDeniedException", "mobiletargeting:UpdateEmailChannel"),
        max_reason=400,
    ),
    "access-denied-on-delete": Row(
        "Delete",
        lambda s: expect_error(s, "delete_email_channel", "AccessDeniedException", "Denied"),
        "FAILED",
        APP,
        (f"Pinpoint refused access to application {APP}",),
        max_reason=400,
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
    old = row.properties if row.request_type == "Update" else None
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

    exchange = cfn.update(LOGICAL_ID, APP, properties(), properties())

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
    event = cfn.event("Delete", LOGICAL_ID, properties(), physical_id="create-failed:earlier")
    event["ResponseURL"] = "s3-presigned-url-missing-its-scheme?X-Amz-Signature=0123abcd"

    exchange = cfn.invoke(event)

    assert server.puts == []
    assert exchange.final_log["delivery"] == "failed"
    assert "unusable ResponseURL" in exchange.final_log["delivery_error"]


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
    assert answer.physical_id == entry.FAILED_CREATE_PREFIX + exchange.event["RequestId"]
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
