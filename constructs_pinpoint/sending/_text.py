"""Wording shared by every message the package prints (standard library only: the sending layer
ships this folder alone, and the constructs, the handler-free tools and the example import it)."""

from __future__ import annotations


def counted(count: int, singular: str, plural: str | None = None) -> str:
    """``1 channel``, ``2 channels``; ``plural`` for irregular nouns (``2 entries``)."""
    return f"{count} {singular if count == 1 else (plural or singular + 's')}"
