"""Every exception raised by ``constructs_pinpoint.sending`` derives from EmailSendingError.

Wrong types and values go to every public entry point; each must fail with one of our errors, a
sentence that names the argument, never a plain ValueError/TypeError/AttributeError.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest

from constructs_pinpoint.sending import (
    ENV_APPLICATION_ID,
    ENV_BACKEND,
    ENV_FROM_ADDRESS,
    AddressConfiguration,
    DeliveryBackend,
    EmailMessage,
    EmailSendingError,
    PinpointEmailSender,
    RecipientKind,
    SenderConfig,
    SesV2EmailSender,
    sender_from_config,
    sender_from_environment,
)
from constructs_pinpoint.sending.addresses import check_address, check_sender_address
from constructs_pinpoint.sending.errors import is_retryable_error_code
from constructs_pinpoint.sending.pinpoint import pinpoint_email_message
from constructs_pinpoint.sending.sender import normalize_addresses, normalize_ids
from constructs_pinpoint.sending.sesv2 import sesv2_email_content

APP_ID = "0123456789abcdef0123456789abcdef"
MESSAGE = EmailMessage(subject="s", text_body="t")
PINPOINT_ENV = {ENV_BACKEND: "pinpoint", ENV_APPLICATION_ID: APP_ID}

Call = Callable[[Any, Any, Any], object]

CASES: dict[str, tuple[Call, str]] = {
    # EmailMessage fields
    "message subject int": (lambda p, s, b: EmailMessage(subject=5, text_body="t"), "subject"),
    "message body bytes": (lambda p, s, b: EmailMessage(subject="s", text_body=b"t"), "text_body"),
    "message charset None": (
        lambda p, s, b: EmailMessage(subject="s", text_body="t", charset=None),
        "charset",
    ),
    "message charset with a null": (
        lambda p, s, b: EmailMessage(subject="s", text_body="t", charset="utf\x00-8"),
        "charset",
    ),
    "message charset not a text encoding": (
        lambda p, s, b: EmailMessage(subject="s", text_body="t", charset="base64"),
        "charset 'base64'",
    ),
    "message raw with a dict charset": (
        lambda p, s, b: EmailMessage(raw_mime=b"a: b\n\nbody", charset={}),
        "charset",
    ),
    "message raw str": (lambda p, s, b: EmailMessage(raw_mime="x\n\ny"), "raw_mime"),
    "message from int": (
        lambda p, s, b: EmailMessage(subject="s", text_body="t", from_address=5),
        "from_address",
    ),
    "message reply_to int": (
        lambda p, s, b: EmailMessage(subject="s", text_body="t", reply_to_addresses=5),
        "reply_to_addresses",
    ),
    "message reply_to [None]": (
        lambda p, s, b: EmailMessage(subject="s", text_body="t", reply_to_addresses=[None]),
        "reply_to_addresses[0]",
    ),
    "message feedback list": (
        lambda p, s, b: EmailMessage(
            subject="s", text_body="t", feedback_forwarding_address=["a@example.com"]
        ),
        "feedback_forwarding_address",
    ),
    "message substitutions list": (
        lambda p, s, b: EmailMessage(subject="s", text_body="t", substitutions=[("a", "b")]),
        "substitutions",
    ),
    "message substitution values int": (
        lambda p, s, b: EmailMessage(subject="s", text_body="t", substitutions={"a": [1]}),
        "substitutions",
    ),
    "message substitution name int": (
        lambda p, s, b: EmailMessage(subject="s", text_body="t", substitutions={1: "x"}),
        "substitution names",
    ),
    # SenderConfig
    "config backend str": (lambda p, s, b: SenderConfig(backend="smtp"), "backend 'smtp'"),
    "config field int": (
        lambda p, s, b: SenderConfig(backend=DeliveryBackend.PINPOINT, application_id=5),
        "application_id 5",
    ),
    "from_environ int": (lambda p, s, b: SenderConfig.from_environ(5), "environ 5"),
    "from_environ value int": (
        lambda p, s, b: SenderConfig.from_environ({**PINPOINT_ENV, ENV_FROM_ADDRESS: 5}),
        ENV_FROM_ADDRESS,
    ),
    "from_environ backend int": (
        lambda p, s, b: SenderConfig.from_environ({ENV_BACKEND: 5}),
        ENV_BACKEND,
    ),
    "to_environ pinpoint without app": (
        lambda p, s, b: SenderConfig(backend=DeliveryBackend.PINPOINT).to_environ(),
        ENV_APPLICATION_ID,
    ),
    # Factory
    "sender_from_environment environ list": (
        lambda p, s, b: sender_from_environment([("a", "b")], b),
        "environ",
    ),
    "sender_from_environment session str": (
        lambda p, s, b: sender_from_environment(PINPOINT_ENV, "session"),
        "session 'session'",
    ),
    "sender_from_environment client_config dict": (
        lambda p, s, b: sender_from_environment(PINPOINT_ENV, b, client_config={"retries": 1}),
        "client_config",
    ),
    "sender_from_config dict": (lambda p, s, b: sender_from_config(PINPOINT_ENV), "config"),
    # Senders
    "pinpoint client None": (lambda p, s, b: PinpointEmailSender(None, APP_ID), "client"),
    "pinpoint app int": (lambda p, s, b: PinpointEmailSender(p, 5), "application_id 5"),
    "pinpoint app not hex": (lambda p, s, b: PinpointEmailSender(p, "app-1"), "application_id"),
    "pinpoint batch str": (
        lambda p, s, b: PinpointEmailSender(p, APP_ID, batch_size="10"),
        "batch_size '10'",
    ),
    "pinpoint batch bool": (
        lambda p, s, b: PinpointEmailSender(p, APP_ID, batch_size=True),
        "batch_size True",
    ),
    "sesv2 client str": (lambda p, s, b: SesV2EmailSender("sesv2", "a@example.com"), "client"),
    "sesv2 from None": (lambda p, s, b: SesV2EmailSender(s, None), "from_address None"),
    "sesv2 configuration set int": (
        lambda p, s, b: SesV2EmailSender(s, "a@example.com", 5),
        "configuration_set 5",
    ),
    "sesv2 identity not arn": (
        lambda p, s, b: SesV2EmailSender(s, "a@example.com", from_identity_arn="example.com"),
        "from_identity_arn 'example.com'",
    ),
    "pinpoint send message str": (
        lambda p, s, b: PinpointEmailSender(p, APP_ID).send_to_addresses("hi", ["a@example.com"]),
        "message 'hi'",
    ),
    "pinpoint send addresses int": (
        lambda p, s, b: PinpointEmailSender(p, APP_ID).send_to_addresses(MESSAGE, 5),
        "addresses 5",
    ),
    "pinpoint send addresses None": (
        lambda p, s, b: PinpointEmailSender(p, APP_ID).send_to_addresses(MESSAGE, None),
        "addresses None",
    ),
    "pinpoint send [None]": (
        lambda p, s, b: PinpointEmailSender(p, APP_ID).send_to_addresses(MESSAGE, [None]),
        "None",
    ),
    "pinpoint send display-form recipient": (
        lambda p, s, b: PinpointEmailSender(p, APP_ID).send_to_addresses(
            MESSAGE, ["Ana <ana@example.com>"]
        ),
        "recipients are bare addresses without a display name: give 'ana@example.com'",
    ),
    "pinpoint endpoints int": (
        lambda p, s, b: PinpointEmailSender(p, APP_ID).send_to_endpoints(MESSAGE, 5),
        "endpoint ids 5",
    ),
    "pinpoint users [1]": (
        lambda p, s, b: PinpointEmailSender(p, APP_ID).send_to_users(MESSAGE, [1]),
        "user ids",
    ),
    "pinpoint users message None": (
        lambda p, s, b: PinpointEmailSender(p, APP_ID).send_to_users(None, ["u"]),
        "message None",
    ),
    "sesv2 send message dict": (
        lambda p, s, b: SesV2EmailSender(s, "a@example.com").send_to_addresses({}, ["b@x.com"]),
        "message {}",
    ),
    "sesv2 send addresses bytes": (
        lambda p, s, b: SesV2EmailSender(s, "a@example.com").send_to_addresses(MESSAGE, b"x"),
        "addresses b'x'",
    ),
    "sesv2 request message None": (
        lambda p, s, b: SesV2EmailSender(s, "a@example.com").send_email_request(None, "b@x.com"),
        "message None",
    ),
    "sesv2 endpoints": (
        lambda p, s, b: SesV2EmailSender(s, "a@example.com").send_to_endpoints(MESSAGE, ["e"]),
        "send_to_addresses",
    ),
    # Personalization, pacing and deadlines
    "message context list": (
        lambda p, s, b: EmailMessage(subject="s", text_body="t", context=[("a", "b")]),
        "context",
    ),
    "message context value int": (
        lambda p, s, b: EmailMessage(subject="s", text_body="t", context={"a": 1}),
        "context['a']",
    ),
    "address configuration substitutions str": (
        lambda p, s, b: AddressConfiguration(substitutions="Name"),
        "substitutions",
    ),
    "address configuration title int": (
        lambda p, s, b: AddressConfiguration(title_override=5),
        "title_override",
    ),
    "address configuration title with LF": (
        lambda p, s, b: AddressConfiguration(title_override="a\nb"),
        "title_override 'a\\nb'",
    ),
    "send mapping to dict": (
        lambda p, s, b: PinpointEmailSender(p, APP_ID).send_to_addresses(
            MESSAGE, {"a@example.com": {"context": {}}}
        ),
        "AddressConfiguration",
    ),
    "send trace_id int": (
        lambda p, s, b: PinpointEmailSender(p, APP_ID).send_to_endpoints(
            MESSAGE, ["ep"], trace_id=5
        ),
        "trace_id 5",
    ),
    "send deadline str": (
        lambda p, s, b: PinpointEmailSender(p, APP_ID).send_to_users(
            MESSAGE, ["u"], deadline="soon"
        ),
        "deadline 'soon'",
    ),
    "sesv2 max_send_rate zero": (
        lambda p, s, b: SesV2EmailSender(s, "a@example.com", max_send_rate=0),
        "max_send_rate 0",
    ),
    "pinpoint max_attempts zero": (
        lambda p, s, b: PinpointEmailSender(p, APP_ID, max_attempts=0),
        "max_attempts 0",
    ),
    "sesv2 deadline_margin negative": (
        lambda p, s, b: SesV2EmailSender(s, "a@example.com", deadline_margin=-1),
        "deadline_margin -1",
    ),
    "sesv2 bulk request of 51": (
        lambda p, s, b: SesV2EmailSender(s, "a@example.com").send_bulk_email_request(
            EmailMessage(subject="s", text_body="t"), ["b@example.com"] * 51
        ),
        "1 to 50",
    ),
    # Helpers
    "pinpoint_email_message str": (lambda p, s, b: pinpoint_email_message("m"), "message 'm'"),
    "sesv2_email_content None": (lambda p, s, b: sesv2_email_content(None), "message None"),
    "normalize_addresses int": (lambda p, s, b: normalize_addresses(5), "addresses 5"),
    "normalize_ids None": (
        lambda p, s, b: normalize_ids(None, RecipientKind.USER),
        "user ids None",
    ),
    "check_address int": (lambda p, s, b: check_address(5), "int"),
    "check_sender_address list": (lambda p, s, b: check_sender_address([]), "list"),
    "is_retryable code int": (lambda p, s, b: is_retryable_error_code(500, None), "code 500"),
    "is_retryable status str": (
        lambda p, s, b: is_retryable_error_code("X", "500"),
        "http_status '500'",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_wrong_input_raises_our_error_naming_the_argument(
    case: str,
    pinpoint_client: Any,
    sesv2_client: Any,
    boto_session: boto3.session.Session,
) -> None:
    call, named = CASES[case]
    with pytest.raises(EmailSendingError) as caught:
        call(pinpoint_client, sesv2_client, boto_session)
    assert named in str(caught.value)


def test_a_response_that_is_not_a_mapping_is_a_permanent_api_error(sesv2_client: Any) -> None:
    from constructs_pinpoint.sending import PermanentEmailApiError

    class OddClient:
        def send_email(self, **kwargs: Any) -> object:
            return ["not", "a", "mapping"]

        send_bulk_email = send_email

    with pytest.raises(PermanentEmailApiError, match="InvalidResponse"):
        SesV2EmailSender(OddClient(), "a@example.com", max_send_rate=5).send_to_addresses(
            MESSAGE, ["b@x.com"]
        )
