"""Module attributes loaded from their own module on first access (PEP 562), one helper for
every package that defers an import: ``import constructs_pinpoint`` stays cheap, and a name's
module (aws-cdk-lib, boto3...) is imported only when the name is used. Standard library only.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(
    package: str, exports: Mapping[str, str], namespace: dict[str, Any], public: list[str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for module ``package``: ``exports`` maps each name to the
    (relative) module defining it; a loaded name is kept in ``namespace`` (the module's
    ``globals()``), so the next access is a plain lookup. ``public`` is the module's ``__all__``.
    """

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module, package), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *exports, *public})

    return __getattr__, __dir__
