"""Every distinct channel configuration the suite snapshots, lints and nag-checks.

Each builder fills one stack; ``build_all`` puts them all in one App so they synthesize once.
"""

from __future__ import annotations

from collections.abc import Callable

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_ses as ses

from constructs_pinpoint import DeliveryBackend, EmailChannel, PinpointApp

IDENTITY_ARN = "arn:aws:ses:eu-west-1:111111111111:identity/example.com"
IMPORTED_APP_ID = "0123456789abcdef0123456789abcdef"
ENV = cdk.Environment(account="111111111111", region="eu-west-1")


def minimal(stack: cdk.Stack) -> None:
    """A new app, an identity given as an ARN string, nothing optional."""
    EmailChannel(
        stack,
        "Email",
        application=PinpointApp(stack, "App"),
        from_address="noreply@example.com",
        identity=IDENTITY_ARN,
    )


def full(stack: cdk.Stack) -> None:
    """Every property: SES identity and configuration set constructs, both roles, strict
    deletes."""
    identity = ses.EmailIdentity(stack, "Domain", identity=ses.Identity.domain("example.com"))
    config_set = ses.ConfigurationSet(stack, "ConfigSet")
    events = iam.Role(
        stack, "EventsRole", assumed_by=iam.ServicePrincipal("pinpoint.amazonaws.com")
    )
    sending = iam.Role(
        stack, "SendingRole", assumed_by=iam.ServicePrincipal("pinpoint.amazonaws.com")
    )
    EmailChannel(
        stack,
        "Email",
        application=PinpointApp(stack, "App", app_name="orders-full"),
        from_address="Example Orders <orders@mail.example.com>",
        identity=identity,
        configuration_set=config_set,
        role=events,
        orchestration_sending_role=sending,
        strict_delete=True,
    )


def imported_retained(stack: cdk.Stack) -> None:
    """An existing app imported by id, a configuration set by name, RETAIN, disabled."""
    EmailChannel(
        stack,
        "Email",
        application=PinpointApp.from_application_id(stack, "Existing", IMPORTED_APP_ID),
        from_address="noreply@example.com",
        identity=IDENTITY_ARN,
        configuration_set="orders-config",
        enabled=False,
        removal_policy=cdk.RemovalPolicy.RETAIN,
    )


def three_channels(stack: cdk.Stack) -> None:
    """Three apps, three channels, one shared events role: still one handler, one policy."""
    events = iam.Role(
        stack, "EventsRole", assumed_by=iam.ServicePrincipal("pinpoint.amazonaws.com")
    )
    for index in range(3):
        EmailChannel(
            stack,
            f"Email{index}",
            application=PinpointApp(stack, f"App{index}", app_name=f"orders-{index}"),
            from_address=f"noreply{index}@example.com",
            identity=IDENTITY_ARN,
            role=events,
        )


def ses_backend(stack: cdk.Stack) -> None:
    """Sending moved to SES v2: the channel stays, grants and sender environment change."""
    identity = ses.EmailIdentity(stack, "Domain", identity=ses.Identity.domain("example.com"))
    config_set = ses.ConfigurationSet(stack, "ConfigSet", configuration_set_name="orders")
    EmailChannel(
        stack,
        "Email",
        application=PinpointApp(stack, "App"),
        from_address="noreply@example.com",
        identity=identity,
        configuration_set=config_set,
        delivery_backend=DeliveryBackend.SES_V2,
    )


CONFIGURATIONS: dict[str, tuple[Callable[[cdk.Stack], None], cdk.Environment | None]] = {
    "minimal": (minimal, ENV),
    "full": (full, None),
    "imported_retained": (imported_retained, ENV),
    "three_channels": (three_channels, ENV),
    "ses_backend": (ses_backend, None),
}


def build_all(app: cdk.App) -> dict[str, cdk.Stack]:
    stacks = {}
    for name, (build, env) in CONFIGURATIONS.items():
        stack = cdk.Stack(app, f"Config-{name.replace('_', '-')}", env=env)
        build(stack)
        stacks[name] = stack
    return stacks
