"""Fixtures for the ``Custom::PinpointEmailChannel`` handler tests.

Every test runs against a local S3 stand-in, with its log output captured and checked at the end:
each stdout line is one JSON object, nothing is written to stderr, and no ResponseURL (nor its
query or signature) appears anywhere.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.stub import Stubber

# The suite runs with --import-mode=importlib: make this directory's helpers importable by name.
if str(Path(__file__).parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).parent))

from cfn_simulator import (
    Backoff,
    CloudFormation,
    FakePinpoint,
    LogCapture,
    ResponseServer,
    SimulatedStack,
    cfn_response,
    entry,
    handler_log,
    pinpoint_calls,
)
from pinpoint_stubs import APP, OTHER_APP, new_client, new_cloudformation_client


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """Fake credentials and region; no real config, metadata service or proxy."""
    for name in (
        "AWS_PROFILE",
        "AWS_SESSION_TOKEN",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_PINPOINT",
        "AWS_ENDPOINT_URL_CLOUDFORMATION",
        "HTTP_PROXY",
        "http_proxy",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "absent-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "absent-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


@pytest.fixture(autouse=True)
def loopback_s3(monkeypatch: pytest.MonkeyPatch) -> None:
    """The S3 stand-in listens on plain http at 127.0.0.1: the one host the tests let the handler
    reach without https (production allows none)."""
    monkeypatch.setattr(cfn_response, "PLAIN_HTTP_HOSTS", frozenset({"127.0.0.1"}))


@pytest.fixture(autouse=True)
def no_real_cloudformation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Outside ``CloudFormation.invoke`` (which answers DescribeStacks) no real client is built."""

    def refuse() -> Any:
        raise AssertionError("DescribeStacks outside the simulator: stub it")

    monkeypatch.setattr(entry, "cloudformation_client", refuse)


@pytest.fixture
def server() -> Iterator[ResponseServer]:
    with ResponseServer() as running:
        yield running


@pytest.fixture(autouse=True)
def logs(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture, server: ResponseServer
) -> Iterator[LogCapture]:
    logger = logging.getLogger(handler_log.LOGGER_NAME)
    _drop_stdout_handler(logger)  # get_logger() then writes to this test's captured stdout
    records = _Records()
    logger.addHandler(records)  # what reaches the logger, before the formatter redacts it
    caplog.set_level(logging.INFO)  # anything that propagates to the root logger
    capture = LogCapture(capsys.readouterr)
    yield capture
    capture.take()
    logger.removeHandler(records)
    _drop_stdout_handler(logger)
    everything = "\n".join(capture.raw_out + capture.raw_err + [caplog.text])
    for secret in server.secrets():
        assert secret not in everything, "a ResponseURL (or its signature) was logged"
        # Redaction is a safety net: the handler must not hand the URL to its logger at all
        # (exception messages aside, which it does not control).
        assert secret not in records.text, "a ResponseURL was passed to the logger"
    # Signing parameters may be named in a log line, but never followed by their value.
    for name in ("X-Amz-Signature", "X-Amz-Credential", "X-Amz-Security-Token"):
        for match in re.finditer(re.escape(name) + r"(=|%3D)", everything, re.I):
            after = everything[match.end() : match.end() + len("<redacted")]
            assert after == "<redacted", everything[match.start() : match.end() + 40]
    assert "".join(capture.raw_err) == "", "nothing may go to stderr (a crashed thread?)"


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.text = ""

    def emit(self, record: logging.LogRecord) -> None:
        fields = getattr(record, "fields", {})
        self.text += f"{record.getMessage()} {json.dumps(fields, default=str)}\n"


def _drop_stdout_handler(logger: logging.Logger) -> None:
    for existing in list(logger.handlers):
        if isinstance(existing.formatter, handler_log.JsonFormatter):
            logger.removeHandler(existing)


@pytest.fixture
def cfn(server: ResponseServer, logs: LogCapture) -> CloudFormation:
    return CloudFormation(server, logs)


@pytest.fixture
def stack(cfn: CloudFormation) -> SimulatedStack:
    return SimulatedStack(cfn)


@pytest.fixture(autouse=True)
def backoff(monkeypatch: pytest.MonkeyPatch) -> Backoff:
    recorded = Backoff()
    monkeypatch.setattr(pinpoint_calls, "backoff_sleep", recorded.pinpoint.append)
    monkeypatch.setattr(cfn_response, "backoff_sleep", recorded.put.append)
    return recorded


@pytest.fixture
def client() -> Any:
    return new_client()


@pytest.fixture
def cloudformation(monkeypatch: pytest.MonkeyPatch, cfn: CloudFormation) -> Iterator[Stubber]:
    """A Stubber on a real CloudFormation client for tests that script DescribeStacks themselves
    (errors, throttling); the simulator then stops answering it."""
    client = new_cloudformation_client()
    stubber = Stubber(client)
    stubber.activate()
    cfn.models_describe_stacks = False
    monkeypatch.setattr(entry, "cloudformation_client", lambda: client)
    yield stubber
    stubber.deactivate()
    stubber.assert_no_pending_responses()


@pytest.fixture
def pinpoint(monkeypatch: pytest.MonkeyPatch, client: Any) -> Iterator[Stubber]:
    """A Stubber on a real Pinpoint client, which the handler gets from ``pinpoint_client()``."""
    stubber = Stubber(client)
    stubber.activate()
    monkeypatch.setattr(entry, "pinpoint_client", lambda: client)
    yield stubber
    stubber.deactivate()
    stubber.assert_no_pending_responses()


@pytest.fixture
def fake_pinpoint(monkeypatch: pytest.MonkeyPatch) -> FakePinpoint:
    """Pinpoint with state (channels and app tags; apps APP and OTHER_APP exist), which the
    handler gets from ``pinpoint_client()``."""
    fake = FakePinpoint(APP, OTHER_APP)
    monkeypatch.setattr(entry, "pinpoint_client", lambda: fake.client)
    return fake
