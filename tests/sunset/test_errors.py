"""What the reader cannot understand: exit 2 and one ``error:`` line naming the file and the
problem, never a traceback. Also how nested stacks are found, and the real entry point."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sunset_support import REPO_ROOT, run_cli, write_assembly

from constructs_pinpoint.sunset import EXIT_CLEAN, EXIT_INVALID, EXIT_REMAINING, inventory, main

SENDER = {
    "Type": "AWS::Lambda::Function",
    "Properties": {"Environment": {"Variables": {"PINPOINT_EMAIL_BACKEND": "pinpoint"}}},
}
STACK = {"type": "aws:cloudformation:stack", "properties": {"templateFile": "S.json"}}


def _one_error_line(run: subprocess.CompletedProcess[str]) -> str:
    assert run.returncode == EXIT_INVALID, run.stdout + run.stderr
    assert run.stdout == ""
    assert "Traceback" not in run.stderr
    assert "internal error" not in run.stderr, run.stderr
    assert len(run.stderr.splitlines()) == 1, run.stderr
    assert run.stderr.startswith("error: ")
    return run.stderr


def _assert_remaining(run: subprocess.CompletedProcess[str]) -> None:
    """Exit 1 *and* the inventory's own output: a Python that lacks the package exits 1 too."""
    assert run.returncode == EXIT_REMAINING, run.stderr
    assert run.stdout.startswith("Pinpoint email inventory of "), run.stdout + run.stderr
    assert "\nStill on Pinpoint email: " in run.stdout
    assert run.stderr == ""


def test_the_real_entry_point_exits_1_with_its_output(tmp_path: Path) -> None:
    _assert_remaining(run_cli(str(write_assembly(tmp_path, {"S": {"Resources": {"F": SENDER}}}))))


def test_exit_1_alone_proves_nothing(tmp_path: Path) -> None:
    """An interpreter without the package (no site-packages, not run from the repository)."""
    root = write_assembly(tmp_path / "out", {"S": {"Resources": {"F": SENDER}}})
    run = subprocess.run(
        [sys.executable, "-I", "-S", "-m", "constructs_pinpoint.sunset", str(root)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert run.returncode == 1
    with pytest.raises(AssertionError):
        _assert_remaining(run)


CASES: dict[str, tuple[dict[str, str], str]] = {
    # name: (files under cdk.out, the message's pattern)
    "missing": ({}, r"cdk\.out: no cloud assembly there: run `cdk synth` first"),
    "empty": ({".keep": ""}, r"manifest\.json: no such file \(cloud assembly manifest\)"),
    "broken": ({"manifest.json": '{"artifacts": '}, r"manifest\.json: not valid JSON \("),
    "not an object": ({"manifest.json": "[]"}, r"expected a JSON object .* got an array"),
    "bad artifacts": ({"manifest.json": '{"artifacts": []}'}, r"'artifacts' is an array"),
    "no template": (
        {"manifest.json": json.dumps({"artifacts": {"S": STACK}})},
        r"S\.json: no such file \(template of S\)",
    ),
    "resource not an object": (
        {
            "manifest.json": json.dumps({"artifacts": {"S": STACK}}),
            "S.json": '{"Resources": {"X": 1}}',
        },
        r"S\.json: resource 'X' is a number",
    ),
    "no type": (
        {
            "manifest.json": json.dumps({"artifacts": {"S": STACK}}),
            "S.json": '{"Resources": {"X": {"Type": ["a"]}}}',
        },
        r"S\.json: resource 'X' has no string 'Type'",
    ),
    "bad nested assembly": (
        {"manifest.json": json.dumps({"artifacts": {"n": {"type": "cdk:cloud-assembly"}}})},
        r"nested assembly 'n' has no string directoryName",
    ),
    "too deep": (
        {"manifest.json": json.dumps({"artifacts": {"S": STACK}}), "S.json": "[" * 100_000},
        r"S\.json: JSON nested too deeply to read",
    ),
    "surrogate": (
        {
            "manifest.json": json.dumps({"artifacts": {"S": STACK}}),
            "S.json": '{"Resources": {"\\ud800X": {"Type": "AWS::SNS::Topic"}}}',
        },
        r"S\.json: a string holds an unpaired surrogate \\ud800",
    ),
    "not utf-8": (
        {"manifest.json": json.dumps({"artifacts": {"S": STACK}}), "S.json": "\udcff"},
        r"S\.json: not UTF-8 text",
    ),
    "yaml": (
        {
            "manifest.json": json.dumps(
                {"artifacts": {"S": dict(STACK, properties={"templateFile": "S.yaml"})}}
            ),
            "S.yaml": "Resources:\n  X:\n    Type: A\n",
        },
        r"S\.yaml: not valid JSON .*\(the CDK writes JSON templates only\)",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_an_unreadable_assembly_exits_2_with_one_line(tmp_path: Path, case: str) -> None:
    files, pattern = CASES[case]
    out = tmp_path / "cdk.out"
    for name, text in files.items():
        out.mkdir(exist_ok=True)
        (out / name).write_bytes(text.encode("utf-8", "surrogateescape"))
    import re

    assert re.search(pattern, _one_error_line(run_cli(str(out)))), case


def _template_error(tmp_path: Path, resources: dict[str, Any]) -> str:
    write_assembly(tmp_path, {"S": {"Resources": resources}})
    return _one_error_line(run_cli(str(tmp_path)))


@pytest.mark.parametrize(
    ("resources", "message"),
    [
        (
            {
                "F": {
                    "Type": "AWS::Lambda::Function",
                    "Properties": {"Role": {"Fn::GetAtt": [["R"], "Arn"]}},
                }
            },
            "S.json: resource 'F': Fn::GetAtt takes [logical id, attribute]",
        ),
        (
            {"F": {"Type": "AWS::Lambda::Function", "Properties": {"Environment": []}}},
            "S.json: resource 'F': Environment is not an object",
        ),
        (
            {"F": {"Type": "AWS::Lambda::Function", "Properties": []}},
            "S.json: Properties of resource 'F' is an array, expected an object",
        ),
        (
            {
                "P": {
                    "Type": "AWS::IAM::Policy",
                    "Properties": {
                        "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": [1]}]}
                    },
                }
            },
            "S.json: resource 'P': an action is int, not a string",
        ),
        (
            {"P": {"Type": "AWS::IAM::Policy", "Properties": {"Roles": 3, "PolicyDocument": {}}}},
            "S.json: resource 'P': Roles is int, expected a list",
        ),
        (
            {"C": {"Type": "AWS::Pinpoint::Campaign", "Properties": {"MessageConfiguration": "x"}}},
            "S.json: resource 'C': MessageConfiguration is not an object",
        ),
    ],
)
def test_wrong_types_in_a_template_exit_2_naming_file_and_resource(
    tmp_path: Path, resources: dict[str, Any], message: str
) -> None:
    assert message in _template_error(tmp_path, resources)


# --- nested stacks --------------------------------------------------------------------------


def _nested_stack(**metadata_or_url: Any) -> dict[str, Any]:
    resource: dict[str, Any] = {"Type": "AWS::CloudFormation::Stack", "Properties": {}}
    if "path" in metadata_or_url:
        resource["Metadata"] = {"aws:asset:path": metadata_or_url["path"]}
    if "url" in metadata_or_url:
        resource["Properties"]["TemplateURL"] = metadata_or_url["url"]
    return resource


def test_a_nested_stack_is_found_by_its_asset_path_metadata(tmp_path: Path) -> None:
    """How the CDK CLI writes it (aws:cdk:enable-asset-metadata)."""
    root = write_assembly(
        tmp_path, {"P": {"Resources": {"N": _nested_stack(path="N.nested.json")}}}
    )
    (root / "N.nested.json").write_text(json.dumps({"Resources": {"F": SENDER}}))
    stacks = {stack.stack: stack for stack in inventory(root)}
    assert list(stacks) == ["P", "P/N"]
    assert len(stacks["P/N"].senders) == 1


def test_a_missing_nested_template_exits_2(tmp_path: Path) -> None:
    write_assembly(tmp_path, {"P": {"Resources": {"N": _nested_stack(path="gone.json")}}})
    assert "gone.json: no such file (template of P/N)" in _one_error_line(run_cli(str(tmp_path)))


def test_a_nested_stack_from_outside_the_assembly_is_a_check(tmp_path: Path) -> None:
    url = "https://s3.amazonaws.com/bucket/other.json"
    write_assembly(tmp_path, {"P": {"Resources": {"N": _nested_stack(url=url)}}})
    (stack,) = inventory(tmp_path)
    (check,) = stack.checks
    assert (check.subject, check.reason) == (
        "nested stack N",
        "its template is not in the assembly",
    )


def test_nested_stacks_that_name_each_other_are_read_once(tmp_path: Path) -> None:
    root = write_assembly(tmp_path, {"P": {"Resources": {"N": _nested_stack(path="P.json")}}})
    assert [stack.stack for stack in inventory(root)] == ["P"]


# --- fuzzing: any JSON, never a traceback ---------------------------------------------------

_RESOURCE_TYPES = st.sampled_from(
    [
        "AWS::Lambda::Function",
        "AWS::Serverless::Function",
        "AWS::IAM::Role",
        "AWS::IAM::Policy",
        "AWS::IAM::ManagedPolicy",
        "AWS::IAM::RolePolicy",
        "AWS::Pinpoint::Campaign",
        "AWS::Pinpoint::EmailTemplate",
        "AWS::Pinpoint::EventStream",
        "AWS::Pinpoint::EmailChannel",
        "Custom::PinpointEmailChannel",
        "AWS::CloudFormation::Stack",
    ]
)
_KEYS = st.sampled_from(
    [
        "Role",
        "Roles",
        "RoleName",
        "Policies",
        "PolicyDocument",
        "Statement",
        "Effect",
        "Action",
        "NotAction",
        "Allow",
        "Fn::GetAtt",
        "Ref",
        "Fn::Join",
        "Fn::ImportValue",
        "Environment",
        "Variables",
        "PINPOINT_EMAIL_BACKEND",
        "ApplicationId",
        "ManagedPolicyArns",
        "MessageConfiguration",
        "EmailMessage",
        "TemplateConfiguration",
        "AdditionalTreatments",
        "TemplateURL",
        "aws:asset:path",
    ]
)
_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.sampled_from(["Allow", "pinpoint", "mobiletargeting:*", "*", "arn:aws:iam::1:role/x", "R"])
    | st.builds(
        lambda a: {"Fn::GetAtt": a},
        st.lists(st.none() | st.text(max_size=2) | st.lists(st.just("R"), max_size=1), max_size=3),
    )
    | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(_KEYS | st.text(max_size=3), children, max_size=4)
    ),
    max_leaves=25,
)
_INTRINSIC = st.builds(
    lambda name, argument: {name: argument},
    st.sampled_from(["Fn::GetAtt", "Ref", "Fn::Join", "Fn::ImportValue", "Fn::Sub", "Fn::If"]),
    _JSON,
)
# Intrinsics with arguments of every shape (a GetAtt of a list, a Ref of a number...).
_GET_ATT = st.builds(lambda a: {"Fn::GetAtt": a}, st.lists(_JSON, min_size=1, max_size=3) | _JSON)
_VALUE = _GET_ATT | _INTRINSIC | _JSON | st.lists(_GET_ATT | _INTRINSIC | _JSON, max_size=3)
_STATEMENT = st.fixed_dictionaries(
    {},
    optional={
        "Effect": st.sampled_from(["Allow", "Deny"]) | _JSON,
        "Action": _VALUE,
        "NotAction": _VALUE,
    },
)
_PROPERTIES = st.fixed_dictionaries(
    {},
    optional={
        "Role": _VALUE,
        "Roles": _VALUE,
        "RoleName": _VALUE,
        "Policies": _VALUE | st.lists(st.fixed_dictionaries({"Statement": st.lists(_STATEMENT)})),
        "PolicyDocument": _VALUE | st.fixed_dictionaries({"Statement": st.lists(_STATEMENT)}),
        "ManagedPolicyArns": _VALUE,
        "Environment": _VALUE
        | st.fixed_dictionaries({"Variables": st.dictionaries(_KEYS, _VALUE, max_size=3)}),
        "ApplicationId": _VALUE,
        "MessageConfiguration": _VALUE,
        "TemplateConfiguration": _VALUE,
        "AdditionalTreatments": _VALUE,
        "TemplateURL": _VALUE,
        "Parameters": _VALUE,
        "Handler": _VALUE,
    },
)
_RESOURCE = st.fixed_dictionaries(
    {"Type": _RESOURCE_TYPES},
    optional={
        "Properties": _PROPERTIES | st.dictionaries(_KEYS, _JSON, max_size=5),
        "Metadata": _JSON,
    },
)
_TEMPLATE = (
    st.fixed_dictionaries(
        {
            "Resources": st.dictionaries(
                st.sampled_from(["R", "F", "P", "N"]), _RESOURCE, max_size=4
            )
        },
        optional={"Outputs": _JSON, "Parameters": _JSON},
    )
    | _JSON
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(templates=st.lists(_TEMPLATE, min_size=1, max_size=2))
def test_any_json_gives_an_inventory_or_one_error_line(templates: list[Any]) -> None:
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        write_assembly(root, {f"S{i}": t for i, t in enumerate(templates)})
        stdout, stderr = _capture(root)
    code, out, err = stdout
    assert code in (EXIT_CLEAN, EXIT_REMAINING, EXIT_INVALID), err
    if code == EXIT_INVALID:
        assert out == "" and len(err.splitlines()) == 1 and err.startswith("error: ")
        assert directory in err, err
        assert "internal error" not in err, err  # a rule met a shape it did not expect
    else:
        assert err == "" and out.startswith("Pinpoint email inventory of ")
    del stderr


def _capture(root: Path) -> tuple[tuple[int, str, str], None]:
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(root)])
    return (code, out.getvalue(), err.getvalue()), None


def test_the_cli_imports_no_cdk() -> None:
    code = (
        "import sys, runpy\n"
        "sys.argv = ['x', '--help']\n"
        "try:\n"
        "    runpy.run_module('constructs_pinpoint.sunset', run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] in ('aws_cdk', 'jsii', 'boto3')]\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO_ROOT, capture_output=True)


# Every place a rule reads, in a template that is otherwise valid: any value there.
_BASE: dict[str, Any] = {
    "Resources": {
        "F": {
            "Type": "AWS::Lambda::Function",
            "Properties": {
                "Role": {"Fn::GetAtt": ["R", "Arn"]},
                "Environment": {"Variables": {"PINPOINT_EMAIL_BACKEND": "pinpoint"}},
            },
        },
        "S": {
            "Type": "AWS::Serverless::Function",
            "Properties": {"Policies": [{"Statement": [{"Effect": "Allow", "Action": "*"}]}]},
        },
        "R": {"Type": "AWS::IAM::Role", "Properties": {"ManagedPolicyArns": [], "Policies": []}},
        "P": {
            "Type": "AWS::IAM::Policy",
            "Properties": {
                "Roles": [{"Ref": "R"}],
                "PolicyDocument": {
                    "Statement": [{"Effect": "Allow", "Action": "mobiletargeting:*"}]
                },
            },
        },
        "M": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": {}}},
        "RP": {
            "Type": "AWS::IAM::RolePolicy",
            "Properties": {"RoleName": "r", "PolicyDocument": {}},
        },
        "C": {"Type": "AWS::Pinpoint::Campaign", "Properties": {"ApplicationId": {"Ref": "A"}}},
        "E": {"Type": "AWS::Pinpoint::EmailChannel", "Properties": {"ApplicationId": {"Ref": "A"}}},
        "ES": {"Type": "AWS::Pinpoint::EventStream", "Properties": {"ApplicationId": {"Ref": "A"}}},
        "N": {"Type": "AWS::CloudFormation::Stack", "Properties": {}},
    },
    "Outputs": {},
    "Parameters": {},
}
_SLOTS = [
    ("Resources", "F", "Properties", "Role"),
    ("Resources", "F", "Properties", "Environment"),
    ("Resources", "F", "Properties", "Environment", "Variables"),
    ("Resources", "F", "Properties", "Environment", "Variables", "PINPOINT_EMAIL_BACKEND"),
    ("Resources", "F", "Properties", "Environment", "Variables", "PINPOINT_EMAIL_APPLICATION_ID"),
    ("Resources", "F", "Properties", "Handler"),
    ("Resources", "S", "Properties", "Role"),
    ("Resources", "S", "Properties", "Policies"),
    ("Resources", "R", "Properties", "ManagedPolicyArns"),
    ("Resources", "R", "Properties", "Policies"),
    ("Resources", "R", "Properties", "RoleName"),
    ("Resources", "P", "Properties", "Roles"),
    ("Resources", "P", "Properties", "PolicyDocument"),
    ("Resources", "P", "Properties", "PolicyDocument", "Statement"),
    ("Resources", "M", "Properties", "Roles"),
    ("Resources", "M", "Properties", "PolicyDocument"),
    ("Resources", "RP", "Properties", "RoleName"),
    ("Resources", "RP", "Properties", "PolicyDocument"),
    ("Resources", "C", "Properties", "MessageConfiguration"),
    ("Resources", "C", "Properties", "TemplateConfiguration"),
    ("Resources", "C", "Properties", "AdditionalTreatments"),
    ("Resources", "C", "Properties", "ApplicationId"),
    ("Resources", "E", "Properties", "ApplicationId"),
    ("Resources", "E", "Properties", "StrictDelete"),
    ("Resources", "E", "DeletionPolicy"),
    ("Resources", "ES", "Properties", "ApplicationId"),
    ("Resources", "N", "Properties", "TemplateURL"),
    ("Resources", "N", "Properties", "Parameters"),
    ("Resources", "N", "Metadata"),
    ("Outputs",),
    ("Parameters",),
]


@settings(max_examples=200, deadline=None)
@given(slot=st.sampled_from(_SLOTS), value=_VALUE)
def test_any_value_in_any_slot_gives_an_inventory_or_one_error_line(
    slot: tuple[str, ...], value: Any
) -> None:
    template = json.loads(json.dumps(_BASE))
    target = template
    for key in slot[:-1]:
        target = target[key]
    target[slot[-1]] = value
    with tempfile.TemporaryDirectory() as directory:
        write_assembly(Path(directory), {"T": template})
        (code, out, err), _ = _capture(Path(directory))
    assert "internal error" not in err, (slot, value, err)
    assert code in (EXIT_REMAINING, EXIT_INVALID), err
    if code == EXIT_INVALID:
        assert out == "" and len(err.splitlines()) == 1 and directory in err, err
