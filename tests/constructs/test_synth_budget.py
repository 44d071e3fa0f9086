"""Synth cost guard, not timing-based: jsii round trips and constructs per additional channel.

Every jsii call is a round trip to the Node process (~0.3-0.6 ms each) and dominates the cost of
building a channel. An imported app plus its channel may make at most two: create the
EmailChannel and its CfnResource (the import is made a construct only on first use, which a
channel never makes); everything else (stack facts, the provider,
ARNs, validation, the end-of-support warning) is read or built once per stack, or in Python.
Counted by wrapping the jsii kernel's request send, over the whole build and synth, as the
difference between two stack sizes, so once-per-stack costs cancel out.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import aws_cdk as cdk
import pytest
from jsii._kernel.providers.process import _NodeProcess
from prefetch import result as prefetch_result
from prefetch import start as prefetch_start
from synth_support import new_app

from constructs_pinpoint import DeliveryBackend, EmailChannel, PinpointApp

ROUND_TRIPS_PER_CHANNEL = 2
CONSTRUCTS_PER_CHANNEL = 2  # the EmailChannel, its CfnResource (the import: on first use)
IDENTITY = "arn:aws:ses:eu-west-1:111111111111:identity/example.com"
# Within the provider's inline policy (about 40 channels at worst): each further managed policy
# shard adds its own constructs, which is the provider's budget, not this one.
SMALL, LARGE = 5, 30
# Past the inline policy: one managed policy (2 constructs, 8 round trips: its scope, the L1, its
# lazy document, its logical id, 3 renderings, DependsOn) per at least 27 channels.
SHARDED = 120
ROUND_TRIPS_PER_SHARDED_CHANNEL = ROUND_TRIPS_PER_CHANNEL + 8 / 27


@contextmanager
def _counting() -> Iterator[list[int]]:
    count = [0]
    original = _NodeProcess.send

    def send(self: _NodeProcess, request: object, response_type: object) -> object:
        count[0] += 1
        return original(self, request, response_type)

    _NodeProcess.send = send  # type: ignore[method-assign]
    try:
        yield count
    finally:
        _NodeProcess.send = original  # type: ignore[method-assign]


def _build(channels: int, env: cdk.Environment | None, backend: DeliveryBackend) -> cdk.Stack:
    stack = cdk.Stack(new_app(), "Budget", env=env)
    for index in range(channels):
        EmailChannel(
            stack,
            f"Email{index}",
            application=PinpointApp.from_application_id(stack, f"App{index}", f"{index + 1:032x}"),
            from_address="noreply@example.com",
            identity=IDENTITY,
            delivery_backend=backend,
        )
    return stack


def _round_trips(channels: int, env: cdk.Environment | None, backend: DeliveryBackend) -> int:
    with _counting() as count:
        stack = _build(channels, env, backend)
        cdk.Stage.of(stack).synth()  # type: ignore[union-attr]
    return count[0]


ENVIRONMENTS = {
    "env-agnostic": None,
    "explicit env": cdk.Environment(account="111111111111", region="eu-west-1"),
}


@pytest.mark.parametrize("backend", list(DeliveryBackend), ids=lambda b: b.name)
@pytest.mark.parametrize("env", list(ENVIRONMENTS), ids=str)
def test_round_trips_per_additional_channel(env: str, backend: DeliveryBackend) -> None:
    _round_trips(1, ENVIRONMENTS[env], backend)  # warm: imports and once-per-process reads
    small = _round_trips(SMALL, ENVIRONMENTS[env], backend)
    large = _round_trips(LARGE, ENVIRONMENTS[env], backend)
    per_channel = (large - small) / (LARGE - SMALL)
    print(f"{env}, {backend.name}: {small} / {large} round trips, {per_channel:.2f} per channel")
    assert per_channel <= ROUND_TRIPS_PER_CHANNEL


def test_round_trips_per_additional_channel_past_the_inline_policy() -> None:
    """Shards are placed in Python: a channel costs no more than its own constructs, plus its
    share of one managed policy."""
    env = ENVIRONMENTS["env-agnostic"]
    _round_trips(1, env, DeliveryBackend.PINPOINT)
    large = _round_trips(LARGE, env, DeliveryBackend.PINPOINT)
    sharded = _round_trips(SHARDED, env, DeliveryBackend.PINPOINT)
    per_channel = (sharded - large) / (SHARDED - LARGE)
    print(f"{large} / {sharded} round trips, {per_channel:.2f} per channel")
    assert per_channel <= ROUND_TRIPS_PER_SHARDED_CHANNEL


def test_constructs_per_additional_channel() -> None:
    small = _build(SMALL, None, DeliveryBackend.PINPOINT)
    large = _build(LARGE, None, DeliveryBackend.PINPOINT)
    added = len(large.node.find_all()) - len(small.node.find_all())
    assert added == CONSTRUCTS_PER_CHANNEL * (LARGE - SMALL)


def test_the_counter_counts() -> None:
    with _counting() as count:
        cdk.Stack(new_app(), "Counted")
    assert count[0] >= 1


def _channel_imports_job() -> subprocess.CompletedProcess[str]:
    program = """
import sys, aws_cdk as cdk
from constructs_pinpoint import EmailChannel, PinpointApp
app = cdk.App(builtin_cloud_formation_validation=False)
stack = cdk.Stack(app, "S")
EmailChannel(stack, "Email",
    application=PinpointApp.from_application_id(stack, "App", "0" * 32),
    from_address="noreply@example.com",
    identity="arn:aws:ses:eu-west-1:111111111111:identity/example.com")
app.synth()
print(sorted({m.split(".")[1] for m in sys.modules if m.startswith("aws_cdk.aws_")}))
"""
    return subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True
    )


def prefetch(item: pytest.Item) -> None:  # called by tests/conftest.py when collection ends
    if getattr(item, "originalname", "") == "test_the_channel_path_imports_no_aws_lambda":
        prefetch_start("channel-imports", _channel_imports_job)


def test_the_channel_path_imports_no_aws_lambda() -> None:
    """aws_lambda costs ~0.2 s of Python import per synth; a channel's user needs none of it."""
    result = prefetch_result("channel-imports", _channel_imports_job)
    # aws_lambda costs ~0.2 s, aws_logs ~0.05 s; aws_iam (~0.01 s) stays so that cdk-nag's IAM
    # rules still check the provider's role and policies (they match its L1 classes).
    assert result.stdout.strip() == "['aws_iam']"
