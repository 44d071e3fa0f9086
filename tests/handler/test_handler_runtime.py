"""The handler as it runs on Lambda: its imports, and its real botocore client.

The Stubber bypasses botocore's retry loop, so it cannot show that botocore's retries are off.
Here the production ``pinpoint_client()`` talks to a local Pinpoint stand-in
(``AWS_ENDPOINT_URL_PINPOINT``): Pinpoint throttles twice, and the handler's own deadline-aware
loop, not botocore, must be the one retrying.
"""

from __future__ import annotations

import ast
import json
import sys
import threading
from collections import deque
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3
import pytest
from cfn_simulator import HANDLER_DIR, Backoff, CloudFormation, entry
from pinpoint_stubs import APP, channel, properties, request

RUNTIME_MODULES = {"boto3", "botocore"}


def test_handler_imports_only_the_standard_library_and_boto3() -> None:
    for source in sorted(HANDLER_DIR.glob("*.py")):
        tree = ast.parse(source.read_text(), str(source))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                assert top in sys.stdlib_module_names or top in RUNTIME_MODULES, (
                    f"{source.name} imports {name}: not available on the Lambda runtime"
                )


class _Pinpoint(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _PinpointHandler)
        self.requests: list[tuple[str, str, dict[str, Any], dict[str, str]]] = []
        self.replies: deque[tuple[int, dict[str, Any]]] = deque()


class _PinpointHandler(BaseHTTPRequestHandler):
    server: _Pinpoint
    protocol_version = "HTTP/1.1"

    def do_PUT(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.requests.append(
            (self.command, self.path, json.loads(body or b"{}"), dict(self.headers.items()))
        )
        status, document = self.server.replies.popleft()
        payload = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("x-amzn-RequestId", "3f6e2a8c-0000-4000-8000-000000000000")
        if status >= 400:
            self.send_header("x-amzn-ErrorType", document["__type"])
        self.end_headers()
        self.wfile.write(payload)

    do_DELETE = do_PUT  # DeleteEmailChannel

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def pinpoint_endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[_Pinpoint]:
    server = _Pinpoint()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.005})
    thread.daemon = True
    thread.start()
    host, port = server.server_address[:2]
    monkeypatch.setenv("AWS_ENDPOINT_URL_PINPOINT", f"http://{host!s}:{port}")
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)  # a session that reads this env
    monkeypatch.setattr(entry, "_client", None)  # the handler builds its client anew
    yield server
    server.shutdown()
    server.server_close()


def test_botocore_does_not_retry_the_handler_does(
    cfn: CloudFormation, pinpoint_endpoint: _Pinpoint, backoff: Backoff
) -> None:
    throttled = {"__type": "TooManyRequestsException", "Message": "Too many requests"}
    pinpoint_endpoint.replies.extend(
        [(429, throttled), (429, throttled), (200, channel()["EmailChannelResponse"])]
    )

    exchange = cfn.create("WelcomeChannel8E3B1C2A", properties())

    assert exchange.answer.status == "SUCCESS"
    assert exchange.answer.data["MessagesPerSecond"] == "14"
    # Three HTTP requests, each one an attempt of the handler's loop (two backoffs between):
    # botocore's own retries would have made more requests, or hidden the 429s from the loop.
    assert len(pinpoint_endpoint.requests) == 3
    assert len(backoff.pinpoint) == 2
    method, path, body, headers = pinpoint_endpoint.requests[0]
    assert (method, path) == ("PUT", f"/v1/apps/{APP}/channels/email")
    assert body == request()
    assert headers["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=testing/")


def test_real_not_found_error_code_is_recognised_on_delete(
    cfn: CloudFormation, pinpoint_endpoint: _Pinpoint
) -> None:
    pinpoint_endpoint.replies.append(
        (404, {"__type": "NotFoundException", "Message": "Resource not found", "RequestID": "x"})
    )

    exchange = cfn.delete("WelcomeChannel8E3B1C2A", APP, properties())

    assert (exchange.answer.status, exchange.answer.physical_id) == ("SUCCESS", APP)
    assert [r[:2] for r in pinpoint_endpoint.requests] == [
        ("DELETE", f"/v1/apps/{APP}/channels/email")
    ]
