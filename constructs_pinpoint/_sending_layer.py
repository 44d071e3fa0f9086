"""A Lambda layer carrying ``constructs_pinpoint.sending``, one per stack.

The runtime senders import only the standard library and boto3, which every Lambda Python
runtime has, so the layer is plain source copied at synth time: no bundling, no network.
"""

from __future__ import annotations

import shutil
import tempfile
from functools import cache
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from ._runtime import python_runtime

LAYER_ID = "PinpointEmailSendingLayer"
_SENDING_DIR = Path(__file__).parent / "sending"
_LAYER_INIT = (
    '"""constructs_pinpoint runtime senders (Lambda layer): use constructs_pinpoint.sending."""\n'
)
COMPATIBLE_RUNTIMES = [
    python_runtime(name) for name in ("python3.11", "python3.12", "python3.13", "python3.14")
]


@cache
def _staged_layer() -> str:
    """``python/constructs_pinpoint/sending/*.py`` in a temporary directory, once per process."""
    root = Path(tempfile.mkdtemp(prefix="constructs-pinpoint-layer-"))
    package = root / "python" / "constructs_pinpoint"
    (package / "sending").mkdir(parents=True)
    (package / "__init__.py").write_text(_LAYER_INIT)
    for source in sorted(_SENDING_DIR.glob("*.py")):
        shutil.copyfile(source, package / "sending" / source.name)
    return str(root)


class SendingLayer(Construct):
    """Singleton per stack; get it with :meth:`of`."""

    @classmethod
    def of(cls, scope: Construct) -> lambda_.ILayerVersion:
        stack = cdk.Stack.of(scope)
        existing = stack.node.try_find_child(LAYER_ID)
        if not isinstance(existing, SendingLayer):
            existing = cls(stack, LAYER_ID)
        return existing.layer

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        self.layer = lambda_.LayerVersion(
            self,
            "Resource",
            code=lambda_.Code.from_asset(_staged_layer()),
            compatible_runtimes=COMPATIBLE_RUNTIMES,
            compatible_architectures=[lambda_.Architecture.ARM_64, lambda_.Architecture.X86_64],
            description="constructs_pinpoint.sending: one sender API for Pinpoint and SES v2",
        )
