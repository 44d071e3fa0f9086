"""Redaction and Reasons take time linear in their input, however it is crafted (issue 16).

The work is measured by counting, not by the clock where a count exists: every pattern call of
the pre-signed-URL scan is wrapped and the characters it may examine are added up, for crafted
inputs of size 1x and 4x. The whole ``redact`` (whose last pattern a count cannot reach inside)
is then timed with process CPU time, best of several runs, against a bound far from the deadline
and far from quadratic growth (x8 input: linear ~8, quadratic ~64; the bound is 24).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from cfn_simulator import CloudFormation, FakePinpoint, cfn_response, contract, handler_log
from pinpoint_stubs import APP, properties

KB = 1024
# Inputs that defeat a regex with a lazy run before a keyword, or runs of separators: each is a
# function of the size wanted.
CRAFTED: dict[str, Callable[[int], str]] = {
    "http-runs": lambda n: ("http://" * n)[:n],
    "encoded-scheme-runs": lambda n: ("https%3A%2F%2F" * n)[:n],
    "scheme-then-long-run": lambda n: "https://" + "a" * (n - 8),
    "runs-each-naming-a-parameter": lambda n: ("http://x?Signature " * n)[:n],
    "parameter-then-separator-runs": lambda n: ("X-Amz-Signature" + " " * 64) * (n // 79),
    "parameter-then-quotes": lambda n: "X-Amz-Credential" + "\\\"'" * (n // 3),
    "separators-without-value": lambda n: ("Signature=%253D" + "\n") * (n // 16),
    "keywords-back-to-back": lambda n: ("CredentialSignatureAWSAccessKeyId" * n)[:n],
}


class CountingPattern:
    """A compiled pattern whose calls add up the characters each may examine."""

    def __init__(self, pattern: re.Pattern[str], counter: list[int]) -> None:
        self.pattern, self.counter = pattern, counter

    def search(self, text: str, pos: int = 0, endpos: int | None = None) -> Any:
        end = len(text) if endpos is None else endpos
        found = self.pattern.search(text, pos, end)
        self.counter[0] += (found.end() if found else end) - pos + 1
        return found

    def match(self, text: str, pos: int = 0) -> Any:
        found = self.pattern.match(text, pos)
        self.counter[0] += (found.end() if found else 0) - pos + 1
        return found


def scanned_characters(text: str, monkeypatch: pytest.MonkeyPatch) -> int:
    counter = [0]
    for name in ("_SCHEME", "_URL_RUN", "_SIGNING_NAME"):
        monkeypatch.setattr(handler_log, name, CountingPattern(getattr(handler_log, name), counter))
    handler_log._redact_presigned_urls(text)
    monkeypatch.undo()
    return counter[0]


@pytest.mark.parametrize("shape", CRAFTED)
def test_presigned_url_scan_examines_each_character_a_bounded_number_of_times(
    shape: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    small, large = CRAFTED[shape](8 * KB), CRAFTED[shape](32 * KB)

    work_small = scanned_characters(small, monkeypatch)
    work_large = scanned_characters(large, monkeypatch)

    assert work_small <= 3 * len(small) + 64, work_small
    assert work_large <= 3 * len(large) + 64, work_large
    assert work_large <= 4.5 * work_small  # linear growth (quadratic would be 16x)


def cpu_seconds(call: Callable[[], object], repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.process_time()
        call()
        best = min(best, time.process_time() - started)
    return max(best, 1e-4)


@pytest.mark.parametrize("shape", CRAFTED)
def test_redact_time_grows_linearly(shape: str) -> None:
    small, large = CRAFTED[shape](16 * KB), CRAFTED[shape](128 * KB)
    secrets = ("https://bucket/key?X-Amz-Signature=" + "f" * 64, "f" * 64)

    seconds_small = cpu_seconds(lambda: handler_log.redact(small, secrets), repeats=1)
    assert seconds_small < 0.25  # ~1 ms when linear; a quadratic scan takes about a second
    seconds_small = min(seconds_small, cpu_seconds(lambda: handler_log.redact(small, secrets)))
    seconds_large = cpu_seconds(lambda: handler_log.redact(large, secrets))

    assert seconds_large < 2.0  # the handler's deadline is a minute away
    assert seconds_large < 24 * seconds_small + 0.05  # x8 input: linear ~8, quadratic ~64


def test_log_line_with_crafted_fields_is_formatted_in_linear_time() -> None:
    formatter = handler_log.JsonFormatter()

    def format_line(size: int) -> Callable[[], object]:
        record = handler_log.get_logger().makeRecord(
            "x", 20, __file__, 1, "answered", (), None, extra={"fields": {"reason": ""}}
        )
        record.fields = {name: make(size) for name, make in CRAFTED.items()}  # type: ignore[attr-defined]
        return lambda: formatter.format(record)

    small = cpu_seconds(format_line(8 * KB), repeats=1)
    assert small < 0.5
    large = cpu_seconds(format_line(64 * KB), repeats=2)

    assert large < 3.0
    assert large < 24 * small + 0.05


class CountingJson:
    """``json`` for cfn_response, adding up the characters of every string it encodes."""

    def __init__(self) -> None:
        self.characters = 0

    def dumps(self, value: Any, **kwargs: Any) -> str:
        encoded = json.dumps(value, **kwargs)
        self.characters += len(encoded)
        return encoded

    loads = staticmethod(json.loads)


@pytest.mark.parametrize("size", [32 * KB, 1024 * KB])
def test_build_body_cuts_a_huge_reason_in_work_linear_in_the_reason(
    size: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Reason is encoded whole once (to learn the body is too big); fitting it then works on
    a prefix of body size, never on the whole Reason again (a binary search over the whole Reason
    encodes halves of it, as much again)."""
    counting = CountingJson()
    monkeypatch.setattr(cfn_response, "json", counting)
    reason = "ü" * size

    body = cfn_response.build_body(
        {"StackId": "s", "RequestId": "r", "LogicalResourceId": "l"},
        status="FAILED",
        physical_id="p",
        reason=reason,
    )

    assert len(body) <= cfn_response.MAX_BODY_BYTES
    encoded_reason = len(json.dumps(reason))
    assert counting.characters <= encoded_reason + 64 * cfn_response.MAX_BODY_BYTES, (
        counting.characters
    )


# --------------------------------------------------------------------------------------------
# End to end: 32 KB of crafted text in the event, and in Pinpoint's message
# --------------------------------------------------------------------------------------------

CRAFTED_32K = CRAFTED["http-runs"](32 * KB)


def test_rollback_reason_quotes_a_bounded_prefix_of_a_crafted_property(
    cfn: CloudFormation, fake_pinpoint: FakePinpoint
) -> None:
    """An unusable physical id makes the rollback answer quote the ApplicationId property."""
    crafted = {**properties(), contract.PROP_APPLICATION_ID: CRAFTED_32K}
    event = cfn.event("Update", "WelcomeChannel8E3B1C2A", crafted, physical_id=CRAFTED_32K)
    event["OldResourceProperties"] = properties()

    exchange = cfn.invoke(event, stack_status="UPDATE_ROLLBACK_IN_PROGRESS")

    answer = exchange.answer
    assert answer.status == "SUCCESS"
    assert exchange.seconds < 5.0  # the unbounded quadratic scan took longer than that
    assert CRAFTED_32K[:400] not in answer.reason  # a bounded prefix only
    assert len(answer.data[contract.DATA_APPLICATION_ID]) <= 300
    assert len(json.dumps(exchange.final_log)) < 16 * KB
    assert fake_pinpoint.calls == []  # the invalid properties reached nothing


def test_crafted_pinpoint_message_is_quoted_up_to_a_bounded_prefix(
    cfn: CloudFormation, fake_pinpoint: FakePinpoint
) -> None:
    fake_pinpoint.apps[APP].channel = {"FromAddress": "a@example.com", "Identity": "x"}
    fake_pinpoint.refusals["DeleteEmailChannel"] = ("BadRequestException", CRAFTED_32K)

    exchange = cfn.delete("WelcomeChannel8E3B1C2A", APP, properties())

    assert exchange.answer.status == "SUCCESS"
    assert exchange.seconds < 5.0
    assert "left in place: BadRequestException: http://http://" in exchange.answer.reason
    assert exchange.answer.reason.count("http://") < 200
    assert fake_pinpoint.has_channel(APP)
