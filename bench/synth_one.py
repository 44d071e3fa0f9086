#!/usr/bin/env python3
"""Synthesize ONE benchmark app (one design, N channels) and exit.

Run by ``bench/run.py`` in a fresh subprocess per measurement, so the wall time it measures is the
whole process: interpreter start, jsii/Node start, construct tree, synthesis (and, with
``--validation on``, aws-cdk-lib's built-in CloudFormation validation).

    python bench/synth_one.py --design ours --n 150 --validation off --outdir /tmp/x

Designs (all on the same N imported Pinpoint apps, one email channel each):

* ``native``   ``aws_pinpoint.CfnEmailChannel``
* ``awscr``    ``custom_resources.AwsCustomResource`` calling UpdateEmailChannel/DeleteEmailChannel
* ``provider`` ``custom_resources.Provider`` + a Python on_event (``bench/provider_handler``)
* ``ours``     ``constructs_pinpoint.EmailChannel``

``--profile FILE`` writes a cProfile of the in-process part (imports + build + synth).
``--context KEY=JSON`` sets app context (e.g. a feature flag).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
DESIGNS = ("native", "awscr", "provider", "ours")
STACK_NAME = "Bench"
FROM_ADDRESS = "noreply@example.com"
IDENTITY_ARN = "arn:aws:ses:us-east-1:123456789012:identity/example.com"
CHANNEL_ACTIONS = [
    "mobiletargeting:UpdateEmailChannel",
    "mobiletargeting:DeleteEmailChannel",
    "mobiletargeting:GetEmailChannel",
]
W3696 = "CloudFormation-Validate::W3696"


def app_id(i: int) -> str:
    """A valid 32-hex Pinpoint project id, distinct per channel."""
    return f"{i + 1:032x}"


def build(
    design: str,
    n: int,
    validation: bool,
    outdir: str,
    env: dict[str, str] | None,
    context: dict[str, object] | None = None,
) -> None:
    import aws_cdk as cdk

    from constructs_pinpoint import PinpointApp

    app = cdk.App(
        outdir=outdir, builtin_cloud_formation_validation=validation, context=context or None
    )
    stack = cdk.Stack(
        app,
        STACK_NAME,
        env=cdk.Environment(**env) if env else None,
    )
    # Every design declares Pinpoint resources or Pinpoint calls; W3696 (Pinpoint end of support)
    # is acknowledged alike for all, so validation does the same work for each.
    cdk.Validations.of(app).acknowledge(cdk.Acknowledgment(id=W3696, reason="benchmark"))
    apps = [PinpointApp.from_application_id(stack, f"App{i}", app_id(i)) for i in range(n)]
    BUILDERS[design](stack, apps)
    app.synth()


def build_native(stack, apps) -> None:  # type: ignore[no-untyped-def]
    from aws_cdk import aws_pinpoint as pinpoint

    for i, application in enumerate(apps):
        pinpoint.CfnEmailChannel(
            stack,
            f"Channel{i}",
            application_id=application.application_id,
            from_address=FROM_ADDRESS,
            identity=IDENTITY_ARN,
            enabled=True,
        )


def build_awscr(stack, apps) -> None:  # type: ignore[no-untyped-def]
    from aws_cdk import aws_iam as iam
    from aws_cdk import custom_resources as cr

    for i, application in enumerate(apps):
        application_id = application.application_id
        update = cr.AwsSdkCall(
            service="Pinpoint",
            action="UpdateEmailChannel",
            parameters={
                "ApplicationId": application_id,
                "EmailChannelRequest": {
                    "FromAddress": FROM_ADDRESS,
                    "Identity": IDENTITY_ARN,
                    "Enabled": True,
                },
            },
            physical_resource_id=cr.PhysicalResourceId.of(application_id),
        )
        cr.AwsCustomResource(
            stack,
            f"Channel{i}",
            on_create=update,
            on_update=update,
            on_delete=cr.AwsSdkCall(
                service="Pinpoint",
                action="DeleteEmailChannel",
                parameters={"ApplicationId": application_id},
            ),
            policy=cr.AwsCustomResourcePolicy.from_statements(
                [
                    iam.PolicyStatement(
                        actions=CHANNEL_ACTIONS,
                        resources=[f"{application.application_arn}/channels/email"],
                    )
                ]
            ),
            install_latest_aws_sdk=False,
        )


def build_provider(stack, apps) -> None:  # type: ignore[no-untyped-def]
    import aws_cdk as cdk
    from aws_cdk import aws_iam as iam
    from aws_cdk import aws_lambda as lambda_
    from aws_cdk import custom_resources as cr

    handler = lambda_.Function(
        stack,
        "ChannelHandler",
        runtime=lambda_.Runtime.PYTHON_3_14,
        architecture=lambda_.Architecture.ARM_64,
        handler="index.on_event",
        code=lambda_.Code.from_asset(str(BENCH_DIR / "provider_handler")),
        timeout=cdk.Duration.seconds(60),
    )
    # Same least privilege as ours: one statement, one channel ARN per app.
    statement = iam.PolicyStatement(actions=CHANNEL_ACTIONS, resources=[])
    handler.add_to_role_policy(statement)
    provider = cr.Provider(stack, "ChannelProvider", on_event_handler=handler)
    for i, application in enumerate(apps):
        statement.add_resources(f"{application.application_arn}/channels/email")
        cdk.CustomResource(
            stack,
            f"Channel{i}",
            service_token=provider.service_token,
            resource_type="Custom::PinpointEmailChannel",
            properties={
                "ApplicationId": application.application_id,
                "FromAddress": FROM_ADDRESS,
                "Identity": IDENTITY_ARN,
                "Enabled": True,
            },
        )


def build_ours(stack, apps) -> None:  # type: ignore[no-untyped-def]
    from constructs_pinpoint import EmailChannel

    for i, application in enumerate(apps):
        EmailChannel(
            stack,
            f"Channel{i}",
            application=application,
            from_address=FROM_ADDRESS,
            identity=IDENTITY_ARN,
        )


BUILDERS = {
    "native": build_native,
    "awscr": build_awscr,
    "provider": build_provider,
    "ours": build_ours,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--design", choices=DESIGNS, required=True)
    parser.add_argument("--n", type=int, required=True)
    parser.add_argument("--validation", choices=("on", "off"), required=True)
    parser.add_argument("--outdir", required=True)
    parser.add_argument("--account", help="explicit stack account (default: env-agnostic)")
    parser.add_argument("--region", help="explicit stack region (default: env-agnostic)")
    parser.add_argument("--profile", help="write a cProfile of imports + build + synth here")
    parser.add_argument("--context", action="append", default=[], help="KEY=JSON app context")
    parser.add_argument("--timing", action="store_true", help="print phase times to stderr")
    args = parser.parse_args(argv)
    env = {k: v for k, v in (("account", args.account), ("region", args.region)) if v} or None

    context = {}
    for item in args.context:
        key, _, value = item.partition("=")
        context[key] = json.loads(value)

    def run() -> None:
        build(args.design, args.n, args.validation == "on", args.outdir, env, context)

    started = time.perf_counter()
    if args.profile:
        import cProfile

        cProfile.runctx("run()", globals(), {"run": run}, args.profile)
    else:
        run()
    if args.timing:
        print(f"in-process build+synth: {time.perf_counter() - started:.3f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
