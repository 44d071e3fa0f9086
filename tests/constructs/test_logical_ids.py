"""No logical id of an existing resource may ever change: a changed id is a replacement on the
user's next deploy, and since Pinpoint's end of support the old channel's delete is refused.

logical_ids.json pins every resource (id -> type) of the example app's stacks and of every
snapshot configuration, as generated from the committed snapshot templates. Resources may be
added; a pinned one may not disappear, be renamed, or change type.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from synth_support import REPO_ROOT

import app as example

PINNED: dict[str, dict[str, str]] = json.loads(
    (Path(__file__).parent / "logical_ids.json").read_text()
)


@pytest.fixture(scope="module")
def environment_templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every per-environment stage of the example app (``-c env=all``), as cdk.json configures."""
    context = json.loads((REPO_ROOT / "cdk.json").read_text())["context"]
    app = cdk.App(
        analytics_reporting=False,
        builtin_cloud_formation_validation=False,
        context={**context, "env": "all"},
        outdir=str(tmp_path_factory.mktemp("all.out")),
    )
    example.build_app(app)
    return {stack.stack_name: stack.template for stack in app.synth().stacks_recursively}


def _ids(template: dict[str, Any]) -> dict[str, str]:
    return {name: resource["Type"] for name, resource in template["Resources"].items()}


def _changed(pinned: dict[str, str], now: dict[str, str]) -> list[str]:
    return [
        f"{logical_id} ({resource_type}): "
        + (f"now {now[logical_id]}" if logical_id in now else "gone")
        for logical_id, resource_type in pinned.items()
        if now.get(logical_id) != resource_type
    ]


@pytest.mark.parametrize(
    "stack_name", sorted(name for name in PINNED if "-" not in name or name.startswith("Config-"))
)
def test_logical_ids_of_the_default_app_and_configurations_never_change(
    synthesized: Any, stack_name: str
) -> None:
    assert _changed(PINNED[stack_name], _ids(synthesized.templates[stack_name])) == []


@pytest.mark.parametrize(
    "stack_name",
    sorted(name for name in PINNED if name.endswith(("-Channels", "-Messaging"))),
)
def test_logical_ids_of_every_environment_stack_never_change(
    environment_templates: dict[str, Any], stack_name: str
) -> None:
    assert _changed(PINNED[stack_name], _ids(environment_templates[stack_name])) == []


def test_the_pins_cover_every_snapshot_stack() -> None:
    assert len(PINNED) == 13
    assert all(PINNED.values())


def test_a_renamed_resource_is_reported() -> None:
    pinned = {"EmailF8518450": "Custom::PinpointEmailChannel"}
    assert _changed(pinned, {"EmailResourceABCDEF12": "Custom::PinpointEmailChannel"}) == [
        "EmailF8518450 (Custom::PinpointEmailChannel): gone"
    ]
    assert _changed(pinned, {"EmailF8518450": "AWS::Pinpoint::EmailChannel"}) == [
        "EmailF8518450 (Custom::PinpointEmailChannel): now AWS::Pinpoint::EmailChannel"
    ]
