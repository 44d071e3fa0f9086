#!/usr/bin/env python3
"""Synthesize ONE benchmark app (one design, N channels) and exit.

Run by ``bench/run.py`` in a fresh subprocess per measurement, so the wall time it measures is the
whole process: interpreter start, jsii/Node start, construct tree, synthesis (and, with
``--validation on``, aws-cdk-lib's built-in CloudFormation validation).

    python bench/synth_one.py --design ours --n 150 --validation off --outdir /tmp/x

Each design is written the way its own users write it, with no helper of ours in a baseline:

* ``native``   ``aws_pinpoint.CfnEmailChannel``, the application id a plain string
* ``awscr``    ``custom_resources.AwsCustomResource`` calling UpdateEmailChannel/DeleteEmailChannel,
               its policy from ``AwsCustomResourcePolicy.from_sdk_calls`` on the channel's ARN
* ``provider`` ``custom_resources.Provider`` with a Python on_event (``bench/provider_handler``) and
               one ``CustomResource`` per channel
* ``ours``     ``PinpointApp.from_application_id`` + ``EmailChannel`` on the default backend, its
               end-of-support warning acknowledged in the one documented line

Every design acknowledges W3696 (Pinpoint end of support, from the built-in validation) once, on
the app, so validation does the same work for each.

``--profile FILE`` writes a cProfile of the in-process part (imports + build + synth).
``--context KEY=JSON`` sets app context (e.g. a feature flag).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

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
REASON = "benchmark: Pinpoint email past its end of support is what is measured"


def app_id(i: int) -> str:
    """A valid 32-hex Pinpoint project id, distinct per channel."""
    return f"{i + 1:032x}"


def channel_arn(application_id: str) -> str:
    """The channel ARN as a CDK user writes it, from the stack's pseudo parameters."""
    import aws_cdk as cdk

    return (
        f"arn:{cdk.Aws.PARTITION}:mobiletargeting:{cdk.Aws.REGION}:{cdk.Aws.ACCOUNT_ID}"
        f":apps/{application_id}/channels/email"
    )


def build(
    design: str,
    n: int,
    validation: bool,
    outdir: str,
    env: dict[str, str] | None,
    context: dict[str, object] | None = None,
    acknowledge: bool = True,
) -> None:
    import aws_cdk as cdk

    app = cdk.App(
        outdir=outdir, builtin_cloud_formation_validation=validation, context=context or None
    )
    stack = cdk.Stack(app, STACK_NAME, env=cdk.Environment(**env) if env else None)
    cdk.Validations.of(app).acknowledge(cdk.Acknowledgment(id=W3696, reason=REASON))
    if design == "ours" and not acknowledge:
        build_ours(app, stack, n, acknowledge=False)
    else:
        BUILDERS[design](app, stack, n)
    app.synth()


def build_native(app: Any, stack: Any, n: int) -> None:
    from aws_cdk import aws_pinpoint as pinpoint

    for i in range(n):
        pinpoint.CfnEmailChannel(
            stack,
            f"Channel{i}",
            application_id=app_id(i),
            from_address=FROM_ADDRESS,
            identity=IDENTITY_ARN,
            enabled=True,
        )


def build_awscr(app: Any, stack: Any, n: int) -> None:
    from aws_cdk import custom_resources as cr

    for i in range(n):
        application_id = app_id(i)
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
            policy=cr.AwsCustomResourcePolicy.from_sdk_calls(
                resources=[channel_arn(application_id)]
            ),
            install_latest_aws_sdk=False,
        )


def build_provider(app: Any, stack: Any, n: int) -> None:
    import aws_cdk as cdk
    from aws_cdk import aws_iam as iam
    from aws_cdk import aws_lambda as lambda_
    from aws_cdk import custom_resources as cr

    on_event = lambda_.Function(
        stack,
        "ChannelHandler",
        runtime=lambda_.Runtime.PYTHON_3_14,
        handler="index.on_event",
        code=lambda_.Code.from_asset(str(BENCH_DIR / "provider_handler")),
        timeout=cdk.Duration.seconds(60),
    )
    provider = cr.Provider(stack, "ChannelProvider", on_event_handler=on_event)
    arns = []
    for i in range(n):
        application_id = app_id(i)
        cdk.CustomResource(
            stack,
            f"Channel{i}",
            service_token=provider.service_token,
            resource_type="Custom::PinpointEmailChannel",
            properties={
                "ApplicationId": application_id,
                "FromAddress": FROM_ADDRESS,
                "Identity": IDENTITY_ARN,
                "Enabled": True,
            },
        )
        arns.append(channel_arn(application_id))
    # Least privilege like ours: one statement listing each channel's ARN.
    on_event.add_to_role_policy(iam.PolicyStatement(actions=CHANNEL_ACTIONS, resources=arns))


def build_ours(app: Any, stack: Any, n: int, acknowledge: bool = True) -> None:
    import aws_cdk as cdk

    from constructs_pinpoint import END_OF_SUPPORT_WARNING, EmailChannel, PinpointApp

    for i in range(n):
        application = PinpointApp.from_application_id(stack, f"App{i}", app_id(i))
        EmailChannel(
            stack,
            f"Channel{i}",
            application=application,
            from_address=FROM_ADDRESS,
            identity=IDENTITY_ARN,
        )
    if acknowledge:
        cdk.Annotations.of(app).acknowledge_warning(END_OF_SUPPORT_WARNING, REASON)


BUILDERS: dict[str, Callable[[Any, Any, int], None]] = {
    "native": build_native,
    "awscr": build_awscr,
    "provider": build_provider,
    "ours": build_ours,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--design", choices=DESIGNS, required=True)
    parser.add_argument("--n", type=int, required=True)
    parser.add_argument("--validation", choices=("on", "off"), required=True)
    parser.add_argument("--outdir", required=True)
    parser.add_argument("--account", help="explicit stack account (default: env-agnostic)")
    parser.add_argument("--region", help="explicit stack region (default: env-agnostic)")
    parser.add_argument("--profile", help="write a cProfile of imports + build + synth here")
    parser.add_argument("--context", action="append", default=[], help="KEY=JSON app context")
    parser.add_argument("--timing", action="store_true", help="print phase times to stderr")
    parser.add_argument(
        "--no-acknowledge",
        dest="acknowledge",
        action="store_false",
        help="ours: leave the end-of-support warning unacknowledged (to see that it is emitted)",
    )
    args = parser.parse_args(argv)
    env = {k: v for k, v in (("account", args.account), ("region", args.region)) if v} or None

    context = {}
    for item in args.context:
        key, _, value = item.partition("=")
        context[key] = json.loads(value)

    def run() -> None:
        build(
            args.design,
            args.n,
            args.validation == "on",
            args.outdir,
            env,
            context,
            acknowledge=args.acknowledge,
        )

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
