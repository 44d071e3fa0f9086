"""The example app's environment and pipeline configuration: parsing cdk.json's context into
frozen pydantic models, and every malformed entry reported at once with its key (in process, fast).
Values are judged by the library's rules (constructs_pinpoint.sending.rules), so the messages here
are the ones synth and the sender give for the same value."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from example_support import CDK_JSON_CONTEXT, build, context
from pydantic import ValidationError

import app as app_module
from example.config import (
    DEFAULT_ENVIRONMENT,
    ConfigError,
    EnvironmentConfig,
    PipelineConfig,
    load_environments,
    load_selection,
)


def _problems(error: pytest.ExceptionInfo[ConfigError]) -> list[str]:
    return error.value.problems


def _environments(**entries: Any) -> dict[str, Any]:
    """cdk.json's environments with some entries replaced (None deletes one)."""
    environments = context()["environments"]
    for name, entry in entries.items():
        if entry is None:
            environments.pop(name, None)
        else:
            environments[name] = entry
    return environments  # type: ignore[no-any-return]


def _dev(**changes: Any) -> dict[str, Any]:
    entry = dict(CDK_JSON_CONTEXT["environments"]["dev"])
    for key, value in changes.items():
        if value is None:
            entry.pop(key, None)
        else:
            entry[key] = value
    return entry


def test_cdk_json_environments_parse_into_frozen_typed_configs() -> None:
    dev, staging, prod = load_environments(CDK_JSON_CONTEXT["environments"])
    assert dev == EnvironmentConfig(
        name="dev",
        account="111111111111",
        region="eu-west-1",
        from_address="Orders Dev <noreply@dev.example.com>",
        identity="dev.example.com",
        configuration_set="orders-dev",
        removal_policy="destroy",
        app_name="orders-dev",
    )
    assert (staging.account, prod.account) == ("222222222222", "333333333333")
    assert dev.removal_policy is cdk.RemovalPolicy.DESTROY
    assert prod.removal_policy is cdk.RemovalPolicy.RETAIN
    assert (dev.identity_is_arn, prod.identity_is_arn) == (False, True)
    assert dev.application_id_parameter == "/orders/dev/pinpoint/application-id"
    with pytest.raises(ValidationError, match="frozen"):
        dev.region = "us-east-1"  # type: ignore[misc]


def test_no_env_selects_the_embedded_env_agnostic_default() -> None:
    selection = load_selection(None, None, None)
    assert selection.mode == "default"
    assert selection.environments == (DEFAULT_ENVIRONMENT,)
    assert DEFAULT_ENVIRONMENT.env is None


def test_env_selects_one_environment_all_of_them_or_the_pipeline() -> None:
    raw, pipeline = CDK_JSON_CONTEXT["environments"], CDK_JSON_CONTEXT["pipeline"]
    staging = load_selection("staging", raw, pipeline)
    assert (staging.mode, [e.name for e in staging.environments]) == ("environments", ["staging"])
    every = load_selection("all", raw, pipeline)
    assert [e.name for e in every.environments] == ["dev", "staging", "prod"]
    selection = load_selection("pipeline", raw, pipeline)
    assert selection.mode == "pipeline"
    assert selection.pipeline == PipelineConfig(
        account="444444444444",
        region="eu-west-1",
        connection_arn=pipeline["connection_arn"],
        repository="example-org/constructs-pinpoint",
        branch="main",
        stages=("dev", "staging", "prod"),
        manual_approval=frozenset({"prod"}),
    )


def test_malformed_entry_reports_every_problem_with_its_key_and_the_expected_shape() -> None:
    staging = {
        "account": 222222222222,
        "from_address": "noreply@staging.example.com",
        "identity": "staging.example.com",
        "configuration_set": "orders staging",
        "removal_policy": "snapshot",
        "app_name": "orders-staging",
        "regoin": "eu-west-1",
    }
    with pytest.raises(ConfigError) as error:
        load_selection("staging", _environments(staging=staging))
    assert _problems(error) == [
        "environments.staging.account: expected a string, got int 222222222222 (quote it: a "
        "number loses leading zeros)",
        "environments.staging.region: missing",
        "environments.staging.configuration_set: 'orders staging' is not an SES configuration "
        "set name: use 1-64 letters, digits, '-' or '_'",
        "environments.staging.removal_policy: Input should be 'destroy' or 'retain', got "
        "'snapshot'",
        "environments.staging.regoin: Extra inputs are not permitted, got 'eu-west-1'",
    ]
    message = str(error.value)
    assert message.startswith("invalid example-app configuration (CDK context, cdk.json), 5 ")
    assert '"environments": {' in message and '"account": "111111111111"' in message


def test_missing_environment_entry_names_its_key_and_the_defined_ones() -> None:
    with pytest.raises(ConfigError) as error:
        load_selection("qa", CDK_JSON_CONTEXT["environments"])
    assert _problems(error) == ["environments.qa: no such environment; defined: dev, prod, staging"]
    with pytest.raises(ConfigError) as error:
        load_selection("dev", None)
    assert _problems(error) == ["environments: missing"]


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        (
            _dev(account="11111111111"),
            "environments.dev.account: '11111111111' is not an AWS account id",
        ),
        (
            _dev(region="Europe"),
            "environments.dev.region: 'Europe' is not an AWS region: expected e.g. 'eu-west-1'",
        ),
        (_dev(from_address="noreply"), "environments.dev.from_address: 'noreply' is not an email"),
        (
            _dev(from_address="noreply@example.org"),
            "environments.dev.from_address: 'noreply@example.org' is not covered by domain "
            "identity 'dev.example.com': use an address @dev.example.com",
        ),
        (_dev(identity="Dev.Example"), "environments.dev.identity: 'Dev.Example' is neither"),
        (
            _dev(identity="arn:aws:ses:eu-west-1:222222222222:identity/dev.example.com"),
            "environments.dev.identity: account '222222222222' differs from the stack's account "
            "'111111111111': the Pinpoint channel uses only identities of its own account",
        ),
        (_dev(removal_policy=None), "environments.dev.removal_policy: missing"),
        (_dev(app_name=None), "environments.dev.application_id: give exactly one of app_name"),
        (
            _dev(application_id="0123456789abcdef0123456789abcdef"),
            "environments.dev.application_id: give exactly one of app_name",
        ),
        (
            _dev(application_id="App-1", app_name=None),
            "environments.dev.application_id: 'App-1' is",
        ),
        (_dev(app_name="  "), "environments.dev.app_name: is empty"),
        ("dev", "environments.dev: Input should be a valid dictionary"),
    ],
)
def test_each_malformed_value_names_its_key(entry: Any, problem: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_selection("dev", _environments(dev=entry))
    assert [p for p in _problems(error) if p.startswith(problem)], _problems(error)


def test_reserved_or_invalid_environment_names_are_rejected() -> None:
    with pytest.raises(ConfigError) as error:
        load_selection("all", {"pipeline": _dev(), "Dev_1": _dev()})
    keys = [p.split(":")[0] for p in _problems(error)]
    assert keys == ["environments.pipeline", "environments.Dev_1"]


@pytest.mark.parametrize("env", ["", 3, ["dev"]])
def test_env_must_be_a_name(env: Any) -> None:
    with pytest.raises(
        ConfigError, match=r"env: expected an environment name \(dev, prod, staging\)"
    ):
        load_selection(env, CDK_JSON_CONTEXT["environments"])


def test_pipeline_problems_and_environment_problems_are_reported_together() -> None:
    pipeline = {
        **CDK_JSON_CONTEXT["pipeline"],
        "connection_arn": "arn:aws:codeconnections:eu-west-1:999999999999:connection/"
        "00000000-0000-4000-8000-000000000000",
        "stages": ["dev", "qa", "prod"],
        "manual_approval": ["staging"],
    }
    del pipeline["branch"]
    with pytest.raises(ConfigError) as error:
        load_selection("pipeline", _environments(prod=_dev(region=None)), pipeline)
    # manual_approval is checked against stages once stages are valid.
    assert _problems(error) == [
        "environments.prod.region: missing",
        "pipeline.connection_arn: the connection's account '999999999999' is not "
        "pipeline.account '444444444444'",
        "pipeline.branch: missing",
        "pipeline.stages: 'qa' is not an environment; defined: dev, prod, staging",
    ]
    assert '"pipeline": {' in str(error.value)
    with pytest.raises(ConfigError, match=r"pipeline\.account: missing"):
        load_selection("pipeline", CDK_JSON_CONTEXT["environments"], None)


def test_build_app_raises_the_config_error() -> None:
    with pytest.raises(ConfigError, match=r"environments\.staging\.region: missing"):
        build(context(env="staging", environments=_environments(staging=_dev(region=None))))


def test_app_main_prints_the_problems_and_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    """What `cdk synth -c env=staging` shows for a broken entry: the message, no traceback."""
    broken = context(env="staging", environments=_environments(staging=_dev(region=None)))
    assert app_module.main(cdk.App(analytics_reporting=False, context=broken)) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: invalid example-app configuration")
    assert "  - environments.staging.region: missing\n" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        (
            {"stages": ["dev", "prod"], "manual_approval": ["staging"]},
            "pipeline.manual_approval: 'staging' is not in pipeline.stages",
        ),
        ({"stages": ["dev", "dev"]}, "pipeline.stages: ['dev', 'dev'] lists an environment twice"),
        ({"repository": "repo"}, "pipeline.repository: String should match pattern"),
        ({"branch": " "}, "pipeline.branch: is empty"),
    ],
)
def test_each_malformed_pipeline_value_names_its_key(changes: dict[str, Any], problem: str) -> None:
    pipeline = {**CDK_JSON_CONTEXT["pipeline"], **changes}
    with pytest.raises(ConfigError) as error:
        load_selection("pipeline", CDK_JSON_CONTEXT["environments"], pipeline)
    assert [p for p in _problems(error) if p.startswith(problem)], _problems(error)


def test_null_in_cdk_json_counts_as_missing() -> None:
    """Only the embedded default is env-agnostic: ``"region": null`` is not a way to get one."""
    with pytest.raises(ConfigError) as error:
        load_selection("dev", {"dev": {**_dev(), "region": None, "configuration_set": None}})
    assert _problems(error) == [
        "environments.dev.region: missing",
        "environments.dev.configuration_set: missing",
    ]
