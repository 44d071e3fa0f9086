"""Synthesis helpers shared by the test layers: one App per configuration set, normalized JSON."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aws_cdk as cdk

# Asset hashes change with any edit of the handler source; what users deploy does not.
_ASSET_HASH = re.compile(r"\b[0-9a-f]{64}\b")
ASSET_HASH = "<asset-hash>"
# The handler role's ownership tags statement, as the template must show it (written out here, not
# read from the library's contract, so a change to the contract shows in these tests).
OWNERSHIP_TAG_ACTIONS = [
    "mobiletargeting:ListTagsForResource",
    "mobiletargeting:TagResource",
    "mobiletargeting:UntagResource",
]
OWNERSHIP_TAG_KEYS_ONLY = {
    "ForAllValues:StringEquals": {
        "aws:TagKeys": [
            "constructs-pinpoint:email-channel-owner",
            "constructs-pinpoint:email-channel-previous-owner",
        ]
    }
}


def ownership_statement(resource: Any) -> dict[str, Any]:
    return {
        "Action": OWNERSHIP_TAG_ACTIONS,
        "Condition": OWNERSHIP_TAG_KEYS_ONLY,
        "Effect": "Allow",
        "Resource": resource,
    }


REPO_ROOT = Path(__file__).resolve().parent.parent


def new_app(*, validation: bool = False, outdir: Path | None = None) -> cdk.App:
    return cdk.App(
        analytics_reporting=False,
        builtin_cloud_formation_validation=validation,
        outdir=str(outdir) if outdir else None,
    )


def nag_report(build: Callable[[cdk.App], object], outdir: Path) -> dict[str, Any]:
    """cdk-nag's (AwsSolutions) validation report of an App that ``build`` fills; a finding
    fails the calling test, with the report."""
    import pytest
    from cdk_nag import AwsSolutionsChecks

    app = new_app(outdir=outdir)
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    build(app)
    try:
        app.synth()
    except RuntimeError as error:
        pytest.fail(
            f"cdk-nag findings:\n{error}\n{(outdir / 'validation-report.json').read_text()}"
        )
    return json.loads((outdir / "validation-report.json").read_text())  # type: ignore[no-any-return]


def normalize(template: Any) -> Any:
    return json.loads(_ASSET_HASH.sub(ASSET_HASH, json.dumps(template)))


def resources_of(template: dict[str, Any], resource_type: str) -> dict[str, Any]:
    return {
        name: resource
        for name, resource in template.get("Resources", {}).items()
        if resource["Type"] == resource_type
    }


def resource_diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """What a deploy from ``before`` to ``after`` (two templates' Resources) changes: resources
    added and removed by logical id, and the top-level keys of each resource that changed."""
    changed = {}
    for name in before.keys() & after.keys():
        keys = {
            key
            for key in before[name].keys() | after[name].keys()
            if before[name].get(key) != after[name].get(key)
        }
        if keys:
            changed[name] = keys
    return {
        "added": sorted(after.keys() - before.keys()),
        "removed": sorted(before.keys() - after.keys()),
        "changed": changed,
    }


def named_resource(resources: dict[str, Any], prefix: str, resource_type: str) -> str:
    """The one logical id starting with ``prefix`` of type ``resource_type``."""
    (name,) = (
        n for n, r in resources.items() if n.startswith(prefix) and r["Type"] == resource_type
    )
    return name


def logical_id_changes(pinned: dict[str, str], template: dict[str, Any]) -> list[str]:
    """The pinned resources (logical id -> type) that ``template`` lost, renamed or retyped: each
    a replacement on the user's next deploy."""
    now = {name: resource["Type"] for name, resource in template.get("Resources", {}).items()}
    return [
        f"{logical_id} ({resource_type}): "
        + (f"now {now[logical_id]}" if logical_id in now else "gone")
        for logical_id, resource_type in pinned.items()
        if now.get(logical_id) != resource_type
    ]
