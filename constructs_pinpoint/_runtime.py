"""``HANDLER_RUNTIME``, the ``aws_lambda.Runtime`` of the channel handler, for users' own functions.

Its own module because ``aws_cdk.aws_lambda`` costs ~0.2 s to import: a channel never needs it,
only code that builds its own ``lambda_.Function`` (and has imported ``aws_lambda`` already).
"""

from __future__ import annotations

from aws_cdk import aws_lambda as lambda_

from .handler.contract import HANDLER_RUNTIME_NAME


def python_runtime(name: str) -> lambda_.Runtime:
    """aws-cdk-lib's own ``Runtime`` for ``name`` (its bundling image, its family), or, on an
    aws-cdk-lib older than that runtime (2.172 has no PYTHON_3_14), one made from the name."""
    known: lambda_.Runtime | None = getattr(
        lambda_.Runtime, "PYTHON_" + name.removeprefix("python").replace(".", "_"), None
    )
    # As aws-cdk-lib declares its own Python runtimes: inline code allowed.
    return known or lambda_.Runtime(name, lambda_.RuntimeFamily.PYTHON, supports_inline_code=True)


# The name is written once, in handler/contract.py, which the provider writes into the template.
HANDLER_RUNTIME: lambda_.Runtime = python_runtime(HANDLER_RUNTIME_NAME)
