"""bench/run.py's arithmetic and bookkeeping, and the fairness of bench/synth_one.py's baselines.

No timing here: the benchmark itself is run by hand (docs/performance.md).
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import pytest
from prefetch import result as prefetch_result
from prefetch import start as prefetch_start

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


run = _load("run")


def _results(rounds: dict[tuple[int, str], list[dict[str, float]]]) -> object:
    """A Results whose rounds hold the given wall times (CPU = wall, 100 MB each)."""
    ns = sorted({n for n, v in rounds if v == "off"})
    results = run.Results("test", 1, ns, [150], [], [])
    for case, per_round in rounds.items():
        results.rounds[case] = [
            {design: run.Sample(wall, wall, 100.0) for design, wall in r.items()} for r in per_round
        ]
    return results


def test_rotation_runs_every_pair_of_designs_in_both_orders_every_two_rounds() -> None:
    for start in range(0, 2 * len(run.DESIGNS), 2):
        pair = [run.rotation(i, run.DESIGNS) for i in (start, start + 1)]
        for order in pair:
            assert sorted(order) == sorted(run.DESIGNS)
        for a in run.DESIGNS:
            for b in run.DESIGNS:
                if a != b:
                    assert sum(o.index(a) < o.index(b) for o in pair) == 1, (a, b, pair)
    firsts = {run.rotation(i, run.DESIGNS)[0] for i in range(2 * len(run.DESIGNS))}
    assert firsts == set(run.DESIGNS)


def test_ratio_is_the_median_of_per_round_ratios_not_a_ratio_of_medians() -> None:
    results = _results(
        {
            (150, "off"): [
                {"native": 1.0, "ours": 1.2},
                {"native": 2.0, "ours": 2.2},
                {"native": 1.0, "ours": 1.5},
            ]
        }
    )
    assert results.ratio("ours", "native", 150, "off") == pytest.approx(1.2)
    # The ratio of the medians would be 1.5 / 1.0.
    assert results.wall("ours", 150, "off") / results.wall("native", 150, "off") == 1.5


def test_targets_are_inclusive_except_against_the_provider() -> None:
    results = _results(
        {
            (1, "off"): [{"native": 1.0, "ours": 1.15, "provider": 1.2}],
            (150, "off"): [{"native": 1.0, "ours": 1.26, "provider": 1.26}],
            (150, "on"): [{"native": 1.0, "ours": 1.11, "provider": 1.2}],
        }
    )
    verdicts = {t.label(): met for t, _, met in run.evaluate(results)}
    assert verdicts == {
        f"ours / native, N = 150, validation off: <= 1.25{run.X}": False,
        f"ours / native, N = 150, validation on: <= 1.10{run.X}": False,
        f"ours / native, N = 1, validation off: <= 1.15{run.X}": True,
        f"ours / native, N = 450, validation off: <= 1.40{run.X}": None,
        f"ours / Provider, N = 1, validation off: < 1.00{run.X}": True,
        f"ours / Provider, N = 150, validation off: < 1.00{run.X}": False,
    }


def test_a_target_whose_case_did_not_run_is_reported_not_run() -> None:
    results = _results({(1, "off"): [{"native": 1.0, "ours": 1.1, "provider": 1.2}]})
    lines = run.render_targets(results)
    assert any("N = 150, validation on" in line and "not run" in line for line in lines)


def test_generated_block_of_performance_md_is_replaced_and_the_rest_kept(tmp_path: Path) -> None:
    page = tmp_path / "performance.md"
    page.write_text(f"# Title\n\nbefore\n\n{run.BEGIN_MARK}\nold table\n{run.END_MARK}\n\nafter\n")
    run.update_performance_md(page, "| new | table |\n")
    text = page.read_text()
    assert "old table" not in text
    assert text.startswith("# Title\n\nbefore\n\n")
    assert text.endswith(f"| new | table |\n\n{run.END_MARK}\n\nafter\n")


def test_performance_md_without_markers_is_an_error_that_names_them(tmp_path: Path) -> None:
    page = tmp_path / "performance.md"
    page.write_text("# Title\n")
    with pytest.raises(SystemExit, match="has no generated block"):
        run.update_performance_md(page, "x")


def test_docs_performance_md_has_the_generated_block() -> None:
    text = (ROOT / "docs" / "performance.md").read_text()
    assert text.index(run.BEGIN_MARK) < text.index(run.END_MARK)


def _baselines_job() -> subprocess.CompletedProcess[str]:
    program = textwrap.dedent(
        f"""
        import sys, tempfile
        sys.path.insert(0, {str(BENCH)!r})
        import synth_one
        for design in ("native", "awscr", "provider"):
            synth_one.build(design, 2, False, tempfile.mkdtemp(), None)
        leaked = sorted(m for m in sys.modules if m.startswith("constructs_pinpoint"))
        assert not leaked, leaked
        """
    )
    return subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=120
    )


def prefetch(item: pytest.Item) -> None:  # called by tests/conftest.py when collection ends
    if getattr(item, "originalname", "") == "test_baselines_import_nothing_of_ours":
        prefetch_start("bench-baselines", _baselines_job)


def test_baselines_import_nothing_of_ours() -> None:
    """Each baseline is written as its own users write it: no constructs_pinpoint anywhere."""
    done = prefetch_result("bench-baselines", _baselines_job)
    assert done.returncode == 0, done.stderr[-2000:]


def _metrics(resources: dict[str, int]) -> dict[str, object]:
    return {
        "resources": sum(resources.values()),
        "types": resources,
        "lambdas": resources.get("AWS::Lambda::Function", 0),
        "iam_inline": resources.get("AWS::IAM::Policy", 0),
        "iam_managed": resources.get("AWS::IAM::ManagedPolicy", 0),
        "template_bytes": 2048,
        "asset_files": 1,
        "asset_bytes": 1024,
        "asset_zip_bytes": 512,
        "invocations": 1,
        "iam_fits": True,
        "iam_problems": [],
        "warnings": [],
    }


def test_every_table_row_has_as_many_cells_as_its_header() -> None:
    walls = {"native": 1.0, "awscr": 1.4, "provider": 1.3, "ours": 1.1}
    results = _results({(1, "off"): [walls], (2, "off"): [walls]})
    results.cases = [(1, "off", run.DESIGNS), (2, "off", run.DESIGNS)]
    custom = {"Custom::X": 1, "AWS::Lambda::Function": 1, "AWS::IAM::Role": 1}
    for n in (1, 2):
        for design in run.DESIGNS:
            types = (
                {"AWS::Pinpoint::EmailChannel": n}
                if design == "native"
                else {
                    **custom,
                    "Custom::X": n,
                }
            )
            results.metrics[(design, n, "off")] = _metrics(types)
    results.max_n = run.fit_max_n(results)
    assert results.max_n["native"]["max_n"] == 500
    assert results.max_n["ours"]["constant"] == 2
    tables: list[list[str]] = [[]]
    for line in run.render_markdown(results).splitlines():
        if line.startswith("|"):
            tables[-1].append(line)
        elif tables[-1]:
            tables.append([])
    assert len([t for t in tables if t]) >= 4  # headline, targets, every case, largest N
    for table in filter(None, tables):
        assert len({len(line.strip("|").split("|")) for line in table}) == 1, table


def test_warnings_are_read_from_the_stack_metadata_file_too(tmp_path: Path) -> None:
    analysis = _load("analysis")
    warning = {"type": "aws:cdk:warning", "data": "end of support"}
    info = {"type": "aws:cdk:info", "data": "fine"}
    (tmp_path / "Bench.metadata.json").write_text(json.dumps({"/Bench": [info, warning]}))
    manifest = {
        "artifacts": {
            "Bench": {"additionalMetadataFile": "Bench.metadata.json"},
            "Other": {"metadata": {"/Other/X": [warning]}},
        }
    }
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    assert analysis.warnings(tmp_path) == ["/Bench: end of support", "/Other/X: end of support"]


def test_the_shard_model_is_read_off_the_template_not_the_source() -> None:
    """bench/ reads the library's sharding off a template (and IAM's quotas from contract.py):
    channels of the inline policy, channels per ChannelsPolicy<k>, and the largest N both allow."""
    analysis = _load("analysis")

    def policy(kind: str, count: int) -> dict[str, object]:
        actions = ["mobiletargeting:UpdateEmailChannel", "mobiletargeting:DeleteEmailChannel"]
        resources = [
            f"arn:aws:mobiletargeting:r:1:apps/{i:032x}/channels/email" for i in range(count)
        ]
        statement = {"Action": actions, "Effect": "Allow", "Resource": resources}
        return {"Type": kind, "Properties": {"PolicyDocument": {"Statement": [statement]}}}

    template = {
        "Resources": {
            "PinpointEmailChannelProviderRoleDefaultPolicy44B3FCE7": policy("AWS::IAM::Policy", 43),
            "PinpointEmailChannelProviderChannelsPolicy1D80496A6": policy(run.MANAGED_POLICY, 27),
            "PinpointEmailChannelProviderChannelsPolicy2ABCDEF12": policy(run.MANAGED_POLICY, 3),
        }
    }
    shards = analysis.shard_model(template)
    assert shards == (43, 27)
    assert analysis.shard_model({"Resources": {}}) is None
    assert run.ours_managed_policies(43, shards) == 0
    assert run.ours_managed_policies(71, shards) == 2
    fit = {"per_channel": 1, "constant": 4, "sharded": True, "shards": shards}
    assert run.largest_n(fit) == 43 + 10 * 27
    assert "_provider" not in (BENCH / "run.py").read_text()
