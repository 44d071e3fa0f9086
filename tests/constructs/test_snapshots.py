"""Snapshots of what users deploy: every channel configuration (channel_configurations).

Asset hashes are normalized (they follow the handler source); everything else is compared. The
example app's snapshots are tests/example_app/test_example_snapshots.py's.
"""

from __future__ import annotations

import pytest
from channel_configurations import CONFIGURATIONS
from syrupy.assertion import SnapshotAssertion


@pytest.mark.parametrize("name", sorted(CONFIGURATIONS))
def test_configuration_template(synthesized, name: str, snapshot_json: SnapshotAssertion) -> None:
    stack_name = synthesized.stacks[name].stack_name
    assert synthesized.normalized[stack_name] == snapshot_json
