"""Sending through the Amazon SES API v2: SendBulkEmail for templated messages, SendEmail
for the rest, paced to the account's MaxSendRate."""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from . import rules
from ._api import call_api
from ._clients import SesV2Client
from ._delivery import (
    DEFAULT_DEADLINE_MARGIN,
    Batch,
    Pacer,
    check_attempts,
    check_margin,
    check_rate,
    deliver,
    resolve_deadline,
)
from .errors import (
    EmailApiError,
    EmailMessageError,
    PermanentEmailApiError,
    PersonalizationError,
    SenderArgumentError,
    UnsupportedRecipientKindError,
)
from .message import EmailMessage
from .personalization import AddressConfiguration, template_variables
from .results import DeliveryOutcome, DeliveryResult, RecipientKind, SendReport
from .sender import (
    Recipients,
    SendDeadline,
    check_client,
    check_message,
    check_personalization,
    check_trace_id,
    merged_substitutions,
    personalized_addresses,
)
from .types import DeliveryBackend

__all__ = [
    "MAX_BULK_ENTRIES",
    "SES_TRACE_ID_TAG",
    "SesV2EmailSender",
    "sesv2_email_content",
    "sesv2_template_data",
]

# botocore sesv2 model: EmailTemplateData has max length 262144.
MAX_TEMPLATE_DATA_LENGTH = 262_144
# SES API v2 reference, SendBulkEmail: BulkEmailEntries holds at most 50 entries.
MAX_BULK_ENTRIES = 50
# SES has no trace id: a send's trace_id becomes this message tag.
SES_TRACE_ID_TAG = "trace_id"

# SendEmail returns HTTP 200 with a MessageId when SES accepts the message.
_ACCEPTED_STATUS_CODE = 200

# SendBulkEmail per-entry Status → DeliveryOutcome.  ACCOUNT_DAILY_QUOTA_EXCEEDED clears
# within 24 hours (retryable later, not within the send); FAILED is SES's "unknown issue".
_BULK_STATUS = {
    "SUCCESS": DeliveryOutcome.SUCCESSFUL,
    "ACCOUNT_THROTTLED": DeliveryOutcome.THROTTLED,
    "ACCOUNT_DAILY_QUOTA_EXCEEDED": DeliveryOutcome.THROTTLED,
    "TRANSIENT_FAILURE": DeliveryOutcome.TEMPORARY_FAILURE,
    "FAILED": DeliveryOutcome.UNKNOWN_FAILURE,
}
# Entries tried again within the send (with backoff, up to max_attempts).
_RETRY_NOW = frozenset({"ACCOUNT_THROTTLED", "TRANSIENT_FAILURE"})
_NO_ENTRY_RESULT = "SES returned no result for this entry"


def sesv2_template_data(substitutions: Mapping[str, Sequence[str]]) -> str:
    """SES ``TemplateData`` JSON for Pinpoint-style substitutions: the *first* value of each
    ``{name: [values]}`` list (SES has one value per variable)."""
    data = json.dumps(
        {name: values[0] for name, values in substitutions.items()},
        ensure_ascii=False,
        separators=(",", ":"),
    )
    if len(data) > MAX_TEMPLATE_DATA_LENGTH:
        raise EmailMessageError(
            f"the substitutions are {len(data)} characters as SES TemplateData; "
            f"SES accepts at most {MAX_TEMPLATE_DATA_LENGTH}"
        )
    return data


def _template_content(message: EmailMessage, subject: str | None = None) -> dict[str, Any]:
    template: dict[str, Any] = {"Subject": subject or message.subject}
    if message.html_body is not None:
        template["Html"] = message.html_body
    if message.text_body is not None:
        template["Text"] = message.text_body
    return template


def _simple_content(message: EmailMessage, subject: str | None = None) -> dict[str, Any]:
    charset = message.charset
    body: dict[str, Any] = {}
    if message.html_body is not None:
        body["Html"] = {"Data": message.html_body, "Charset": charset}
    if message.text_body is not None:
        body["Text"] = {"Data": message.text_body, "Charset": charset}
    return {
        "Simple": {
            "Subject": {"Data": subject or message.subject, "Charset": charset},
            "Body": body,
        }
    }


def sesv2_email_content(message: EmailMessage) -> dict[str, Any]:
    """The SendEmail ``Content`` object for ``message``.

    * raw MIME → ``Raw`` (bytes; botocore base64-encodes blobs itself);
    * simple content without substitutions → ``Simple`` with the charset;
    * simple content with substitutions → ``Template`` with inline
      ``TemplateContent`` and ``TemplateData`` (JSON), so Pinpoint-style
      ``{{Name}}`` variables keep working.  SES takes one value per variable:
      the *first* value of each Pinpoint substitution list is used.  Inline
      template content has no charset field; SES renders it as UTF-8, which
      represents every charset the message was validated against.
    """
    check_message(message)
    if message.raw_mime is not None:
        return {"Raw": {"Data": message.raw_mime}}
    if message.substitutions:
        return {
            "Template": {
                "TemplateContent": _template_content(message),
                "TemplateData": sesv2_template_data(message.substitutions),
            }
        }
    return _simple_content(message)


class SesV2EmailSender:
    """Sends through Amazon SES (API v2), the successor AWS recommends for
    Pinpoint e-mail, at the account's sending rate.

    ``send_to_addresses`` sends each recipient its own message (no recipient sees
    another):

    * a *templated* message (simple content with substitutions, on the message or
      on any recipient's :class:`AddressConfiguration`) goes out with
      **SendBulkEmail**, up to 50 entries per call: an inline template built from
      the message, ``TemplateData`` from the message's substitutions and
      ``ReplacementTemplateData`` for each recipient that has its own;
    * any other message (raw MIME, or simple content without substitutions) and
      a recipient with a ``title_override`` go out with one **SendEmail** each.

    The message's ``context`` (and the send's ``trace_id``, as the tag
    ``trace_id``) become message tags; a recipient's context is added on top.

    Pacing: at most ``max_send_rate`` recipients in any one-second window; when
    not given, the sender reads ``SendQuota.MaxSendRate`` with GetAccount once,
    on its first send.  Entries answered ACCOUNT_THROTTLED or TRANSIENT_FAILURE,
    and calls throttled as a whole, are tried again with backoff, up to
    ``max_attempts`` calls per recipient; other per-entry statuses become that
    recipient's result.  A call that fails as a whole for another reason raises
    :class:`EmailApiError` (``completed`` holds the results so far, ``unsent``
    the rest).  With ``deadline=`` the send stops before it and reports the
    recipients not tried as NOT_SENT.

    SES has no Pinpoint endpoints or users, so ``send_to_endpoints`` and
    ``send_to_users`` raise :class:`UnsupportedRecipientKindError`.

    Args:
        client: a ``boto3.client("sesv2")``.
        from_address: the default verified sender (``addr`` or ``Name <addr>``);
            a message's ``from_address`` overrides it.
        configuration_set: SES configuration set for every message, if any.
        from_identity_arn: SES identity ARN sent as FromEmailAddressIdentityArn
            (the identity that authorises the From address), if any.
        max_send_rate: recipients per second; None reads the account's
            MaxSendRate (needs ``ses:GetAccount``).  Give less to leave room for
            other senders of the same account.
        max_attempts: calls per recipient, 1-20 (default 4).
        deadline_margin: seconds kept in hand before a send's ``deadline``.
    """

    # Makes the pacer once the rate is known (tests substitute one on a fake clock).
    _new_pacer: Callable[[float], Pacer] = Pacer

    def __init__(
        self,
        client: SesV2Client,
        from_address: str,
        configuration_set: str | None = None,
        *,
        from_identity_arn: str | None = None,
        max_send_rate: float | None = None,
        max_attempts: int = 4,
        deadline_margin: float = DEFAULT_DEADLINE_MARGIN,
    ) -> None:
        rate = check_rate(max_send_rate, "max_send_rate")
        operations = ["send_email", "send_bulk_email"]
        if rate is None:
            operations.append("get_account")
        check_client(client, "sesv2", *operations)
        problems = rules.sender_address_problems("from_address", from_address)
        if configuration_set:
            problems += rules.configuration_set_problems("configuration_set", configuration_set)
        if from_identity_arn:
            problems += rules.identity_arn_problems(
                "from_identity_arn", from_identity_arn, other_account_allowed=True
            )
        if problems:
            raise SenderArgumentError("; ".join(problems), "from_address")
        self._client = client
        self._from_address = from_address
        self._configuration_set = configuration_set or None
        self._from_identity_arn = from_identity_arn or None
        self._max_attempts = check_attempts(max_attempts)
        self._deadline_margin = check_margin(deadline_margin)
        self._pacer: Pacer | None = self._new_pacer(rate) if rate is not None else None
        self._pacer_lock = threading.Lock()

    @property
    def backend(self) -> DeliveryBackend:
        return DeliveryBackend.SES_V2

    @property
    def client(self) -> SesV2Client:
        return self._client

    @property
    def from_address(self) -> str:
        return self._from_address

    @property
    def configuration_set(self) -> str | None:
        return self._configuration_set

    @property
    def max_send_rate(self) -> float | None:
        """Recipients per second: as given, or the account's once read (None before)."""
        return self._pacer.rate if self._pacer is not None else None

    # Requests.

    def _common(self, message: EmailMessage) -> dict[str, Any]:
        request: dict[str, Any] = {"FromEmailAddress": message.from_address or self._from_address}
        if self._from_identity_arn is not None:
            request["FromEmailAddressIdentityArn"] = self._from_identity_arn
        if message.reply_to_addresses:
            request["ReplyToAddresses"] = list(message.reply_to_addresses)
        if message.feedback_forwarding_address is not None:
            request["FeedbackForwardingEmailAddress"] = message.feedback_forwarding_address
        return request

    def _finish(self, request: dict[str, Any]) -> dict[str, Any]:
        if self._configuration_set is not None:
            request["ConfigurationSetName"] = self._configuration_set
        return request

    def send_email_request(
        self,
        message: EmailMessage,
        address: str,
        configuration: AddressConfiguration | None = None,
        *,
        trace_id: str | None = None,
    ) -> dict[str, Any]:
        """The SendEmail parameters for sending ``message`` to one ``address``."""
        check_message(message)
        _check_ses_configuration(message, address, configuration)
        request = self._common(message)
        request["Destination"] = {"ToAddresses": [address]}
        subject = configuration.title_override if configuration is not None else None
        if message.raw_mime is not None:
            request["Content"] = {"Raw": {"Data": message.raw_mime}}
        else:
            substitutions = merged_substitutions(message, configuration)
            if substitutions:
                request["Content"] = {
                    "Template": {
                        "TemplateContent": _template_content(message, subject),
                        "TemplateData": sesv2_template_data(substitutions),
                    }
                }
            else:
                request["Content"] = _simple_content(message, subject)
        tags = _tags(_context(message, configuration, trace_id), address)
        if tags:
            request["EmailTags"] = tags
        return self._finish(request)

    def send_bulk_email_request(
        self,
        message: EmailMessage,
        addresses: Sequence[str],
        configurations: Mapping[str, AddressConfiguration] | None = None,
        *,
        trace_id: str | None = None,
    ) -> dict[str, Any]:
        """The SendBulkEmail parameters for sending a simple ``message`` to ``addresses``
        (at most 50), each with its configuration from ``configurations``."""
        check_message(message)
        if message.raw_mime is not None:
            raise EmailMessageError(
                "SendBulkEmail has no raw content: send raw_mime with send_email_request"
            )
        if not 1 <= len(addresses) <= MAX_BULK_ENTRIES:
            raise SenderArgumentError(
                f"SendBulkEmail takes 1 to {MAX_BULK_ENTRIES} addresses, got {len(addresses)}",
                "addresses",
            )
        configurations = configurations or {}
        request = self._common(message)
        base_context = _context(message, None, trace_id)
        if base_context:
            request["DefaultEmailTags"] = _tags(base_context, None)
        request["DefaultContent"] = {
            "Template": {
                "TemplateContent": _template_content(message),
                "TemplateData": sesv2_template_data(message.substitutions),
            }
        }
        entries: list[dict[str, Any]] = []
        for address in addresses:
            config = configurations.get(address)
            _check_ses_configuration(message, address, config)
            if config is not None and config.title_override is not None:
                raise PersonalizationError(
                    f"recipient {address!r} has a title_override, which SendBulkEmail cannot "
                    "carry: send it with send_email_request",
                    recipient=address,
                    backend=DeliveryBackend.SES_V2,
                )
            entry: dict[str, Any] = {"Destination": {"ToAddresses": [address]}}
            if config is not None and config.context:
                entry["ReplacementTags"] = _tags(_context(message, config, trace_id), address)
            if config is not None and config.substitutions:
                entry["ReplacementEmailContent"] = {
                    "ReplacementTemplate": {
                        "ReplacementTemplateData": sesv2_template_data(
                            merged_substitutions(message, config)
                        )
                    }
                }
            entries.append(entry)
        request["BulkEmailEntries"] = entries
        return self._finish(request)

    # Sending.

    def send_to_addresses(
        self,
        message: EmailMessage,
        addresses: Recipients,
        *,
        trace_id: str | None = None,
        deadline: SendDeadline = None,
    ) -> SendReport:
        check_message(message)
        recipients, configs = personalized_addresses(addresses)
        trace = check_trace_id(trace_id)
        check_personalization(message, configs)
        bulk = message.raw_mime is None and (
            bool(message.substitutions) or any(c.substitutions for c in configs.values())
        )
        if message.raw_mime is not None or bulk or configs:
            _check_template_values(message, recipients, configs)
        # Build (and so check) every request shape before the first call.
        for recipient in recipients:
            config = configs.get(recipient)
            if bulk and (config is None or config.title_override is None):
                self.send_bulk_email_request(message, [recipient], configs, trace_id=trace)
            else:
                self.send_email_request(message, recipient, config, trace_id=trace)
        pacer = self._ensure_pacer(recipients)
        limit = resolve_deadline(deadline, self._deadline_margin, pacer.clock)
        batches = self._batches(message, recipients, configs, trace, bulk, pacer)
        return deliver(
            backend=self.backend,
            kind=RecipientKind.ADDRESS,
            recipients=recipients,
            batches=batches,
            pacer=pacer,
            deadline=limit,
            max_attempts=self._max_attempts,
            retry_entry=lambda result: result.service_status in _RETRY_NOW,
        )

    def _batches(
        self,
        message: EmailMessage,
        recipients: tuple[str, ...],
        configs: Mapping[str, AddressConfiguration],
        trace_id: str | None,
        bulk: bool,
        pacer: Pacer,
    ) -> list[Batch]:
        def send_one(indices: tuple[int, ...]) -> Any:
            (index,) = indices
            address = recipients[index]
            return self._client.send_email(
                **self.send_email_request(message, address, configs.get(address), trace_id=trace_id)
            )

        def parse_one(
            indices: tuple[int, ...], response: Mapping[str, Any]
        ) -> dict[int, list[DeliveryResult]]:
            (index,) = indices
            message_id = response.get("MessageId")
            return {
                index: [
                    DeliveryResult(
                        recipient=recipients[index],
                        recipient_kind=RecipientKind.ADDRESS,
                        status=DeliveryOutcome.SUCCESSFUL,
                        message_id=message_id if isinstance(message_id, str) else None,
                        status_code=_ACCEPTED_STATUS_CODE,
                        address=recipients[index],
                    )
                ]
            }

        def send_bulk(indices: tuple[int, ...]) -> Any:
            return self._client.send_bulk_email(
                **self.send_bulk_email_request(
                    message, [recipients[i] for i in indices], configs, trace_id=trace_id
                )
            )

        def parse_bulk(
            indices: tuple[int, ...], response: Mapping[str, Any]
        ) -> dict[int, list[DeliveryResult]]:
            raw = response.get("BulkEmailEntryResults")
            entries = list(raw) if isinstance(raw, list) else []
            parsed: dict[int, list[DeliveryResult]] = {}
            for position, index in enumerate(indices):
                entry = entries[position] if position < len(entries) else None
                parsed[index] = [_bulk_result(recipients[index], entry)]
            return parsed

        size = pacer.max_batch(MAX_BULK_ENTRIES)
        batches: list[Batch] = []
        chunk: list[int] = []
        for index, recipient in enumerate(recipients):
            config = configs.get(recipient)
            if bulk and (config is None or config.title_override is None):
                chunk.append(index)
                if len(chunk) == size:
                    batches.append(Batch("SendBulkEmail", tuple(chunk), send_bulk, parse_bulk))
                    chunk = []
            else:
                batches.append(Batch("SendEmail", (index,), send_one, parse_one))
        if chunk:
            batches.append(Batch("SendBulkEmail", tuple(chunk), send_bulk, parse_bulk))
        return batches

    def _ensure_pacer(self, recipients: tuple[str, ...]) -> Pacer:
        """The pacer, reading the account's MaxSendRate (GetAccount) the first time."""
        with self._pacer_lock:
            if self._pacer is not None:
                return self._pacer
            try:
                response = call_api(
                    self._client.get_account,  # type: ignore[attr-defined]
                    backend=self.backend,
                    operation="GetAccount",
                    completed=(),
                    unsent=recipients,
                )
            except EmailApiError as error:
                raise error.with_progress(error.completed, recipients) from error.__cause__
            quota = response.get("SendQuota")
            rate = quota.get("MaxSendRate") if isinstance(quota, Mapping) else None
            if (
                isinstance(rate, bool)
                or not isinstance(rate, int | float)
                or not math.isfinite(rate)
                or rate <= 0
            ):
                raise PermanentEmailApiError(
                    backend=self.backend,
                    operation="GetAccount",
                    code="NoSendQuota",
                    message=f"GetAccount returned SendQuota.MaxSendRate {rate!r}, not a "
                    "positive number: pass max_send_rate= to the sender",
                    http_status=None,
                    request_id=None,
                    retryable=False,
                    completed=SendReport((), self.backend),
                    unsent=recipients,
                )
            self._pacer = self._new_pacer(float(rate))
            return self._pacer

    def send_to_endpoints(
        self,
        message: EmailMessage,
        endpoint_ids: Recipients,
        *,
        trace_id: str | None = None,
        deadline: SendDeadline = None,
    ) -> SendReport:
        raise self._unsupported(RecipientKind.ENDPOINT)

    def send_to_users(
        self,
        message: EmailMessage,
        user_ids: Recipients,
        *,
        trace_id: str | None = None,
        deadline: SendDeadline = None,
    ) -> SendReport:
        raise self._unsupported(RecipientKind.USER)

    def _unsupported(self, kind: RecipientKind) -> UnsupportedRecipientKindError:
        return UnsupportedRecipientKindError(
            f"the SES v2 backend cannot send to Pinpoint {kind.value}s: SES has no "
            "endpoints or users, only e-mail addresses. Resolve the "
            f"{kind.value} ids to addresses first (from your own user store, or "
            "Pinpoint GetEndpoint/GetUserEndpoints while Pinpoint is still "
            "available) and call send_to_addresses.",
            backend=self.backend,
            recipient_kind=kind,
        )


def _check_ses_configuration(
    message: EmailMessage, address: str, config: AddressConfiguration | None
) -> None:
    if config is not None and config.body_override is not None:
        raise PersonalizationError(
            f"recipient {address!r} has a body_override, which the SES v2 backend refuses: "
            "Pinpoint does not define which part (HTML or text) it replaces. Put the "
            "per-recipient text in substitutions ({{Body}} in the message) instead",
            recipient=address,
            backend=DeliveryBackend.SES_V2,
        )


def _referenced(text: str | None) -> set[str]:
    names = template_variables(text) if text else frozenset()
    return {name for name in names if name[0] not in "#/^>!" and name not in ("else", "this")}


def _check_template_values(
    message: EmailMessage,
    recipients: Sequence[str],
    configs: Mapping[str, AddressConfiguration],
) -> None:
    """Refuse a templated send in which a recipient has no value for a ``{{variable}}`` of the
    content: SES would not render that message (a rendering failure after the call)."""
    if message.raw_mime is not None:
        return
    body = _referenced(message.html_body) | _referenced(message.text_body)
    default = set(message.substitutions)
    for recipient in recipients:
        config = configs.get(recipient)
        merged = merged_substitutions(message, config)
        if not merged:
            continue  # sent as plain content: {{...}} stays literal text
        subject = (config.title_override if config else None) or message.subject
        missing = sorted((body | _referenced(subject)) - set(merged))
        if missing:
            names = ", ".join("{{" + name + "}}" for name in missing)
            hint = (
                "; Pinpoint endpoint and user attributes do not exist on SES"
                if any("." in name for name in missing)
                else ""
            )
            raise PersonalizationError(
                f"recipient {recipient!r} has no value for {names} (message substitutions: "
                f"{sorted(default) or 'none'}): SES would fail to render its message. Give "
                f"a default in the message's substitutions{hint}",
                recipient=recipient,
                backend=DeliveryBackend.SES_V2,
            )


def _context(
    message: EmailMessage, config: AddressConfiguration | None, trace_id: str | None
) -> dict[str, str]:
    context = dict(message.context)
    if trace_id is not None:
        if SES_TRACE_ID_TAG in context:
            raise PersonalizationError(
                f"the message context has a {SES_TRACE_ID_TAG!r} key and the send a trace_id: "
                f"on SES the trace id is the tag {SES_TRACE_ID_TAG!r}; give one of them",
                backend=DeliveryBackend.SES_V2,
            )
        context[SES_TRACE_ID_TAG] = trace_id
    if config is not None:
        context.update(config.context)
    return context


def _tags(context: Mapping[str, str], recipient: str | None) -> list[dict[str, str]]:
    """SES message tags for ``context``, or :class:`PersonalizationError` naming the value."""
    whose = f"recipient {recipient!r} context" if recipient else "message context"
    for key, value in context.items():
        for what, text in (("key", key), ("value", value)):
            reason = rules.tag_reason(text)
            if reason is not None:
                name = "trace_id" if key == SES_TRACE_ID_TAG and what == "value" else whose
                raise PersonalizationError(
                    f"{name} {what} {rules.shorten(text)} cannot be an SES message tag: "
                    f"{reason} (at most {rules.MAX_TAG_LENGTH}). Map it before sending, e.g. "
                    "re.sub(r'[^A-Za-z0-9_-]', '_', text)[:256]",
                    recipient=recipient,
                    backend=DeliveryBackend.SES_V2,
                )
    return [{"Name": key, "Value": value} for key, value in context.items()]


def _bulk_result(address: str, entry: object) -> DeliveryResult:
    if not isinstance(entry, Mapping):
        return DeliveryResult(
            recipient=address,
            recipient_kind=RecipientKind.ADDRESS,
            status=DeliveryOutcome.UNKNOWN_FAILURE,
            status_message=_NO_ENTRY_RESULT,
            address=address,
        )
    status = entry.get("Status")
    status_text = status if isinstance(status, str) and status else None
    outcome = (
        _BULK_STATUS.get(status_text, DeliveryOutcome.PERMANENT_FAILURE)
        if status_text
        else DeliveryOutcome.UNKNOWN_FAILURE
    )
    message_id = entry.get("MessageId")
    error = entry.get("Error")
    return DeliveryResult(
        recipient=address,
        recipient_kind=RecipientKind.ADDRESS,
        status=outcome,
        message_id=message_id if isinstance(message_id, str) and message_id else None,
        status_message=error if isinstance(error, str) and error else None,
        status_code=_ACCEPTED_STATUS_CODE if outcome is DeliveryOutcome.SUCCESSFUL else None,
        address=address,
        service_status=status_text,
    )
