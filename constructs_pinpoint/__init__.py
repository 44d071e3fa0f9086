"""AWS CDK constructs for Amazon Pinpoint apps and their email channels, wired to Amazon SES.

The construct classes are loaded on first use, so ``import constructs_pinpoint.sending`` (the
runtime senders) works in a Lambda that has boto3 but no aws-cdk-lib.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._errors import ConstructValidationError
    from ._provider import HANDLER_RUNTIME, SERVICE_TIMEOUT
    from .email_channel import RESOURCE_TYPE, EmailChannel
    from .email_sending import SenderWiring, SesEmailSending
    from .pinpoint_app import IPinpointApp, PinpointApp, PinpointAppBase
    from .sending.config import DeliveryBackend

_EXPORTS = {
    "ConstructValidationError": "._errors",
    "HANDLER_RUNTIME": "._provider",
    "SERVICE_TIMEOUT": "._provider",
    "RESOURCE_TYPE": ".email_channel",
    "EmailChannel": ".email_channel",
    "SenderWiring": ".email_sending",
    "SesEmailSending": ".email_sending",
    "IPinpointApp": ".pinpoint_app",
    "PinpointApp": ".pinpoint_app",
    "PinpointAppBase": ".pinpoint_app",
    "DeliveryBackend": ".sending.config",
}

__all__ = [
    "HANDLER_RUNTIME",
    "RESOURCE_TYPE",
    "SERVICE_TIMEOUT",
    "ConstructValidationError",
    "DeliveryBackend",
    "EmailChannel",
    "IPinpointApp",
    "PinpointApp",
    "PinpointAppBase",
    "SenderWiring",
    "SesEmailSending",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
