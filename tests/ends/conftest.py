"""The ends of the supported aws-cdk-lib range run in ./scripts/test-ends.sh (CI runs it after the
suite): each builds a venv of its own from PyPI, which the default suite's loop should not pay."""

from __future__ import annotations

import os

import pytest

ENABLE = "CONSTRUCTS_PINPOINT_ENDS"


@pytest.fixture(autouse=True)
def _only_in_test_ends() -> None:
    if os.environ.get(ENABLE) != "1":
        pytest.skip(f"supported-range ends run in ./scripts/test-ends.sh ({ENABLE}=1); CI runs it")
