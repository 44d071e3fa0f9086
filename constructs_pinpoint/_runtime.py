"""``HANDLER_RUNTIME``, the ``aws_lambda.Runtime`` of the channel handler, for users' own functions.

Its own module because ``aws_cdk.aws_lambda`` costs ~0.2 s to import: a channel never needs it,
only code that builds its own ``lambda_.Function`` (and has imported ``aws_lambda`` already).
"""

from __future__ import annotations

from aws_cdk import aws_lambda as lambda_

from ._provider import HANDLER_RUNTIME_NAME

# aws-cdk-lib's own Runtime object (its bundling image, its family), found by name: the name is
# written once, in _provider.
HANDLER_RUNTIME: lambda_.Runtime = getattr(
    lambda_.Runtime, "PYTHON_" + HANDLER_RUNTIME_NAME.removeprefix("python").replace(".", "_")
)
