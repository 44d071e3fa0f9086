"""Lambda entry point of ``Custom::PinpointEmailChannel``.

Every event gets exactly one answer on its ResponseURL, whatever fails: the work runs in a worker
thread, and if it is not done shortly before the Lambda's deadline the main thread answers FAILED
itself. ``Responder`` makes sure only the first of the two answers is sent.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from . import cfn_response, pinpoint_calls
from .log import get_logger, redact, secrets_of
from .properties import ChannelSettings, InvalidProperties

RESOURCE_TYPE = "Custom::PinpointEmailChannel"
# A failed Create answers with this prefix; the Delete CloudFormation then sends makes no call.
FAILED_CREATE_PREFIX = "create-failed:"
# Time kept back for the FAILED answer when the work overruns the Lambda's timeout.
RESPONSE_RESERVE_SECONDS = 4.0
# PUTs stop this long before the deadline (at most 1/20 of the run), so a worker still sending
# when the deadline guard gives up has finished, and logged, before the Lambda returns.
SEND_MARGIN_SECONDS = 0.5
WORKER_THREAD_NAME = "pinpoint-email-channel"

_client: Any = None


def pinpoint_client() -> Any:
    global _client
    if _client is None:
        import boto3
        from botocore.config import Config

        _client = boto3.client(
            "pinpoint",
            config=Config(
                retries={"total_max_attempts": 1},  # retried by pinpoint_calls, deadline-aware
                connect_timeout=5,
                read_timeout=20,
            ),
        )
    return _client


class Outcome:
    def __init__(
        self, status: str, physical_id: str, reason: str, data: Mapping[str, str] | None = None
    ) -> None:
        self.status = status
        self.physical_id = physical_id
        self.reason = reason
        self.data = dict(data or {})


def process(
    event: Mapping[str, Any], client: Callable[[], Any], seconds_left: Callable[[], float]
) -> Outcome:
    """Decide the answer for one event; ``client`` builds the Pinpoint client when one is needed."""
    request_type = event.get("RequestType")
    old_physical_id = str(event.get("PhysicalResourceId") or "")
    properties = event.get("ResourceProperties") or {}
    failed_physical_id = old_physical_id or FAILED_CREATE_PREFIX + str(event.get("RequestId", ""))
    try:
        if request_type in ("Create", "Update"):
            settings = ChannelSettings.from_properties(properties)
            data = pinpoint_calls.update_email_channel(
                client(), settings, seconds_left=seconds_left
            )
            return Outcome("SUCCESS", settings.application_id, "", data)
        if request_type == "Delete":
            return _delete(client, old_physical_id, properties, seconds_left)
        return Outcome("FAILED", failed_physical_id, f"Unknown RequestType {request_type!r}")
    except InvalidProperties as error:
        return Outcome("FAILED", failed_physical_id, f"Invalid properties: {error}")
    except pinpoint_calls.PinpointCallFailed as error:
        return Outcome("FAILED", failed_physical_id, error.reason)
    except Exception as error:  # answer FAILED for anything unforeseen rather than hang the stack
        url = event.get("ResponseURL")
        get_logger().exception(
            "unexpected error",
            extra={
                "fields": {"request_id": event.get("RequestId"), "outcome": "error"},
                "secrets": secrets_of(url) if isinstance(url, str) else (),
            },
        )
        return Outcome("FAILED", failed_physical_id, f"Unexpected {type(error).__name__}: {error}")


def _delete(
    client: Callable[[], Any],
    physical_id: str,
    properties: Mapping[str, Any],
    seconds_left: Callable[[], float],
) -> Outcome:
    application_id = properties.get("ApplicationId")
    # Only a physical id this handler answered (the application id) names a channel to delete:
    # a failed-Create marker, or an id CloudFormation invented after another resource failed,
    # must never delete a channel that may have existed before the stack.
    if not physical_id or physical_id != application_id:
        return Outcome("SUCCESS", physical_id, "No channel was created for this resource")
    deleted = pinpoint_calls.delete_email_channel(client(), physical_id, seconds_left=seconds_left)
    return Outcome("SUCCESS", physical_id, "" if deleted else "Email channel was already gone")


def on_event(event: Mapping[str, Any], context: Any) -> None:
    started = time.monotonic()
    logger = get_logger()
    is_mapping = isinstance(event, Mapping)
    url = event.get("ResponseURL") if is_mapping else None
    fields: dict[str, Any] = {
        "request_id": event.get("RequestId") if is_mapping else None,
        "logical_id": event.get("LogicalResourceId") if is_mapping else None,
        "request_type": event.get("RequestType") if is_mapping else None,
    }
    secrets = secrets_of(url) if isinstance(url, str) else ()
    if not secrets:
        fields.update(outcome="dropped", duration_ms=_elapsed_ms(started))
        logger.error("event has no ResponseURL: nothing to answer", extra={"fields": fields})
        return

    remaining = _remaining_seconds(context)
    deadline = started + remaining
    reserve = min(RESPONSE_RESERVE_SECONDS, remaining / 4)
    send_margin = min(SEND_MARGIN_SECONDS, remaining / 20)

    def work_seconds_left() -> float:
        return deadline - reserve - time.monotonic()

    def send_seconds_left() -> float:
        return deadline - send_margin - time.monotonic()

    responder = cfn_response.Responder(
        event,
        lambda target, body: cfn_response.put_response(
            target, body, seconds_left=send_seconds_left
        ),
    )
    log_stream = getattr(context, "log_stream_name", None)

    def work() -> None:
        try:
            outcome = process(event, pinpoint_client, work_seconds_left)
        except Exception as error:  # pragma: no cover - process() already catches
            outcome = Outcome("FAILED", str(event.get("PhysicalResourceId") or ""), repr(error))
        _answer(responder, outcome, log_stream, fields, secrets)

    worker = threading.Thread(target=work, name=WORKER_THREAD_NAME, daemon=True)
    worker.start()
    worker.join(timeout=max(0.0, work_seconds_left()))
    if worker.is_alive():
        physical_id = str(event.get("PhysicalResourceId") or "") or (
            FAILED_CREATE_PREFIX + str(event.get("RequestId", ""))
        )
        timeout = Outcome(
            "FAILED",
            physical_id,
            "Timed out waiting for Pinpoint before the handler's Lambda timeout; nothing more "
            "will be sent for this request. Retry the stack operation once Pinpoint responds.",
        )
        if not _answer(responder, timeout, log_stream, fields, secrets):
            # The worker's answer is on its way: returning now would freeze the Lambda mid-PUT.
            responder.wait_finished(deadline - time.monotonic())
    fields.setdefault("outcome", "in-flight")  # only if the worker is still sending at the deadline
    fields["duration_ms"] = _elapsed_ms(started)
    # A snapshot: a worker still sending at the deadline may update ``fields`` meanwhile.
    logger.info("done", extra={"fields": dict(fields), "secrets": secrets})


def _answer(
    responder: cfn_response.Responder,
    outcome: Outcome,
    log_stream: str | None,
    fields: dict[str, Any],
    secrets: tuple[str, ...],
) -> bool:
    """Send ``outcome`` unless an answer was sent already; True if this call sent it."""
    # The Reason is shown in the stack's events: it must never carry the pre-signed URL.
    reason = redact(outcome.reason, secrets)
    suffix = f" (log stream {log_stream})" if outcome.status == "FAILED" and log_stream else ""
    try:
        sent = responder.answer(
            outcome.status, outcome.physical_id, reason, outcome.data, reason_suffix=suffix
        )
    except Exception as error:  # ResponseNotDelivered, or anything unforeseen while sending
        fields.update(
            outcome=outcome.status,
            physical_id=outcome.physical_id,
            delivery="failed",
            delivery_error=f"{type(error).__name__}: {error}",
        )
        get_logger().error(
            "answer not delivered", extra={"fields": dict(fields), "secrets": secrets}
        )
        return True
    if sent:
        fields.update(outcome=outcome.status, physical_id=outcome.physical_id)
        if outcome.status == "FAILED":
            fields["reason"] = reason
        get_logger().info("answered", extra={"fields": dict(fields), "secrets": secrets})
    return sent


def _elapsed_ms(started: float) -> int:
    return round((time.monotonic() - started) * 1000)


def _remaining_seconds(context: Any) -> float:
    get_remaining = getattr(context, "get_remaining_time_in_millis", None)
    if callable(get_remaining):
        return float(get_remaining()) / 1000.0
    return 60.0
