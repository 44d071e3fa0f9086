"""The handler package as Lambda imports it: top-level ``handler``, from the asset directory,
without importing ``constructs_pinpoint`` (and so no CDK). Every test module gets the handler's
modules, its contract among them, from here."""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

HANDLER_DIR = Path(__file__).resolve().parents[2] / "constructs_pinpoint" / "handler"


def load_handler() -> ModuleType:
    """The handler package as Lambda imports it: top-level ``handler``, from the asset directory."""
    existing = sys.modules.get("handler")
    if existing is not None and Path(existing.__file__ or "").parent == HANDLER_DIR:
        return existing
    spec = importlib.util.spec_from_file_location(
        "handler", HANDLER_DIR / "__init__.py", submodule_search_locations=[str(HANDLER_DIR)]
    )
    assert spec is not None and spec.loader is not None
    package = importlib.util.module_from_spec(spec)
    sys.modules["handler"] = package
    spec.loader.exec_module(package)
    for name in HANDLER_MODULES:
        importlib.import_module(f"handler.{name}")
    return package


HANDLER_MODULES = (
    "contract",
    "entry",
    "cfn_response",
    "pinpoint_calls",
    "properties",
    "stack_status",
    "log",
    "ownership",
)
handler = load_handler()
contract: Any = sys.modules["handler.contract"]
entry: Any = sys.modules["handler.entry"]
cfn_response: Any = sys.modules["handler.cfn_response"]
pinpoint_calls: Any = sys.modules["handler.pinpoint_calls"]
handler_log: Any = sys.modules["handler.log"]
ownership: Any = sys.modules["handler.ownership"]
