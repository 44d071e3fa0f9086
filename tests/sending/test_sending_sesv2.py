"""SesV2EmailSender: exact SendEmail requests (simple, raw, inline template) and results."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.stub import Stubber

from constructs_pinpoint.sending import (
    DeliveryBackend,
    DeliveryOutcome,
    DeliveryResult,
    EmailMessage,
    PermanentEmailApiError,
    RecipientKind,
    RetryableEmailApiError,
    SesV2EmailSender,
    UnsupportedRecipientKindError,
)

FROM = "Example <noreply@example.com>"
IDENTITY_ARN = "arn:aws:ses:us-east-1:123456789012:identity/example.com"
RAW = b"From: noreply@example.com\r\nSubject: raw\r\n\r\nbody\r\n"


def test_simple_message_one_call_per_address_with_all_options(
    sesv2_client: Any, sesv2_stub: Stubber, add_get_account: Any
) -> None:
    message = EmailMessage(
        subject="Größe",
        html_body="<p>Grüße</p>",
        text_body="Grüße",
        from_address="Sales <sales@example.com>",
        reply_to_addresses="reply@example.com",
        feedback_forwarding_address="bounces@example.com",
    )
    add_get_account(sesv2_stub)
    for index, address in enumerate(["ana@example.com", "bo@example.org"]):
        sesv2_stub.add_response(
            "send_email",
            {"MessageId": f"ses-{index}"},
            expected_params={
                "FromEmailAddress": "Sales <sales@example.com>",
                "FromEmailAddressIdentityArn": IDENTITY_ARN,
                "Destination": {"ToAddresses": [address]},
                "ReplyToAddresses": ["reply@example.com"],
                "FeedbackForwardingEmailAddress": "bounces@example.com",
                "ConfigurationSetName": "transactional",
                "Content": {
                    "Simple": {
                        "Subject": {"Data": "Größe", "Charset": "UTF-8"},
                        "Body": {
                            "Html": {"Data": "<p>Grüße</p>", "Charset": "UTF-8"},
                            "Text": {"Data": "Grüße", "Charset": "UTF-8"},
                        },
                    }
                },
            },
        )
    sender = SesV2EmailSender(sesv2_client, FROM, "transactional", from_identity_arn=IDENTITY_ARN)
    # The repeat (different case) is sent once.
    report = sender.send_to_addresses(
        message, ["ana@example.com", "bo@example.org", "ANA@example.com"]
    )
    assert report.backend is DeliveryBackend.SES_V2
    assert list(report) == [
        DeliveryResult(
            recipient=address,
            recipient_kind=RecipientKind.ADDRESS,
            status=DeliveryOutcome.SUCCESSFUL,
            message_id=f"ses-{index}",
            status_code=200,
            address=address,
        )
        for index, address in enumerate(["ana@example.com", "bo@example.org"])
    ]


def test_raw_message_and_configured_sender(sesv2_client: Any, sesv2_stub: Stubber) -> None:
    sesv2_stub.add_response(
        "send_email",
        {"MessageId": "raw-1"},
        expected_params={
            "FromEmailAddress": FROM,
            "Destination": {"ToAddresses": ["ana@example.com"]},
            "Content": {"Raw": {"Data": RAW}},
        },
    )
    report = SesV2EmailSender(sesv2_client, FROM, max_send_rate=10).send_to_addresses(
        EmailMessage(raw_mime=RAW), "ana@example.com"
    )
    assert [r.message_id for r in report] == ["raw-1"]


def test_substitutions_become_one_bulk_call_with_inline_template_and_first_values(
    sesv2_client: Any, sesv2_stub: Stubber, add_get_account: Any
) -> None:
    message = EmailMessage(
        subject="Hi {{Name}}",
        html_body="<p>Code {{Code}} for {{Name}}</p>",
        text_body="Code {{Code}} for {{Name}}",
        substitutions={"Name": ["Zoë", "ignored second value"], "Code": ["42"]},
    )
    # SES gets one value per variable: the first of each Pinpoint list.
    expected_data = '{"Name":"Zoë","Code":"42"}'
    assert json.loads(expected_data) == {"Name": "Zoë", "Code": "42"}
    add_get_account(sesv2_stub)
    sesv2_stub.add_response(
        "send_bulk_email",
        {
            "BulkEmailEntryResults": [
                {"Status": "SUCCESS", "MessageId": "t-1"},
                {"Status": "SUCCESS", "MessageId": "t-2"},
            ]
        },
        expected_params={
            "FromEmailAddress": FROM,
            "DefaultContent": {
                "Template": {
                    "TemplateContent": {
                        "Subject": "Hi {{Name}}",
                        "Html": "<p>Code {{Code}} for {{Name}}</p>",
                        "Text": "Code {{Code}} for {{Name}}",
                    },
                    "TemplateData": expected_data,
                }
            },
            "BulkEmailEntries": [
                {"Destination": {"ToAddresses": ["ana@example.com"]}},
                {"Destination": {"ToAddresses": ["bo@example.com"]}},
            ],
        },
    )
    report = SesV2EmailSender(sesv2_client, FROM).send_to_addresses(
        message, ["ana@example.com", "bo@example.com"]
    )
    assert [(r.recipient, r.message_id, r.service_status) for r in report] == [
        ("ana@example.com", "t-1", "SUCCESS"),
        ("bo@example.com", "t-2", "SUCCESS"),
    ]


def test_failure_midway_reports_sent_and_unsent(sesv2_client: Any, sesv2_stub: Stubber) -> None:
    sesv2_stub.add_response("send_email", {"MessageId": "m-1"})
    sesv2_stub.add_client_error(
        "send_email",
        service_error_code="TooManyRequestsException",
        service_message="Maximum sending rate exceeded.",
        http_status_code=429,
    )
    addresses = ["a@example.com", "b@example.com", "c@example.com"]
    # max_attempts=1: the library's own retry of a throttled call is tested elsewhere.
    with pytest.raises(RetryableEmailApiError) as caught:
        SesV2EmailSender(sesv2_client, FROM, max_send_rate=10, max_attempts=1).send_to_addresses(
            EmailMessage(subject="s", text_body="t"), addresses
        )
    assert [r.recipient for r in caught.value.completed] == ["a@example.com"]
    assert caught.value.unsent == ("b@example.com", "c@example.com")
    assert caught.value.code == "TooManyRequestsException"
    assert caught.value.message == "Maximum sending rate exceeded."


@pytest.mark.parametrize(
    "code",
    [
        "MessageRejected",
        "AccountSuspendedException",
        "SendingPausedException",
        "MailFromDomainNotVerifiedException",
        "NotFoundException",
        "BadRequestException",
    ],
)
def test_permanent_ses_errors(sesv2_client: Any, sesv2_stub: Stubber, code: str) -> None:
    sesv2_stub.add_client_error(
        "send_email", service_error_code=code, service_message="why", http_status_code=400
    )
    with pytest.raises(PermanentEmailApiError) as caught:
        SesV2EmailSender(sesv2_client, FROM, max_send_rate=10).send_to_addresses(
            EmailMessage(subject="s", text_body="t"), ["a@example.com"]
        )
    assert caught.value.code == code
    assert caught.value.backend is DeliveryBackend.SES_V2
    assert caught.value.unsent == ("a@example.com",)
    assert len(caught.value.completed) == 0
    assert isinstance(caught.value.__cause__, Exception)
    assert code in str(caught.value) and "permanent" in str(caught.value)


@pytest.mark.parametrize("method", ["send_to_endpoints", "send_to_users"])
def test_endpoints_and_users_are_unsupported_on_ses(sesv2_client: Any, method: str) -> None:
    sender = SesV2EmailSender(sesv2_client, FROM)
    with pytest.raises(UnsupportedRecipientKindError, match="send_to_addresses") as caught:
        getattr(sender, method)(EmailMessage(subject="s", text_body="t"), ["id-1"])
    assert caught.value.backend is DeliveryBackend.SES_V2
    assert "SES has no endpoints or users" in str(caught.value)


def test_invalid_configured_sender_is_refused(sesv2_client: Any) -> None:
    with pytest.raises(ValueError, match="not-an-address"):
        SesV2EmailSender(sesv2_client, "not-an-address")
