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
from .log import get_logger
from .properties import ChannelSettings, InvalidProperties

RESOURCE_TYPE = "Custom::PinpointEmailChannel"
# A failed Create answers with this prefix; the Delete CloudFormation then sends makes no call.
FAILED_CREATE_PREFIX = "create-failed:"
# Time kept back for the FAILED answer when the work overruns the Lambda's timeout.
RESPONSE_RESERVE_SECONDS = 4.0

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
        get_logger().exception("unexpected error", extra={"fields": {"outcome": "error"}})
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
    url = event.get("ResponseURL") if isinstance(event, Mapping) else None
    fields: dict[str, Any] = {
        "request_id": event.get("RequestId") if isinstance(event, Mapping) else None,
        "logical_id": event.get("LogicalResourceId") if isinstance(event, Mapping) else None,
        "request_type": event.get("RequestType") if isinstance(event, Mapping) else None,
    }
    secrets = (url,) if isinstance(url, str) else ()
    if not isinstance(url, str) or not url:
        fields["outcome"] = "dropped"
        logger.error("event has no ResponseURL: nothing to answer", extra={"fields": fields})
        return
    assert isinstance(event, Mapping)

    deadline = started + _remaining_seconds(context)
    reserve = min(RESPONSE_RESERVE_SECONDS, _remaining_seconds(context) / 4)

    def work_seconds_left() -> float:
        return deadline - reserve - time.monotonic()

    def send_seconds_left() -> float:
        return deadline - time.monotonic()

    responder = cfn_response.Responder(
        event,
        lambda target, body: cfn_response.put_response(
            target, body, seconds_left=send_seconds_left
        ),
    )
    log_stream = getattr(context, "log_stream_name", None)
    result: list[Outcome] = []

    def work() -> None:
        try:
            outcome = process(event, pinpoint_client, work_seconds_left)
        except Exception as error:  # pragma: no cover - process() already catches
            outcome = Outcome("FAILED", str(event.get("PhysicalResourceId") or ""), repr(error))
        result.append(outcome)
        _answer(responder, outcome, log_stream, fields, secrets)

    worker = threading.Thread(target=work, name="pinpoint-email-channel", daemon=True)
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
            "will be sent for this request. Deploy again once Pinpoint responds.",
        )
        _answer(responder, timeout, log_stream, fields, secrets)
    fields["duration_ms"] = round((time.monotonic() - started) * 1000)
    logger.info("done", extra={"fields": fields, "secrets": secrets})


def _answer(
    responder: cfn_response.Responder,
    outcome: Outcome,
    log_stream: str | None,
    fields: dict[str, Any],
    secrets: tuple[str, ...],
) -> None:
    reason = outcome.reason
    if outcome.status == "FAILED" and log_stream:
        reason = f"{reason} (log stream {log_stream})"
    try:
        sent = responder.answer(outcome.status, outcome.physical_id, reason, outcome.data)
    except cfn_response.ResponseNotDelivered as error:
        fields.update(outcome=outcome.status, delivery="failed", delivery_error=str(error))
        get_logger().error("answer not delivered", extra={"fields": fields, "secrets": secrets})
        return
    if sent:
        fields.update(outcome=outcome.status, physical_id=outcome.physical_id)
        if outcome.status == "FAILED":
            fields["reason"] = outcome.reason
        get_logger().info("answered", extra={"fields": dict(fields), "secrets": secrets})


def _remaining_seconds(context: Any) -> float:
    get_remaining = getattr(context, "get_remaining_time_in_millis", None)
    if callable(get_remaining):
        return float(get_remaining()) / 1000.0
    return 60.0
