"""No logical id of an existing resource may ever change: a changed id is a replacement on the
user's next deploy, and since Pinpoint's end of support the old channel's delete is refused.

logical_ids.json pins every resource (id -> type) of every snapshot configuration (``Config-*``,
checked here) and of the example app's stacks (checked by
tests/example_app/test_example_snapshots.py), as generated from the committed snapshot templates.
Resources may be added; a pinned one may not disappear, be renamed, or change type.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from channel_configurations import CONFIGURATIONS
from synth_support import logical_id_changes

PINS = Path(__file__).parent / "logical_ids.json"
PINNED: dict[str, dict[str, str]] = {
    name: pins for name, pins in json.loads(PINS.read_text()).items() if name.startswith("Config-")
}


@pytest.mark.parametrize("stack_name", sorted(PINNED))
def test_logical_ids_of_the_configurations_never_change(synthesized: Any, stack_name: str) -> None:
    assert logical_id_changes(PINNED[stack_name], synthesized.templates[stack_name]) == []


def test_the_pins_cover_every_configuration() -> None:
    assert sorted(PINNED) == sorted(f"Config-{name.replace('_', '-')}" for name in CONFIGURATIONS)
    assert all(PINNED.values())


def test_a_renamed_resource_is_reported() -> None:
    pinned = {"EmailF8518450": "Custom::PinpointEmailChannel"}
    renamed = {"Resources": {"EmailResourceABCDEF12": {"Type": "Custom::PinpointEmailChannel"}}}
    retyped = {"Resources": {"EmailF8518450": {"Type": "AWS::Pinpoint::EmailChannel"}}}
    assert logical_id_changes(pinned, renamed) == [
        "EmailF8518450 (Custom::PinpointEmailChannel): gone"
    ]
    assert logical_id_changes(pinned, retyped) == [
        "EmailF8518450 (Custom::PinpointEmailChannel): now AWS::Pinpoint::EmailChannel"
    ]
