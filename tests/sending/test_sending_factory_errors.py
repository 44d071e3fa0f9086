"""sender_from_environment wraps botocore's configuration errors; SendReport at a glance."""

from __future__ import annotations

import pathlib

import boto3
import pytest

from constructs_pinpoint.sending import (
    ENV_APPLICATION_ID,
    ENV_BACKEND,
    ENV_FROM_ADDRESS,
    DeliveryBackend,
    DeliveryOutcome,
    DeliveryResult,
    EmailSendingError,
    RecipientKind,
    SenderConfigError,
    SendReport,
    sender_from_environment,
)

SES_ENV = {ENV_BACKEND: "sesv2", ENV_FROM_ADDRESS: "noreply@example.com"}
PINPOINT_ENV = {ENV_BACKEND: "pinpoint", ENV_APPLICATION_ID: "0123456789abcdef0123456789abcdef"}


@pytest.fixture
def clean_aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: pathlib.Path) -> pytest.MonkeyPatch:
    for name in (
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_PROFILE",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_SESV2",
        "AWS_ENDPOINT_URL_PINPOINT",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    return monkeypatch


@pytest.mark.parametrize("environ", [SES_ENV, PINPOINT_ENV], ids=["sesv2", "pinpoint"])
def test_malformed_region_is_a_sender_config_error(
    clean_aws_env: pytest.MonkeyPatch, environ: dict[str, str]
) -> None:
    clean_aws_env.setenv("AWS_DEFAULT_REGION", "eu west")
    with pytest.raises(SenderConfigError) as caught:
        sender_from_environment(environ, boto3.session.Session())
    assert caught.value.variable == "AWS_DEFAULT_REGION"
    assert "eu west" in str(caught.value)
    assert type(caught.value.__cause__).__name__ == "InvalidRegionError"


@pytest.mark.parametrize(
    ("variable", "value", "environ"),
    [
        ("AWS_ENDPOINT_URL_SESV2", "not a url", SES_ENV),
        ("AWS_ENDPOINT_URL_PINPOINT", "http://[bad", PINPOINT_ENV),
        ("AWS_ENDPOINT_URL", "not a url", SES_ENV),
    ],
)
def test_malformed_endpoint_url_is_a_sender_config_error_naming_the_variable(
    clean_aws_env: pytest.MonkeyPatch, variable: str, value: str, environ: dict[str, str]
) -> None:
    clean_aws_env.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    clean_aws_env.setenv(variable, value)
    with pytest.raises(EmailSendingError) as caught:
        sender_from_environment(environ, boto3.session.Session())
    assert isinstance(caught.value, SenderConfigError)
    assert caught.value.variable == variable
    assert variable in str(caught.value)


def test_no_region_names_what_botocore_reads(clean_aws_env: pytest.MonkeyPatch) -> None:
    clean_aws_env.setenv("AWS_REGION", "eu-west-1")  # botocore does not read this one
    with pytest.raises(SenderConfigError) as caught:
        sender_from_environment(SES_ENV, boto3.session.Session())
    text = str(caught.value)
    assert caught.value.variable == "AWS_DEFAULT_REGION"
    assert "AWS_DEFAULT_REGION" in text and "profile" in text and "Lambda sets both" in text


def result(recipient: str, status: DeliveryOutcome) -> DeliveryResult:
    return DeliveryResult(recipient=recipient, recipient_kind=RecipientKind.ADDRESS, status=status)


def test_send_report_tells_sent_failed_and_unsent_at_a_glance() -> None:
    report = SendReport(
        (
            result("a@example.com", DeliveryOutcome.SUCCESSFUL),
            result("b@example.com", DeliveryOutcome.THROTTLED),
            result("c@example.com", DeliveryOutcome.PERMANENT_FAILURE),
            result("d@example.com", DeliveryOutcome.NOT_SENT),
        ),
        DeliveryBackend.SES_V2,
        deadline_reached=True,
    )
    assert [r.recipient for r in report.sent] == ["a@example.com"]
    assert [r.recipient for r in report.failed] == ["b@example.com", "c@example.com"]
    assert [r.recipient for r in report.unsent] == ["d@example.com"]
    assert (report.sent_count, report.failed_count, report.unsent_count) == (1, 2, 1)
    assert report.unsent_recipients() == ("d@example.com",)
    assert report.recipients_to_retry() == ("b@example.com", "d@example.com")
    assert report.summary() == "1 sent, 2 failed (1 retryable), 1 unsent (deadline) of 4 on sesv2"
    # The existing API keeps working: a sequence, succeeded, all_succeeded.
    assert len(report) == 4 and report[0].succeeded and not report.all_succeeded
    assert SendReport((), DeliveryBackend.PINPOINT).deadline_reached is False


def test_a_value_error_from_botocore_at_call_time_is_our_error() -> None:
    from constructs_pinpoint.sending import EmailMessage, PermanentEmailApiError, SesV2EmailSender

    class EndpointTrouble:
        def send_email(self, **kwargs: object) -> object:
            raise ValueError("Invalid endpoint: not a url")

        send_bulk_email = send_email

    with pytest.raises(PermanentEmailApiError, match="Invalid endpoint") as caught:
        SesV2EmailSender(EndpointTrouble(), "a@example.com", max_send_rate=1).send_to_addresses(
            EmailMessage(subject="s", text_body="t"), ["b@example.com"]
        )
    assert caught.value.code == "ValueError"
    assert caught.value.unsent == ("b@example.com",)
