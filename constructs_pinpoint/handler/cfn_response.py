"""The one answer to CloudFormation: a JSON body PUT to the pre-signed ResponseURL."""

from __future__ import annotations

import http.client
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

# CloudFormation rejects response bodies over 4096 bytes and physical ids over 1 KB.
MAX_BODY_BYTES = 4096
MAX_PHYSICAL_ID_BYTES = 1024
# Caps for the fields echoed from the event (CloudFormation's own are far shorter: a stack ARN is
# under 256 bytes, a RequestId 36, a logical id at most 255), for the log-stream suffix, and for
# the Data values should nothing else be left to cut. With them a Reason keeps MIN_REASON_BYTES.
MAX_ECHOED_FIELD_BYTES = 512
MAX_SUFFIX_BYTES = 256
MIN_REASON_BYTES = 256
DATA_BUDGET_BYTES = 512
_ELLIPSIS = " [truncated]"
# A PUT attempt never outlasts the Lambda: it gets the time left (at least this, at most the
# policy's timeout).
MIN_ATTEMPT_TIMEOUT = 0.25


@dataclass(frozen=True)
class PutPolicy:
    max_attempts: int = 5
    base_delay: float = 0.25
    timeout: float = 10.0


DEFAULT_PUT = PutPolicy()
# CloudFormation's ResponseURLs are https. Hosts listed here may also be reached over plain http:
# none in production; the test suite lists its loopback S3 stand-in (127.0.0.1).
PLAIN_HTTP_HOSTS: frozenset[str] = frozenset()


def url_allowed(url: str) -> bool:
    """True for an https URL with a host (or plain http to a ``PLAIN_HTTP_HOSTS`` host)."""
    try:
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname
    except ValueError:
        return False
    if not host or any(char.isspace() for char in url):
        return False
    return parts.scheme == "https" or (parts.scheme == "http" and host in PLAIN_HTTP_HOSTS)


def _opener() -> urllib.request.OpenerDirector:
    """https (and http) only, no redirects: file://, ftp:// or data: can never be opened, even
    through a redirect, and a 3xx counts as a refusal."""
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),
        urllib.request.HTTPSHandler(),
        urllib.request.HTTPHandler(),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


# Looked up at call time, like DEFAULT_PUT, so tests can run the retry path without waiting.
backoff_sleep: Callable[[float], None] = time.sleep


def build_body(
    event: Mapping[str, Any],
    *,
    status: str,
    physical_id: str,
    reason: str,
    data: Mapping[str, str] | None = None,
    reason_suffix: str = "",
) -> bytes:
    """The response document, never over ``MAX_BODY_BYTES`` whichever field is oversized.

    The fields CloudFormation sent (StackId, RequestId, LogicalResourceId) and the physical id
    are cut to their own caps first (no real event comes near them), then the Reason is cut to
    what is left; ``reason_suffix`` (where to find the logs) always survives. Data values are cut
    only if even an empty Reason leaves no room, keeping every key.
    """
    document: dict[str, Any] = {
        "Status": status,
        "Reason": reason + reason_suffix,
        "PhysicalResourceId": _cap(physical_id, MAX_PHYSICAL_ID_BYTES),
        "StackId": _cap(_text(event.get("StackId")), MAX_ECHOED_FIELD_BYTES),
        "RequestId": _cap(_text(event.get("RequestId")), MAX_ECHOED_FIELD_BYTES),
        "LogicalResourceId": _cap(_text(event.get("LogicalResourceId")), MAX_ECHOED_FIELD_BYTES),
        "NoEcho": False,
        "Data": {str(key): str(value) for key, value in (data or {}).items()},
    }
    body = json.dumps(document).encode()
    if len(body) <= MAX_BODY_BYTES:
        return body
    suffix = _cap(reason_suffix, MAX_SUFFIX_BYTES)
    suffix_bytes = len(json.dumps(suffix).encode()) - 2  # without its quotes
    without_reason = len(json.dumps({**document, "Reason": ""}).encode())
    if without_reason + suffix_bytes + MIN_REASON_BYTES > MAX_BODY_BYTES:
        document["Data"] = _fit_data(document["Data"])
        without_reason = len(json.dumps({**document, "Reason": ""}).encode())
    budget = MAX_BODY_BYTES - without_reason - suffix_bytes
    document["Reason"] = _fit_json(reason, budget) + suffix
    body = json.dumps(document).encode()
    if len(body) > MAX_BODY_BYTES:  # pragma: no cover - the caps above leave room by design
        document.update(Reason=_ELLIPSIS.strip(), Data={})
        body = json.dumps(document).encode()
    return body


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))


def _fit_data(data: dict[str, str]) -> dict[str, str]:
    """Every key kept (GetAtt reads them), each value cut to an equal share of the room."""
    share = max(0, DATA_BUDGET_BYTES // max(1, len(data)) - 16)
    return {_cap(key, 64): _cap(value, share) if share else "" for key, value in data.items()}


def _cap(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` bytes JSON-encoded, so to ``limit`` UTF-8 bytes too: with
    ``ensure_ascii`` a character never takes fewer bytes in JSON than in UTF-8."""
    return _fit_json(text, limit + 2)


def _fit_json(text: str, budget: int) -> str:
    """Longest prefix of ``text`` whose JSON encoding (with quotes) fits in ``budget`` bytes.

    Linear in ``budget``, not in ``text``: every character takes at least one byte in JSON, so
    only the first ``budget`` characters can fit, and the search never looks further."""
    if len(text) <= budget and len(json.dumps(text).encode()) <= budget:
        return text
    text = text[: max(0, budget)]
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if len(json.dumps(text[:middle] + _ELLIPSIS).encode()) <= budget:
            low = middle
        else:
            high = middle - 1
    if low == 0 and len(json.dumps(_ELLIPSIS).encode()) > budget:
        return ""
    return text[:low] + _ELLIPSIS


class ResponseNotDelivered(Exception):
    """Every PUT attempt failed; the message never contains the URL."""


def put_response(
    url: str,
    body: bytes,
    *,
    policy: PutPolicy | None = None,
    seconds_left: Callable[[], float] = lambda: float("inf"),
    sleep: Callable[[float], None] | None = None,
) -> int:
    """PUT ``body`` to the pre-signed URL, retrying 5xx and connection errors with backoff.

    Raises ``ResponseNotDelivered`` (never anything else) when no attempt got a 2xx.
    """
    policy = policy or DEFAULT_PUT
    pause = sleep or backoff_sleep
    if not url_allowed(url):
        raise ResponseNotDelivered("ResponseURL is not an https URL: never opened")
    opener = _opener()
    last_problem = "no attempt made"
    attempt = 0
    for attempt in range(1, policy.max_attempts + 1):
        timeout = min(policy.timeout, max(MIN_ATTEMPT_TIMEOUT, seconds_left()))
        try:
            request = urllib.request.Request(
                url,
                data=body,
                method="PUT",
                # S3 pre-signed URLs are signed with an empty content type.
                headers={"Content-Type": "", "Content-Length": str(len(body))},
            )
            with opener.open(request, timeout=timeout) as response:
                status = int(response.status)
            if 200 <= status < 300:
                return status
            last_problem = f"HTTP {status}"
        except urllib.error.HTTPError as error:
            last_problem = f"HTTP {error.code}"
            if error.code < 500:
                break  # a 4xx (expired or malformed URL) or a redirect: retrying won't help
        except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
            # Connection refused or reset, timeouts, a garbled HTTP reply: worth another try.
            reason = error.reason if isinstance(error, urllib.error.URLError) else error
            last_problem = (
                f"{type(reason).__name__}: {reason}" if str(reason) else type(error).__name__
            )
        except ValueError as error:
            # Not a URL urllib can open at all; the message would quote it, so it is not kept.
            last_problem = f"unusable ResponseURL ({type(error).__name__})"
            break
        delay = policy.base_delay * 2 ** (attempt - 1)
        if attempt == policy.max_attempts or delay >= seconds_left():
            break
        pause(delay)
    raise ResponseNotDelivered(f"response not delivered after {attempt} attempts: {last_problem}")


@dataclass
class Responder:
    """Answers one event at most once, whichever thread (worker or deadline guard) comes first."""

    event: Mapping[str, Any]
    send: Callable[[str, bytes], int]
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _finished: threading.Event = field(default_factory=threading.Event)
    answered: dict[str, Any] | None = None

    def answer(
        self,
        status: str,
        physical_id: str,
        reason: str,
        data: Mapping[str, str] | None = None,
        *,
        reason_suffix: str = "",
    ) -> bool:
        """Send this answer unless one was sent (or is being sent); True if this one was sent."""
        with self._lock:
            if self.answered is not None:
                return False
            self.answered = {"Status": status, "PhysicalResourceId": physical_id, "Reason": reason}
        try:
            body = build_body(
                self.event,
                status=status,
                physical_id=physical_id,
                reason=reason,
                data=data,
                reason_suffix=reason_suffix,
            )
            self.send(str(self.event["ResponseURL"]), body)
        finally:
            self._finished.set()
        return True

    def wait_finished(self, timeout: float) -> bool:
        """Wait for the answer in flight (sent by another thread) to be delivered or given up."""
        return self._finished.wait(max(0.0, timeout))
