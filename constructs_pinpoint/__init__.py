"""AWS CDK constructs for Amazon Pinpoint apps and their email channels, wired to Amazon SES.

The construct classes are loaded on first use, so ``import constructs_pinpoint.sending`` (the
runtime senders) works in a Lambda that has boto3 but no aws-cdk-lib.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._lazy import lazy_exports
from ._version import __version__

if TYPE_CHECKING:
    from ._errors import ConstructValidationError
    from ._provider import SERVICE_TIMEOUT
    from ._runtime import HANDLER_RUNTIME
    from .aspects import RetainEmailChannels
    from .email_channel import END_OF_SUPPORT_WARNING, EmailChannel
    from .email_inventory import PinpointEmailInventory
    from .email_sending import SenderWiring, SesEmailSending
    from .handler.contract import RESOURCE_TYPE
    from .pinpoint_app import IPinpointApp, PinpointApp, PinpointAppBase
    from .sending.config import DeliveryBackend

_EXPORTS = {
    "ConstructValidationError": "._errors",
    "HANDLER_RUNTIME": "._runtime",
    "SERVICE_TIMEOUT": "._provider",
    "RESOURCE_TYPE": ".handler.contract",
    "END_OF_SUPPORT_WARNING": ".email_channel",
    "EmailChannel": ".email_channel",
    "PinpointEmailInventory": ".email_inventory",
    "RetainEmailChannels": ".aspects",
    "SenderWiring": ".email_sending",
    "SesEmailSending": ".email_sending",
    "IPinpointApp": ".pinpoint_app",
    "PinpointApp": ".pinpoint_app",
    "PinpointAppBase": ".pinpoint_app",
    "DeliveryBackend": ".sending.config",
}

__all__ = [
    "END_OF_SUPPORT_WARNING",
    "HANDLER_RUNTIME",
    "RESOURCE_TYPE",
    "SERVICE_TIMEOUT",
    "ConstructValidationError",
    "DeliveryBackend",
    "EmailChannel",
    "IPinpointApp",
    "PinpointApp",
    "PinpointAppBase",
    "PinpointEmailInventory",
    "RetainEmailChannels",
    "SenderWiring",
    "SesEmailSending",
    "__version__",
]


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals(), __all__)
