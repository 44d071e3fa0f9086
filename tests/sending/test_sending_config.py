"""The environment contract and the factory that builds a sender from it."""

from __future__ import annotations

import pathlib
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from constructs_pinpoint.sending import (
    ENV_APPLICATION_ID,
    ENV_BACKEND,
    ENV_CONFIGURATION_SET,
    ENV_FROM_ADDRESS,
    ENV_IDENTITY_ARN,
    DeliveryBackend,
    EmailMessage,
    PinpointEmailSender,
    SenderConfig,
    SenderConfigError,
    SesV2EmailSender,
    sender_from_environment,
)

IDENTITY_ARN = "arn:aws:ses:us-east-1:123456789012:identity/example.com"
APP_ID = "0123456789abcdef0123456789abcdef"
PINPOINT_ENV = {ENV_BACKEND: "pinpoint", ENV_APPLICATION_ID: APP_ID}
SES_ENV = {
    ENV_BACKEND: "sesv2",
    ENV_FROM_ADDRESS: "Example <noreply@example.com>",
    ENV_IDENTITY_ARN: IDENTITY_ARN,
    ENV_CONFIGURATION_SET: "tx-events",
}


def test_contract_names_are_stable() -> None:
    assert (ENV_BACKEND, ENV_APPLICATION_ID, ENV_FROM_ADDRESS) == (
        "PINPOINT_EMAIL_BACKEND",
        "PINPOINT_EMAIL_APPLICATION_ID",
        "PINPOINT_EMAIL_FROM_ADDRESS",
    )
    assert (ENV_IDENTITY_ARN, ENV_CONFIGURATION_SET) == (
        "PINPOINT_EMAIL_IDENTITY_ARN",
        "PINPOINT_EMAIL_CONFIGURATION_SET",
    )
    assert [b.value for b in DeliveryBackend] == ["pinpoint", "sesv2"]
    assert DeliveryBackend("sesv2") is DeliveryBackend.SES_V2


def test_from_environ_reads_everything_and_round_trips() -> None:
    config = SenderConfig.from_environ({**SES_ENV, ENV_APPLICATION_ID: APP_ID})
    assert config == SenderConfig(
        backend=DeliveryBackend.SES_V2,
        from_address="Example <noreply@example.com>",
        identity_arn=IDENTITY_ARN,
        configuration_set="tx-events",
    )
    assert config.to_environ() == SES_ENV
    assert SenderConfig.from_environ(config.to_environ()) == config


def test_empty_configuration_set_means_none() -> None:
    config = SenderConfig.from_environ({**PINPOINT_ENV, ENV_CONFIGURATION_SET: ""})
    assert config.configuration_set is None and config.from_address is None


@pytest.mark.parametrize("blank", ["", " "])
def test_a_blank_from_address_is_refused_as_synth_refuses_it(blank: str) -> None:
    with pytest.raises(SenderConfigError, match="unset the variable"):
        SenderConfig.from_environ({**PINPOINT_ENV, ENV_FROM_ADDRESS: blank})


@pytest.mark.parametrize(
    ("environ", "variable", "text"),
    [
        ({}, ENV_BACKEND, "is not set"),
        ({ENV_BACKEND: "ses"}, ENV_BACKEND, "'ses' is not a supported backend"),
        ({ENV_BACKEND: "pinpoint"}, ENV_APPLICATION_ID, "application id"),
        ({ENV_BACKEND: "pinpoint", ENV_APPLICATION_ID: ""}, ENV_APPLICATION_ID, "not set or empty"),
        ({ENV_BACKEND: "sesv2"}, ENV_FROM_ADDRESS, "sender address"),
        ({**SES_ENV, ENV_FROM_ADDRESS: "nobody"}, ENV_FROM_ADDRESS, "'nobody'"),
        ({**SES_ENV, ENV_IDENTITY_ARN: "example.com"}, ENV_IDENTITY_ARN, "identity ARN"),
        ({**SES_ENV, ENV_CONFIGURATION_SET: "bad name"}, ENV_CONFIGURATION_SET, "bad name"),
    ],
)
def test_missing_or_invalid_variable_is_named_with_the_fix(
    environ: dict[str, str], variable: str, text: str
) -> None:
    with pytest.raises(SenderConfigError) as caught:
        SenderConfig.from_environ(environ)
    assert caught.value.variable == variable
    assert variable in str(caught.value)
    assert text in str(caught.value)
    assert "EmailChannel.configure_sender(function)" in str(caught.value)


def test_factory_builds_pinpoint_sender_that_uses_the_configured_app(
    boto_session: boto3.session.Session,
) -> None:
    sender = sender_from_environment(PINPOINT_ENV, boto_session)
    assert isinstance(sender, PinpointEmailSender)
    assert sender.backend is DeliveryBackend.PINPOINT
    client: Any = sender.client
    assert client.meta.service_model.service_name == "pinpoint"
    assert client.meta.config.retries == {"mode": "standard", "total_max_attempts": 3}
    assert (client.meta.config.connect_timeout, client.meta.config.read_timeout) == (5, 15)
    with Stubber(client) as stub:
        stub.add_response(
            "send_messages",
            {"MessageResponse": {"ApplicationId": APP_ID, "Result": {}}},
            expected_params={
                "ApplicationId": APP_ID,
                "MessageRequest": {
                    "Addresses": {"a@example.com": {"ChannelType": "EMAIL"}},
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
        sender.send_to_addresses(EmailMessage(subject="s", text_body="t"), ["a@example.com"])
        stub.assert_no_pending_responses()


def test_factory_builds_ses_sender_with_configuration(
    boto_session: boto3.session.Session,
) -> None:
    sender = sender_from_environment(SES_ENV, boto_session)
    assert isinstance(sender, SesV2EmailSender)
    client: Any = sender.client
    assert client.meta.service_model.service_name == "sesv2"
    with Stubber(client) as stub:
        stub.add_response("get_account", {"SendQuota": {"MaxSendRate": 14.0}}, {})
        stub.add_response(
            "send_email",
            {"MessageId": "m"},
            expected_params={
                "FromEmailAddress": "Example <noreply@example.com>",
                "FromEmailAddressIdentityArn": IDENTITY_ARN,
                "ConfigurationSetName": "tx-events",
                "Destination": {"ToAddresses": ["a@example.com"]},
                "Content": {
                    "Simple": {
                        "Subject": {"Data": "s", "Charset": "UTF-8"},
                        "Body": {"Text": {"Data": "t", "Charset": "UTF-8"}},
                    }
                },
            },
        )
        sender.send_to_addresses(EmailMessage(subject="s", text_body="t"), ["a@example.com"])
        stub.assert_no_pending_responses()


def test_factory_reads_os_environ_by_default(
    monkeypatch: pytest.MonkeyPatch, boto_session: boto3.session.Session
) -> None:
    monkeypatch.delenv(ENV_BACKEND, raising=False)
    with pytest.raises(SenderConfigError, match=ENV_BACKEND):
        sender_from_environment(session=boto_session)
    for name, value in PINPOINT_ENV.items():
        monkeypatch.setenv(name, value)
    assert isinstance(sender_from_environment(session=boto_session), PinpointEmailSender)


def test_missing_region_is_a_config_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: pathlib.Path
) -> None:
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing")
    assert session.region_name is None
    with pytest.raises(SenderConfigError) as caught:
        sender_from_environment(PINPOINT_ENV, session)
    # botocore reads AWS_DEFAULT_REGION (or the profile), not AWS_REGION: name what it reads.
    assert caught.value.variable == "AWS_DEFAULT_REGION"
    assert "AWS_DEFAULT_REGION" in str(caught.value) and "profile" in str(caught.value)
