"""The example's order-confirmation Lambda code, run against Stubber-backed senders of both
backends: the same code, the same result shape."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from synth_support import REPO_ROOT

from constructs_pinpoint.sending import PinpointEmailSender, SesV2EmailSender

APP_ID = "0123456789abcdef0123456789abcdef"
HTML = "<p>Thank you! Order <b>{{OrderId}}</b> is confirmed.</p>"
EVENT = {"order_id": 4711, "email": "ana@example.com"}


@pytest.fixture
def index() -> Iterator[ModuleType]:
    path = REPO_ROOT / "example" / "order_confirmation" / "index.py"
    spec = importlib.util.spec_from_file_location("order_confirmation_index", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    yield module


def _client(service: str) -> Any:
    return boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="eu-west-1"
    ).client(service)


def test_confirmation_through_pinpoint(index: ModuleType) -> None:
    client = _client("pinpoint")
    index._sender = PinpointEmailSender(client, APP_ID)
    with Stubber(client) as stub:
        stub.add_response(
            "send_messages",
            {
                "MessageResponse": {
                    "ApplicationId": APP_ID,
                    "Result": {
                        "ana@example.com": {
                            "DeliveryStatus": "SUCCESSFUL",
                            "StatusCode": 200,
                            "MessageId": "m-1",
                        }
                    },
                }
            },
            expected_params={
                "ApplicationId": APP_ID,
                "MessageRequest": {
                    "Addresses": {"ana@example.com": {"ChannelType": "EMAIL"}},
                    "MessageConfiguration": {
                        "EmailMessage": {
                            "SimpleEmail": {
                                "Subject": {
                                    "Charset": "UTF-8",
                                    "Data": "Your order {{OrderId}} is confirmed",
                                },
                                "HtmlPart": {
                                    "Charset": "UTF-8",
                                    "Data": HTML,
                                },
                                "TextPart": {
                                    "Charset": "UTF-8",
                                    "Data": "Thank you! Order {{OrderId}} is confirmed.",
                                },
                            },
                            "Substitutions": {"OrderId": ["4711"]},
                        }
                    },
                },
            },
        )
        result = index.handler(EVENT, None)
        stub.assert_no_pending_responses()
    assert result == [
        {
            "recipient": "ana@example.com",
            "status": "SUCCESSFUL",
            "retryable": False,
            "message_id": "m-1",
        }
    ]


def test_confirmation_through_ses(index: ModuleType) -> None:
    client = _client("sesv2")
    index._sender = SesV2EmailSender(client, "noreply@example.com", configuration_set="orders")
    with Stubber(client) as stub:
        # The sender reads the account's send rate once, then sends the personalized message
        # through SendBulkEmail with an inline template (docs/sending.md).
        stub.add_response(
            "get_account",
            {"SendQuota": {"MaxSendRate": 14.0, "Max24HourSend": 50000.0, "SentLast24Hours": 0.0}},
            expected_params={},
        )
        stub.add_response(
            "send_bulk_email",
            {"BulkEmailEntryResults": [{"Status": "SUCCESS", "MessageId": "s-1"}]},
            expected_params={
                "FromEmailAddress": "noreply@example.com",
                "DefaultContent": {
                    "Template": {
                        "TemplateContent": {
                            "Subject": "Your order {{OrderId}} is confirmed",
                            "Html": HTML,
                            "Text": "Thank you! Order {{OrderId}} is confirmed.",
                        },
                        "TemplateData": '{"OrderId":"4711"}',
                    }
                },
                "BulkEmailEntries": [{"Destination": {"ToAddresses": ["ana@example.com"]}}],
                "ConfigurationSetName": "orders",
            },
        )
        result = index.handler(EVENT, None)
        stub.assert_no_pending_responses()
    assert result == [
        {
            "recipient": "ana@example.com",
            "status": "SUCCESSFUL",
            "retryable": False,
            "message_id": "s-1",
        }
    ]
