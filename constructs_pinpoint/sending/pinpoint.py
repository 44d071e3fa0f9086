"""Sending through Amazon Pinpoint SendMessages / SendUsersMessages."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import partial
from typing import Any

from ._api import call_api
from ._clients import PinpointClient
from .errors import SenderArgumentError
from .message import EmailMessage
from .results import DeliveryOutcome, DeliveryResult, RecipientKind, SendReport
from .rules import application_id_problems
from .sender import check_client, check_message, normalize_addresses, normalize_ids
from .types import DeliveryBackend

__all__ = ["MAX_RECIPIENTS_PER_REQUEST", "PinpointEmailSender", "pinpoint_email_message"]

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


class PinpointEmailSender:
    """Sends through the Pinpoint application's e-mail channel.

    ``send_to_addresses`` and ``send_to_endpoints`` call SendMessages,
    ``send_to_users`` calls SendUsersMessages, in batches of at most
    ``batch_size`` (100, the documented maximum) recipients; the results of all
    batches are concatenated.  If a call fails, the batches already sent are in
    the exception's ``completed`` report and the rest in its ``unsent``.

    Without ``from_address`` in the message, the channel's FromAddress is used.
    The channel's configuration set applies; it cannot be chosen per message.
    """

    def __init__(
        self,
        client: PinpointClient,
        application_id: str,
        *,
        batch_size: int = MAX_RECIPIENTS_PER_REQUEST,
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
        self._batch_size = batch_size

    @property
    def backend(self) -> DeliveryBackend:
        return DeliveryBackend.PINPOINT

    @property
    def client(self) -> PinpointClient:
        return self._client

    @property
    def application_id(self) -> str:
        return self._application_id

    def send_to_addresses(self, message: EmailMessage, addresses: Iterable[str]) -> SendReport:
        recipients = normalize_addresses(addresses)
        email = pinpoint_email_message(check_message(message))

        def send(batch: tuple[str, ...]) -> Any:
            return self._client.send_messages(
                ApplicationId=self._application_id,
                MessageRequest={
                    "Addresses": {address: {"ChannelType": "EMAIL"} for address in batch},
                    "MessageConfiguration": {"EmailMessage": email},
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

        return self._run("SendMessages", recipients, send, parse)

    def send_to_endpoints(self, message: EmailMessage, endpoint_ids: Iterable[str]) -> SendReport:
        recipients = normalize_ids(endpoint_ids, RecipientKind.ENDPOINT)
        email = pinpoint_email_message(check_message(message))

        def send(batch: tuple[str, ...]) -> Any:
            return self._client.send_messages(
                ApplicationId=self._application_id,
                MessageRequest={
                    "Endpoints": {endpoint_id: {} for endpoint_id in batch},
                    "MessageConfiguration": {"EmailMessage": email},
                },
            )

        def parse(batch: tuple[str, ...], response: Mapping[str, Any]) -> list[DeliveryResult]:
            results = _mapping(_mapping(response.get("MessageResponse")).get("EndpointResult"))
            return [
                _result(endpoint_id, RecipientKind.ENDPOINT, results.get(endpoint_id))
                for endpoint_id in batch
            ]

        return self._run("SendMessages", recipients, send, parse)

    def send_to_users(self, message: EmailMessage, user_ids: Iterable[str]) -> SendReport:
        recipients = normalize_ids(user_ids, RecipientKind.USER)
        email = pinpoint_email_message(check_message(message))

        def send(batch: tuple[str, ...]) -> Any:
            return self._client.send_users_messages(
                ApplicationId=self._application_id,
                SendUsersMessageRequest={
                    "Users": {user_id: {} for user_id in batch},
                    "MessageConfiguration": {"EmailMessage": email},
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

        return self._run("SendUsersMessages", recipients, send, parse)

    def _run(
        self,
        operation: str,
        recipients: tuple[str, ...],
        send: Callable[[tuple[str, ...]], Any],
        parse: Callable[[tuple[str, ...], Mapping[str, Any]], list[DeliveryResult]],
    ) -> SendReport:
        results: list[DeliveryResult] = []
        for start in range(0, len(recipients), self._batch_size):
            batch = recipients[start : start + self._batch_size]
            response = call_api(
                partial(send, batch),
                backend=self.backend,
                operation=operation,
                completed=results,
                unsent=recipients[start:],
            )
            results.extend(parse(batch, response))
        return SendReport(tuple(results), self.backend)


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
    )
