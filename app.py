#!/usr/bin/env python3
"""Example app: a Pinpoint app, its SES identity and configuration set, and its email channel.

Synthesizes with no AWS credentials and no context (an environment-agnostic stack).
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_ses as ses
from constructs import Construct

from constructs_pinpoint import EmailChannel, PinpointApp


class OrdersEmailStack(cdk.Stack):
    def __init__(self, scope: Construct, id: str, **kwargs: object) -> None:
        super().__init__(scope, id, **kwargs)  # type: ignore[arg-type]
        messaging = PinpointApp(self, "Messaging", app_name="orders-dev")
        identity = ses.EmailIdentity(
            self, "Domain", identity=ses.Identity.domain("example.com")
        )
        config_set = ses.ConfigurationSet(self, "ConfigSet")
        event_role = iam.Role(
            self,
            "EmailEventsRole",
            assumed_by=iam.ServicePrincipal("pinpoint.amazonaws.com"),
            description="Lets Pinpoint submit email events of the orders app",
        )
        self.channel = EmailChannel(
            self,
            "Email",
            application=messaging,
            from_address="noreply@example.com",
            identity=identity,
            configuration_set=config_set,
            role=event_role,
        )


def build_app(app: cdk.App | None = None) -> cdk.App:
    app = app or cdk.App()
    OrdersEmailStack(app, "OrdersEmail")
    return app


if __name__ == "__main__":
    build_app().synth()
