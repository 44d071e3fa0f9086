"""Logs: one JSON object per line, a final line an operator can search for, and never the
pre-signed ResponseURL (every test's output is also checked by the autouse ``logs`` fixture)."""

from __future__ import annotations

import pytest
from botocore.stub import Stubber
from cfn_simulator import CloudFormation, ResponseServer, entry, handler_log
from pinpoint_stubs import APP, FailingClient, expect_update, properties

LOGICAL_ID = "WelcomeChannel8E3B1C2A"


def test_final_line_summarises_the_request(cfn: CloudFormation, pinpoint: Stubber) -> None:
    expect_update(pinpoint)

    exchange = cfn.create(LOGICAL_ID, properties())

    final = exchange.final_log
    assert final["message"] == "done"
    assert final["level"] == "INFO"
    assert final["request_id"] == exchange.event["RequestId"]
    assert final["logical_id"] == LOGICAL_ID
    assert final["request_type"] == "Create"
    assert final["outcome"] == "SUCCESS"
    assert final["physical_id"] == APP
    assert isinstance(final["duration_ms"], int) and final["duration_ms"] >= 0
    assert [line["message"] for line in exchange.logs] == ["answered", "done"]


def test_failed_final_line_carries_the_reason(cfn: CloudFormation, pinpoint: Stubber) -> None:
    exchange = cfn.create(LOGICAL_ID, properties(Enabled="maybe"))

    assert exchange.final_log["outcome"] == "FAILED"
    assert "Enabled" in exchange.final_log["reason"]


def test_response_url_inside_an_error_is_redacted_from_logs_and_reason(
    cfn: CloudFormation, server: ResponseServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    event = cfn.event("Create", LOGICAL_ID, properties())
    url = event["ResponseURL"]
    failing = FailingClient(RuntimeError(f"proxy refused {url} and {url.split('?')[1]}"))
    monkeypatch.setattr(entry, "pinpoint_client", lambda: failing)

    exchange = cfn.invoke(event)

    answer = exchange.answer
    assert answer.status == "FAILED"
    assert handler_log.REDACTED in answer.reason
    signature = url.rsplit("X-Amz-Signature=", 1)[1]
    assert signature not in exchange.attempts[0].body.decode()  # not in the stack's events either
    # ... and not in any log line: checked for every test by the ``logs`` fixture.


def test_redact_covers_presigned_urls_it_was_not_told_about() -> None:
    text = (
        "GET https://bucket.s3.amazonaws.com/key?X-Amz-Signature=abc&X-Amz-Expires=60 failed; "
        "old style https://bucket.s3.amazonaws.com/key?AWSAccessKeyId=AKIA&Signature=xyz%3D too"
    )

    redacted = handler_log.redact(text)

    assert "abc" not in redacted and "xyz" not in redacted
    assert redacted.count(handler_log.REDACTED) == 2
