"""Logs: one JSON object per line, a final line an operator can search for, and never the
pre-signed ResponseURL (every test's output is also checked by the autouse ``logs`` fixture)."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, quote

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


def _signing_values(url: str) -> list[str]:
    query = dict(parse_qsl(url.split("?", 1)[1]))
    return [query[name] for name in ("X-Amz-Signature", "X-Amz-Credential", "X-Amz-Security-Token")]


def _reformatted(url: str) -> dict[str, str]:
    base, query = url.split("?", 1)
    parameters = dict(parse_qsl(query))
    signature, credential, token = _signing_values(url)
    return {
        "percent-encoded": quote(url, safe=""),
        "double-encoded": quote(quote(url, safe=""), safe=""),
        "upper-case": url.upper(),
        "split-across-lines": base + "?\n" + query.replace("&", "&\n"),
        "parameters-reordered": base + "?" + "&".join(reversed(query.split("&"))),
        "dict-repr": repr(parameters),
        "json": json.dumps(parameters),
        "headers": (
            f"x-amz-security-token: {token}\nAuthorization: AWS4-HMAC-SHA256 "
            f"Credential={credential}, SignedHeaders=host, Signature={signature}"
        ),
        "legacy-query": f"{base}?AWSAccessKeyId={credential[:20]}&Signature={signature}",
    }


@pytest.mark.parametrize(
    "form",
    list(_reformatted("https://b/k?X-Amz-Signature=1&X-Amz-Credential=2&X-Amz-Security-Token=3")),
)
def test_reformatted_response_url_in_an_error_is_redacted_everywhere(
    form: str, cfn: CloudFormation, monkeypatch: pytest.MonkeyPatch
) -> None:
    event = cfn.event("Create", LOGICAL_ID, properties())
    url = event["ResponseURL"]
    text = _reformatted(url)[form]
    failing = FailingClient(RuntimeError(f"proxy refused:\n{text}\n(retry later)"))
    monkeypatch.setattr(entry, "pinpoint_client", lambda: failing)

    exchange = cfn.invoke(event)

    answer = exchange.answer
    assert answer.status == "FAILED"
    logged = "\n".join(json.dumps(line) for line in exchange.logs)
    assert "Traceback" in logged  # the error is logged, with its traceback ...
    shown = (logged + exchange.attempts[0].body.decode()).lower()
    for value in _signing_values(url):  # ... but no signing value, in any case or encoding
        for encoded in (value, quote(value, safe=""), quote(quote(value, safe=""), safe="")):
            assert encoded.lower() not in shown, form
        assert value[:16].lower() not in shown, form


@pytest.mark.parametrize(
    "text",
    [
        "X-Amz-Signature=0a1b2c3d4e5f&X-Amz-Expires=60",
        "x-amz-credential%3DASIAEXAMPLE%2F20261128%2Fus-east-1%2Fs3%2Faws4_request%26next",
        "X-AMZ-SECURITY-TOKEN%253DIQoJb3JpZ2luX2VjEXAMPLE%2526next",
        "{'X-Amz-Security-Token': 'IQoJb3JpZ2luX2VjEXAMPLE+/='}",
        '{"X-Amz-Signature": "0a1b2c3d4e5f"}',
        "X-Amz-Signature=\n0a1b2c3d4e5f",
        "AWSAccessKeyId=ASIAEXAMPLE&Signature=0a1b2c3d4e5f%3D",
        "Authorization: AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE/x, Signature=0a1b2c3d4e5f",
    ],
)
def test_redact_removes_signing_values_it_was_not_told_about(text: str) -> None:
    redacted = handler_log.redact(text)

    for secret in ("0a1b2c3d4e5f", "ASIAEXAMPLE", "IQoJb3JpZ2luX2VjEXAMPLE"):
        assert secret.lower() not in redacted.lower(), redacted
    assert handler_log.REDACTED_VALUE in redacted


def test_redact_leaves_ordinary_text_alone() -> None:
    text = "SignatureDoesNotMatch: the request signature we calculated does not match"

    assert handler_log.redact(text) == text
