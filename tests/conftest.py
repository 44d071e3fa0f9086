from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.json import JSONSnapshotExtension

sys.path.insert(0, os.path.dirname(__file__))
# The example app (app.py) and the bench live at the repository root.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# No test may reach AWS: fake credentials, a fixed region.
os.environ.update(
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    AWS_DEFAULT_REGION="us-east-1",
)
os.environ.pop("AWS_PROFILE", None)


@pytest.fixture
def snapshot_json(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    return snapshot.use_extension(JSONSnapshotExtension)


class Synthesized:
    """One synthesis of the example app and every channel configuration (channel_configurations)."""

    def __init__(self, outdir: str) -> None:
        import aws_cdk as cdk
        from channel_configurations import build_all
        from synth_support import new_app, normalize

        import app as example

        # Built-in CloudFormation validation stays on here: tests assert its W3696 acknowledgment.
        self.app: cdk.App = new_app(validation=True, outdir=Path(outdir))
        example.build_app(self.app)
        self.stacks = build_all(self.app)
        self.assembly = self.app.synth()
        self.outdir = outdir
        self.templates = {stack.stack_name: stack.template for stack in self.assembly.stacks}
        self.normalized = {name: normalize(t) for name, t in self.templates.items()}
        self.template_paths = sorted(Path(outdir).glob("*.template.json"))
        # cfn-lint runs in the background while other tests use this synthesis.
        from prefetch import cfn_lint_soon

        cfn_lint_soon(self.template_paths)

    def config(self, name: str) -> dict[str, object]:
        return self.templates[self.stacks[name].stack_name]  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    return Synthesized(str(tmp_path_factory.mktemp("cdk.out")))


def pytest_collection_finish(session: pytest.Session) -> None:
    # An xdist worker collects every test but runs a share: its jobs start on demand instead.
    if hasattr(session.config, "workerinput"):
        return
    from prefetch import start_for

    start_for(session.items)
