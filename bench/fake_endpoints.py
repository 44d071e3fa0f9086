"""Local fake SES v2 and Pinpoint HTTP endpoints with latency and an enforced MaxSendRate.

    with FakeEmailService(max_send_rate=200, latency=0.025) as fake:
        os.environ["AWS_ENDPOINT_URL_SESV2"] = fake.url      # or endpoint_url=fake.url
        ...
        fake.max_in_window()    # the most entries that arrived in any 1-s window

A ``http.server`` on 127.0.0.1 in a thread answers the operations the senders call, through
real botocore clients (fake credentials; nothing leaves the machine):

* SES v2: GetAccount (``SendQuota.MaxSendRate`` = the enforced rate), SendEmail, SendBulkEmail;
* Pinpoint: SendMessages (Addresses, Endpoints), SendUsersMessages (one endpoint per user).

Every call waits ``latency`` seconds.  The rate is enforced on arrival times, per sliding
1-second window: an entry that would make more than ``max_send_rate`` accepted entries in the
last second is answered ACCOUNT_THROTTLED (SES) / THROTTLED (Pinpoint), or, with
``throttle="call"``, the whole call gets HTTP 429 TooManyRequestsException.  Every arriving entry
is logged (time, recipient, outcome, what it carried), so a test can check pacing and that
per-recipient data and tags arrived.
"""

from __future__ import annotations

import json
import re
import threading
import time
from bisect import bisect_left
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["Arrival", "FakeEmailService"]

_PINPOINT_MESSAGES = re.compile(r"^/v1/apps/(?P<app>[^/]+)/messages$")
_PINPOINT_USERS = re.compile(r"^/v1/apps/(?P<app>[^/]+)/users-messages$")


@dataclass(frozen=True)
class Arrival:
    """One recipient entry as the fake received it."""

    time: float  # the service's clock at the call's arrival
    operation: str
    recipient: str
    accepted: bool
    data: dict[str, Any] = field(default_factory=dict)
    """What the entry carried: SES ``template_data``/``tags``/``default_tags``/``subject``;
    Pinpoint ``config`` (the Addresses/Endpoints/Users value) and ``context``/``trace_id``."""


class FakeEmailService:
    """The fake service; a context manager that starts and stops the server."""

    def __init__(
        self,
        *,
        max_send_rate: float = 200.0,
        latency: float = 0.025,
        throttle: str = "entries",
        transient_every: int = 0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """``clock`` and ``sleep``: the service's time (arrivals, its 1-s windows, its latency);
        a test passes the fake clock its sender paces on, so no real second passes."""
        if throttle not in ("entries", "call"):
            raise ValueError("throttle is 'entries' or 'call'")
        self.max_send_rate = max_send_rate
        self.latency = latency
        self.throttle = throttle
        self.transient_every = transient_every
        self.clock = clock
        self.sleep = sleep
        """If > 0, every n-th entry is first answered TRANSIENT_FAILURE (SES) once."""
        self.arrivals: list[Arrival] = []
        self.calls: list[tuple[str, float, int]] = []  # (operation, arrival, entries)
        self._accepted: deque[float] = deque()
        self._lock = threading.Lock()
        self._seen = 0
        self._transient_done: set[str] = set()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # Lifecycle.

    def __enter__(self) -> FakeEmailService:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                fake._handle(self, "GET")

            def do_POST(self) -> None:
                fake._handle(self, "POST")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def url(self) -> str:
        assert self._server is not None
        port = self._server.server_address[1]
        return f"http://127.0.0.1:{port}"

    def reset(self) -> None:
        with self._lock:
            self.arrivals.clear()
            self.calls.clear()
            self._accepted.clear()
            self._seen = 0
            self._transient_done.clear()

    # Measurements.

    def max_in_window(self, *, accepted_only: bool = False, window: float = 1.0) -> int:
        """The most entries that arrived (or were accepted) in any ``window``-second span."""
        times = sorted(a.time for a in self.arrivals if a.accepted or not accepted_only)
        best = 0
        for end, t in enumerate(times):
            # entries in (t - window, t]
            start = bisect_left(times, t - window + 1e-9)
            best = max(best, end - start + 1)
        return best

    def accepted_recipients(self) -> list[str]:
        return [a.recipient for a in self.arrivals if a.accepted]

    # Handling.

    def _admit(self, now: float) -> bool:
        """Accept one entry at ``now`` if the sliding window has room (lock held)."""
        while self._accepted and self._accepted[0] <= now - 1.0:
            self._accepted.popleft()
        if len(self._accepted) + 1 > self.max_send_rate:
            return False
        self._accepted.append(now)
        return True

    def _room(self, now: float) -> int:
        while self._accepted and self._accepted[0] <= now - 1.0:
            self._accepted.popleft()
        return int(self.max_send_rate) - len(self._accepted)

    def _handle(self, request: BaseHTTPRequestHandler, method: str) -> None:
        arrived = self.clock()
        length = int(request.headers.get("Content-Length") or 0)
        body = json.loads(request.rfile.read(length) or b"{}") if length else {}
        path = request.path.split("?")[0]
        self.sleep(self.latency)
        try:
            status, payload, headers = self._route(method, path, body, arrived)
        except Exception as exc:  # a bug in the fake: answer 500 rather than hang
            status, payload, headers = 500, {"message": repr(exc)}, {}
        data = json.dumps(payload).encode()
        request.send_response(status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(data)))
        request.send_header("x-amzn-RequestId", f"req-{int(arrived * 1e6)}")
        for name, value in headers.items():
            request.send_header(name, value)
        request.end_headers()
        request.wfile.write(data)

    def _route(
        self, method: str, path: str, body: dict[str, Any], arrived: float
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        if method == "GET" and path == "/v2/email/account":
            return 200, self._get_account(), {}
        if method == "POST" and path == "/v2/email/outbound-bulk-emails":
            return self._ses_bulk(body, arrived)
        if method == "POST" and path == "/v2/email/outbound-emails":
            return self._ses_single(body, arrived)
        match = _PINPOINT_MESSAGES.match(path)
        if method == "POST" and match:
            return self._pinpoint(body, arrived, match["app"], users=False)
        match = _PINPOINT_USERS.match(path)
        if method == "POST" and match:
            return self._pinpoint(body, arrived, match["app"], users=True)
        return 404, {"message": f"no route {method} {path}"}, {"x-amzn-ErrorType": "NotFound"}

    def _get_account(self) -> dict[str, Any]:
        return {
            "SendQuota": {
                "Max24HourSend": 1_000_000.0,
                "MaxSendRate": float(self.max_send_rate),
                "SentLast24Hours": 0.0,
            },
            "SendingEnabled": True,
            "ProductionAccessEnabled": True,
        }

    def _throttled_call(self, operation: str, count: int, arrived: float) -> bool:
        """With throttle='call': refuse the whole call if it does not fit (lock held)."""
        if self.throttle != "call" or self._room(arrived) >= count:
            return False
        self.calls.append((operation, arrived, count))
        return True

    _TOO_MANY = (
        429,
        {"message": "Maximum sending rate exceeded."},
        {"x-amzn-ErrorType": "TooManyRequestsException"},
    )

    def _ses_bulk(
        self, body: dict[str, Any], arrived: float
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        entries = body.get("BulkEmailEntries") or []
        template = (body.get("DefaultContent") or {}).get("Template") or {}
        default_tags = {t["Name"]: t["Value"] for t in body.get("DefaultEmailTags") or []}
        results = []
        with self._lock:
            if self._throttled_call("SendBulkEmail", len(entries), arrived):
                for entry in entries:
                    recipient = entry["Destination"]["ToAddresses"][0]
                    self._log(arrived, "SendBulkEmail", recipient, False)
                return self._TOO_MANY
            self.calls.append(("SendBulkEmail", arrived, len(entries)))
            for entry in entries:
                recipient = entry["Destination"]["ToAddresses"][0]
                self._seen += 1
                content = entry.get("ReplacementEmailContent") or {}
                replacement = (content.get("ReplacementTemplate") or {}).get(
                    "ReplacementTemplateData"
                )
                data = replacement or template.get("TemplateData") or "{}"
                carried = {
                    "subject": (template.get("TemplateContent") or {}).get("Subject"),
                    "template_data": json.loads(data),
                    "tags": {t["Name"]: t["Value"] for t in entry.get("ReplacementTags") or []}
                    or default_tags,
                    "default_tags": default_tags,
                }
                if (
                    self.transient_every
                    and self._seen % self.transient_every == 0
                    and recipient not in self._transient_done
                ):
                    self._transient_done.add(recipient)
                    self._log(arrived, "SendBulkEmail", recipient, False, carried)
                    results.append({"Status": "TRANSIENT_FAILURE", "Error": "try again"})
                    continue
                if self._admit(arrived):
                    self._log(arrived, "SendBulkEmail", recipient, True, carried)
                    results.append({"Status": "SUCCESS", "MessageId": f"m-{self._seen}"})
                else:
                    self._log(arrived, "SendBulkEmail", recipient, False, carried)
                    results.append(
                        {"Status": "ACCOUNT_THROTTLED", "Error": "Maximum sending rate exceeded."}
                    )
        return 200, {"BulkEmailEntryResults": results}, {}

    def _ses_single(
        self, body: dict[str, Any], arrived: float
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        recipient = body["Destination"]["ToAddresses"][0]
        carried = {"tags": {t["Name"]: t["Value"] for t in body.get("EmailTags") or []}}
        with self._lock:
            self.calls.append(("SendEmail", arrived, 1))
            self._seen += 1
            if not self._admit(arrived):
                self._log(arrived, "SendEmail", recipient, False, carried)
                return self._TOO_MANY
            self._log(arrived, "SendEmail", recipient, True, carried)
            return 200, {"MessageId": f"m-{self._seen}"}, {}

    def _pinpoint(
        self, body: dict[str, Any], arrived: float, app: str, *, users: bool
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        operation = "SendUsersMessages" if users else "SendMessages"
        kinds = ("Users",) if users else ("Addresses", "Endpoints")
        targets = [
            (kind, key, value) for kind in kinds for key, value in (body.get(kind) or {}).items()
        ]
        out: dict[str, dict[str, Any]] = {}
        with self._lock:
            if self._throttled_call(operation, len(targets), arrived):
                for _, key, _ in targets:
                    self._log(arrived, operation, key, False)
                return (
                    429,
                    {"Message": "Too many requests"},
                    {"x-amzn-ErrorType": "TooManyRequestsException"},
                )
            self.calls.append((operation, arrived, len(targets)))
            for kind, key, value in targets:
                self._seen += 1
                carried = {
                    "config": value,
                    "context": body.get("Context"),
                    "trace_id": body.get("TraceId"),
                }
                ok = self._admit(arrived)
                self._log(arrived, operation, key, ok, carried)
                result = {
                    "DeliveryStatus": "SUCCESSFUL" if ok else "THROTTLED",
                    "StatusCode": 200 if ok else 429,
                    **({"MessageId": f"m-{self._seen}"} if ok else {}),
                }
                if kind == "Addresses":
                    out.setdefault("Result", {})[key] = result
                elif kind == "Endpoints":
                    out.setdefault("EndpointResult", {})[key] = {
                        **result,
                        "Address": f"{key}@example.com",
                    }
                else:
                    out.setdefault("Result", {})[key] = {
                        f"{key}-ep": {**result, "Address": f"{key}@example.com"}
                    }
        return 200, {"ApplicationId": app, **out}, {}

    def _log(
        self,
        arrived: float,
        operation: str,
        recipient: str,
        accepted: bool,
        data: dict[str, Any] | None = None,
    ) -> None:
        self.arrivals.append(Arrival(arrived, operation, recipient, accepted, data or {}))
