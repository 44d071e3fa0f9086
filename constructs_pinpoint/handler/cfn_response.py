"""The one answer to CloudFormation: a JSON body PUT to the pre-signed ResponseURL."""

from __future__ import annotations

import http.client
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

# CloudFormation rejects response bodies over 4096 bytes and physical ids over 1 KB.
MAX_BODY_BYTES = 4096
MAX_PHYSICAL_ID_BYTES = 1024
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
    """The response document, its Reason cut so the whole body fits in ``MAX_BODY_BYTES``.

    Only ``reason`` is cut: ``reason_suffix`` (where to find the logs) always survives.
    """
    document: dict[str, Any] = {
        "Status": status,
        "Reason": reason + reason_suffix,
        "PhysicalResourceId": _fit(physical_id, MAX_PHYSICAL_ID_BYTES),
        "StackId": event.get("StackId", ""),
        "RequestId": event.get("RequestId", ""),
        "LogicalResourceId": event.get("LogicalResourceId", ""),
        "NoEcho": False,
        "Data": dict(data or {}),
    }
    body = json.dumps(document).encode()
    if len(body) > MAX_BODY_BYTES:
        document["Data"] = {}
        suffix_bytes = len(json.dumps(reason_suffix).encode()) - 2  # without its quotes
        without_reason = len(json.dumps({**document, "Reason": ""}).encode())
        budget = MAX_BODY_BYTES - without_reason - suffix_bytes
        document["Reason"] = _fit_json(reason, budget) + reason_suffix
        body = json.dumps(document).encode()
    return body


def _fit(text: str, limit: int) -> str:
    encoded = text.encode()
    if len(encoded) <= limit:
        return text
    return encoded[: limit - len(_ELLIPSIS)].decode(errors="ignore") + _ELLIPSIS


def _fit_json(text: str, budget: int) -> str:
    """Longest prefix of ``text`` whose JSON encoding (with quotes) fits in ``budget`` bytes."""
    if len(json.dumps(text).encode()) <= budget:
        return text
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if len(json.dumps(text[:middle] + _ELLIPSIS).encode()) <= budget:
            low = middle
        else:
            high = middle - 1
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
            with urllib.request.urlopen(request, timeout=timeout) as response:
                status = int(response.status)
            if 200 <= status < 300:
                return status
            last_problem = f"HTTP {status}"
        except urllib.error.HTTPError as error:
            last_problem = f"HTTP {error.code}"
            if 400 <= error.code < 500:
                break  # a 4xx (expired or malformed URL) does not get better by retrying
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
