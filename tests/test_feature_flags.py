"""cdk.json carries exactly the feature flags that ``cdk init app --language python`` of the pinned
CLI writes (scripts/feature_flags.py regenerates them), beside the project's own context."""

from __future__ import annotations

import importlib.util
import json
import sys
from types import ModuleType

import pytest
from prefetch import result as prefetch_result
from prefetch import start as prefetch_start
from synth_support import REPO_ROOT


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "feature_flags", REPO_ROOT / "scripts" / "feature_flags.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("feature_flags", module)
    spec.loader.exec_module(module)
    return module


feature_flags = _script()


def prefetch(item: pytest.Item) -> None:  # called by tests/conftest.py when collection ends
    if (
        getattr(item, "originalname", "")
        == "test_cdk_json_holds_exactly_the_flags_the_pinned_cli_writes"
    ):
        prefetch_start("cdk-init-flags", feature_flags.generated_flags)


@pytest.mark.cli
def test_cdk_json_holds_exactly_the_flags_the_pinned_cli_writes() -> None:
    generated = prefetch_result("cdk-init-flags", feature_flags.generated_flags)
    assert len(generated) >= 80  # 2.1148.1 writes 89
    assert feature_flags.flags_of(json.loads((REPO_ROOT / "cdk.json").read_text())) == generated


def test_flags_sit_beside_the_project_context() -> None:
    context = json.loads((REPO_ROOT / "cdk.json").read_text())["context"]
    assert {"environments", "pipeline"} <= set(context)
    flags = feature_flags.flags_of({"context": context})
    assert all(key.startswith("@aws-cdk") for key in flags), sorted(flags)


def test_regenerating_keeps_the_project_context_and_replaces_the_flags() -> None:
    old = {
        "app": "python app.py",
        "context": {"@aws-cdk/core:stale": True, "environments": {"dev": {}}, "pipeline": {}},
    }
    new = feature_flags.merged(old, {"@aws-cdk/core:fresh": "weak"})
    assert new == {
        "app": "python app.py",
        "context": {"@aws-cdk/core:fresh": "weak", "environments": {"dev": {}}, "pipeline": {}},
    }
