"""The end-of-support warning: one per stack with channels still on Pinpoint, naming them all,
acknowledgeable for a whole scope in one line, before or after the channels are built."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Annotations, Match
from synth_support import new_app

from constructs_pinpoint import END_OF_SUPPORT_WARNING, DeliveryBackend, EmailChannel, PinpointApp
from constructs_pinpoint.handler import contract

IDENTITY = "arn:aws:ses:eu-west-1:111111111111:identity/example.com"
ENV = cdk.Environment(account="111111111111", region="eu-west-1")


def _channels(
    stack: cdk.Stack,
    count: int,
    backend: DeliveryBackend = DeliveryBackend.PINPOINT,
    start: int = 0,
) -> list[EmailChannel]:
    return [
        EmailChannel(
            stack,
            f"Email{index}",
            application=PinpointApp.from_application_id(stack, f"App{index}", f"{index + 1:032x}"),
            from_address="noreply@example.com",
            identity=IDENTITY,
            delivery_backend=backend,
        )
        for index in range(start, start + count)
    ]


def _warnings(stack: cdk.Stack) -> list[str]:
    found = Annotations.from_stack(stack).find_warning("*", Match.any_value())
    return [str(message.entry.data) for message in found]


def _ours(stack: cdk.Stack) -> list[str]:
    return [message for message in _warnings(stack) if END_OF_SUPPORT_WARNING in message]


def test_150_channels_make_one_warning_naming_every_channel() -> None:
    stack = cdk.Stack(new_app(), "Orders", env=ENV)
    _channels(stack, 150)
    (message,) = _warnings(stack)
    assert message.startswith("150 email channels of this stack still send through Amazon Pinpoint")
    assert all(f"Orders/Email{index}," in message for index in range(149))
    assert "Orders/Email149. " in message
    assert "2026-10-30" in message
    assert "delivery_backend=DeliveryBackend.SES_V2" in message
    # A wheel user has no docs/ folder: the warning names the command that prints the guide.
    assert contract.MOVING_TO_SES_GUIDE_COMMAND in message and "docs/" not in message
    assert message.endswith(f"[ack: {END_OF_SUPPORT_WARNING}]")


def test_the_warning_is_on_the_stack_node_in_the_cloud_assembly(tmp_path) -> None:
    app = new_app(outdir=tmp_path)
    stack = cdk.Stack(app, "Orders")
    _channels(stack, 2)
    artifact = app.synth().get_stack_by_name("Orders")
    (message,) = [m for m in artifact.messages if END_OF_SUPPORT_WARNING in str(m.entry.data)]
    assert message.id == "/Orders"
    assert str(message.level) == "SynthesisMessageLevel.WARNING"
    assert str(message.entry.data).startswith(
        "2 email channels of this stack still send through Amazon Pinpoint, which reached end of "
        "support on 2026-10-30: Orders/Email0, Orders/Email1. "
    )
    assert "${Token" not in str(message.entry.data)


def test_two_stacks_get_one_warning_each_naming_their_own_channels() -> None:
    app = new_app()
    first, second = cdk.Stack(app, "First"), cdk.Stack(app, "Second")
    _channels(first, 2)
    _channels(second, 1, start=5)
    (first_message,) = _ours(first)
    (second_message,) = _ours(second)
    assert "First/Email0, First/Email1." in first_message
    assert second_message.startswith("1 email channel of this stack")
    assert "Second/Email5." in second_message and "First/" not in second_message


def test_ses_v2_channels_add_no_warning_and_are_not_named() -> None:
    app = new_app()
    only_ses = cdk.Stack(app, "OnlySes")
    _channels(only_ses, 3, DeliveryBackend.SES_V2)
    assert _warnings(only_ses) == []
    mixed = cdk.Stack(app, "Mixed")
    _channels(mixed, 1, DeliveryBackend.SES_V2, start=10)
    _channels(mixed, 1, start=11)
    (message,) = _ours(mixed)
    assert "Mixed/Email11." in message and "Mixed/Email10" not in message


@pytest.mark.parametrize("when", ["before", "after"])
@pytest.mark.parametrize("where", ["app", "stage", "stack"])
def test_one_line_acknowledges_the_warning_for_a_whole_scope(where: str, when: str) -> None:
    app = new_app()
    stage = cdk.Stage(app, "Dev")
    stack = cdk.Stack(stage, "Orders")
    scope = {"app": app, "stage": stage, "stack": stack}[where]
    if when == "before":
        cdk.Annotations.of(scope).acknowledge_warning(END_OF_SUPPORT_WARNING, "moving in Q1")
    _channels(stack, 2)
    if when == "after":
        cdk.Annotations.of(scope).acknowledge_warning(END_OF_SUPPORT_WARNING, "moving in Q1")
    assert _ours(stack) == []


def test_acknowledging_one_stack_leaves_the_others_warned() -> None:
    app = new_app()
    acknowledged, warned = cdk.Stack(app, "Acknowledged"), cdk.Stack(app, "Warned")
    cdk.Annotations.of(acknowledged).acknowledge_warning(END_OF_SUPPORT_WARNING, "moving in Q1")
    _channels(acknowledged, 1)
    _channels(warned, 1, start=1)
    assert _ours(acknowledged) == []
    assert len(_ours(warned)) == 1


def test_the_builtin_w3696_stays_acknowledged_on_new_apps(synthesized) -> None:
    metadata = synthesized.config("minimal")["Resources"]["AppF1B96344"]["Metadata"]
    assert metadata["cfn-lint"]["config"]["ignore_checks"] == ["W3696"]
