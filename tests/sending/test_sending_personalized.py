"""Personalized sends: exact request shapes on both backends (botocore Stubber validates them
against the real service models), per-entry results, header and tag refusals before any call."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.stub import Stubber

from constructs_pinpoint.sending import (
    AddressConfiguration,
    DeliveryBackend,
    DeliveryOutcome,
    EmailMessage,
    EmailMessageError,
    EmailSendingError,
    HeaderValueError,
    PermanentEmailApiError,
    PersonalizationError,
    PinpointEmailSender,
    RecipientError,
    SesV2EmailSender,
)

FROM = "Example <noreply@example.com>"
IDENTITY_ARN = "arn:aws:ses:us-east-1:123456789012:identity/example.com"
APP_ID = "0123456789abcdef0123456789abcdef"
RAW = b"From: noreply@example.com\r\nSubject: raw\r\n\r\nbody\r\n"

MESSAGE = EmailMessage(
    subject="Hi {{Name}}",
    html_body="<p>{{Name}}, code {{Code}}</p>",
    text_body="{{Name}}, code {{Code}}",
    substitutions={"Name": ["friend"], "Code": ["0"]},
    context={"campaign": "spring-2027"},
)
RECIPIENTS = {
    "ana@example.com": AddressConfiguration(
        substitutions={"Name": ["Ana"], "Code": ["11"]}, context={"user": "u-1"}
    ),
    "bo@example.com": None,
    "cy@example.com": AddressConfiguration(substitutions={"Code": "33"}),
}


def ses(client: Any, **kwargs: Any) -> SesV2EmailSender:
    return SesV2EmailSender(client, FROM, "tx", from_identity_arn=IDENTITY_ARN, **kwargs)


def bulk_params(entries: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "FromEmailAddress": FROM,
        "FromEmailAddressIdentityArn": IDENTITY_ARN,
        "ConfigurationSetName": "tx",
        "DefaultEmailTags": [
            {"Name": "campaign", "Value": "spring-2027"},
            {"Name": "trace_id", "Value": "run-7"},
        ],
        "DefaultContent": {
            "Template": {
                "TemplateContent": {
                    "Subject": "Hi {{Name}}",
                    "Html": "<p>{{Name}}, code {{Code}}</p>",
                    "Text": "{{Name}}, code {{Code}}",
                },
                "TemplateData": '{"Name":"friend","Code":"0"}',
            }
        },
        "BulkEmailEntries": entries,
    }


ANA_ENTRY = {
    "Destination": {"ToAddresses": ["ana@example.com"]},
    "ReplacementTags": [
        {"Name": "campaign", "Value": "spring-2027"},
        {"Name": "trace_id", "Value": "run-7"},
        {"Name": "user", "Value": "u-1"},
    ],
    "ReplacementEmailContent": {
        "ReplacementTemplate": {"ReplacementTemplateData": '{"Name":"Ana","Code":"11"}'}
    },
}
BO_ENTRY = {"Destination": {"ToAddresses": ["bo@example.com"]}}
# Recipient substitutions override the message's: cy keeps Name=friend, gets Code=33.
CY_ENTRY = {
    "Destination": {"ToAddresses": ["cy@example.com"]},
    "ReplacementEmailContent": {
        "ReplacementTemplate": {"ReplacementTemplateData": '{"Name":"friend","Code":"33"}'}
    },
}


def test_ses_bulk_request_carries_template_data_and_tags_per_entry(
    sesv2_client: Any, sesv2_stub: Stubber, add_get_account: Any
) -> None:
    add_get_account(sesv2_stub, 14.0)
    sesv2_stub.add_response(
        "send_bulk_email",
        {
            "BulkEmailEntryResults": [
                {"Status": "SUCCESS", "MessageId": "m-ana"},
                {"Status": "MESSAGE_REJECTED", "Error": "virus"},
                {"Status": "SUCCESS", "MessageId": "m-cy"},
            ]
        },
        expected_params=bulk_params([ANA_ENTRY, BO_ENTRY, CY_ENTRY]),
    )
    sender = ses(sesv2_client)
    report = sender.send_to_addresses(MESSAGE, RECIPIENTS, trace_id="run-7")
    assert sender.max_send_rate == 14.0
    assert [(r.recipient, r.status, r.message_id, r.service_status) for r in report] == [
        ("ana@example.com", DeliveryOutcome.SUCCESSFUL, "m-ana", "SUCCESS"),
        ("bo@example.com", DeliveryOutcome.PERMANENT_FAILURE, None, "MESSAGE_REJECTED"),
        ("cy@example.com", DeliveryOutcome.SUCCESSFUL, "m-cy", "SUCCESS"),
    ]
    # One failed recipient does not stop the others; the report says so at a glance.
    assert (report.sent_count, report.failed_count, report.unsent_count) == (2, 1, 0)
    assert [r.recipient for r in report.failed] == ["bo@example.com"]
    assert report.failed[0].status_message == "virus" and not report.failed[0].retryable
    assert report.summary() == "2 sent, 1 failed (0 retryable), 0 unsent of 3 on sesv2"


def test_ses_retries_only_throttled_and_transient_entries_never_a_success(
    sesv2_client: Any, sesv2_stub: Stubber
) -> None:
    sesv2_stub.add_response(
        "send_bulk_email",
        {
            "BulkEmailEntryResults": [
                {"Status": "SUCCESS", "MessageId": "m-ana"},
                {"Status": "ACCOUNT_THROTTLED", "Error": "Maximum sending rate exceeded."},
                {"Status": "TRANSIENT_FAILURE", "Error": "later"},
            ]
        },
        expected_params=bulk_params([ANA_ENTRY, BO_ENTRY, CY_ENTRY]),
    )
    # The retry carries bo and cy only (Stubber compares the whole request).
    sesv2_stub.add_response(
        "send_bulk_email",
        {
            "BulkEmailEntryResults": [
                {"Status": "SUCCESS", "MessageId": "m-bo"},
                {"Status": "ACCOUNT_THROTTLED", "Error": "again"},
            ]
        },
        expected_params=bulk_params([BO_ENTRY, CY_ENTRY]),
    )
    sesv2_stub.add_response(
        "send_bulk_email",
        {"BulkEmailEntryResults": [{"Status": "ACCOUNT_THROTTLED", "Error": "still"}]},
        expected_params=bulk_params([CY_ENTRY]),
    )
    report = ses(sesv2_client, max_send_rate=100, max_attempts=3).send_to_addresses(
        MESSAGE, RECIPIENTS, trace_id="run-7"
    )
    assert [(r.recipient, r.status, r.attempts) for r in report] == [
        ("ana@example.com", DeliveryOutcome.SUCCESSFUL, 1),
        ("bo@example.com", DeliveryOutcome.SUCCESSFUL, 2),
        ("cy@example.com", DeliveryOutcome.THROTTLED, 3),
    ]
    assert report.recipients_to_retry() == ("cy@example.com",)
    assert report.failed[0].retryable and report.failed[0].service_status == "ACCOUNT_THROTTLED"


@pytest.mark.parametrize(
    ("status", "outcome", "retryable"),
    [
        ("ACCOUNT_DAILY_QUOTA_EXCEEDED", DeliveryOutcome.THROTTLED, True),
        ("ACCOUNT_SUSPENDED", DeliveryOutcome.PERMANENT_FAILURE, False),
        ("MAIL_FROM_DOMAIN_NOT_VERIFIED", DeliveryOutcome.PERMANENT_FAILURE, False),
        ("INVALID_PARAMETER", DeliveryOutcome.PERMANENT_FAILURE, False),
        ("FAILED", DeliveryOutcome.UNKNOWN_FAILURE, False),
    ],
)
def test_ses_entry_statuses_become_results_without_retry(
    sesv2_client: Any, sesv2_stub: Stubber, status: str, outcome: DeliveryOutcome, retryable: bool
) -> None:
    sesv2_stub.add_response(
        "send_bulk_email",
        {"BulkEmailEntryResults": [{"Status": status, "Error": "why"}]},
    )
    report = ses(sesv2_client, max_send_rate=10).send_to_addresses(MESSAGE, ["ana@example.com"])
    assert (report[0].status, report[0].retryable, report[0].attempts) == (outcome, retryable, 1)
    assert report[0].service_status == status and report[0].status_message == "why"


def test_ses_missing_entry_result_is_unknown_failure(
    sesv2_client: Any, sesv2_stub: Stubber
) -> None:
    sesv2_stub.add_response(
        "send_bulk_email", {"BulkEmailEntryResults": [{"Status": "SUCCESS", "MessageId": "m"}]}
    )
    report = ses(sesv2_client, max_send_rate=10).send_to_addresses(
        MESSAGE, ["ana@example.com", "bo@example.com"]
    )
    assert [r.status for r in report] == [
        DeliveryOutcome.SUCCESSFUL,
        DeliveryOutcome.UNKNOWN_FAILURE,
    ]


def test_ses_batches_hold_at_most_50_or_the_rate(sesv2_client: Any, sesv2_stub: Stubber) -> None:
    addresses = [f"r{i}@example.com" for i in range(120)]
    for size in (50, 50, 20):
        sesv2_stub.add_response(
            "send_bulk_email",
            {"BulkEmailEntryResults": [{"Status": "SUCCESS", "MessageId": "m"}] * size},
        )
    report = ses(sesv2_client, max_send_rate=1000).send_to_addresses(MESSAGE, addresses)
    assert [r.recipient for r in report] == addresses
    assert report.all_succeeded


def test_ses_a_call_never_carries_more_than_the_rate(
    sesv2_client: Any, sesv2_stub: Stubber
) -> None:
    sizes: list[int] = []

    def count(params: dict[str, Any], **_: Any) -> None:
        sizes.append(len(params["BulkEmailEntries"]))

    sesv2_client.meta.events.register("before-parameter-build.sesv2.SendBulkEmail", count)
    for _ in range(2):
        sesv2_stub.add_response(
            "send_bulk_email",
            {"BulkEmailEntryResults": [{"Status": "SUCCESS", "MessageId": "m"}] * 2},
        )
    # MaxSendRate 2: a one-second window holds 2 recipients, so calls carry at most 2.
    sender = SesV2EmailSender(sesv2_client, FROM, max_send_rate=2)
    report = sender.send_to_addresses(MESSAGE, [f"r{i}@example.com" for i in range(4)])
    assert report.sent_count == 4
    assert sizes == [2, 2]


def test_ses_whole_call_throttle_is_retried_with_backoff(
    sesv2_client: Any, sesv2_stub: Stubber
) -> None:
    sesv2_stub.add_client_error(
        "send_bulk_email",
        service_error_code="TooManyRequestsException",
        service_message="Maximum sending rate exceeded.",
        http_status_code=429,
    )
    sesv2_stub.add_response(
        "send_bulk_email", {"BulkEmailEntryResults": [{"Status": "SUCCESS", "MessageId": "m"}]}
    )
    report = ses(sesv2_client, max_send_rate=10).send_to_addresses(MESSAGE, ["ana@example.com"])
    assert (report[0].status, report[0].attempts) == (DeliveryOutcome.SUCCESSFUL, 2)


def test_title_override_goes_out_alone_with_send_email(
    sesv2_client: Any, sesv2_stub: Stubber
) -> None:
    sesv2_stub.add_response(
        "send_email",
        {"MessageId": "m-dee"},
        expected_params={
            "FromEmailAddress": FROM,
            "FromEmailAddressIdentityArn": IDENTITY_ARN,
            "ConfigurationSetName": "tx",
            "Destination": {"ToAddresses": ["dee@example.com"]},
            "EmailTags": [
                {"Name": "campaign", "Value": "spring-2027"},
                {"Name": "trace_id", "Value": "run-7"},
            ],
            "Content": {
                "Template": {
                    "TemplateContent": {
                        "Subject": "For you, {{Name}}",
                        "Html": "<p>{{Name}}, code {{Code}}</p>",
                        "Text": "{{Name}}, code {{Code}}",
                    },
                    "TemplateData": '{"Name":"Dee","Code":"0"}',
                }
            },
        },
    )
    # A single goes out when met; bulk entries when their call is full (or at the end).
    sesv2_stub.add_response(
        "send_bulk_email",
        {"BulkEmailEntryResults": [{"Status": "SUCCESS", "MessageId": "m-bo"}]},
        expected_params=bulk_params([BO_ENTRY]),
    )
    report = ses(sesv2_client, max_send_rate=10).send_to_addresses(
        MESSAGE,
        {
            "bo@example.com": None,
            "dee@example.com": AddressConfiguration(
                title_override="For you, {{Name}}", substitutions={"Name": "Dee"}
            ),
        },
        trace_id="run-7",
    )
    assert [r.message_id for r in report] == ["m-bo", "m-dee"]


def test_raw_message_falls_back_to_paced_send_email_with_tags(
    sesv2_client: Any, sesv2_stub: Stubber
) -> None:
    for address in ("ana@example.com", "bo@example.com"):
        sesv2_stub.add_response(
            "send_email",
            {"MessageId": f"m-{address[:2]}"},
            expected_params={
                "FromEmailAddress": FROM,
                "Destination": {"ToAddresses": [address]},
                "Content": {"Raw": {"Data": RAW}},
                "EmailTags": [{"Name": "kind", "Value": "raw"}]
                + ([{"Name": "user", "Value": "u-1"}] if address.startswith("ana") else []),
            },
        )
    report = SesV2EmailSender(sesv2_client, FROM, max_send_rate=10).send_to_addresses(
        EmailMessage(raw_mime=RAW, context={"kind": "raw"}),
        {"ana@example.com": AddressConfiguration(context={"user": "u-1"}), "bo@example.com": None},
    )
    assert report.all_succeeded


# --- refused before any call (a Stubber with no queued response fails any call) ------------


@pytest.mark.parametrize(
    ("message", "recipients", "trace_id", "named"),
    [
        pytest.param(
            MESSAGE,
            {"ana@example.com": AddressConfiguration(context={"user id": "1"})},
            None,
            "recipient 'ana@example.com' context key 'user id'",
            id="tag key with a space",
        ),
        pytest.param(
            MESSAGE,
            {"ana@example.com": AddressConfiguration(context={"user": "ä"})},
            None,
            "value 'ä'",
            id="tag value not ASCII",
        ),
        pytest.param(
            EmailMessage(subject="s", text_body="t", context={"a": "x" * 300}),
            ["ana@example.com"],
            None,
            "longer than 256",
            id="message tag too long",
        ),
        pytest.param(MESSAGE, ["ana@example.com"], "run 7", "trace_id", id="trace id with space"),
        pytest.param(
            EmailMessage(subject="s", text_body="t", context={"trace_id": "a"}),
            ["ana@example.com"],
            "b",
            "give one of them",
            id="trace id and trace_id context",
        ),
        pytest.param(
            MESSAGE,
            {"ana@example.com": AddressConfiguration(body_override="<p>hi</p>")},
            None,
            "body_override",
            id="body override",
        ),
        pytest.param(
            EmailMessage(
                subject="Hi {{Name}}", text_body="Code {{Code}}", substitutions={"Code": "0"}
            ),
            {
                "ana@example.com": AddressConfiguration(substitutions={"Name": "Ana"}),
                "bo@example.com": None,
            },
            None,
            "recipient 'bo@example.com' has no value for {{Name}}",
            id="a variable without a value for one recipient",
        ),
        pytest.param(
            EmailMessage(
                subject="Hi", text_body="{{User.UserAttributes.Name}}", substitutions={"A": "1"}
            ),
            ["ana@example.com"],
            None,
            "Pinpoint endpoint and user attributes do not exist on SES",
            id="a Pinpoint attribute variable",
        ),
    ],
)
def test_ses_refuses_what_it_cannot_express_before_any_call(
    sesv2_client: Any,
    sesv2_stub: Stubber,
    message: EmailMessage,
    recipients: Any,
    trace_id: str | None,
    named: str,
) -> None:
    with pytest.raises(PersonalizationError) as caught:
        ses(sesv2_client, max_send_rate=10).send_to_addresses(
            message, recipients, trace_id=trace_id
        )
    assert named in str(caught.value)
    assert caught.value.backend is DeliveryBackend.SES_V2
    assert isinstance(caught.value, EmailSendingError)


def test_raw_message_refuses_per_recipient_content(sesv2_client: Any, pinpoint_client: Any) -> None:
    recipients = {"ana@example.com": AddressConfiguration(substitutions={"Name": "Ana"})}
    for sender in (
        SesV2EmailSender(sesv2_client, FROM, max_send_rate=10),
        PinpointEmailSender(pinpoint_client, APP_ID),
    ):
        with pytest.raises(PersonalizationError, match="raw MIME") as caught:
            sender.send_to_addresses(EmailMessage(raw_mime=RAW), recipients)
        assert caught.value.recipient == "ana@example.com"


LONG_INJECTION = "Ana\r\nBcc: victim@example.com" + "x" * 200


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(
            lambda: EmailMessage(
                subject="Hi {{Name}}", text_body="t", substitutions={"Name": LONG_INJECTION}
            ),
            id="message substitution in subject",
        ),
        pytest.param(
            lambda: AddressConfiguration(title_override=LONG_INJECTION), id="title override"
        ),
        pytest.param(lambda: EmailMessage(subject=LONG_INJECTION, text_body="t"), id="subject"),
        pytest.param(
            lambda: EmailMessage(subject="s\x85", text_body="t"), id="C1 control in subject"
        ),
        pytest.param(lambda: EmailMessage(subject="s\tt", text_body="t"), id="tab in subject"),
    ],
)
def test_header_values_with_control_characters_are_refused_naming_them_shortened(
    build: Any,
) -> None:
    with pytest.raises(EmailMessageError) as caught:
        build()
    text = str(caught.value)
    assert "control character" in text or "carriage return" in text
    assert LONG_INJECTION not in text and len(text) < 300


def test_recipient_substitution_reaching_the_subject_is_refused_before_any_call(
    sesv2_client: Any, sesv2_stub: Stubber, pinpoint_client: Any, pinpoint_stub: Stubber
) -> None:
    recipients = {
        "ana@example.com": None,
        "bo@example.com": AddressConfiguration(substitutions={"Name": LONG_INJECTION}),
    }
    for sender in (
        ses(sesv2_client, max_send_rate=10),
        PinpointEmailSender(pinpoint_client, APP_ID),
    ):
        with pytest.raises(HeaderValueError) as caught:
            sender.send_to_addresses(MESSAGE, recipients)
        assert "recipient 'bo@example.com' substitutions['Name'] (used in the subject)" in str(
            caught.value
        )
        assert caught.value.value == LONG_INJECTION
    # A value that only reaches the body may hold line breaks.
    body_only = {"bo@example.com": AddressConfiguration(substitutions={"Code": "1\r\n2"})}
    pinpoint_stub.add_response("send_messages", {"MessageResponse": {"ApplicationId": APP_ID}})
    PinpointEmailSender(pinpoint_client, APP_ID).send_to_addresses(MESSAGE, body_only)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("from_address", "Ana\r\nBcc: x@example.com <ana@example.com>"),
        ("from_address", "Ana\x85 <ana@example.com>"),
        ("reply_to_addresses", ["ana@example.com\n"]),
    ],
)
def test_addresses_and_display_names_with_control_characters_are_refused(
    field: str, value: Any
) -> None:
    with pytest.raises(EmailMessageError, match=field):
        EmailMessage(subject="s", text_body="t", **{field: value})


def test_repeated_recipient_with_two_configurations_is_refused(sesv2_client: Any) -> None:
    with pytest.raises(RecipientError, match="different configurations"):
        ses(sesv2_client, max_send_rate=1).send_to_addresses(
            MESSAGE,
            {
                "ana@example.com": AddressConfiguration(context={"a": "1"}),
                "ANA@example.com": AddressConfiguration(context={"a": "2"}),
            },
        )
    with pytest.raises(RecipientError, match="AddressConfiguration"):
        ses(sesv2_client, max_send_rate=1).send_to_addresses(
            MESSAGE, {"ana@example.com": {"context": {"a": "1"}}}
        )


def test_address_configuration_is_validated_like_the_message() -> None:
    with pytest.raises(EmailMessageError, match="substitutions"):
        AddressConfiguration(substitutions={"Name": [1]})
    with pytest.raises(EmailMessageError, match="context"):
        AddressConfiguration(context={"k": 1})
    with pytest.raises(EmailMessageError, match="body_override"):
        AddressConfiguration(body_override="")
    config = AddressConfiguration(substitutions={"Name": "Ana"})
    assert dict(config.substitutions) == {"Name": ("Ana",)}
    with pytest.raises(AttributeError):
        config.title_override = "x"  # type: ignore[misc]


# --- GetAccount --------------------------------------------------------------------------


def test_get_account_is_read_once_per_sender(
    sesv2_client: Any, sesv2_stub: Stubber, add_get_account: Any
) -> None:
    add_get_account(sesv2_stub, 3.0)
    for _ in range(2):
        sesv2_stub.add_response(
            "send_bulk_email",
            {"BulkEmailEntryResults": [{"Status": "SUCCESS", "MessageId": "m"}]},
        )
    sender = ses(sesv2_client)
    assert sender.max_send_rate is None
    sender.send_to_addresses(MESSAGE, ["ana@example.com"])
    sender.send_to_addresses(MESSAGE, ["bo@example.com"])
    assert sender.max_send_rate == 3.0


def test_get_account_denied_is_a_permanent_error_listing_every_recipient(
    sesv2_client: Any, sesv2_stub: Stubber
) -> None:
    sesv2_stub.add_client_error(
        "get_account", service_error_code="AccessDeniedException", http_status_code=403
    )
    with pytest.raises(PermanentEmailApiError) as caught:
        ses(sesv2_client).send_to_addresses(MESSAGE, ["ana@example.com", "bo@example.com"])
    assert caught.value.operation == "GetAccount"
    assert caught.value.unsent == ("ana@example.com", "bo@example.com")


# --- Pinpoint ----------------------------------------------------------------------------


def pinpoint_result(*addresses: str) -> dict[str, Any]:
    return {
        "MessageResponse": {
            "ApplicationId": APP_ID,
            "Result": {
                a: {"DeliveryStatus": "SUCCESSFUL", "StatusCode": 200, "MessageId": f"p-{a[:2]}"}
                for a in addresses
            },
        }
    }


PINPOINT_EMAIL = {
    "SimpleEmail": {
        "Subject": {"Charset": "UTF-8", "Data": "Hi {{Name}}"},
        "HtmlPart": {"Charset": "UTF-8", "Data": "<p>{{Name}}, code {{Code}}</p>"},
        "TextPart": {"Charset": "UTF-8", "Data": "{{Name}}, code {{Code}}"},
    },
    "Substitutions": {"Name": ["friend"], "Code": ["0"]},
}


def test_pinpoint_addresses_map_carries_each_configuration(
    pinpoint_client: Any, pinpoint_stub: Stubber
) -> None:
    pinpoint_stub.add_response(
        "send_messages",
        pinpoint_result("ana@example.com", "bo@example.com", "cy@example.com"),
        expected_params={
            "ApplicationId": APP_ID,
            "MessageRequest": {
                "Context": {"campaign": "spring-2027"},
                "TraceId": "run-7",
                "MessageConfiguration": {"EmailMessage": PINPOINT_EMAIL},
                "Addresses": {
                    "ana@example.com": {
                        "ChannelType": "EMAIL",
                        "Substitutions": {"Name": ["Ana"], "Code": ["11"]},
                        "Context": {"user": "u-1"},
                    },
                    "bo@example.com": {"ChannelType": "EMAIL"},
                    "cy@example.com": {"ChannelType": "EMAIL", "Substitutions": {"Code": ["33"]}},
                },
            },
        },
    )
    report = PinpointEmailSender(pinpoint_client, APP_ID).send_to_addresses(
        MESSAGE, RECIPIENTS, trace_id="run-7"
    )
    assert [r.message_id for r in report] == ["p-an", "p-bo", "p-cy"]


def test_pinpoint_endpoints_and_users_maps_carry_overrides(
    pinpoint_client: Any, pinpoint_stub: Stubber
) -> None:
    config = AddressConfiguration(
        title_override="Yours", body_override="Body for you", context={"k": "v w"}
    )
    expected_config = {
        "TitleOverride": "Yours",
        "BodyOverride": "Body for you",
        "Context": {"k": "v w"},
    }
    pinpoint_stub.add_response(
        "send_messages",
        {"MessageResponse": {"ApplicationId": APP_ID, "EndpointResult": {}}},
        expected_params={
            "ApplicationId": APP_ID,
            "MessageRequest": {
                "Context": {"campaign": "spring-2027"},
                "MessageConfiguration": {"EmailMessage": PINPOINT_EMAIL},
                "Endpoints": {"ep-1": expected_config, "ep-2": {}},
            },
        },
    )
    pinpoint_stub.add_response(
        "send_users_messages",
        {"SendUsersMessageResponse": {"ApplicationId": APP_ID, "Result": {}}},
        expected_params={
            "ApplicationId": APP_ID,
            "SendUsersMessageRequest": {
                "Context": {"campaign": "spring-2027"},
                "TraceId": "t",
                "MessageConfiguration": {"EmailMessage": PINPOINT_EMAIL},
                "Users": {"user-1": expected_config},
            },
        },
    )
    sender = PinpointEmailSender(pinpoint_client, APP_ID)
    sender.send_to_endpoints(MESSAGE, {"ep-1": config, "ep-2": None})
    sender.send_to_users(MESSAGE, {"user-1": config}, trace_id="t")


def test_pinpoint_retries_throttled_entries_only_when_asked(
    pinpoint_client: Any, pinpoint_stub: Stubber
) -> None:
    throttled = {"DeliveryStatus": "THROTTLED", "StatusCode": 429}
    pinpoint_stub.add_response(
        "send_messages",
        {
            "MessageResponse": {
                "ApplicationId": APP_ID,
                "Result": {
                    "ana@example.com": {
                        "DeliveryStatus": "SUCCESSFUL",
                        "StatusCode": 200,
                        "MessageId": "p-1",
                    },
                    "bo@example.com": throttled,
                },
            }
        },
    )
    pinpoint_stub.add_response(
        "send_messages",
        pinpoint_result("bo@example.com"),
        expected_params={
            "ApplicationId": APP_ID,
            "MessageRequest": {
                "MessageConfiguration": {"EmailMessage": {**PINPOINT_EMAIL}},
                "Context": {"campaign": "spring-2027"},
                "Addresses": {"bo@example.com": {"ChannelType": "EMAIL"}},
            },
        },
    )
    report = PinpointEmailSender(pinpoint_client, APP_ID, max_attempts=2).send_to_addresses(
        MESSAGE, ["ana@example.com", "bo@example.com"]
    )
    assert [(r.status, r.attempts) for r in report] == [
        (DeliveryOutcome.SUCCESSFUL, 1),
        (DeliveryOutcome.SUCCESSFUL, 2),
    ]


def test_template_data_is_json_of_first_values() -> None:
    from constructs_pinpoint.sending.sesv2 import sesv2_template_data

    assert json.loads(sesv2_template_data({"A": ("1", "2"), "B": ("x",)})) == {"A": "1", "B": "x"}


@pytest.mark.parametrize("rate", [0.0, -1.0, float("inf")], ids=["zero", "negative", "infinite"])
def test_an_unusable_account_rate_stops_the_send_before_any_call(
    sesv2_client: Any, sesv2_stub: Stubber, add_get_account: Any, rate: float
) -> None:
    add_get_account(sesv2_stub, rate)
    with pytest.raises(PermanentEmailApiError, match="pass max_send_rate=") as caught:
        ses(sesv2_client).send_to_addresses(MESSAGE, RECIPIENTS)
    assert caught.value.code == "NoSendQuota"
    assert list(caught.value.unsent) == sorted(RECIPIENTS)
