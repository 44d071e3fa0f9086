"""Sending through the Amazon SES API v2 SendEmail operation."""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import partial
from typing import Any

from . import rules
from ._api import call_api
from ._clients import SesV2Client
from .errors import EmailMessageError, SenderArgumentError, UnsupportedRecipientKindError
from .message import EmailMessage
from .results import DeliveryOutcome, DeliveryResult, RecipientKind, SendReport
from .sender import check_client, check_message, normalize_addresses
from .types import DeliveryBackend

__all__ = ["SesV2EmailSender", "sesv2_email_content"]

# botocore sesv2 model: EmailTemplateData has max length 262144.
MAX_TEMPLATE_DATA_LENGTH = 262_144

# SendEmail returns HTTP 200 with a MessageId when SES accepts the message.
_ACCEPTED_STATUS_CODE = 200


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
        template: dict[str, Any] = {"Subject": message.subject}
        if message.html_body is not None:
            template["Html"] = message.html_body
        if message.text_body is not None:
            template["Text"] = message.text_body
        data = json.dumps(
            {name: values[0] for name, values in message.substitutions.items()},
            ensure_ascii=False,
            separators=(",", ":"),
        )
        if len(data) > MAX_TEMPLATE_DATA_LENGTH:
            raise EmailMessageError(
                f"the substitutions are {len(data)} characters as SES TemplateData; "
                f"SES accepts at most {MAX_TEMPLATE_DATA_LENGTH}"
            )
        return {"Template": {"TemplateContent": template, "TemplateData": data}}
    charset = message.charset
    body: dict[str, Any] = {}
    if message.html_body is not None:
        body["Html"] = {"Data": message.html_body, "Charset": charset}
    if message.text_body is not None:
        body["Text"] = {"Data": message.text_body, "Charset": charset}
    return {
        "Simple": {
            "Subject": {"Data": message.subject, "Charset": charset},
            "Body": body,
        }
    }


class SesV2EmailSender:
    """Sends through Amazon SES (API v2), the successor AWS recommends for
    Pinpoint e-mail.

    ``send_to_addresses`` calls SendEmail **once per distinct address** (one
    ``ToAddresses`` entry each).  SES would take up to 50 destinations per
    call, but then every recipient would see the others in the To header and
    SES would return one MessageId for all, losing per-recipient outcomes.
    Sending stops at the first failed call: the exception's ``completed``
    report holds the addresses already sent and ``unsent`` the rest.

    SES has no Pinpoint endpoints or users, so ``send_to_endpoints`` and
    ``send_to_users`` raise :class:`UnsupportedRecipientKindError`.

    Args:
        client: a ``boto3.client("sesv2")``.
        from_address: the default verified sender (``addr`` or ``Name <addr>``);
            a message's ``from_address`` overrides it.
        configuration_set: SES configuration set for every message, if any.
        from_identity_arn: SES identity ARN sent as FromEmailAddressIdentityArn
            (the identity that authorises the From address), if any.
    """

    def __init__(
        self,
        client: SesV2Client,
        from_address: str,
        configuration_set: str | None = None,
        *,
        from_identity_arn: str | None = None,
    ) -> None:
        check_client(client, "sesv2", "send_email")
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

    def send_email_request(self, message: EmailMessage, address: str) -> dict[str, Any]:
        """The SendEmail parameters for sending ``message`` to one ``address``."""
        check_message(message)
        request: dict[str, Any] = {
            "FromEmailAddress": message.from_address or self._from_address,
            "Destination": {"ToAddresses": [address]},
            "Content": sesv2_email_content(message),
        }
        if self._from_identity_arn is not None:
            request["FromEmailAddressIdentityArn"] = self._from_identity_arn
        if message.reply_to_addresses:
            request["ReplyToAddresses"] = list(message.reply_to_addresses)
        if message.feedback_forwarding_address is not None:
            request["FeedbackForwardingEmailAddress"] = message.feedback_forwarding_address
        if self._configuration_set is not None:
            request["ConfigurationSetName"] = self._configuration_set
        return request

    def send_to_addresses(self, message: EmailMessage, addresses: Iterable[str]) -> SendReport:
        check_message(message)
        recipients = normalize_addresses(addresses)
        results: list[DeliveryResult] = []
        for index, address in enumerate(recipients):
            response = call_api(
                partial(self._client.send_email, **self.send_email_request(message, address)),
                backend=self.backend,
                operation="SendEmail",
                completed=results,
                unsent=recipients[index:],
            )
            message_id = response.get("MessageId")
            results.append(
                DeliveryResult(
                    recipient=address,
                    recipient_kind=RecipientKind.ADDRESS,
                    status=DeliveryOutcome.SUCCESSFUL,
                    message_id=message_id if isinstance(message_id, str) else None,
                    status_code=_ACCEPTED_STATUS_CODE,
                    address=address,
                )
            )
        return SendReport(tuple(results), self.backend)

    def send_to_endpoints(self, message: EmailMessage, endpoint_ids: Iterable[str]) -> SendReport:
        raise self._unsupported(RecipientKind.ENDPOINT)

    def send_to_users(self, message: EmailMessage, user_ids: Iterable[str]) -> SendReport:
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
