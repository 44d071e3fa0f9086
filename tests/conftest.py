from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.json import JSONSnapshotExtension

sys.path.insert(0, os.path.dirname(__file__))
# The example app (app.py) and the bench live at the repository root: tests/example_app and the
# bench's tests import them; construct tests build their own small apps (channel_configurations).
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
    """One synthesis of every channel configuration (channel_configurations), in an App of its
    own: construct tests never build the example app (tests/example_app does)."""

    def __init__(self, outdir: str) -> None:
        import aws_cdk as cdk
        from channel_configurations import build_all
        from synth_support import new_app, normalize

        # Built-in CloudFormation validation off (about 2 s): the templates are the same, and
        # test_lint_and_nag.py runs the validation on every configuration itself.
        self.app: cdk.App = new_app(outdir=Path(outdir))
        self.stacks = build_all(self.app)
        self.assembly = self.app.synth()
        self.outdir = outdir
        self.templates = {stack.stack_name: stack.template for stack in self.assembly.stacks}
        self.normalized = {name: normalize(t) for name, t in self.templates.items()}
        self.template_paths = sorted(Path(outdir).glob("*.template.json"))
        # The minimal configuration without its cfn-lint acknowledgments: what cfn-lint reports
        # without them (test_lint_and_nag.py).
        minimal = dict(self.config("minimal"))
        minimal["Resources"] = {
            name: {
                **resource,
                "Metadata": {
                    key: value
                    for key, value in resource.get("Metadata", {}).items()
                    if key != "cfn-lint"
                },
            }
            for name, resource in minimal["Resources"].items()
        }
        bare = Path(outdir, "bare")
        bare.mkdir()
        self.bare_minimal = bare / "minimal.template.json"
        self.bare_minimal.write_text(json.dumps(minimal))
        # cfn-lint runs in the background while other tests use this synthesis: one process for
        # every template, since its start-up is a good part of its cost.
        from prefetch import cfn_lint_soon

        self.lint_paths = [*self.template_paths, self.bare_minimal]
        cfn_lint_soon(self.lint_paths)

    def config(self, name: str) -> dict[str, object]:
        return self.templates[self.stacks[name].stack_name]  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    return Synthesized(str(tmp_path_factory.mktemp("cdk.out")))


class ExampleSynthesized:
    """One synthesis of the example app's default stacks (``OrdersEmail``,
    ``OrdersEmailSender``), in an App of its own and with no cdk.json context, as its committed
    snapshots were made. For tests/example_app and the tests that read the example's cloud
    assembly (the inventory's); construct tests use :class:`Synthesized`."""

    def __init__(self, outdir: str) -> None:
        from synth_support import new_app

        import app as example

        # Built-in CloudFormation validation (about 2 s) only when the test of its report is
        # selected (not in the quick loop): the templates are the same either way.
        app = new_app(validation=_VALIDATION_REPORT_READ, outdir=Path(outdir))
        example.build_app(app)
        assembly = app.synth()
        self.outdir = outdir
        self.templates: dict[str, Any] = {
            stack.stack_name: stack.template for stack in assembly.stacks
        }
        self.template_paths = sorted(Path(outdir).glob("*.template.json"))
        from prefetch import cfn_lint_soon

        cfn_lint_soon(self.template_paths)  # in the background meanwhile


# Whether the selected tests read the example's built-in validation report.
_VALIDATION_REPORT_READ = True
_VALIDATION_REPORT_TEST = (
    "tests/example_app/test_example_snapshots.py::test_builtin_validation_acknowledges_only_w3696"
)


@pytest.fixture(scope="session")
def example_synthesized(tmp_path_factory: pytest.TempPathFactory) -> ExampleSynthesized:
    return ExampleSynthesized(str(tmp_path_factory.mktemp("example.out")))


def pytest_collection_finish(session: pytest.Session) -> None:
    global _VALIDATION_REPORT_READ
    _VALIDATION_REPORT_READ = any(
        item.nodeid.endswith(_VALIDATION_REPORT_TEST) for item in session.items
    )
    # An xdist worker collects every test but runs a share: its jobs start on demand instead.
    if hasattr(session.config, "workerinput"):
        return
    from prefetch import start_for

    start_for(session.items)


# Marked `slow` so that `./scripts/test.sh -m "not slow"` is a quick loop: real-tool work (the CDK
# CLI, marker `cli`; wheel builds, cfn-lint, mypy and ruff, the docs' programs, fresh
# interpreters, aws-cdk-lib's asset staging, test.sh run inside the suite), and the in-process
# tests of about 0.3 s and more: synths at scale, fuzzing, and the handler's real-time deadlines.
# CI runs everything.
_SLOW_MODULES = {
    "test_packaging.py",
    "test_static.py",
    "test_ci.py",
    "test_iam_scale.py",
    "test_errors.py",  # tests/sunset: the inventory fuzzed
    "test_flag_sets.py",
    "test_handler_random_events.py",
}
_SLOW_NAMES = (
    "cfn_lint",
    "python_block_runs",
    "cdk_nag_as_written",
    "docs_commands",
    "hanging",
    "in_flight_at_the_deadline",
    "persistent_5xx",
    "150_channels",
    "arbitrary_input",
    "accepts_exactly_what",
    "carries_more_than_the_rate",
    "builtin_validation",
    # fresh interpreters, a program run as a user runs it, aws-cdk-lib's own asset staging
    "fresh_interpreter",
    "installed_package_path",
    "never_synthesized",
    "asset_staging_makes",
    # the senders against the local HTTP fake (on a fake clock, but a real server and clients)
    "paces_at_the_account_rate",
    "paces_when_given_a_rate",
    "over_the_rate_entries",
    "retries_are_bounded",
    "throttled_past_the_bound",
    "deadline_stops_the_send",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if (
            item.get_closest_marker("cli") is not None
            or item.path.name in _SLOW_MODULES
            or any(name in item.name for name in _SLOW_NAMES)
        ):
            item.add_marker(pytest.mark.slow)
