"""Lambda entry point of ``Custom::PinpointEmailChannel``.

Every event gets exactly one answer on its ResponseURL, whatever fails: the work runs in a worker
thread, and if it is not done shortly before the Lambda's deadline the main thread answers itself.
``Responder`` makes sure only the first of the two answers is sent.

No stack gets stuck because of a channel: a Delete that Pinpoint refuses answers SUCCESS and
leaves the channel in place (unless ``StrictDelete`` is "true"), and a refused Update answers
SUCCESS when it is CloudFormation's rollback (read from the stack's status).

No channel that another resource manages is ever deleted: Create and Update record their resource
as the channel's owner in tags on the Pinpoint app, and a Delete deletes the channel only when its
resource is the owner and no previous owner waits (``ownership`` explains why and how). Renaming
or moving an ``EmailChannel`` makes CloudFormation create the new resource, then delete the old
one, whose physical id names the same app: that Delete keeps the channel.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from . import cfn_response, contract, ownership, pinpoint_calls, stack_status
from .log import get_logger, redact, secrets_of
from .properties import (
    ChannelSettings,
    InvalidProperties,
    application_id_problem,
    as_mapping,
    bounded,
    strict_delete,
)

# Time kept back for the guard's answer when the work overruns the Lambda's timeout.
RESPONSE_RESERVE_SECONDS = 4.0
# PUTs stop this long before the deadline (at most 1/20 of the run), so a worker still sending
# when the deadline guard gives up has finished, and logged, before the Lambda returns.
SEND_MARGIN_SECONDS = 0.5
# Kept out of an Update's Pinpoint retries for DescribeStacks, should Pinpoint refuse.
ROLLBACK_CHECK_SECONDS = 2.0
# When the context cannot tell the time left (None, garbage, a negative number, an exception):
# the provider's Lambda timeout.
DEFAULT_REMAINING_SECONDS = 60.0
WORKER_THREAD_NAME = "pinpoint-email-channel"
# The longest prefix of an event field (RequestId, LogicalResourceId, physical id) a log line
# carries: CloudFormation's own are far shorter.
LOG_ECHO_CHARS = 1024

_client: Any = None
_cloudformation_client: Any = None


def _config(*, connect_timeout: float, read_timeout: float) -> Any:
    from botocore.config import Config

    return Config(
        retries={"total_max_attempts": 1},  # retried by pinpoint_calls, deadline-aware
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
    )


def pinpoint_client() -> Any:
    global _client
    if _client is None:
        import boto3

        _client = boto3.client("pinpoint", config=_config(connect_timeout=5, read_timeout=20))
    return _client


def cloudformation_client() -> Any:
    global _cloudformation_client
    if _cloudformation_client is None:
        import boto3

        # Short timeouts: it is asked only after a refusal, when time may be running out.
        _cloudformation_client = boto3.client(
            "cloudformation", config=_config(connect_timeout=2, read_timeout=5)
        )
    return _cloudformation_client


class Outcome:
    def __init__(
        self,
        status: str,
        physical_id: str,
        reason: str,
        data: Mapping[str, str] | None = None,
        *,
        detail: str = "",
        left_in_place: bool = False,
        applied: Mapping[str, str] | None = None,
        applied_id: str = "",
        after_answer: Callable[[], None] | None = None,
    ) -> None:
        self.status = status
        self.physical_id = physical_id
        self.reason = reason
        self.data = dict(data or {})
        self.detail = detail or reason  # the service's "code: message", for "left in place"
        self.left_in_place = left_in_place
        # A FAILED Create/Update whose UpdateEmailChannel succeeded (its Data) but whose claim of
        # the channel did not: a rollback answers SUCCESS with this Data.
        self.applied = dict(applied) if applied is not None else None
        self.applied_id = applied_id  # the application whose channel was configured
        # Best-effort work that must never delay or change the answer: run once it is sent.
        self.after_answer = after_answer


def process(
    event: Mapping[str, Any],
    client: Callable[[], Any],
    seconds_left: Callable[[], float],
    cloudformation: Callable[[], Any] | None = None,
) -> Outcome:
    """Decide the answer for one event; ``client`` builds the Pinpoint client when one is needed,
    ``cloudformation`` the CloudFormation client (default ``cloudformation_client``)."""
    if event.get("RequestType") != "Update":
        return _process(event, client, seconds_left)

    def pinpoint_seconds_left() -> float:
        return seconds_left() - ROLLBACK_CHECK_SECONDS

    outcome = _process(event, client, pinpoint_seconds_left)
    if outcome.status == "FAILED":
        outcome = unless_rolling_back(
            event, outcome, cloudformation or cloudformation_client, seconds_left
        )
    return outcome


def _process(
    event: Mapping[str, Any], client: Callable[[], Any], seconds_left: Callable[[], float]
) -> Outcome:
    request_type = event.get("RequestType")
    failed_physical_id = _failed_physical_id(event)
    try:
        if request_type in ("Create", "Update"):
            settings = ChannelSettings.from_properties(event.get("ResourceProperties"))
            if request_type == "Update" and _same_request(event, settings):
                outcome = _unchanged_channel(settings)
                outcome.after_answer = lambda: _claim_best_effort(
                    event, client, settings.application_id, seconds_left
                )
                return outcome
            pinpoint = client()
            data = pinpoint_calls.update_email_channel(
                pinpoint, settings, seconds_left=seconds_left
            )
            claim_failed = _claim(event, pinpoint, settings.application_id, seconds_left)
            if claim_failed is not None:
                return Outcome(
                    "FAILED",
                    failed_physical_id,
                    _claim_failed_reason(settings.application_id, claim_failed),
                    detail=claim_failed,
                    applied=data,
                    applied_id=settings.application_id,
                )
            return Outcome("SUCCESS", settings.application_id, "", data)
        if request_type == "Delete":
            return _delete(event, client, seconds_left)
        return Outcome("FAILED", failed_physical_id, f"Unknown RequestType {request_type!r}")
    except InvalidProperties as error:
        return Outcome("FAILED", failed_physical_id, f"Invalid properties: {error}")
    except pinpoint_calls.PinpointCallFailed as error:
        return Outcome("FAILED", failed_physical_id, error.reason, detail=error.detail)
    except Exception as error:  # answer FAILED for anything unforeseen rather than hang the stack
        return Outcome("FAILED", failed_physical_id, _unexpected(event, error))


def _claim(
    event: Mapping[str, Any], client: Any, application_id: str, seconds_left: Callable[[], float]
) -> str | None:
    """Record this resource as the owner of the app's channel; None, or why that failed."""
    try:
        arn = ownership.app_arn(event.get("StackId"), application_id)
        me = ownership.owner_value(event.get("StackId"), event.get("LogicalResourceId"))
        ownership.claim(client, arn, me, seconds_left=seconds_left)
    except ownership.OwnershipUnknown as error:
        return error.detail
    except Exception as error:  # never an exception past this point: the answer is near
        return pinpoint_calls.describe(error)
    return None


def _claim_best_effort(
    event: Mapping[str, Any],
    client: Callable[[], Any],
    application_id: str,
    seconds_left: Callable[[], float],
) -> None:
    """The claim of an Update that makes no Pinpoint call: it records the owner of a channel
    made before ownership tags (legacy). It runs after the answer (``Outcome.after_answer``):
    the Update must deploy even where Pinpoint refuses or never answers its tag calls."""
    try:
        problem = _claim(event, client(), application_id, seconds_left)
    except Exception as error:  # building the client
        problem = pinpoint_calls.describe(error)
    if problem:
        get_logger().warning(
            "ownership of the channel not recorded",
            extra={
                "fields": {"request_id": event.get("RequestId"), "detail": bounded(problem)},
                "secrets": _secrets(event),
            },
        )


def _claim_failed_reason(application_id: str, detail: str) -> str:
    return (
        f"Email channel of application {application_id} was configured, but its ownership could "
        f"not be recorded in the app's tags ({detail}). Without that record, the Delete of a "
        "resource this one was renamed or moved from would delete the channel, so this answer "
        "is FAILED. The handler's role needs mobiletargeting:ListTagsForResource and "
        "mobiletargeting:TagResource on the app; if Pinpoint refuses them, move email to SES "
        f"({contract.MOVING_TO_SES_DOC})."
    )


def _secrets(event: Mapping[str, Any]) -> tuple[str, ...]:
    url = event.get("ResponseURL")
    return secrets_of(url) if isinstance(url, str) else ()


def _same_request(event: Mapping[str, Any], settings: ChannelSettings) -> bool:
    """True when the Update changes nothing Pinpoint sees (only StrictDelete, say): calling
    UpdateEmailChannel then would only risk a refusal since Pinpoint's end of support."""
    try:
        old = ChannelSettings.from_properties(event.get("OldResourceProperties"))
    except InvalidProperties:
        return False
    return old.application_id == settings.application_id and (
        old.email_channel_request() == settings.email_channel_request()
    )


def _unchanged_channel(settings: ChannelSettings) -> Outcome:
    return Outcome(
        "SUCCESS",
        settings.application_id,
        "No Pinpoint call: the email channel's settings did not change",
        pinpoint_calls.data_without_response(
            settings.application_id, str(settings.enabled).lower()
        ),
    )


def _unexpected(event: Mapping[str, Any], error: Exception) -> str:
    get_logger().exception(
        "unexpected error",
        extra={
            "fields": {"request_id": event.get("RequestId"), "outcome": "error"},
            "secrets": _secrets(event),
        },
    )
    return f"Unexpected {type(error).__name__}: {bounded(error)}"


def _delete(
    event: Mapping[str, Any], client: Callable[[], Any], seconds_left: Callable[[], float]
) -> Outcome:
    physical_id = _text(event.get("PhysicalResourceId"))
    try:
        properties = as_mapping(event.get("ResourceProperties"))
    except InvalidProperties:
        properties = {}
    application_id = properties.get(contract.PROP_APPLICATION_ID)
    # Only a physical id this handler answered (the application id) names a channel to delete:
    # a failed-Create marker, or an id CloudFormation invented after another resource failed,
    # must never delete a channel that may have existed before the stack.
    if not physical_id or physical_id != application_id:
        return Outcome(
            "SUCCESS", _failed_physical_id(event), "No channel was created for this resource"
        )
    problem = application_id_problem(physical_id)
    if problem:
        return Outcome("SUCCESS", physical_id, f"No call made: {problem}")
    strict = strict_delete(properties)
    try:
        return _delete_owned(event, client(), physical_id, strict, seconds_left)
    except Exception as error:  # a Delete answers by its mode, whatever fails
        reason = _unexpected(event, error)
        if strict:
            return Outcome("FAILED", physical_id, reason)
        return _delete_left_in_place(physical_id, reason.removeprefix("Unexpected "))


def _delete_owned(
    event: Mapping[str, Any],
    pinpoint: Any,
    application_id: str,
    strict: bool,
    seconds_left: Callable[[], float],
) -> Outcome:
    """Delete the channel only if no other resource manages it (see ``ownership``)."""
    me = ownership.owner_value(event.get("StackId"), event.get("LogicalResourceId"))
    try:
        arn = ownership.app_arn(event.get("StackId"), application_id)
        tags = ownership.read(pinpoint, arn, seconds_left=seconds_left)
    except ownership.OwnershipUnknown as error:
        if error.gone:  # the app itself is gone, and its channel with it
            return Outcome("SUCCESS", application_id, "Email channel was already gone")
        detail = f"its ownership could not be read ({error.detail})"
        if strict:
            return Outcome(
                "FAILED",
                application_id,
                f"Email channel of application {application_id} not deleted: {detail}; "
                "deleting it might remove a channel another resource manages.",
                detail=detail,
            )
        return _delete_left_in_place(application_id, detail, tried="ListTagsForResource")
    previous = tags.previous if tags.previous != tags.owner else None
    if tags.owner is not None and tags.owner != me:
        # Renamed or moved: the resource that took the channel over manages it now.
        note = ""
        if previous == me:
            note = _best_effort_untag(pinpoint, arn, contract.PREVIOUS_OWNER_TAG, seconds_left)
        return Outcome(
            "SUCCESS",
            application_id,
            f"Email channel of application {application_id} kept: managed by "
            f"{bounded(tags.owner, 300)} (this resource was renamed, moved or replaced by it)."
            + note,
        )
    if tags.owner == me and previous is not None:
        # The rollback of a take-over: the channel goes back to the resource it was taken from.
        return _hand_back(application_id, pinpoint, arn, previous, strict, seconds_left)
    # This resource is the owner, or the channel predates ownership tags: delete, as before.
    try:
        deleted = pinpoint_calls.delete_email_channel(
            pinpoint, application_id, seconds_left=seconds_left
        )
    except pinpoint_calls.PinpointCallFailed as error:
        if strict:
            return Outcome("FAILED", application_id, error.reason, detail=error.detail)
        return _delete_left_in_place(application_id, error.detail)
    note = ""
    if tags.owner is not None:
        note = _best_effort_untag(pinpoint, arn, contract.OWNER_TAG, seconds_left)
    reason = "" if deleted else "Email channel was already gone"
    return Outcome("SUCCESS", application_id, (reason + note).strip())


def _hand_back(
    application_id: str,
    pinpoint: Any,
    arn: str,
    previous: str,
    strict: bool,
    seconds_left: Callable[[], float],
) -> Outcome:
    kept = (
        f"Email channel of application {application_id} kept: handed back to "
        f"{bounded(previous, 300)}, which this resource had taken it over from"
    )
    try:
        ownership.tag(pinpoint, arn, {contract.OWNER_TAG: previous}, seconds_left=seconds_left)
    except ownership.OwnershipUnknown as error:
        reason = (
            f"{kept}, but the app's owner tag could not be updated ({error.detail}); the "
            "channel is left in place, and a later Delete of that resource may leave it too."
        )
        if strict:
            return Outcome("FAILED", application_id, reason, detail=error.detail)
        return Outcome("SUCCESS", application_id, reason, detail=error.detail, left_in_place=True)
    note = _best_effort_untag(pinpoint, arn, contract.PREVIOUS_OWNER_TAG, seconds_left)
    return Outcome("SUCCESS", application_id, f"{kept} (the rollback of a rename or move).{note}")


def _best_effort_untag(pinpoint: Any, arn: str, key: str, seconds_left: Callable[[], float]) -> str:
    """UntagResource ``key``; "" or a note for the Reason (never an exception)."""
    try:
        ownership.untag(pinpoint, arn, [key], seconds_left=seconds_left)
    except ownership.OwnershipUnknown as error:
        return f" The tag {key} could not be removed ({error.detail})."
    return ""


def _delete_left_in_place(
    application_id: str, detail: str, *, tried: str = "DeleteEmailChannel"
) -> Outcome:
    return Outcome(
        "SUCCESS",
        application_id,
        f"Email channel of application {bounded(application_id, 300)} left in place: {detail}. "
        f"{tried} did not succeed, and the resource leaves the stack anyway "
        f"(set {contract.PROP_STRICT_DELETE} to fail instead); delete the channel yourself "
        "if it still matters.",
        detail=detail,
        left_in_place=True,
    )


def unless_rolling_back(
    event: Mapping[str, Any],
    failed: Outcome,
    cloudformation: Callable[[], Any],
    seconds_left: Callable[[], float],
) -> Outcome:
    """``failed`` (an Update's FAILED answer), or SUCCESS when answering FAILED could strand
    the stack: the Update is CloudFormation's rollback, or the stack's status is unknown."""
    try:
        status: str | None = stack_status.read(
            cloudformation(), event.get("StackId"), seconds_left=seconds_left
        )
        unknown = ""
    except stack_status.StackStatusUnknown as error:
        status, unknown = None, str(error)
    except Exception as error:  # building the client, say: the status stays unknown
        status, unknown = None, pinpoint_calls.describe(error)
    if status is not None and status != stack_status.ROLLBACK_STATUS:
        return failed
    return rollback_left_in_place(event, failed, unknown)


def rollback_left_in_place(event: Mapping[str, Any], failed: Outcome, unknown: str) -> Outcome:
    """The SUCCESS answer of an Update that changed nothing, with every ``Data`` key."""
    try:
        properties = as_mapping(event.get("ResourceProperties"))
    except InvalidProperties:
        properties = {}
    # The channel that stays is the physical id's (a forward Update to another application
    # answered this way keeps the old id): its application id, else the property's.
    application_id: Any = failed.physical_id
    if application_id_problem(application_id):
        application_id = properties.get(contract.PROP_APPLICATION_ID)
        if not isinstance(application_id, str):
            application_id = failed.physical_id
    # Quoted, and answered as Data, up to a bounded prefix: the property may be 32 KB of anything.
    application_id = bounded(application_id, 300)
    enabled = properties.get(contract.PROP_ENABLED, "true")
    enabled = enabled.strip()[:8].lower() if isinstance(enabled, str) else pinpoint_calls.UNKNOWN
    if enabled not in ("true", "false"):
        enabled = pinpoint_calls.UNKNOWN
    if failed.applied is not None:
        return _applied_but_unclaimed(failed, unknown)
    left = f"email channel of application {application_id} left in place: {failed.detail}"
    if unknown:
        reason = (
            f"The {left}. The stack's status could not be read ({unknown}), so this Update "
            "answers SUCCESS rather than risk a stuck rollback; check the channel, or move "
            f"email to SES ({contract.MOVING_TO_SES_DOC})."
        )
    else:
        reason = (
            f"Rollback: {left}. Pinpoint did not restore the previous settings; the channel keeps "
            "the ones it has (unchanged if the forward Update was refused too)."
        )
    return Outcome(
        "SUCCESS",
        failed.physical_id,
        reason,
        pinpoint_calls.data_without_response(application_id, enabled),
        detail=failed.detail,
        left_in_place=True,
    )


def _applied_but_unclaimed(failed: Outcome, unknown: str) -> Outcome:
    """An Update whose UpdateEmailChannel succeeded but whose claim did not, answered SUCCESS
    (a rollback, or an unknown stack status): the settings are Pinpoint's answer."""
    assert failed.applied is not None
    # The channel Pinpoint configured is the answer's: for a forward replacement (status unknown)
    # that is the new application, as if the claim had succeeded.
    application_id = failed.applied_id or failed.physical_id
    if unknown:
        why = (
            f"The stack's status could not be read ({unknown}), so this Update answers SUCCESS "
            "rather than risk a stuck rollback"
        )
    else:
        why = "Rollback: this Update answers SUCCESS so the rollback completes"
    return Outcome(
        "SUCCESS",
        application_id,
        f"{why}. The email channel of application {bounded(application_id, 300)} has the "
        f"settings asked for, but its ownership could not be recorded: {failed.detail}.",
        failed.applied,
        detail=failed.detail,
        left_in_place=True,
    )


def _timeout_outcome(event: Mapping[str, Any], check_seconds: float) -> Outcome:
    """The guard's answer when the worker overruns: FAILED, unless that could strand the stack."""
    request_type = event.get("RequestType")
    detail = "timed out waiting for Pinpoint before the handler's Lambda timeout"
    failed = Outcome(
        "FAILED",
        _failed_physical_id(event),
        "Timed out waiting for Pinpoint before the handler's Lambda timeout; nothing more "
        "will be sent for this request. Retry the stack operation once Pinpoint responds.",
        detail=detail,
    )
    if request_type == "Delete":
        try:
            strict = strict_delete(as_mapping(event.get("ResourceProperties")))
        except InvalidProperties:
            strict = False
        if not strict:
            return _delete_left_in_place(failed.physical_id, detail)
    if request_type == "Update":
        # Asked in a thread of its own: a hanging DescribeStacks must not cost the answer.
        ends = time.monotonic() + check_seconds
        decided: list[Outcome] = []
        checker = threading.Thread(
            target=lambda: decided.append(
                unless_rolling_back(
                    event, failed, cloudformation_client, lambda: ends - time.monotonic()
                )
            ),
            name=WORKER_THREAD_NAME,
            daemon=True,
        )
        checker.start()
        checker.join(max(0.0, check_seconds))
        return decided[0] if decided else rollback_left_in_place(event, failed, "no answer in time")
    return failed


def on_event(event: Mapping[str, Any], context: Any) -> None:
    started = time.monotonic()
    logger = get_logger()
    is_mapping = isinstance(event, Mapping)
    url = event.get("ResponseURL") if is_mapping else None
    fields: dict[str, Any] = {
        name: _log_echo(event.get(key)) if is_mapping else None
        for name, key in (
            ("request_id", "RequestId"),
            ("logical_id", "LogicalResourceId"),
            ("request_type", "RequestType"),
        )
    }
    secrets = secrets_of(url) if isinstance(url, str) else ()
    if not secrets:
        fields.update(outcome="dropped", duration_ms=_elapsed_ms(started))
        logger.error("event has no ResponseURL: nothing to answer", extra={"fields": fields})
        return
    if not cfn_response.url_allowed(str(url)):
        # file://, ftp://, plain http: never opened. The URL itself is not logged.
        fields.update(outcome="dropped", duration_ms=_elapsed_ms(started))
        logger.error(
            "ResponseURL is not an https URL: it is never opened, nothing can be answered",
            extra={"fields": fields, "secrets": secrets},
        )
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
    log_stream = _log_stream(context)

    def work() -> None:
        try:
            outcome = process(event, pinpoint_client, work_seconds_left)
        except Exception as error:  # pragma: no cover - process() already catches
            outcome = Outcome("FAILED", _failed_physical_id(event), repr(error))
        _answer(responder, outcome, log_stream, fields, secrets)
        if outcome.after_answer is not None:
            outcome.after_answer()

    worker = threading.Thread(target=work, name=WORKER_THREAD_NAME, daemon=True)
    worker.start()
    worker.join(timeout=max(0.0, work_seconds_left()))
    if worker.is_alive() and responder.answered is not None:
        # Answered: only best-effort work after the answer (Outcome.after_answer) is left.
        responder.wait_finished(deadline - time.monotonic())
    elif worker.is_alive():
        timeout = _timeout_outcome(event, check_seconds=reserve / 2)
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
            physical_id=_log_echo(outcome.physical_id),
            delivery="failed",
            delivery_error=f"{type(error).__name__}: {error}",
        )
        get_logger().error(
            "answer not delivered", extra={"fields": dict(fields), "secrets": secrets}
        )
        return True
    if sent:
        fields.update(outcome=outcome.status, physical_id=_log_echo(outcome.physical_id))
        if outcome.status == "FAILED" or outcome.left_in_place:
            fields["reason"] = reason
        if outcome.left_in_place:
            fields["left_in_place"] = True
        get_logger().info("answered", extra={"fields": dict(fields), "secrets": secrets})
    return sent


def _log_echo(value: Any) -> Any:
    """An event field as logged: a string up to a bounded prefix (CloudFormation's own are far
    shorter; a crafted one must not make every log line 32 KB), anything else as it is."""
    return bounded(value, LOG_ECHO_CHARS) if isinstance(value, str) else value


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))


def _failed_physical_id(event: Mapping[str, Any]) -> str:
    # A failed Create answers the marker: the Delete CloudFormation then sends makes no call.
    return _text(event.get("PhysicalResourceId")) or (
        contract.FAILED_CREATE_PREFIX + _text(event.get("RequestId"))
    )


def _elapsed_ms(started: float) -> int:
    return round((time.monotonic() - started) * 1000)


def _remaining_seconds(context: Any) -> float:
    """Seconds left before the Lambda's timeout; ``DEFAULT_REMAINING_SECONDS`` when unknown."""
    try:
        millis = float(context.get_remaining_time_in_millis())
    except Exception:  # no such method, None, garbage, or it raised
        return DEFAULT_REMAINING_SECONDS
    if not math.isfinite(millis) or millis < 0:
        return DEFAULT_REMAINING_SECONDS
    return millis / 1000.0


def _log_stream(context: Any) -> str | None:
    try:
        name = getattr(context, "log_stream_name", None)
    except Exception:
        return None
    return name if isinstance(name, str) and name else None
