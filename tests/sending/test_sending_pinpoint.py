"""PinpointEmailSender: exact SendMessages / SendUsersMessages requests and result parsing."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.stub import Stubber

from constructs_pinpoint.sending import (
    MAX_RECIPIENTS_PER_REQUEST,
    DeliveryBackend,
    DeliveryOutcome,
    DeliveryResult,
    EmailMessage,
    PermanentEmailApiError,
    PinpointEmailSender,
    RecipientKind,
    RetryableEmailApiError,
    SenderArgumentError,
)

APP_ID = "0123456789abcdef0123456789abcdef"

FULL_MESSAGE = EmailMessage(
    subject="Hello {{Name}}",
    html_body="<p>Hi {{Name}}, your code is {{Code}}</p>",
    text_body="Hi {{Name}}, your code is {{Code}}",
    charset="ISO-8859-1",
    from_address="Example Team <team@example.com>",
    reply_to_addresses=["support@example.com", "help@example.org"],
    feedback_forwarding_address="bounces@example.com",
    substitutions={"Name": ["Ana", "Bo"], "Code": "1234"},
)

FULL_EMAIL_MESSAGE_REQUEST: dict[str, Any] = {
    "SimpleEmail": {
        "Subject": {"Charset": "ISO-8859-1", "Data": "Hello {{Name}}"},
        "HtmlPart": {"Charset": "ISO-8859-1", "Data": "<p>Hi {{Name}}, your code is {{Code}}</p>"},
        "TextPart": {"Charset": "ISO-8859-1", "Data": "Hi {{Name}}, your code is {{Code}}"},
    },
    "FromAddress": "Example Team <team@example.com>",
    "ReplyToAddresses": ["support@example.com", "help@example.org"],
    "FeedbackForwardingAddress": "bounces@example.com",
    "Substitutions": {"Name": ["Ana", "Bo"], "Code": ["1234"]},
}

RAW = b"From: team@example.com\r\nSubject: raw\r\nContent-Type: text/plain\r\n\r\nbody\r\n"


def ok(message_id: str, **extra: Any) -> dict[str, Any]:
    return {"DeliveryStatus": "SUCCESSFUL", "StatusCode": 200, "MessageId": message_id, **extra}


def message_response(result: dict[str, Any], key: str = "Result") -> dict[str, Any]:
    return {"MessageResponse": {"ApplicationId": APP_ID, "RequestId": "req-1", key: result}}


def test_send_to_addresses_exact_request_and_results(
    pinpoint_client: Any, pinpoint_stub: Stubber
) -> None:
    pinpoint_stub.add_response(
        "send_messages",
        message_response(
            {
                "ana@example.com": ok("m-1", StatusMessage="accepted"),
                "bo@example.net": ok("m-2"),
            }
        ),
        expected_params={
            "ApplicationId": APP_ID,
            "MessageRequest": {
                "Addresses": {
                    "ana@example.com": {"ChannelType": "EMAIL"},
                    "bo@example.net": {"ChannelType": "EMAIL"},
                },
                "MessageConfiguration": {"EmailMessage": FULL_EMAIL_MESSAGE_REQUEST},
            },
        },
    )
    sender = PinpointEmailSender(pinpoint_client, APP_ID)

    report = sender.send_to_addresses(FULL_MESSAGE, ["ana@example.com", "bo@example.net"])

    assert report.backend is DeliveryBackend.PINPOINT
    assert list(report) == [
        DeliveryResult(
            recipient="ana@example.com",
            recipient_kind=RecipientKind.ADDRESS,
            status=DeliveryOutcome.SUCCESSFUL,
            message_id="m-1",
            status_message="accepted",
            status_code=200,
            address="ana@example.com",
        ),
        DeliveryResult(
            recipient="bo@example.net",
            recipient_kind=RecipientKind.ADDRESS,
            status=DeliveryOutcome.SUCCESSFUL,
            message_id="m-2",
            status_code=200,
            address="bo@example.net",
        ),
    ]
    assert report.all_succeeded


def test_raw_email_is_sent_as_bytes_without_simple_parts(
    pinpoint_client: Any, pinpoint_stub: Stubber
) -> None:
    pinpoint_stub.add_response(
        "send_messages",
        message_response({"ana@example.com": ok("m-1")}),
        expected_params={
            "ApplicationId": APP_ID,
            "MessageRequest": {
                "Addresses": {"ana@example.com": {"ChannelType": "EMAIL"}},
                "MessageConfiguration": {"EmailMessage": {"RawEmail": {"Data": RAW}}},
            },
        },
    )
    report = PinpointEmailSender(pinpoint_client, APP_ID).send_to_addresses(
        EmailMessage(raw_mime=RAW), ["ana@example.com"]
    )
    assert [r.status for r in report] == [DeliveryOutcome.SUCCESSFUL]


def test_per_recipient_statuses_are_mapped_and_classified(
    pinpoint_client: Any, pinpoint_stub: Stubber
) -> None:
    statuses = {
        "a@example.com": ("SUCCESSFUL", 200),
        "b@example.com": ("THROTTLED", 429),
        "c@example.com": ("TEMPORARY_FAILURE", 451),
        "d@example.com": ("PERMANENT_FAILURE", 550),
        "e@example.com": ("OPT_OUT", 400),
        "f@example.com": ("DUPLICATE", 400),
        "g@example.com": ("UNKNOWN_FAILURE", 500),
    }
    pinpoint_stub.add_response(
        "send_messages",
        message_response(
            {
                address: {"DeliveryStatus": status, "StatusCode": code, "StatusMessage": status}
                for address, (status, code) in statuses.items()
            }
        ),
    )
    report = PinpointEmailSender(pinpoint_client, APP_ID).send_to_addresses(
        EmailMessage(subject="s", text_body="t"), [*statuses, "h@example.com"]
    )

    by_recipient = {r.recipient: r for r in report}
    for address, (status, code) in statuses.items():
        assert by_recipient[address].status is DeliveryOutcome(status)
        assert by_recipient[address].status_code == code
        assert by_recipient[address].status_message == status
    # A recipient the response does not mention is reported, not silently dropped.
    missing = by_recipient["h@example.com"]
    assert missing.status is DeliveryOutcome.UNKNOWN_FAILURE
    assert missing.status_message is not None and "no result" in missing.status_message

    retryable = {r.recipient for r in report if r.retryable}
    assert retryable == {"b@example.com", "c@example.com"}
    assert report.recipients_to_retry() == ("b@example.com", "c@example.com")
    assert {r.recipient for r in report.succeeded} == {"a@example.com"}
    assert not report.all_succeeded
    assert len(report.failed) == 7


def test_send_to_endpoints_uses_endpoint_map_and_reports_addresses(
    pinpoint_client: Any, pinpoint_stub: Stubber
) -> None:
    message = EmailMessage(subject="s", html_body="<b>h</b>")
    pinpoint_stub.add_response(
        "send_messages",
        message_response(
            {
                "ep-1": ok("m-1", Address="ana@example.com"),
                "ep-2": {
                    "DeliveryStatus": "PERMANENT_FAILURE",
                    "StatusCode": 400,
                    "Address": "bad@example.com",
                    "StatusMessage": "Address is on the suppression list",
                },
            },
            key="EndpointResult",
        ),
        expected_params={
            "ApplicationId": APP_ID,
            "MessageRequest": {
                "Endpoints": {"ep-1": {}, "ep-2": {}},
                "MessageConfiguration": {
                    "EmailMessage": {
                        "SimpleEmail": {
                            "Subject": {"Charset": "UTF-8", "Data": "s"},
                            "HtmlPart": {"Charset": "UTF-8", "Data": "<b>h</b>"},
                        }
                    }
                },
            },
        },
    )
    report = PinpointEmailSender(pinpoint_client, APP_ID).send_to_endpoints(
        message, ["ep-1", "ep-2", "ep-1"]
    )
    assert [(r.recipient, r.recipient_kind, r.status, r.address) for r in report] == [
        ("ep-1", RecipientKind.ENDPOINT, DeliveryOutcome.SUCCESSFUL, "ana@example.com"),
        ("ep-2", RecipientKind.ENDPOINT, DeliveryOutcome.PERMANENT_FAILURE, "bad@example.com"),
    ]
    assert report[1].status_message == "Address is on the suppression list"
    assert not report[1].retryable


def test_send_to_users_calls_send_users_messages_one_result_per_endpoint(
    pinpoint_client: Any, pinpoint_stub: Stubber
) -> None:
    pinpoint_stub.add_response(
        "send_users_messages",
        {
            "SendUsersMessageResponse": {
                "ApplicationId": APP_ID,
                "Result": {
                    "user-1": {
                        "ep-a": ok("m-a", Address="one@example.com"),
                        "ep-b": {
                            "DeliveryStatus": "THROTTLED",
                            "StatusCode": 429,
                            "Address": "one@example.org",
                        },
                    },
                    "user-2": {},
                },
            }
        },
        expected_params={
            "ApplicationId": APP_ID,
            "SendUsersMessageRequest": {
                "Users": {"user-1": {}, "user-2": {}},
                "MessageConfiguration": {"EmailMessage": FULL_EMAIL_MESSAGE_REQUEST},
            },
        },
    )
    report = PinpointEmailSender(pinpoint_client, APP_ID).send_to_users(
        FULL_MESSAGE, ["user-1", "user-2"]
    )
    assert [(r.recipient, r.endpoint_id, r.address, r.status) for r in report] == [
        ("user-1", "ep-a", "one@example.com", DeliveryOutcome.SUCCESSFUL),
        ("user-1", "ep-b", "one@example.org", DeliveryOutcome.THROTTLED),
        ("user-2", None, None, DeliveryOutcome.UNKNOWN_FAILURE),
    ]
    assert all(r.recipient_kind is RecipientKind.USER for r in report)
    assert report.recipients_to_retry() == ("user-1",)


def test_more_than_100_addresses_are_split_into_batches_in_order(
    pinpoint_client: Any, pinpoint_stub: Stubber
) -> None:
    assert MAX_RECIPIENTS_PER_REQUEST == 100
    addresses = [f"user{i:03d}@example.com" for i in range(205)]
    message = EmailMessage(subject="s", text_body="t")
    for batch in (addresses[:100], addresses[100:200], addresses[200:]):
        pinpoint_stub.add_response(
            "send_messages",
            message_response({a: ok(f"id-{a}") for a in batch}),
            expected_params={
                "ApplicationId": APP_ID,
                "MessageRequest": {
                    "Addresses": {a: {"ChannelType": "EMAIL"} for a in batch},
                    "MessageConfiguration": {
                        "EmailMessage": {
                            "SimpleEmail": {
                                "Subject": {"Charset": "UTF-8", "Data": "s"},
                                "TextPart": {"Charset": "UTF-8", "Data": "t"},
                            }
                        }
                    },
                },
            },
        )
    report = PinpointEmailSender(pinpoint_client, APP_ID).send_to_addresses(message, addresses)
    assert [r.recipient for r in report] == addresses
    assert [r.message_id for r in report] == [f"id-{a}" for a in addresses]


def test_users_are_batched_too(pinpoint_client: Any, pinpoint_stub: Stubber) -> None:
    users = [f"u{i}" for i in range(101)]
    for batch in (users[:100], users[100:]):
        pinpoint_stub.add_response(
            "send_users_messages",
            {
                "SendUsersMessageResponse": {
                    "ApplicationId": APP_ID,
                    "Result": {u: {f"ep-{u}": ok(f"m-{u}")} for u in batch},
                }
            },
        )
    report = PinpointEmailSender(pinpoint_client, APP_ID).send_to_users(
        EmailMessage(subject="s", text_body="t"), users
    )
    assert [r.recipient for r in report] == users


def test_failed_batch_keeps_completed_results_and_lists_unsent(
    pinpoint_client: Any, pinpoint_stub: Stubber
) -> None:
    addresses = [f"user{i}@example.com" for i in range(150)]
    pinpoint_stub.add_response(
        "send_messages", message_response({a: ok("m") for a in addresses[:100]})
    )
    pinpoint_stub.add_client_error(
        "send_messages",
        service_error_code="TooManyRequestsException",
        service_message="Too many requests",
        http_status_code=429,
    )
    sender = PinpointEmailSender(pinpoint_client, APP_ID)
    with pytest.raises(RetryableEmailApiError) as caught:
        sender.send_to_addresses(EmailMessage(subject="s", text_body="t"), addresses)
    error = caught.value
    assert [r.recipient for r in error.completed] == addresses[:100]
    assert error.unsent == tuple(addresses[100:])
    assert error.operation == "SendMessages"


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("BadRequestException", 400),
        ("ForbiddenException", 403),
        ("NotFoundException", 404),
        ("PayloadTooLargeException", 413),
    ],
)
def test_permanent_pinpoint_errors(
    pinpoint_client: Any, pinpoint_stub: Stubber, code: str, status: int
) -> None:
    pinpoint_stub.add_client_error(
        "send_users_messages",
        service_error_code=code,
        service_message="nope",
        http_status_code=status,
    )
    with pytest.raises(PermanentEmailApiError) as caught:
        PinpointEmailSender(pinpoint_client, APP_ID).send_to_users(
            EmailMessage(subject="s", text_body="t"), ["u"]
        )
    assert (caught.value.code, caught.value.message, caught.value.http_status) == (
        code,
        "nope",
        status,
    )
    assert caught.value.retryable is False
    assert caught.value.operation == "SendUsersMessages"


def test_constructor_checks(pinpoint_client: Any) -> None:
    with pytest.raises(SenderArgumentError, match="application_id '' is not a Pinpoint"):
        PinpointEmailSender(pinpoint_client, "")
    with pytest.raises(SenderArgumentError, match="batch_size 101"):
        PinpointEmailSender(pinpoint_client, APP_ID, batch_size=101)
    with pytest.raises(SenderArgumentError, match=r"pass boto3\.client\('pinpoint'\)"):
        PinpointEmailSender(object(), APP_ID)  # type: ignore[arg-type]
