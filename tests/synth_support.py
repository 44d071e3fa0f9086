"""Synthesis helpers shared by the test layers: one App per configuration set, normalized JSON."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import aws_cdk as cdk

# Asset hashes change with any edit of the handler source; what users deploy does not.
_ASSET_HASH = re.compile(r"\b[0-9a-f]{64}\b")
ASSET_HASH = "<asset-hash>"
REPO_ROOT = Path(__file__).resolve().parent.parent


def new_app(*, validation: bool = False, outdir: Path | None = None) -> cdk.App:
    return cdk.App(
        analytics_reporting=False,
        builtin_cloud_formation_validation=validation,
        outdir=str(outdir) if outdir else None,
    )


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
