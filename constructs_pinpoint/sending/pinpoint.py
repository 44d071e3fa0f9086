"""Sending through Amazon Pinpoint SendMessages / SendUsersMessages."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ._clients import PinpointClient
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
from .errors import SenderArgumentError
from .message import EmailMessage
from .personalization import AddressConfiguration
from .results import DeliveryOutcome, DeliveryResult, RecipientKind, SendReport
from .rules import application_id_problems
from .sender import (
    Recipients,
    SendDeadline,
    check_client,
    check_message,
    check_personalization,
    check_trace_id,
    personalized_addresses,
    personalized_ids,
)
from .types import DeliveryBackend

__all__ = [
    "MAX_RECIPIENTS_PER_REQUEST",
    "PinpointEmailSender",
    "pinpoint_configuration",
    "pinpoint_email_message",
]

# Amazon Pinpoint REST API Reference: the "Messages" resource (SendMessages) says
# "You can send a direct message to as many as 100 recipients", and the "Users
# Messages" resource (SendUsersMessages) "to as many as 100 users per request".
# The botocore model has no such constraint, so larger sends are split here.
MAX_RECIPIENTS_PER_REQUEST = 100

_NO_RESULT = "Pinpoint returned no result for this recipient"
_NO_USER_RESULT = (
    "Pinpoint returned no endpoint result for this user (does the user have an "
    "active EMAIL endpoint?)"
)


def pinpoint_email_message(message: EmailMessage) -> dict[str, Any]:
    """The ``MessageConfiguration.EmailMessage`` request object for ``message``.

    Raw MIME bytes are passed as bytes: botocore base64-encodes blobs itself.
    """
    check_message(message)
    email: dict[str, Any] = {}
    if message.raw_mime is not None:
        email["RawEmail"] = {"Data": message.raw_mime}
    else:
        charset = message.charset
        simple: dict[str, Any] = {"Subject": {"Charset": charset, "Data": message.subject}}
        if message.html_body is not None:
            simple["HtmlPart"] = {"Charset": charset, "Data": message.html_body}
        if message.text_body is not None:
            simple["TextPart"] = {"Charset": charset, "Data": message.text_body}
        email["SimpleEmail"] = simple
    if message.from_address is not None:
        email["FromAddress"] = message.from_address
    if message.reply_to_addresses:
        email["ReplyToAddresses"] = list(message.reply_to_addresses)
    if message.feedback_forwarding_address is not None:
        email["FeedbackForwardingAddress"] = message.feedback_forwarding_address
    if message.substitutions:
        email["Substitutions"] = {
            name: list(values) for name, values in message.substitutions.items()
        }
    return email


def pinpoint_configuration(
    config: AddressConfiguration | None, *, channel_type: bool = False
) -> dict[str, Any]:
    """A Pinpoint ``AddressConfiguration`` / ``EndpointSendConfiguration`` for ``config``."""
    request: dict[str, Any] = {"ChannelType": "EMAIL"} if channel_type else {}
    if config is None:
        return request
    if config.substitutions:
        request["Substitutions"] = {
            name: list(values) for name, values in config.substitutions.items()
        }
    if config.context:
        request["Context"] = dict(config.context)
    if config.title_override is not None:
        request["TitleOverride"] = config.title_override
    if config.body_override is not None:
        request["BodyOverride"] = config.body_override
    return request


class PinpointEmailSender:
    """Sends through the Pinpoint application's e-mail channel.

    ``send_to_addresses`` and ``send_to_endpoints`` call SendMessages,
    ``send_to_users`` calls SendUsersMessages, in batches of at most
    ``batch_size`` (100, the documented maximum) recipients; each recipient's
    :class:`AddressConfiguration` goes into the ``Addresses`` / ``Endpoints`` /
    ``Users`` map, the message's ``context`` into ``Context`` and ``trace_id``
    into ``TraceId``.  The results of all batches are joined in order.  If a call
    fails as a whole, the batches already sent are in the exception's
    ``completed`` report and the rest in its ``unsent``.

    Args:
        client: a ``boto3.client("pinpoint")``.
        application_id: the Pinpoint project id.
        batch_size: recipients per call, 1-100.
        max_send_rate: if given, at most this many recipients per second (a call of
            ``k`` recipients consumes ``k``); None sends as fast as calls return.
        max_attempts: calls per recipient; above 1, recipients answered THROTTLED are
            tried again with backoff (default 1: THROTTLED is returned, as before).
        deadline_margin: seconds kept in hand before a send's ``deadline``.

    Without ``from_address`` in the message, the channel's FromAddress is used.
    The channel's configuration set applies; it cannot be chosen per message.
    """

    def __init__(
        self,
        client: PinpointClient,
        application_id: str,
        *,
        batch_size: int = MAX_RECIPIENTS_PER_REQUEST,
        max_send_rate: float | None = None,
        max_attempts: int = 1,
        deadline_margin: float = DEFAULT_DEADLINE_MARGIN,
    ) -> None:
        check_client(client, "pinpoint", "send_messages", "send_users_messages")
        for problem in application_id_problems("application_id", application_id):
            raise SenderArgumentError(problem, "application_id")
        if (
            not isinstance(batch_size, int)
            or isinstance(batch_size, bool)
            or not 1 <= batch_size <= MAX_RECIPIENTS_PER_REQUEST
        ):
            raise SenderArgumentError(
                f"batch_size {batch_size!r} is not a whole number between 1 and "
                f"{MAX_RECIPIENTS_PER_REQUEST}: give one, or leave the default "
                f"{MAX_RECIPIENTS_PER_REQUEST}",
                "batch_size",
            )
        self._client = client
        self._application_id = application_id
        self._pacer = Pacer(check_rate(max_send_rate, "max_send_rate"))
        self._batch_size = self._pacer.max_batch(batch_size)
        self._max_attempts = check_attempts(max_attempts)
        self._deadline_margin = check_margin(deadline_margin)

    @property
    def backend(self) -> DeliveryBackend:
        return DeliveryBackend.PINPOINT

    @property
    def client(self) -> PinpointClient:
        return self._client

    @property
    def application_id(self) -> str:
        return self._application_id

    @property
    def max_send_rate(self) -> float | None:
        """The pacing rate in recipients per second, or None (unpaced)."""
        return self._pacer.rate

    def _message_request(self, message: EmailMessage, trace_id: str | None) -> dict[str, Any]:
        request: dict[str, Any] = {
            "MessageConfiguration": {"EmailMessage": pinpoint_email_message(message)}
        }
        if message.context:
            request["Context"] = dict(message.context)
        if trace_id is not None:
            request["TraceId"] = trace_id
        return request

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
        base = self._prepare(message, configs, trace_id)

        def send(batch: tuple[str, ...]) -> Any:
            return self._client.send_messages(
                ApplicationId=self._application_id,
                MessageRequest={
                    **base,
                    "Addresses": {
                        address: pinpoint_configuration(configs.get(address), channel_type=True)
                        for address in batch
                    },
                },
            )

        def parse(batch: tuple[str, ...], response: Mapping[str, Any]) -> list[DeliveryResult]:
            results = _mapping(_mapping(response.get("MessageResponse")).get("Result"))
            folded = {str(key).casefold(): value for key, value in results.items()}
            return [
                _result(
                    address,
                    RecipientKind.ADDRESS,
                    results.get(address, folded.get(address.casefold())),
                    address=address,
                )
                for address in batch
            ]

        return self._run("SendMessages", RecipientKind.ADDRESS, recipients, send, parse, deadline)

    def send_to_endpoints(
        self,
        message: EmailMessage,
        endpoint_ids: Recipients,
        *,
        trace_id: str | None = None,
        deadline: SendDeadline = None,
    ) -> SendReport:
        check_message(message)
        recipients, configs = personalized_ids(endpoint_ids, RecipientKind.ENDPOINT)
        base = self._prepare(message, configs, trace_id)

        def send(batch: tuple[str, ...]) -> Any:
            return self._client.send_messages(
                ApplicationId=self._application_id,
                MessageRequest={
                    **base,
                    "Endpoints": {
                        endpoint_id: pinpoint_configuration(configs.get(endpoint_id))
                        for endpoint_id in batch
                    },
                },
            )

        def parse(batch: tuple[str, ...], response: Mapping[str, Any]) -> list[DeliveryResult]:
            results = _mapping(_mapping(response.get("MessageResponse")).get("EndpointResult"))
            return [
                _result(endpoint_id, RecipientKind.ENDPOINT, results.get(endpoint_id))
                for endpoint_id in batch
            ]

        return self._run("SendMessages", RecipientKind.ENDPOINT, recipients, send, parse, deadline)

    def send_to_users(
        self,
        message: EmailMessage,
        user_ids: Recipients,
        *,
        trace_id: str | None = None,
        deadline: SendDeadline = None,
    ) -> SendReport:
        check_message(message)
        recipients, configs = personalized_ids(user_ids, RecipientKind.USER)
        base = self._prepare(message, configs, trace_id)

        def send(batch: tuple[str, ...]) -> Any:
            return self._client.send_users_messages(
                ApplicationId=self._application_id,
                SendUsersMessageRequest={
                    **base,
                    "Users": {
                        user_id: pinpoint_configuration(configs.get(user_id)) for user_id in batch
                    },
                },
            )

        def parse(batch: tuple[str, ...], response: Mapping[str, Any]) -> list[DeliveryResult]:
            users = _mapping(_mapping(response.get("SendUsersMessageResponse")).get("Result"))
            parsed: list[DeliveryResult] = []
            for user_id in batch:
                endpoints = _mapping(users.get(user_id))
                if not endpoints:
                    parsed.append(
                        DeliveryResult(
                            recipient=user_id,
                            recipient_kind=RecipientKind.USER,
                            status=DeliveryOutcome.UNKNOWN_FAILURE,
                            status_message=_NO_USER_RESULT,
                        )
                    )
                    continue
                parsed.extend(
                    _result(user_id, RecipientKind.USER, raw, endpoint_id=str(endpoint_id))
                    for endpoint_id, raw in endpoints.items()
                )
            return parsed

        return self._run("SendUsersMessages", RecipientKind.USER, recipients, send, parse, deadline)

    def _prepare(
        self,
        message: EmailMessage,
        configs: Mapping[str, AddressConfiguration],
        trace_id: object,
    ) -> dict[str, Any]:
        check_personalization(message, configs)
        return self._message_request(message, check_trace_id(trace_id))

    def _run(
        self,
        operation: str,
        kind: RecipientKind,
        recipients: tuple[str, ...],
        send: Callable[[tuple[str, ...]], Any],
        parse: Callable[[tuple[str, ...], Mapping[str, Any]], list[DeliveryResult]],
        deadline: object,
    ) -> SendReport:
        clock = self._pacer.clock
        limit = resolve_deadline(deadline, self._deadline_margin, clock)

        def send_indices(indices: tuple[int, ...]) -> Any:
            return send(tuple(recipients[i] for i in indices))

        def parse_indices(
            indices: tuple[int, ...], response: Mapping[str, Any]
        ) -> dict[int, list[DeliveryResult]]:
            by_recipient: dict[str, list[DeliveryResult]] = {}
            for result in parse(tuple(recipients[i] for i in indices), response):
                by_recipient.setdefault(result.recipient, []).append(result)
            return {i: by_recipient.get(recipients[i], []) for i in indices}

        batches = [
            Batch(
                operation,
                tuple(range(start, min(start + self._batch_size, len(recipients)))),
                send_indices,
                parse_indices,
            )
            for start in range(0, len(recipients), self._batch_size)
        ]
        return deliver(
            backend=self.backend,
            kind=kind,
            recipients=recipients,
            batches=batches,
            pacer=self._pacer,
            deadline=limit,
            max_attempts=self._max_attempts,
            retry_entry=lambda result: result.status is DeliveryOutcome.THROTTLED,
        )


def _mapping(value: object) -> Mapping[Any, Any]:
    return value if isinstance(value, Mapping) else {}


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _result(
    recipient: str,
    kind: RecipientKind,
    raw: object,
    *,
    address: str | None = None,
    endpoint_id: str | None = None,
) -> DeliveryResult:
    if not isinstance(raw, Mapping):
        return DeliveryResult(
            recipient=recipient,
            recipient_kind=kind,
            status=DeliveryOutcome.UNKNOWN_FAILURE,
            status_message=_NO_RESULT,
            address=address,
            endpoint_id=endpoint_id,
        )
    code = raw.get("StatusCode")
    return DeliveryResult(
        recipient=recipient,
        recipient_kind=kind,
        status=DeliveryOutcome.from_pinpoint(raw.get("DeliveryStatus")),
        message_id=_text(raw.get("MessageId")),
        status_message=_text(raw.get("StatusMessage")),
        status_code=code if isinstance(code, int) and not isinstance(code, bool) else None,
        address=_text(raw.get("Address")) or address,
        endpoint_id=endpoint_id,
        service_status=_text(raw.get("DeliveryStatus")),
    )
