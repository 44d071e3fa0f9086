"""AWS CDK constructs for Amazon Pinpoint apps and their email channels, wired to Amazon SES."""

from ._errors import ConstructValidationError
from ._provider import HANDLER_RUNTIME, SERVICE_TIMEOUT
from .email_channel import RESOURCE_TYPE, EmailChannel
from .pinpoint_app import IPinpointApp, PinpointApp, PinpointAppBase
from .sending.config import DeliveryBackend

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
]
