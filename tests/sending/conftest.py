"""Fixtures for the runtime sending tests: real botocore clients behind Stubber.

Stubber validates every request against the service model (parameter
validation runs before the stub answers) and compares it with
``expected_params``; nothing reaches the network.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber


@pytest.fixture(scope="session")
def boto_session() -> boto3.session.Session:
    """One session for the whole run, so service models are loaded once."""
    return boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )


@pytest.fixture
def pinpoint_client(boto_session: boto3.session.Session) -> Any:
    return boto_session.client("pinpoint")


@pytest.fixture
def sesv2_client(boto_session: boto3.session.Session) -> Any:
    return boto_session.client("sesv2")


@pytest.fixture
def pinpoint_stub(pinpoint_client: Any) -> Iterator[Stubber]:
    with Stubber(pinpoint_client) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


@pytest.fixture
def sesv2_stub(sesv2_client: Any) -> Iterator[Stubber]:
    with Stubber(sesv2_client) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


def _add_get_account(stub: Stubber, rate: float = 14.0) -> None:
    stub.add_response(
        "get_account",
        {"SendQuota": {"Max24HourSend": 50000.0, "MaxSendRate": rate, "SentLast24Hours": 0.0}},
        {},
    )


@pytest.fixture
def add_get_account() -> Callable[..., None]:
    """``add_get_account(stub, rate=14.0)`` queues SES v2 GetAccount's answer (a sender
    reads MaxSendRate once, before its first call)."""
    return _add_get_account
