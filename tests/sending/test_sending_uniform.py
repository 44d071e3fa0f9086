"""The same message through both backends: both requests, and uniform results."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from botocore.stub import Stubber

from constructs_pinpoint.sending import (
    DeliveryResult,
    EmailMessage,
    EmailSender,
    PinpointEmailSender,
    SendReport,
    SesV2EmailSender,
)

APP_ID = "0123456789abcdef0123456789abcdef"
FROM = "noreply@example.com"
RECIPIENTS = ["ana@example.com", "bo@example.org"]

MESSAGE = EmailMessage(
    subject="Welcome {{Name}}",
    html_body="<h1>Welcome {{Name}}</h1>",
    text_body="Welcome {{Name}}",
    reply_to_addresses=["help@example.com"],
    feedback_forwarding_address="bounces@example.com",
    substitutions={"Name": ["friend"]},
)


def send_via(sender: EmailSender) -> SendReport:
    """Application code: knows only the EmailSender protocol."""
    return sender.send_to_addresses(MESSAGE, RECIPIENTS)


def comparable(result: DeliveryResult) -> dict[str, Any]:
    fields = dataclasses.asdict(result)
    fields.pop("message_id")  # differs by service, by nature
    fields.pop("service_status")  # the service's own spelling (SUCCESSFUL / SUCCESS)
    return fields


def test_same_message_same_results_on_both_backends(
    pinpoint_client: Any, pinpoint_stub: Stubber, sesv2_client: Any, sesv2_stub: Stubber
) -> None:
    pinpoint_stub.add_response(
        "send_messages",
        {
            "MessageResponse": {
                "ApplicationId": APP_ID,
                "Result": {
                    address: {
                        "DeliveryStatus": "SUCCESSFUL",
                        "StatusCode": 200,
                        "MessageId": f"p-{i}",
                    }
                    for i, address in enumerate(RECIPIENTS)
                },
            }
        },
        expected_params={
            "ApplicationId": APP_ID,
            "MessageRequest": {
                "Addresses": {address: {"ChannelType": "EMAIL"} for address in RECIPIENTS},
                "MessageConfiguration": {
                    "EmailMessage": {
                        "SimpleEmail": {
                            "Subject": {"Charset": "UTF-8", "Data": "Welcome {{Name}}"},
                            "HtmlPart": {"Charset": "UTF-8", "Data": "<h1>Welcome {{Name}}</h1>"},
                            "TextPart": {"Charset": "UTF-8", "Data": "Welcome {{Name}}"},
                        },
                        "ReplyToAddresses": ["help@example.com"],
                        "FeedbackForwardingAddress": "bounces@example.com",
                        "Substitutions": {"Name": ["friend"]},
                    }
                },
            },
        },
    )
    sesv2_stub.add_response("get_account", {"SendQuota": {"MaxSendRate": 14.0}}, {})
    sesv2_stub.add_response(
        "send_bulk_email",
        {
            "BulkEmailEntryResults": [
                {"Status": "SUCCESS", "MessageId": f"s-{i}"} for i in range(len(RECIPIENTS))
            ]
        },
        expected_params={
            "FromEmailAddress": FROM,
            "ReplyToAddresses": ["help@example.com"],
            "FeedbackForwardingEmailAddress": "bounces@example.com",
            "DefaultContent": {
                "Template": {
                    "TemplateContent": {
                        "Subject": "Welcome {{Name}}",
                        "Html": "<h1>Welcome {{Name}}</h1>",
                        "Text": "Welcome {{Name}}",
                    },
                    "TemplateData": '{"Name":"friend"}',
                }
            },
            "BulkEmailEntries": [
                {"Destination": {"ToAddresses": [address]}} for address in RECIPIENTS
            ],
        },
    )

    pinpoint_report = send_via(PinpointEmailSender(pinpoint_client, APP_ID))
    ses_report = send_via(SesV2EmailSender(sesv2_client, FROM))

    assert [type(r) for r in pinpoint_report] == [DeliveryResult, DeliveryResult]
    assert [comparable(r) for r in pinpoint_report] == [comparable(r) for r in ses_report]
    assert [r.message_id for r in pinpoint_report] == ["p-0", "p-1"]
    assert [r.message_id for r in ses_report] == ["s-0", "s-1"]
    assert pinpoint_report.all_succeeded and ses_report.all_succeeded


@pytest.mark.parametrize("sender_type", [PinpointEmailSender, SesV2EmailSender])
def test_both_senders_implement_the_protocol(sender_type: type[object]) -> None:
    assert isinstance(sender_type.__new__(sender_type), EmailSender)
