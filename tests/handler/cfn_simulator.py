"""CloudFormation, S3 and Lambda as the ``Custom::PinpointEmailChannel`` handler sees them.

- The handler is imported the way Lambda does, as the top-level package ``handler``
  (``handler_package.load_handler``); its modules are re-exported here.
- ``ResponseServer`` is the S3 bucket behind CloudFormation's pre-signed ResponseURLs: an
  ``http.server`` on 127.0.0.1 that checks what S3 checks (the signed path and query, an empty
  Content-Type, Content-Length), records every PUT, and can be scripted to answer 5xx, reset the
  connection or stall.
- ``CloudFormation`` builds events with the real field set, invokes ``on_event`` with a fake Lambda
  context and returns an ``Exchange``: every PUT attempt, the parsed answers and the log lines.
- ``SimulatedStack`` plays one resource through create, update (in-place, replacement, rollback),
  delete, and the deletes CloudFormation sends after failures, and keeps the stack's status.
- DescribeStacks, which the handler calls to tell a rollback Update from a forward one, is a real
  botocore CloudFormation client behind a ``Stubber`` that answers the stack's current status.
- ``FakePinpoint`` is Pinpoint with state (each app's email channel and its tags) behind a real
  botocore Pinpoint client: the client validates every request against the service model before
  the fake answers, and every answer is checked against the operation's output shape. It can
  refuse any operation, as Pinpoint may since its end of support. With it, sequences across
  resources and stacks (rename, move, replacement, rollback) end in a state the tests can read.
"""

from __future__ import annotations

import json
import re
import secrets
import socket
import struct
import sys
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote

from botocore.awsrequest import AWSResponse
from botocore.stub import Stubber
from botocore.validate import validate_parameters
from handler_package import HANDLER_DIR as HANDLER_DIR  # the handler's modules, re-exported
from handler_package import HANDLER_MODULES as HANDLER_MODULES
from handler_package import cfn_response as cfn_response
from handler_package import contract as contract
from handler_package import entry as entry
from handler_package import handler_log as handler_log
from handler_package import load_handler as load_handler
from handler_package import pinpoint_calls as pinpoint_calls
from pinpoint_stubs import (
    ACCOUNT,
    REFUSALS,
    REGION,
    STATUS,
    app_arn,
    expect_describe_stacks,
    new_client,
    new_cloudformation_client,
    stack_arn,
)

MAX_BODY_BYTES: int = cfn_response.MAX_BODY_BYTES
FINAL_LOG_KEYS = frozenset({"request_id", "logical_id", "request_type", "outcome", "duration_ms"})


# --------------------------------------------------------------------------------------------
# S3: the pre-signed ResponseURL
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fail:
    """Answer the next PUT with this HTTP status (an S3 XML error)."""

    status: int = 500


@dataclass(frozen=True)
class Reset:
    """Read the next PUT, then reset the connection (TCP RST) without answering."""


@dataclass(frozen=True)
class Stall:
    """Hold the next PUT this long before answering 200 (or until the server stops)."""

    seconds: float


@dataclass(frozen=True)
class Redirect:
    """Answer the next PUT with a 307 to ``location`` (which must never be followed)."""

    location: str


Action = Fail | Reset | Stall | Redirect


@dataclass
class RecordedPut:
    path: str
    headers: dict[str, str]
    body: bytes
    received_at: float
    status: int | None = None  # what the server answered; None: reset, or not answered yet
    completed_at: float | None = None
    rejected: str | None = None  # why S3 would have refused it (403)

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class ResponseServer:
    """The S3 side of CloudFormation's ResponseURLs, on 127.0.0.1."""

    def __init__(self) -> None:
        self.puts: list[RecordedPut] = []
        self.errors: list[str] = []  # exceptions in the server's request threads
        self._issued: dict[str, tuple[str, ...]] = {}  # path?query -> signature, credential, token
        self._script: deque[Action] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = _S3Server(("127.0.0.1", 0), _S3RequestHandler)
        self._httpd.owner = self
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.005}, daemon=True
        )

    def __enter__(self) -> ResponseServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    @property
    def origin(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def presign(self, stack_id: str, logical_id: str, request_id: str) -> str:
        """A ResponseURL shaped like CloudFormation's (SigV4 query-string auth)."""
        key = quote(f"{stack_id}|{logical_id}|{request_id}", safe="")
        signature = secrets.token_hex(32)
        credential = f"ASIA{secrets.token_hex(8).upper()}/20261128/{REGION}/s3/aws4_request"
        token = "IQoJb3JpZ2luX2VjE" + secrets.token_urlsafe(48) + "+/="
        query = (
            "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20261128T163200Z"
            "&X-Amz-SignedHeaders=host&X-Amz-Expires=7200"
            f"&X-Amz-Credential={quote(credential, safe='')}"
            f"&X-Amz-Security-Token={quote(token, safe='')}"
            f"&X-Amz-Signature={signature}"
        )
        path = f"/cloudformation-custom-resource-response-{REGION.replace('-', '')}/{key}?{query}"
        with self._lock:
            self._issued[path] = (signature, credential, token)
        return self.origin + path

    def secrets(self) -> list[str]:
        """What must never appear in a log: every issued URL, its query, and the values of its
        signature, credential and security token (raw and percent-encoded)."""
        with self._lock:
            issued = dict(self._issued)
        found: list[str] = []
        for path, values in issued.items():
            found += [self.origin + path, path.split("?", 1)[1]]
            for value in values:
                found += [value, quote(value, safe="")]
        return found

    def script(self, *actions: Action) -> None:
        """Apply ``actions`` to the next PUTs, one each; PUTs after them succeed."""
        with self._lock:
            self._script.extend(actions)

    def puts_to(self, url: str, since: int = 0) -> list[RecordedPut]:
        """The PUTs (from the ``since``-th on) for the pre-signed ``url``."""
        path = url.removeprefix(self.origin)
        with self._lock:
            return [put for put in self.puts[since:] if put.path == path]

    # -- request handling (server threads) --------------------------------------------------

    def _handle(self, request: _S3RequestHandler) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length)
        put = RecordedPut(
            path=request.path,
            headers={name: value for name, value in request.headers.items()},
            body=body,
            received_at=time.monotonic(),
        )
        with self._lock:
            self.puts.append(put)
            known = request.path in self._issued
            action = self._script.popleft() if self._script else None
        put.rejected = self._s3_problem(request, body, known)
        if put.rejected:
            self._reply(request, put, 403, _s3_error("SignatureDoesNotMatch", put.rejected))
        elif isinstance(action, Reset):
            request.close_connection = True
            request.connection.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
            )
            request.connection.close()  # closed for real (RST) once rfile/wfile are closed
            put.completed_at = time.monotonic()
        elif isinstance(action, Fail):
            self._reply(request, put, action.status, _s3_error("InternalError", "scripted"))
        elif isinstance(action, Redirect):
            self._reply(request, put, 307, b"", location=action.location)
        else:
            if isinstance(action, Stall) and self._stopping.wait(action.seconds):
                request.close_connection = True
                return  # the test is over; the client gave up long ago
            self._reply(request, put, 200, b"")

    @staticmethod
    def _s3_problem(request: BaseHTTPRequestHandler, body: bytes, known: bool) -> str | None:
        if not known:
            return "path or query differ from the pre-signed URL"
        if request.headers.get("Content-Type", ""):
            return "Content-Type is signed as empty"
        if request.headers.get("Content-Length") != str(len(body)):
            return "Content-Length missing or wrong"
        return None

    @staticmethod
    def _reply(
        request: BaseHTTPRequestHandler,
        put: RecordedPut,
        status: int,
        body: bytes,
        location: str | None = None,
    ) -> None:
        request.send_response(status)
        request.send_header("Content-Length", str(len(body)))
        if location:
            request.send_header("Location", location)
        if body:
            request.send_header("Content-Type", "application/xml")
        else:
            request.send_header("ETag", '"d41d8cd98f00b204e9800998ecf8427e"')
        # Recorded before the reply leaves: the client may return as soon as it arrives.
        put.status = status
        put.completed_at = time.monotonic()
        request.end_headers()
        request.wfile.write(body)


def _s3_error(code: str, message: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code>'
        f"<Message>{message}</Message></Error>"
    ).encode()


class _S3Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    owner: ResponseServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up (timeout, reset) is part of the tests: keep stderr clean.
        self.owner.errors.append(repr(sys.exc_info()[1]))


class _S3RequestHandler(BaseHTTPRequestHandler):
    server: _S3Server
    protocol_version = "HTTP/1.1"

    def do_PUT(self) -> None:
        self.server.owner._handle(self)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the path carries the signature; the server keeps its own records


# --------------------------------------------------------------------------------------------
# Lambda
# --------------------------------------------------------------------------------------------


class FakeContext:
    """The parts of Lambda's context object the handler reads."""

    def __init__(self, remaining_ms: int = 60_000) -> None:
        self._ends_at = time.monotonic() + remaining_ms / 1000
        self.aws_request_id = str(uuid.uuid4())
        self.log_stream_name = "2026/11/28/[$LATEST]0123456789abcdef0123456789abcdef"
        self.log_group_name = "/aws/lambda/pinpoint-demo-PinpointEmailChannelProviderHandler"
        self.function_name = "pinpoint-demo-PinpointEmailChannelProviderHandler"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, round((self._ends_at - time.monotonic()) * 1000))


@dataclass
class Backoff:
    """Every backoff delay the handler asked for, by who asked; no time is actually spent."""

    pinpoint: list[float] = field(default_factory=list)
    put: list[float] = field(default_factory=list)


class LogCapture:
    """Everything the handler writes, via pytest's capsys; checks each stdout line is JSON."""

    def __init__(self, read: Callable[[], Any]) -> None:
        self._read = read
        self.lines: list[dict[str, Any]] = []
        self.raw_out: list[str] = []
        self.raw_err: list[str] = []

    def take(self) -> list[dict[str, Any]]:
        captured = self._read()
        self.raw_out.append(captured.out)
        self.raw_err.append(captured.err)
        new: list[dict[str, Any]] = []
        for line in captured.out.splitlines():
            parsed = json.loads(line)  # every line is one JSON document ...
            assert isinstance(parsed, dict), line  # ... and an object
            new.append(parsed)
        self.lines += new
        return new


# --------------------------------------------------------------------------------------------
# CloudFormation
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """A response document, checked the way CloudFormation reads it."""

    status: str
    reason: str
    physical_id: str
    data: dict[str, str]
    document: dict[str, Any]
    size: int

    @classmethod
    def parse(cls, body: bytes, event: Mapping[str, Any]) -> Answer:
        assert len(body) <= MAX_BODY_BYTES, f"body of {len(body)} bytes"
        document = json.loads(body)
        required = {"Status", "PhysicalResourceId", "StackId", "RequestId", "LogicalResourceId"}
        assert required <= set(document), document
        assert set(document) <= required | {"Reason", "NoEcho", "Data"}, document
        assert document["Status"] in ("SUCCESS", "FAILED"), document
        for name in ("StackId", "RequestId", "LogicalResourceId"):
            assert document[name] == event[name] or _cut_from(document[name], event[name]), name
        physical_id = document["PhysicalResourceId"]
        assert isinstance(physical_id, str) and physical_id, document
        assert len(physical_id.encode()) <= 1024
        reason = document.get("Reason", "")
        if document["Status"] == "FAILED":
            assert isinstance(reason, str) and reason.strip(), "FAILED needs a Reason"
        data = document.get("Data") or {}
        assert all(isinstance(value, str) for value in data.values()), data
        return cls(document["Status"], reason, physical_id, data, document, len(body))


def _cut_from(answered: str, sent: Any) -> bool:
    """An oversized field the handler cut: a prefix of what was sent, marked as cut."""
    kept = answered.removesuffix(" [truncated]")
    return answered != kept and isinstance(sent, str) and sent.startswith(kept)


@dataclass
class Exchange:
    """One invocation: the event, every PUT made for it, and the log lines it wrote."""

    event: dict[str, Any]
    attempts: list[RecordedPut]
    logs: list[dict[str, Any]]
    seconds: float
    returned_at: float
    stack_status: str = ""  # what DescribeStacks would have answered during this event
    describe_stacks_calls: int = 0

    @property
    def answers(self) -> list[Answer]:
        return [Answer.parse(put.body, self.event) for put in self.attempts if put.delivered]

    @property
    def answer(self) -> Answer:
        """The one answer CloudFormation got; fails unless there is exactly one."""
        answers = self.answers
        assert len(answers) == 1, f"{len(answers)} answers, {len(self.attempts)} attempts"
        bodies = {put.body for put in self.attempts}
        assert len(bodies) == 1, "a retried PUT must resend the same answer"
        return answers[0]

    @property
    def final_log(self) -> dict[str, Any]:
        return self.logs[-1]


class CloudFormation:
    """Sends events to ``on_event`` as CloudFormation does, and collects what comes back."""

    def __init__(
        self,
        server: ResponseServer,
        logs: LogCapture,
        stack_name: str = "pinpoint-demo",
        unique: str = "5b1c9e40-8d7a-11f0-9f3e-0affd3c1a2b3",
    ):
        self.server = server
        self.logs = logs
        self.stack_name = stack_name
        self.stack_id = stack_arn(stack_name, unique)
        self.service_token = (
            f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{stack_name}-"
            "PinpointEmailChannelProviderHandler-Q1W2E3R4T5Y6"
        )
        self.exchanges: list[Exchange] = []
        self.status = ""  # the stack's status, kept by SimulatedStack; "" = by RequestType
        self.models_describe_stacks = True

    def event(
        self,
        request_type: str,
        logical_id: str,
        properties: Mapping[str, str],
        *,
        physical_id: str | None = None,
        old_properties: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        request_id = str(uuid.uuid4())
        event: dict[str, Any] = {
            "RequestType": request_type,
            "ServiceToken": self.service_token,
            "ResponseURL": self.server.presign(self.stack_id, logical_id, request_id),
            "StackId": self.stack_id,
            "RequestId": request_id,
            "LogicalResourceId": logical_id,
            "ResourceType": contract.RESOURCE_TYPE,
            "ResourceProperties": {"ServiceToken": self.service_token, **properties},
        }
        if physical_id is not None:
            event["PhysicalResourceId"] = physical_id
        if old_properties is not None:
            event["OldResourceProperties"] = {"ServiceToken": self.service_token, **old_properties}
        return event

    def invoke(
        self,
        event: Any,
        *,
        remaining_ms: int = 60_000,
        context: Any = None,
        stack_status: str | None = None,
    ) -> Exchange:
        """Invoke the handler once, as Lambda does for an asynchronous invocation.

        DescribeStacks answers ``stack_status`` (default: ``self.status``, else the status an
        event of this RequestType is sent in), unless a test stubs CloudFormation itself
        (``models_describe_stacks`` False).
        """
        context = context or FakeContext(remaining_ms)
        request_type = event.get("RequestType") if isinstance(event, Mapping) else None
        status = stack_status or self.status or IN_PROGRESS.get(str(request_type), "")
        describe = DescribeStacks(self.stack_id, status) if self.models_describe_stacks else None
        already = len(self.server.puts)
        started = time.monotonic()
        try:
            result = entry.on_event(event, context)
        finally:
            calls = describe.finish() if describe else 0
        returned_at = time.monotonic()
        assert result is None  # an exception here would make Lambda retry the event
        url = event.get("ResponseURL") if isinstance(event, Mapping) else None
        attempts = self.server.puts_to(url, since=already) if isinstance(url, str) else []
        lines = self.logs.take()
        assert lines, "the handler logged nothing"
        assert set(lines[-1]) >= FINAL_LOG_KEYS, lines[-1]
        exchange = Exchange(
            dict(event) if isinstance(event, Mapping) else {"event": event},
            attempts,
            lines,
            returned_at - started,
            returned_at,
            status,
            calls,
        )
        self.exchanges.append(exchange)
        return exchange

    def create(self, logical_id: str, properties: Mapping[str, str], **kw: Any) -> Exchange:
        return self.invoke(self.event("Create", logical_id, properties), **kw)

    def update(
        self,
        logical_id: str,
        physical_id: str,
        properties: Mapping[str, str],
        old_properties: Mapping[str, str],
        **kw: Any,
    ) -> Exchange:
        event = self.event(
            "Update",
            logical_id,
            properties,
            physical_id=physical_id,
            old_properties=old_properties,
        )
        return self.invoke(event, **kw)

    def delete(
        self, logical_id: str, physical_id: str, properties: Mapping[str, str], **kw: Any
    ) -> Exchange:
        event = self.event("Delete", logical_id, properties, physical_id=physical_id)
        return self.invoke(event, **kw)


# The stack status CloudFormation is in while it sends a lone event of each RequestType.
IN_PROGRESS = {
    "Create": "CREATE_IN_PROGRESS",
    "Update": "UPDATE_IN_PROGRESS",
    "Delete": "DELETE_IN_PROGRESS",
}


class DescribeStacks:
    """For one invocation: ``entry.cloudformation_client`` returns a real CloudFormation client
    whose Stubber answers one DescribeStacks for this stack with ``status`` (built on first use:
    most events never ask)."""

    def __init__(self, stack_id: str, status: str) -> None:
        self.stack_id, self.status = stack_id, status
        self.stubber: Stubber | None = None
        self._lock = threading.Lock()
        self._original = entry.cloudformation_client
        entry.cloudformation_client = self._client

    def _client(self) -> Any:
        with self._lock:
            if self.stubber is None:
                self.stubber = Stubber(new_cloudformation_client())
                expect_describe_stacks(self.stubber, self.stack_id, self.status)
                self.stubber.activate()
            return self.stubber.client

    def finish(self) -> int:
        """Restore the handler's client factory; the number of DescribeStacks calls made."""
        entry.cloudformation_client = self._original
        with self._lock:
            if self.stubber is None:
                return 0
            try:
                self.stubber.assert_no_pending_responses()
            except AssertionError:
                return 0
            return 1


@dataclass
class SimulatedStack:
    """One ``Custom::PinpointEmailChannel`` resource taken through CloudFormation's lifecycle.

    ``status`` is the stack's status, as DescribeStacks reports it while each event is sent and
    where each operation ends (``CREATE_COMPLETE``, ``UPDATE_ROLLBACK_COMPLETE``,
    ``UPDATE_ROLLBACK_FAILED``, ``DELETE_FAILED``, ...).
    """

    cfn: CloudFormation
    logical_id: str = "WelcomeChannel8E3B1C2A"
    physical_id: str | None = None
    properties: dict[str, str] | None = None
    history: list[Exchange] = field(default_factory=list)
    status: str = ""

    def _send(self, status: str, send: Callable[[], Exchange]) -> Exchange:
        self.status = self.cfn.status = status
        try:
            return send()
        finally:
            self.cfn.status = ""

    def create(self, properties: Mapping[str, str]) -> list[Exchange]:
        """CREATE; on FAILED, the rollback's Delete with the physical id the handler answered."""
        created = self._send(
            "CREATE_IN_PROGRESS", lambda: self.cfn.create(self.logical_id, properties)
        )
        steps = [created]
        if created.answer.status == "SUCCESS":
            self.physical_id, self.properties = created.answer.physical_id, dict(properties)
            self.status = "CREATE_COMPLETE"
        else:
            marker = created.answer.physical_id
            steps.append(
                self._send(
                    "ROLLBACK_IN_PROGRESS",
                    lambda: self.cfn.delete(self.logical_id, marker, properties),
                )
            )
            ok = steps[-1].answer.status == "SUCCESS"
            self.status = "ROLLBACK_COMPLETE" if ok else "ROLLBACK_FAILED"
        self.history += steps
        return steps

    def update(
        self, properties: Mapping[str, str], *, later_resource_fails: bool = False
    ) -> list[Exchange]:
        """UPDATE, then what CloudFormation does next.

        FAILED: rollback Update to the old properties (old and new swapped), sent while the
        stack is UPDATE_ROLLBACK_IN_PROGRESS; the stack ends UPDATE_ROLLBACK_COMPLETE if that
        Update succeeds, UPDATE_ROLLBACK_FAILED if not. SUCCESS with a new physical id: the
        cleanup Delete of the old id with the old properties, or, when a later resource fails,
        the rollback Delete of the new id with the new properties (cleanup failures do not fail
        the stack). SUCCESS, same id, later failure: rollback Update with old and new swapped.
        """
        assert self.physical_id is not None and self.properties is not None
        old_id, old_properties = self.physical_id, self.properties
        updated = self._send(
            "UPDATE_IN_PROGRESS",
            lambda: self.cfn.update(self.logical_id, old_id, properties, old_properties),
        )
        steps = [updated]
        answer = updated.answer
        if answer.status == "FAILED" or (later_resource_fails and answer.physical_id == old_id):
            steps.append(
                self._send(
                    "UPDATE_ROLLBACK_IN_PROGRESS",
                    lambda: self.cfn.update(self.logical_id, old_id, old_properties, properties),
                )
            )
            ok = steps[-1].answer.status == "SUCCESS"
            self.status = "UPDATE_ROLLBACK_COMPLETE" if ok else "UPDATE_ROLLBACK_FAILED"
        elif later_resource_fails:
            new_id = answer.physical_id
            steps.append(
                self._send(
                    "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
                    lambda: self.cfn.delete(self.logical_id, new_id, properties),
                )
            )
            self.status = "UPDATE_ROLLBACK_COMPLETE"
        else:
            if answer.physical_id != old_id:
                steps.append(
                    self._send(
                        "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
                        lambda: self.cfn.delete(self.logical_id, old_id, old_properties),
                    )
                )
            self.physical_id, self.properties = answer.physical_id, dict(properties)
            self.status = "UPDATE_COMPLETE"
        self.history += steps
        return steps

    def delete(self) -> Exchange:
        assert self.physical_id is not None and self.properties is not None
        physical_id, properties = self.physical_id, self.properties
        deleted = self._send(
            "DELETE_IN_PROGRESS",
            lambda: self.cfn.delete(self.logical_id, physical_id, properties),
        )
        self.history.append(deleted)
        if deleted.answer.status == "SUCCESS":
            self.physical_id = self.properties = None
            self.status = "DELETE_COMPLETE"
        else:
            self.status = "DELETE_FAILED"
        return deleted

    def remove(self) -> Exchange:
        """The resource left the template (renamed, moved to another stack): CloudFormation
        deletes it in the cleanup phase, after every new resource was created."""
        assert self.physical_id is not None and self.properties is not None
        physical_id, properties = self.physical_id, self.properties
        removed = self._send(
            "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
            lambda: self.cfn.delete(self.logical_id, physical_id, properties),
        )
        self.history.append(removed)
        self.physical_id = self.properties = None  # cleanup failures do not fail the stack
        self.status = "UPDATE_COMPLETE"
        return removed

    def rename(
        self, logical_id: str, *, later_resource_fails: bool = False
    ) -> tuple[SimulatedStack, list[Exchange]]:
        """A stack update that gives this resource a new logical id (a rename, or a move to
        another parent in the same stack): Create of the new resource with the same properties,
        then the cleanup Delete of the old one. If the Create fails, or a later resource does,
        the stack rolls back: the new resource is deleted and the old one stays, untouched."""
        assert self.physical_id is not None and self.properties is not None
        properties = self.properties
        renamed = SimulatedStack(self.cfn, logical_id)
        created = renamed._send(
            "UPDATE_IN_PROGRESS", lambda: self.cfn.create(logical_id, properties)
        )
        steps = [created]
        answer = created.answer
        if answer.status == "FAILED" or later_resource_fails:
            physical_id = answer.physical_id
            steps.append(
                renamed._send(
                    "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
                    lambda: self.cfn.delete(logical_id, physical_id, properties),
                )
            )
            self.status = "UPDATE_ROLLBACK_COMPLETE"
        else:
            renamed.physical_id, renamed.properties = answer.physical_id, dict(properties)
            steps.append(self.remove())
            renamed.status = self.status = "UPDATE_COMPLETE"
        self.history += steps
        return renamed, steps

    def create_cancelled(self, properties: Mapping[str, str]) -> Exchange:
        """Another resource failed before this Create was answered: CloudFormation rolls back by
        deleting a physical id it made up (``<stack>-<logical id>-<suffix>``)."""
        invented = f"{self.cfn.stack_name}-{self.logical_id}-{secrets.token_hex(6).upper()}"
        deleted = self._send(
            "ROLLBACK_IN_PROGRESS", lambda: self.cfn.delete(self.logical_id, invented, properties)
        )
        self.history.append(deleted)
        self.status = "ROLLBACK_COMPLETE"
        return deleted


# --------------------------------------------------------------------------------------------
# Pinpoint with state
# --------------------------------------------------------------------------------------------

# Pinpoint's tag values: letters, digits, spaces and _ . : / = + - @, up to 256 characters.
_TAG_VALUE = re.compile(r"[\w\s.:/=+\-@]{0,256}", re.ASCII)


@dataclass
class FakeApp:
    channel: dict[str, Any] | None = None
    version: int = 0
    tags: dict[str, str] = field(default_factory=dict)


class FakePinpoint:
    """Pinpoint's email channels and app tags, with state, behind a real botocore client.

    ``refuse(operation, shape)`` makes Pinpoint refuse ``operation`` (its botocore name, e.g.
    ``"ListTagsForResource"``) the way ``pinpoint_stubs.REFUSALS[shape]`` describes, for every
    call until ``allow``: Pinpoint after its end of support.
    """

    def __init__(self, *apps: str) -> None:
        self.apps = {app: FakeApp() for app in apps}
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.refusals: dict[str, tuple[str, str]] = {}
        self._lock = threading.Lock()
        self.client = new_client()
        events = self.client.meta.events
        events.register_first("before-parameter-build.pinpoint.*", self._keep_params)
        events.register_first("before-call.pinpoint.*", self._answer)

    # -- scripting and reading the state ---------------------------------------------------

    def refuse(self, operation: str, shape: str = "403-forbidden") -> str:
        """Refuse ``operation`` from now on; returns the "code: message" a Reason quotes."""
        code, message, _ = REFUSALS[shape]
        with self._lock:
            self.refusals[operation] = (code, message)
        return f"{code}: {message}"

    def allow(self, operation: str) -> None:
        with self._lock:
            self.refusals.pop(operation, None)

    def has_channel(self, app: str) -> bool:
        with self._lock:
            return self.apps[app].channel is not None

    def channel(self, app: str) -> dict[str, Any] | None:
        with self._lock:
            found = self.apps[app].channel
            return dict(found) if found is not None else None

    def tags(self, app: str) -> dict[str, str]:
        with self._lock:
            return dict(self.apps[app].tags)

    def operations(self, since: int = 0) -> list[str]:
        with self._lock:
            return [name for name, _ in self.calls[since:]]

    # -- botocore hooks ----------------------------------------------------------------------

    @staticmethod
    def _keep_params(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["fake_pinpoint_params"] = json.loads(json.dumps(params, default=str))

    def _answer(
        self, model: Any, context: dict[str, Any], **_: Any
    ) -> tuple[AWSResponse, dict[str, Any]]:
        name = model.name
        params = context.pop("fake_pinpoint_params")
        with self._lock:
            self.calls.append((name, params))
            refusal = self.refusals.get(name)
            if refusal:
                return self._error(*refusal)
            try:
                result = getattr(self, f"_{name}")(params)
            except _Refused as refused:
                return self._error(refused.code, refused.message)
        if model.output_shape is not None:
            validate_parameters(result, model.output_shape)
        else:
            assert result == {}, name
        return AWSResponse(None, 200, {}, None), {
            **result,
            "ResponseMetadata": {"HTTPStatusCode": 200},
        }

    @staticmethod
    def _error(code: str, message: str) -> tuple[AWSResponse, dict[str, Any]]:
        status = STATUS[code]
        return AWSResponse(None, status, {}, None), {
            "Error": {"Code": code, "Message": message},
            "ResponseMetadata": {"HTTPStatusCode": status},
        }

    def _app(self, application_id: str) -> FakeApp:
        app = self.apps.get(application_id)
        if app is None:
            raise _Refused("NotFoundException", "Resource not found")
        return app

    def _app_of(self, arn: str) -> FakeApp:
        application_id = arn.rpartition("/")[2]
        if arn != app_arn(application_id):  # another region, account or resource type
            raise _Refused("NotFoundException", "Resource not found")
        return self._app(application_id)

    def _response(self, application_id: str, app: FakeApp) -> dict[str, Any]:
        channel = app.channel or {}
        return {
            "EmailChannelResponse": {
                "ApplicationId": application_id,
                "Enabled": bool(channel.get("Enabled", True)),
                "FromAddress": str(channel.get("FromAddress", "")),
                "Identity": str(channel.get("Identity", "")),
                "Id": "email",
                "IsArchived": False,
                "MessagesPerSecond": 14,
                "Platform": "EMAIL",
                "Version": app.version,
            }
        }

    def _UpdateEmailChannel(self, params: dict[str, Any]) -> dict[str, Any]:
        app = self._app(params["ApplicationId"])
        app.channel = dict(params["EmailChannelRequest"])
        app.version += 1
        return self._response(params["ApplicationId"], app)

    def _DeleteEmailChannel(self, params: dict[str, Any]) -> dict[str, Any]:
        app = self._app(params["ApplicationId"])
        if app.channel is None:
            raise _Refused("NotFoundException", "Resource not found")
        response = self._response(params["ApplicationId"], app)
        app.channel = None
        return response

    def _ListTagsForResource(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"TagsModel": {"tags": dict(self._app_of(params["ResourceArn"]).tags)}}

    def _TagResource(self, params: dict[str, Any]) -> dict[str, Any]:
        app = self._app_of(params["ResourceArn"])
        tags = params["TagsModel"]["tags"]
        for key, value in tags.items():
            if not (1 <= len(key) <= 128 and _TAG_VALUE.fullmatch(value)):
                raise _Refused("BadRequestException", f"Invalid tag {key!r}")
        app.tags.update(tags)
        return {}

    def _UntagResource(self, params: dict[str, Any]) -> dict[str, Any]:
        app = self._app_of(params["ResourceArn"])
        for key in params["TagKeys"]:
            app.tags.pop(key, None)
        return {}


class _Refused(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def worker_threads() -> Iterator[threading.Thread]:
    return (t for t in threading.enumerate() if t.name == entry.WORKER_THREAD_NAME)
