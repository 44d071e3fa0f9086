"""What the example app builds, chosen by the ``env`` context key.

======================  =================================================================
``cdk synth``           the embedded default, env-agnostic: ``OrdersEmail`` (the channel) and
                        ``OrdersEmailSender`` (a Lambda sending order confirmations through it)
``-c env=<name>``       that environment's stage: ``<name>/Messaging``, ``<name>/Channels``
``-c env=all``          every environment's stage
``-c env=pipeline``     ``OrdersPipeline``, which deploys ``pipeline.stages`` in order
======================  =================================================================

``environments`` and ``pipeline`` come from ``cdk.json``'s context (see ``example.config``).
"""

from __future__ import annotations

import aws_cdk as cdk

from .config import ENV_KEY, ENVIRONMENTS_KEY, PIPELINE_KEY, Selection, load_selection
from .pipeline import OrdersPipelineStack
from .stacks import OrderConfirmationStack, OrdersEmailStack
from .stage import OrdersStage

DEFAULT_STACK = "OrdersEmail"
SENDER_STACK = "OrdersEmailSender"
PIPELINE_STACK = "OrdersPipeline"


def selection_of(app: cdk.App) -> Selection:
    node = app.node
    return load_selection(
        node.try_get_context(ENV_KEY),
        node.try_get_context(ENVIRONMENTS_KEY),
        node.try_get_context(PIPELINE_KEY),
    )


def build_app(app: cdk.App | None = None) -> cdk.App:
    """Fill ``app`` (default: a new ``cdk.App``) as its context selects; raises
    ``example.config.ConfigError`` naming every invalid context key."""
    app = app or cdk.App()
    selection = selection_of(app)
    if selection.mode == "default":
        channel_stack = OrdersEmailStack(app, DEFAULT_STACK, config=selection.environments[0])
        OrderConfirmationStack(app, SENDER_STACK, sending=channel_stack.channel)
    elif selection.mode == "environments":
        for config in selection.environments:
            OrdersStage(app, config)
    else:
        assert selection.pipeline is not None
        OrdersPipelineStack(
            app,
            PIPELINE_STACK,
            config=selection.pipeline,
            environments=selection.environments,
            description="Deploys the orders email stacks: "
            + " -> ".join(selection.pipeline.stages),
        )
    return app
