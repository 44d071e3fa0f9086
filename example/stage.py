"""One deployment environment of the example app, as a ``cdk.Stage``."""

from __future__ import annotations

import aws_cdk as cdk
from constructs import Construct

from .config import EnvironmentConfig
from .stacks import ChannelsStack, MessagingStack


class OrdersStage(cdk.Stage):
    """The ``Messaging`` and ``Channels`` stacks of one environment, in its account and region.

    The stage id is the environment name, so its stacks are named ``<env>-Messaging`` and
    ``<env>-Channels`` whether the pipeline deploys them or ``cdk deploy -c env=<env>`` does.
    """

    def __init__(self, scope: Construct, config: EnvironmentConfig) -> None:
        super().__init__(scope, config.name, env=config.env)
        self.config = config
        self.messaging = MessagingStack(
            self,
            "Messaging",
            config=config,
            description=(
                f"Orders email ({config.name}): Pinpoint app, SES identity, configuration set"
            ),
        )
        self.channels = ChannelsStack(
            self,
            "Channels",
            config=config,
            description=f"Orders email ({config.name}): the Pinpoint email channel",
        )
        # Channels reads the application id Messaging writes to SSM: deploy after, delete before.
        self.channels.add_stack_dependency(
            self.messaging, "reads the Pinpoint application id parameter that Messaging writes"
        )
