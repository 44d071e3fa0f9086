"""Pacing, retries and deadlines: the Pacer on a fake clock, then real botocore clients against
the local fake SES v2 / Pinpoint HTTP endpoints (bench/fake_endpoints.py) with 25 ms latency
and an enforced MaxSendRate.

Sender and service share one fake clock: the service's latency and 1-s windows, the sender's
pacing, backoff and deadline all read it, so a case takes milliseconds of real time and its
outcome does not depend on how busy the machine is. bench/send_bench.py runs the same service on
real time."""

from __future__ import annotations

import importlib.util
import random
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

import boto3
import pytest
from botocore.config import Config

from constructs_pinpoint.sending import (
    AddressConfiguration,
    DeliveryOutcome,
    EmailMessage,
    PinpointEmailSender,
    RetryableEmailApiError,
    SenderArgumentError,
    SesV2EmailSender,
)
from constructs_pinpoint.sending._delivery import Pacer, resolve_deadline

APP_ID = "0123456789abcdef0123456789abcdef"
S = TypeVar("S")
FAKE_PATH = Path(__file__).resolve().parents[2] / "bench" / "fake_endpoints.py"


def _load_fake() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fake_endpoints", FAKE_PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("fake_endpoints", module)
    spec.loader.exec_module(module)
    return module


fake_endpoints = _load_fake()


# --- the Pacer on a fake clock ------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.now += seconds


def windows_hold_at_most(calls: list[tuple[float, float, int]], rate: float) -> int:
    """The most entries a service could see in one 1-s window, whatever the network delay:
    each call's entries may arrive at any instant of [start, end]; take the worst case by
    counting, for each call j, every call i with end_i > start_j - 1."""
    worst = 0
    for start_j, _, _ in calls:
        total = sum(n for (s, e, n) in calls if e > start_j - 1.0 and s <= start_j)
        worst = max(worst, total)
    return worst


@pytest.mark.parametrize("seed", range(20))
@pytest.mark.parametrize("rate", [1.0, 2.5, 14.0, 200.0])
def test_pacer_never_lets_a_window_hold_more_than_the_rate(seed: int, rate: float) -> None:
    rng = random.Random(seed)
    clock = FakeClock()
    pacer = Pacer(rate, clock=clock)
    calls: list[tuple[float, float, int]] = []
    for _ in range(60):
        entries = rng.randint(1, pacer.max_batch(50))
        wait = pacer.wait(entries)
        # Never waits longer than one window plus the even spacing of this call.
        assert wait <= pacer.window + entries / rate + 0.01
        clock.sleep(wait)
        start = clock()
        clock.sleep(rng.choice([0.0, 0.001, 0.025, 0.3, 1.2]))  # the call's duration
        pacer.record(start, clock(), entries)
        calls.append((start, clock(), entries))
    assert windows_hold_at_most(calls, rate) <= max(1, int(rate))


def test_pacer_at_200_per_second_with_25ms_calls_reaches_the_rate() -> None:
    clock = FakeClock()
    pacer = Pacer(200.0, clock=clock)
    first = clock()
    for _ in range(200):  # 10,000 recipients in calls of 50
        clock.sleep(pacer.wait(50))
        start = clock()
        clock.sleep(0.025)
        pacer.record(start, clock(), 50)
    assert 10_000 / (clock() - first) >= 0.95 * 200


def test_rates_below_one_get_a_longer_window() -> None:
    clock = FakeClock()
    pacer = Pacer(0.5, clock=clock)
    assert pacer.max_batch(50) == 1
    pacer.record(clock(), clock(), 1)
    assert pacer.wait(1) == pytest.approx(2.0, abs=0.01)


def test_deadline_accepts_a_lambda_context_or_a_timestamp() -> None:
    clock = FakeClock()

    class Context:
        def get_remaining_time_in_millis(self) -> int:
            return 3000

    from_context = resolve_deadline(Context(), 0.5, clock)
    assert from_context.at == pytest.approx(clock() + 3.0)
    assert from_context.allows(2.4) and not from_context.allows(2.6)
    from_timestamp = resolve_deadline(time.time() + 10, 0.0, clock)
    assert from_timestamp.at == pytest.approx(clock() + 10, abs=0.1)
    for wrong in ("soon", True, float("nan")):
        with pytest.raises(SenderArgumentError, match="deadline"):
            resolve_deadline(wrong, 0.0, clock)


# --- against the local fake endpoints -----------------------------------------------------

RATE = 200
COUNT = 300


@pytest.fixture
def session() -> boto3.session.Session:
    return boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )


@pytest.fixture
def clock() -> FakeClock:
    return ThreadSafeClock()


class ThreadSafeClock(FakeClock):
    """The fake clock, read and advanced by the test and the service's request thread."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        with self._lock:
            self.now += seconds


def service(clock: FakeClock, **options: Any) -> Any:
    """The fake service on ``clock``."""
    options.setdefault("latency", 0.025)
    return fake_endpoints.FakeEmailService(clock=clock, sleep=clock.sleep, **options)


def on_clock(sender: S, clock: FakeClock) -> S:
    """``sender`` paced on ``clock``: its pacer now, or the one it makes from GetAccount."""

    def new_pacer(rate: float | None) -> Pacer:
        return Pacer(rate, clock=clock, sleep=clock.sleep)

    if getattr(sender, "_pacer", None) is not None:
        sender._pacer = new_pacer(sender._pacer.rate)
    sender._new_pacer = new_pacer
    return sender


@pytest.fixture
def fake(clock: FakeClock) -> Iterator[Any]:
    with service(clock, max_send_rate=RATE) as running:
        yield running


def personalized(count: int) -> dict[str, AddressConfiguration]:
    return {
        f"user{i}@example.com": AddressConfiguration(
            substitutions={"Name": f"Name{i}"}, context={"user": f"u-{i}"}
        )
        for i in range(count)
    }


MESSAGE = EmailMessage(
    subject="Hi {{Name}}",
    text_body="Hello {{Name}}",
    substitutions={"Name": "friend"},
    context={"campaign": "c1"},
)


def ses_client(session: boto3.session.Session, fake: Any, attempts: int = 3) -> Any:
    config = Config(retries={"mode": "standard", "total_max_attempts": attempts})
    return session.client("sesv2", endpoint_url=fake.url, config=config)


def ses_sender(
    session: boto3.session.Session, fake: Any, clock: FakeClock, rate: float, attempts: int
) -> SesV2EmailSender:
    """A sender that believes in ``rate`` and retries ``attempts`` times itself (botocore does
    not retry), paced on ``clock``."""
    sender = SesV2EmailSender(
        ses_client(session, fake, attempts=1),
        "from@example.com",
        max_send_rate=rate,
        max_attempts=attempts,
    )
    return on_clock(sender, clock)


def test_ses_paces_at_the_account_rate_and_delivers_each_recipients_data(
    session: boto3.session.Session, fake: Any, clock: FakeClock
) -> None:
    sender = on_clock(SesV2EmailSender(ses_client(session, fake), "from@example.com"), clock)
    report = sender.send_to_addresses(MESSAGE, personalized(COUNT), trace_id="run-1")
    assert sender.max_send_rate == RATE  # read from the fake's GetAccount
    assert report.sent_count == COUNT and not report.failed and not report.unsent
    # Never over the rate in any 1-s window, as the service saw it (nothing was throttled).
    assert fake.max_in_window() <= RATE
    assert all(arrival.accepted for arrival in fake.arrivals)
    # Each recipient got its own data and tags, exactly once.
    arrivals = {a.recipient: a for a in fake.arrivals}
    assert len(arrivals) == len(fake.arrivals) == COUNT
    for i in (0, 137, COUNT - 1):
        data = arrivals[f"user{i}@example.com"].data
        assert data["template_data"] == {"Name": f"Name{i}"}
        assert data["tags"] == {"campaign": "c1", "trace_id": "run-1", "user": f"u-{i}"}
    assert [r.message_id is not None for r in report] == [True] * COUNT


def test_pinpoint_paces_when_given_a_rate_and_delivers_each_configuration(
    session: boto3.session.Session, fake: Any, clock: FakeClock
) -> None:
    client = session.client("pinpoint", endpoint_url=fake.url)
    sender = on_clock(PinpointEmailSender(client, APP_ID, max_send_rate=RATE), clock)
    report = sender.send_to_addresses(MESSAGE, personalized(COUNT), trace_id="run-2")
    assert report.sent_count == COUNT
    assert fake.max_in_window() <= RATE
    assert max(n for _, _, n in fake.calls) <= 100
    arrival = next(a for a in fake.arrivals if a.recipient == "user5@example.com")
    assert arrival.data == {
        "config": {
            "ChannelType": "EMAIL",
            "Substitutions": {"Name": ["Name5"]},
            "Context": {"user": "u-5"},
        },
        "context": {"campaign": "c1"},
        "trace_id": "run-2",
    }


@pytest.mark.parametrize("throttle", ["entries", "call"])
def test_over_the_rate_entries_are_retried_and_no_success_is_sent_twice(
    session: boto3.session.Session, throttle: str, clock: FakeClock
) -> None:
    # The sender believes in twice the real rate; the fake throttles (entries or whole calls)
    # and answers every 37th entry TRANSIENT_FAILURE once.
    with service(clock, max_send_rate=100, throttle=throttle, transient_every=37) as running:
        sender = ses_sender(session, running, clock, rate=200, attempts=8)
        report = sender.send_to_addresses(MESSAGE, personalized(150))
        accepted = running.accepted_recipients()
    assert report.sent_count == 150
    assert sorted(accepted) == sorted(personalized(150))  # each exactly once
    assert max(r.attempts for r in report) > 1


def test_retries_are_bounded(session: boto3.session.Session, clock: FakeClock) -> None:
    with service(clock, max_send_rate=10, latency=0.0) as running:
        sender = ses_sender(session, running, clock, rate=60, attempts=2)
        report = sender.send_to_addresses(MESSAGE, personalized(60))
        tried = len(running.arrivals)
    assert report.sent_count < 60
    assert all(r.status is DeliveryOutcome.THROTTLED for r in report.failed)
    assert tried <= 60 * 2


@pytest.mark.parametrize(
    ("backend", "sent_before_the_deadline"),
    # Pinpoint: calls of 100 at t=0 and t=0.5; the third could start at 1.0, past the
    # deadline less its margin.  SES: one bulk call of 50 every 0.25 s, the fourth at 0.75
    # would end within the 0.3 s margin.
    [("sesv2", 150), ("pinpoint", 200)],
)
def test_deadline_stops_the_send_and_reports_the_unsent(
    session: boto3.session.Session,
    fake: Any,
    clock: FakeClock,
    backend: str,
    sent_before_the_deadline: int,
) -> None:
    if backend == "sesv2":
        client = ses_client(session, fake)
        sender: Any = SesV2EmailSender(
            client, "from@example.com", max_send_rate=RATE, deadline_margin=0.3
        )
    else:
        client = session.client("pinpoint", endpoint_url=fake.url)
        sender = PinpointEmailSender(client, APP_ID, max_send_rate=RATE, deadline_margin=0.3)
    on_clock(sender, clock)

    class LambdaContext:
        def __init__(self, millis: int) -> None:
            self.end = clock() + millis / 1000

        def get_remaining_time_in_millis(self) -> int:
            return round((self.end - clock()) * 1000)

    context = LambdaContext(1000)
    report = sender.send_to_addresses(MESSAGE, personalized(COUNT), deadline=context)
    # 300 recipients at 200/s need 1.5 s; the send ends before the 1-s deadline, the margin
    # kept in hand.
    assert clock() <= context.end - 0.3
    assert report.deadline_reached
    assert report.sent_count == sent_before_the_deadline
    assert report.sent_count + report.unsent_count == COUNT
    assert all(r.status is DeliveryOutcome.NOT_SENT and r.attempts == 0 for r in report.unsent)
    # The unsent are exactly those the service never saw; order is kept.
    seen = {a.recipient for a in fake.arrivals}
    assert len(seen) == sent_before_the_deadline
    assert set(report.unsent_recipients()).isdisjoint(seen)
    assert [r.recipient for r in report] == list(personalized(COUNT))
    assert "unsent (deadline)" in report.summary()


def test_a_call_throttled_past_the_bound_raises_with_completed_and_unsent(
    session: boto3.session.Session, clock: FakeClock
) -> None:
    with service(clock, max_send_rate=50, latency=0.0, throttle="call") as running:
        sender = ses_sender(session, running, clock, rate=1000, attempts=2)
        with pytest.raises(RetryableEmailApiError) as caught:
            sender.send_to_addresses(MESSAGE, personalized(150))
    error = caught.value
    assert error.code == "TooManyRequestsException" and error.http_status == 429
    assert len(error.completed) + len(error.unsent) == 150
    assert len(error.completed) >= 50
