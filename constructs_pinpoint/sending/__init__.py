"""Runtime e-mail sending for code that runs in Lambda (no aws_cdk needed).

The backend — Amazon Pinpoint SendMessages or Amazon SES v2 SendEmail — is
chosen by environment variables that the CDK construct sets, so sending code
survives the switch from Pinpoint (end of support 2026-10-30) to SES unchanged::

    from constructs_pinpoint.sending import EmailMessage, sender_from_environment

    sender = sender_from_environment()  # once, at module level

    def handler(event, context):
        report = sender.send_to_addresses(
            EmailMessage(subject="Hi {{Name}}", text_body="Hello {{Name}}",
                         substitutions={"Name": ["Ana"]}),
            ["ana@example.com"],
        )
        return [result.status.value for result in report]

Personalized sends map each recipient to an :class:`AddressConfiguration`
(substitutions, context, title/body override); both senders batch (SES v2
SendBulkEmail: 50 per call; Pinpoint: 100), pace to the account's MaxSendRate,
retry throttled entries within a bound and stop before ``deadline=`` (a Lambda
context), reporting the recipients not tried (see docs/sending.md).

The configuration, message, result and error types import only the standard
library (the CDK side imports :mod:`constructs_pinpoint.sending.config`); the
senders and the factory import boto3 when first used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .config import (
    ENV_APPLICATION_ID,
    ENV_BACKEND,
    ENV_CONFIGURATION_SET,
    ENV_FROM_ADDRESS,
    ENV_IDENTITY_ARN,
    DeliveryBackend,
    SenderConfig,
)
from .errors import (
    EmailApiError,
    EmailMessageError,
    EmailSendingError,
    HeaderValueError,
    PermanentEmailApiError,
    PersonalizationError,
    RecipientError,
    RetryableEmailApiError,
    SenderArgumentError,
    SenderConfigError,
    UnsupportedRecipientKindError,
)
from .message import EmailMessage
from .personalization import AddressConfiguration
from .results import DeliveryOutcome, DeliveryResult, RecipientKind, SendReport
from .sender import EmailSender, LambdaContext, Recipients, SendDeadline

if TYPE_CHECKING:
    from .factory import default_client_config, sender_from_config, sender_from_environment
    from .pinpoint import MAX_RECIPIENTS_PER_REQUEST, PinpointEmailSender
    from .sesv2 import MAX_BULK_ENTRIES, SES_TRACE_ID_TAG, SesV2EmailSender

__all__ = [
    "ENV_APPLICATION_ID",
    "ENV_BACKEND",
    "ENV_CONFIGURATION_SET",
    "ENV_FROM_ADDRESS",
    "ENV_IDENTITY_ARN",
    "MAX_BULK_ENTRIES",
    "MAX_RECIPIENTS_PER_REQUEST",
    "SES_TRACE_ID_TAG",
    "AddressConfiguration",
    "DeliveryBackend",
    "DeliveryOutcome",
    "DeliveryResult",
    "EmailApiError",
    "EmailMessage",
    "EmailMessageError",
    "EmailSender",
    "EmailSendingError",
    "HeaderValueError",
    "LambdaContext",
    "PermanentEmailApiError",
    "PersonalizationError",
    "PinpointEmailSender",
    "RecipientError",
    "RecipientKind",
    "Recipients",
    "RetryableEmailApiError",
    "SendDeadline",
    "SendReport",
    "SenderArgumentError",
    "SenderConfig",
    "SenderConfigError",
    "SesV2EmailSender",
    "UnsupportedRecipientKindError",
    "default_client_config",
    "sender_from_config",
    "sender_from_environment",
]

# Names whose modules import boto3/botocore: loaded on first access (PEP 562).
_LAZY_MODULES = {
    "MAX_BULK_ENTRIES": ".sesv2",
    "SES_TRACE_ID_TAG": ".sesv2",
    "MAX_RECIPIENTS_PER_REQUEST": ".pinpoint",
    "PinpointEmailSender": ".pinpoint",
    "SesV2EmailSender": ".sesv2",
    "default_client_config": ".factory",
    "sender_from_config": ".factory",
    "sender_from_environment": ".factory",
}


def __getattr__(name: str) -> Any:
    module_name = _LAZY_MODULES.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module_name, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
