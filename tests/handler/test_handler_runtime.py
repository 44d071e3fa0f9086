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
from urllib.parse import parse_qsl, quote

import boto3
import pytest
from botocore.stub import Stubber
from cfn_simulator import HANDLER_DIR, Backoff, CloudFormation, contract, entry
from pinpoint_stubs import APP, ME, OWNER, app_arn, channel, expect_error, properties, request

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

    do_DELETE = do_PUT  # DeleteEmailChannel, UntagResource
    do_GET = do_PUT  # ListTagsForResource
    do_POST = do_PUT  # TagResource

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
        [
            (429, throttled),
            (429, throttled),
            (200, channel()["EmailChannelResponse"]),
            (200, {"tags": {}}),  # ListTagsForResource: the claim of an untagged app ...
            (204, {}),  # ... TagResource
        ]
    )

    exchange = cfn.create("WelcomeChannel8E3B1C2A", properties())

    assert exchange.answer.status == "SUCCESS"
    assert exchange.answer.data[contract.DATA_MESSAGES_PER_SECOND] == "14"
    # Three HTTP requests, each one an attempt of the handler's loop (two backoffs between):
    # botocore's own retries would have made more requests, or hidden the 429s from the loop.
    # Then the claim: ListTagsForResource and TagResource on the app's ARN.
    assert [r[0] for r in pinpoint_endpoint.requests] == ["PUT"] * 3 + ["GET", "POST"]
    tags_path = "/v1/tags/" + quote(app_arn(), safe="")
    assert [r[1] for r in pinpoint_endpoint.requests[3:]] == [tags_path] * 2
    assert pinpoint_endpoint.requests[4][2] == {"tags": {OWNER: ME}}
    assert len(backoff.pinpoint) == 2
    method, path, body, headers = pinpoint_endpoint.requests[0]
    assert (method, path) == ("PUT", f"/v1/apps/{APP}/channels/email")
    assert body == request()
    assert headers["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=testing/")


def test_real_not_found_error_code_is_recognised_on_delete(
    cfn: CloudFormation, pinpoint_endpoint: _Pinpoint
) -> None:
    pinpoint_endpoint.replies.extend(
        [
            (200, {"tags": {}}),  # a channel made before ownership tags
            (
                404,
                {"__type": "NotFoundException", "Message": "Resource not found", "RequestID": "x"},
            ),
        ]
    )

    exchange = cfn.delete("WelcomeChannel8E3B1C2A", APP, properties())

    assert (exchange.answer.status, exchange.answer.physical_id) == ("SUCCESS", APP)
    assert [r[:2] for r in pinpoint_endpoint.requests] == [
        ("GET", "/v1/tags/" + quote(app_arn(), safe="")),
        ("DELETE", f"/v1/apps/{APP}/channels/email"),
    ]


# The production factory, captured before the autouse fixture replaces it for every test.
REAL_CLOUDFORMATION_CLIENT = entry.cloudformation_client
_CFN_NS = "http://cloudformation.amazonaws.com/doc/2010-05-15/"


class _CloudFormation(ThreadingHTTPServer):
    """CloudFormation's query protocol: form-encoded POSTs, XML answers."""

    daemon_threads = True
    block_on_close = False

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _CloudFormationHandler)
        self.requests: list[dict[str, str]] = []
        self.replies: deque[tuple[int, str]] = deque()


class _CloudFormationHandler(BaseHTTPRequestHandler):
    server: _CloudFormation
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        self.server.requests.append(dict(parse_qsl(body)))
        status, document = self.server.replies.popleft()
        payload = document.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _stack_xml(stack_id: str, status: str) -> str:
    return (
        f'<DescribeStacksResponse xmlns="{_CFN_NS}"><DescribeStacksResult><Stacks><member>'
        f"<StackName>pinpoint-demo</StackName><StackId>{stack_id}</StackId>"
        "<CreationTime>2026-11-28T16:32:00Z</CreationTime>"
        f"<StackStatus>{status}</StackStatus></member></Stacks></DescribeStacksResult>"
        "<ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></DescribeStacksResponse>"
    )


_THROTTLED_XML = (
    f'<ErrorResponse xmlns="{_CFN_NS}"><Error><Type>Sender</Type><Code>Throttling</Code>'
    "<Message>Rate exceeded</Message></Error><RequestId>2</RequestId></ErrorResponse>"
)


@pytest.fixture
def cloudformation_endpoint(
    monkeypatch: pytest.MonkeyPatch, cfn: CloudFormation
) -> Iterator[_CloudFormation]:
    server = _CloudFormation()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.005})
    thread.daemon = True
    thread.start()
    host, port = server.server_address[:2]
    monkeypatch.setenv("AWS_ENDPOINT_URL_CLOUDFORMATION", f"http://{host!s}:{port}")
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    monkeypatch.setattr(entry, "_cloudformation_client", None)
    monkeypatch.setattr(entry, "cloudformation_client", REAL_CLOUDFORMATION_CLIENT)
    cfn.models_describe_stacks = False
    yield server
    server.shutdown()
    server.server_close()


def test_describe_stacks_is_retried_by_the_handler_not_botocore(
    cfn: CloudFormation,
    pinpoint: Stubber,
    cloudformation_endpoint: _CloudFormation,
    backoff: Backoff,
) -> None:
    expect_error(pinpoint, "update_email_channel", "BadRequestException", "No longer supported")
    cloudformation_endpoint.replies.extend(
        [
            (400, _THROTTLED_XML),
            (400, _THROTTLED_XML),
            (200, _stack_xml(cfn.stack_id, "UPDATE_ROLLBACK_IN_PROGRESS")),
        ]
    )

    exchange = cfn.update("WelcomeChannel8E3B1C2A", APP, properties(), properties(Enabled="false"))

    assert (exchange.answer.status, exchange.answer.physical_id) == ("SUCCESS", APP)
    assert exchange.answer.reason.startswith("Rollback: ")
    assert len(cloudformation_endpoint.requests) == 3  # one HTTP request per handler attempt
    assert len(backoff.pinpoint) == 2
    assert cloudformation_endpoint.requests[0] == {
        "Action": "DescribeStacks",
        "Version": "2010-05-15",
        "StackName": cfn.stack_id,
    }
