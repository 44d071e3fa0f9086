"""Snapshots of what users deploy: the example app and every channel configuration.

Asset hashes are normalized (they follow the handler source); everything else is compared.
"""

from __future__ import annotations

import pytest
from channel_configurations import CONFIGURATIONS
from syrupy.assertion import SnapshotAssertion


@pytest.mark.parametrize("stack_name", ["OrdersEmail", "OrdersEmailSender"])
def test_example_app_template(
    synthesized, stack_name: str, snapshot_json: SnapshotAssertion
) -> None:
    assert synthesized.normalized[stack_name] == snapshot_json


@pytest.mark.parametrize("name", sorted(CONFIGURATIONS))
def test_configuration_template(synthesized, name: str, snapshot_json: SnapshotAssertion) -> None:
    stack_name = synthesized.stacks[name].stack_name
    assert synthesized.normalized[stack_name] == snapshot_json
