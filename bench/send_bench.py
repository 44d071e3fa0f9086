#!/usr/bin/env python3
"""Benchmark: personalized sends at the account's speed, against local fake endpoints.

    .venv/bin/python bench/send_bench.py                 # 1,000 and 10,000 recipients (~2.5 min)
    .venv/bin/python bench/send_bench.py --quick         # 1,000 only (~20 s): harness check
    .venv/bin/python bench/send_bench.py --write         # also writes docs/sending-performance.md

Each case sends one personalized message (its own substitutions and tags per recipient) to N
recipients through a real botocore client pointed at bench/fake_endpoints.py: an HTTP server
on 127.0.0.1 with 25 ms latency per call and an enforced MaxSendRate of 200 recipients/s
(sliding 1-s window; over it, entries are answered ACCOUNT_THROTTLED / THROTTLED).  The SES
sender reads the rate from the fake's GetAccount; the Pinpoint sender is given it.

Reported per case: API calls, wall time (first call to report), recipients/s and its fraction
of MaxSendRate, and the most recipient entries that reached the fake in any 1-s window (all
arrivals, throttled ones included: the "never above the rate" check).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fake_endpoints import FakeEmailService  # noqa: E402

from constructs_pinpoint.sending import (  # noqa: E402
    AddressConfiguration,
    EmailMessage,
    PinpointEmailSender,
    SendReport,
    SesV2EmailSender,
)

RATE = 200
LATENCY = 0.025
APP_ID = "0123456789abcdef0123456789abcdef"
DOC = ROOT / "docs" / "sending-performance.md"

MESSAGE = EmailMessage(
    subject="Your order, {{Name}}",
    html_body="<p>Hi {{Name}}, order {{Order}} ships today.</p>",
    text_body="Hi {{Name}}, order {{Order}} ships today.",
    substitutions={"Name": "customer", "Order": "-"},
    context={"campaign": "bench"},
)


def recipients(count: int) -> dict[str, AddressConfiguration]:
    return {
        f"user{i}@example.com": AddressConfiguration(
            substitutions={"Name": f"Name{i}", "Order": f"O-{i:06d}"},
            context={"user": f"u-{i}"},
        )
        for i in range(count)
    }


@dataclass
class Row:
    backend: str
    case: str
    count: int
    calls: int
    wall: float
    sent: int
    failed: int
    unsent: int
    max_window: int
    throttled_entries: int
    duplicates: int

    @property
    def per_second(self) -> float:
        return self.count / self.wall

    def markdown(self) -> str:
        return (
            f"| {self.backend} | {self.case} | {self.count:,} | {self.calls:,} | "
            f"{self.wall:.1f} s | {self.per_second:.0f}/s | {self.per_second / RATE:.2f} | "
            f"{self.max_window} | {self.sent:,} / {self.failed} / {self.unsent} | "
            f"{self.throttled_entries} | {self.duplicates} |"
        )


HEADER = (
    "| Backend | Case | Recipients | Calls | Wall time | Recipients/s | Fraction of "
    "MaxSendRate | Max entries in any 1-s window | Sent / failed / unsent | Entries the "
    "fake throttled | Sent twice |\n"
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
)


def run_case(backend: str, count: int, *, believed_rate: float | None = None) -> Row:
    session = boto3.session.Session(
        aws_access_key_id="bench", aws_secret_access_key="bench", region_name="us-east-1"
    )
    config = Config(
        retries={"mode": "standard", "total_max_attempts": 3}, connect_timeout=5, read_timeout=10
    )
    to = recipients(count)
    with FakeEmailService(max_send_rate=RATE, latency=LATENCY) as fake:
        sender: Any
        client: Any
        if backend == "sesv2":
            client = session.client("sesv2", endpoint_url=fake.url, config=config)
            sender = SesV2EmailSender(
                client, "orders@example.com", max_send_rate=believed_rate, max_attempts=6
            )
        else:
            client = session.client("pinpoint", endpoint_url=fake.url, config=config)
            sender = PinpointEmailSender(
                client, APP_ID, max_send_rate=believed_rate or RATE, max_attempts=6
            )
        started = time.monotonic()
        report: SendReport = sender.send_to_addresses(MESSAGE, to, trace_id="bench")
        wall = time.monotonic() - started
        calls = len(fake.calls)
        if backend == "sesv2" and believed_rate is None:
            calls += 1  # GetAccount (not an entry-carrying call; not in fake.calls)
        accepted = fake.accepted_recipients()
        duplicates = len(accepted) - len(set(accepted))
        row = Row(
            backend=backend,
            case=(
                "rate from GetAccount"
                if backend == "sesv2" and believed_rate is None
                else f"sender told {believed_rate or RATE:g}/s"
            ),
            count=count,
            calls=calls,
            wall=wall,
            sent=report.sent_count,
            failed=report.failed_count,
            unsent=report.unsent_count,
            max_window=fake.max_in_window(),
            throttled_entries=sum(1 for a in fake.arrivals if not a.accepted),
            duplicates=duplicates,
        )
    print(row.markdown(), flush=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1,000 recipients only")
    parser.add_argument("--write", action="store_true", help=f"write {DOC.relative_to(ROOT)}")
    args = parser.parse_args()
    counts = [1_000] if args.quick else [1_000, 10_000]
    load = os.getloadavg()
    print(HEADER)
    rows = [run_case(backend, count) for count in counts for backend in ("sesv2", "pinpoint")]
    # Over-belief: the sender is told twice the real rate; the fake throttles, retries recover.
    rows.append(run_case("sesv2", 1_000, believed_rate=2 * RATE))
    if args.write:
        write_doc(rows, load)


def write_doc(rows: list[Row], load: tuple[float, float, float]) -> None:
    table = "\n".join([HEADER, *(row.markdown() for row in rows)])
    DOC.write_text(
        f"""# Sending performance (`constructs_pinpoint.sending`)

Measured with `bench/send_bench.py --write` on {time.strftime("%Y-%m-%d")}: Python
{platform.python_version()}, {os.cpu_count()} CPU cores **shared with other jobs** (load average
{load[0]:.1f} at the start), so wall times carry machine noise; the pacing column does not
depend on it.

Setup: one personalized message (own `{{{{Name}}}}`/`{{{{Order}}}}` substitutions and an own tag per
recipient, plus a message-level tag and a trace id) sent with `send_to_addresses` through real
botocore clients to local fake SES v2 and Pinpoint HTTP endpoints (`bench/fake_endpoints.py`):
{LATENCY * 1000:.0f} ms latency per call, MaxSendRate {RATE}/s enforced by the fake on a sliding
1-s window (over it, entries are answered `ACCOUNT_THROTTLED` / `THROTTLED`). SES reads the rate
with GetAccount (the extra call in "Calls"); Pinpoint has no such call and is given
`max_send_rate=`. The last row tells the SES sender twice the real rate, so the fake throttles
and the sender's bounded retries recover; "Sent twice" counts recipients the fake accepted more
than once (the library never retries an entry reported SUCCESS).

{table}

Reading the table:

- **Fraction of MaxSendRate** is recipients / wall time / {RATE}. The target is ≥ 0.8; calls are
  sequential (50 entries per SendBulkEmail call, 100 per SendMessages call, spaced `k / rate`
  apart), so no threads are needed at this rate and latency. A value slightly above 1.0 for
  short sends is the fence post: N recipients in calls spaced k/rate apart take (N - k) / rate
  seconds plus one call.
- **Max entries in any 1-s window** counts every entry that reached the fake, throttled ones
  included. It never exceeds {RATE} when the sender knows the rate: the pacer counts a call's
  entries from the *end* of that call, so whatever the network delay the service never sees
  more than the rate in one second. In the last row the sender was told {2 * RATE}/s, which is
  what the fake's throttling and the retries are for.
- Other senders of the same account (other Lambda functions) are not coordinated: give each
  a share with `max_send_rate=`, and rely on the ACCOUNT_THROTTLED retries for the rest.
"""
    )
    print(f"wrote {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
