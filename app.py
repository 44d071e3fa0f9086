#!/usr/bin/env python3
"""Example app: a Pinpoint app, its SES identity and configuration set, and its email channel.

With no context, one environment-agnostic stack (``OrdersEmail``), synthesized with no AWS
credentials. ``-c env=<name>|all|pipeline`` selects per-environment stages or the pipeline that
deploys them (configured in cdk.json; see docs/environments.md and the ``example`` package).
"""

from __future__ import annotations

import sys

import aws_cdk as cdk

from example.app import build_app
from example.config import ConfigError
from example.stacks import OrdersEmailStack

__all__ = ["OrdersEmailStack", "build_app"]


def main(app: cdk.App | None = None) -> int:
    """Build and synthesize; a configuration problem is printed (no traceback), exit status 1."""
    try:
        app = build_app(app)
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    app.synth()
    return 0


if __name__ == "__main__":
    sys.exit(main())
