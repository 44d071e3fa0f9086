"""Both flag worlds: aws-cdk-lib's defaults (an app with no cdk.json flags) and the recommended set
that ``cdk init`` writes (cdk.json). The example app (default stacks and every environment's stage)
and every snapshot configuration synthesize under each, with cdk-nag (AwsSolutions), the
built-in CloudFormation validation and cfn-lint clean.

Where the flags change a template, they change only its rendering: partition literals instead of
``${AWS::Partition}`` in stacks with a known region, and sorted IAM action lists. After folding
those, the two worlds' templates are equal (test_the_flags_change_only_the_rendering), so the
snapshots of one world stand for both.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from cdk_nag import AwsSolutionsChecks
from channel_configurations import build_all
from example_support import CDK_JSON_CONTEXT, templates
from prefetch import cfn_lint_result, cfn_lint_soon
from synth_support import normalize

from example.app import DEFAULT_STACK, SENDER_STACK, build_app
from example.stacks import OrderConfirmationStack, OrdersEmailStack

PROJECT_KEYS = ("environments", "pipeline")
RECOMMENDED = {k: v for k, v in CDK_JSON_CONTEXT.items() if k not in PROJECT_KEYS}
PROJECT = {k: v for k, v in CDK_JSON_CONTEXT.items() if k in PROJECT_KEYS}
WORLDS = {"default-flags": {}, "recommended-flags": RECOMMENDED}


class World:
    """One synthesis of everything, nag-checked and validated, under one set of flags."""

    def __init__(self, flags: dict[str, Any], outdir: Path) -> None:
        app = cdk.App(
            analytics_reporting=False,
            builtin_cloud_formation_validation=True,
            context={**flags, **PROJECT, "env": "all"},
            outdir=str(outdir),
        )
        cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
        build_app(app)  # env=all: every environment's stage
        channel = OrdersEmailStack(app, DEFAULT_STACK)  # what `cdk synth` builds with no env
        OrderConfirmationStack(app, SENDER_STACK, sending=channel.channel)
        build_all(app)
        try:
            assembly = app.synth()
        except RuntimeError as error:  # cdk-nag findings and validation errors fail synth
            report = (outdir / "validation-report.json").read_text()
            pytest.fail(f"synth failed: {error}\n{report}")
        self.outdir = outdir
        self.assembly = assembly
        self.templates = templates(assembly)
        self.report = json.loads((outdir / "validation-report.json").read_text())


@pytest.fixture(scope="module")
def worlds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, World]:
    built = {name: World(flags, tmp_path_factory.mktemp(name)) for name, flags in WORLDS.items()}
    cfn_lint_soon(_templates(built))  # in the background while the other tests use them
    return built


def _templates(worlds: dict[str, World]) -> list[str]:
    return sorted(
        str(stack.template_full_path)
        for world in worlds.values()
        for stack in world.assembly.stacks_recursively
    )


@pytest.fixture(params=list(WORLDS))
def world(request: pytest.FixtureRequest, worlds: dict[str, World]) -> World:
    return worlds[request.param]


# The snapshot configurations stay on Pinpoint unacknowledged, so they show the warning.
CONFIGURATION_WARNING = "Annotation::constructs-pinpoint:pinpointEmailEndOfSupport"


def test_nag_and_builtin_validation_are_clean(world: World) -> None:
    """cdk-nag findings would have failed synth (World); the report shows what else ran. The
    recommended flags also report warning annotations here: only the configurations' own."""
    assert len(world.templates) >= 13
    plugins = {p["pluginName"]: p for p in world.report["pluginReports"]}
    assert {p["conclusion"] for p in plugins.values()} == {"success"}
    validate = plugins.pop("CloudFormation Validate")
    assert validate["violations"] == []
    assert {v["acknowledgedId"] for v in validate["suppressedViolations"]} == {
        "CloudFormation-Validate::W3696"
    }
    others = [
        (v["ruleName"], c["constructPath"])
        for plugin in plugins.values()
        for v in plugin["violations"]
        for c in v["violatingConstructs"]
    ]
    assert all(
        rule == CONFIGURATION_WARNING and path.startswith("Config-") for rule, path in others
    ), others


def test_cfn_lint_is_clean(worlds: dict[str, World]) -> None:
    """Both worlds in one cfn-lint process: its start-up (schemas) is most of its cost."""
    paths = _templates(worlds)
    assert len(paths) >= 26
    findings = [
        f"{m['Rule']['Id']} {m['Filename']}: {m['Message']}" for m in cfn_lint_result(paths)
    ]
    assert findings == []


def test_no_warning_annotations(world: World) -> None:
    """No reference-strength warning (the sender stack states it), no end-of-support warning
    (the example acknowledges it), nothing else."""
    warnings = [
        f"{stack.stack_name}: {message.entry.data}"
        for stack in world.assembly.stacks_recursively
        for message in stack.messages
        if message.level == cdk.cx_api.SynthesisMessageLevel.WARNING
        and stack.stack_name.startswith(("Orders", "dev-", "staging-", "prod-"))
    ]
    assert warnings == []


def _fold(value: Any, partition: str | None) -> Any:
    """The rendering the flags choose, undone: ``Fn::Join`` of literal strings and (with a known
    partition) ``AWS::Partition`` becomes one string, also where cdk-nag's suppression metadata
    names it (``<AWS::Partition>``); IAM action lists are sorted."""
    if isinstance(value, list):
        return [_fold(v, partition) for v in value]
    if isinstance(value, str) and partition:
        return value.replace("<AWS::Partition>", partition)
    if not isinstance(value, dict):
        return value
    folded = {k: _fold(v, partition) for k, v in value.items()}
    if partition and folded == {"Ref": "AWS::Partition"}:
        return partition
    join = folded.get("Fn::Join")
    if len(folded) == 1 and join and join[0] == "":
        parts: list[Any] = []
        for part in join[1]:
            if isinstance(part, str) and parts and isinstance(parts[-1], str):
                parts[-1] += part
            else:
                parts.append(part)
        return parts[0] if len(parts) == 1 else {"Fn::Join": ["", parts]}
    for key in ("Action", "NotAction"):
        if isinstance(folded.get(key), list):
            folded[key] = sorted(folded[key])
    return folded


def test_the_flags_change_only_the_rendering(worlds: dict[str, World]) -> None:
    default, recommended = (world.assembly for world in worlds.values())
    compared = 0
    others = {stack.stack_name: stack for stack in recommended.stacks_recursively}
    for stack in default.stacks_recursively:
        other = others[stack.stack_name]
        region = stack.environment.region
        partition = None if region.startswith("unknown") else "aws"
        mine, theirs = (_fold(normalize(s.template), partition) for s in (stack, other))
        assert mine == theirs, stack.stack_name
        assert set(mine["Resources"]) == set(stack.template["Resources"])  # logical ids kept
        compared += 1
    assert compared >= 13
