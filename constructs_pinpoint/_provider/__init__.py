"""The one handler Lambda per stack behind every ``Custom::PinpointEmailChannel``.

One mechanism a module, imported in this order (no module imports one listed after it):

* ``tokens``: how long an ARN holding tokens can render (pseudo parameters at their longest);
* ``budget``: each policy resource's characters at worst (app ARNs, role ARNs and their roles);
* ``policies``: the grants and the one routine that shards them across the role's policies;
* ``asset``: the handler's file asset, hashed and staged as ``cdk.AssetStaging`` does;
* ``depends_on``: the function's DependsOn on every policy attached to its role;
* ``nag``: cdk-nag's IAM5 on an escaped literal ``*`` of a user-given ARN, acknowledged;
* ``construct``: ``EmailChannelProvider``, which builds them into a stack.

Constants shared with the handler (runtime, entry, timeouts, IAM limits) live in
``handler/contract.py``; ``HANDLER_RUNTIME`` (an ``aws_lambda.Runtime``) in ``.._runtime``;
``SERVICE_TIMEOUT`` (a ``cdk.Duration``: a jsii call) is built here on first access.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..handler.contract import SERVICE_TIMEOUT_SECONDS
from .construct import LOG_RETENTION_DAYS, PROVIDER_ID, EmailChannelProvider, channel_arn
from .policies import PASSED_TO_SERVICE

if TYPE_CHECKING:
    import aws_cdk as cdk

    SERVICE_TIMEOUT: cdk.Duration

__all__ = [
    "LOG_RETENTION_DAYS",
    "PASSED_TO_SERVICE",
    "PROVIDER_ID",
    "SERVICE_TIMEOUT",
    "SERVICE_TIMEOUT_SECONDS",
    "EmailChannelProvider",
    "channel_arn",
]


def __getattr__(name: str) -> Any:
    if name != "SERVICE_TIMEOUT":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import aws_cdk as cdk

    value = cdk.Duration.seconds(SERVICE_TIMEOUT_SECONDS)
    globals()[name] = value
    return value
