"""Per-environment stages and the pipeline, synthesized in process (once per session): what each
``env`` selects, each environment's templates (snapshots), and the pipeline's stage order."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import cx_api
from example_support import (
    CDK_JSON_CONTEXT,
    ENVIRONMENT_NAMES,
    PIPELINE_STAGES,
    build,
    context,
    pipeline_stages,
    stage_names,
    stage_stack_names,
    stage_templates,
)
from prefetch import cfn_lint_result
from synth_support import REPO_ROOT, normalize, resources_of
from syrupy.assertion import SnapshotAssertion

from example.config import load_environments
from example.pipeline import CDK_ASSETS_CLI_VERSION, CDK_CLI_VERSION, SYNTH_COMMANDS
from example.stage import OrdersStage

CHANNEL = "Custom::PinpointEmailChannel"


def _stacks(app: cdk.App) -> dict[str, cdk.Stack]:
    return {c.stack_name: c for c in app.node.find_all() if isinstance(c, cdk.Stack)}


def test_no_context_builds_only_the_env_agnostic_default_stacks() -> None:
    stacks = _stacks(build({}))
    assert sorted(stacks) == ["OrdersEmail", "OrdersEmailSender"]
    for stack in stacks.values():
        assert cdk.Token.is_unresolved(stack.account) and cdk.Token.is_unresolved(stack.region)


@pytest.mark.parametrize("environment", ENVIRONMENT_NAMES)
def test_env_builds_that_environments_stage_in_its_account_and_region(environment: str) -> None:
    app = build(context(env=environment))
    (stage,) = [c for c in app.node.children if isinstance(c, cdk.Stage)]
    assert isinstance(stage, OrdersStage) and stage.node.id == environment
    stacks = _stacks(app)
    assert list(stacks) == stage_stack_names(environment)
    raw = CDK_JSON_CONTEXT["environments"][environment]
    for stack in stacks.values():
        assert (stack.account, stack.region) == (raw["account"], raw["region"])


def test_env_all_builds_every_stage_and_pipeline_builds_them_inside_the_pipeline() -> None:
    assert list(_stacks(build(context(env="all")))) == [
        name for environment in ENVIRONMENT_NAMES for name in stage_stack_names(environment)
    ]
    pipeline = build(context(env="pipeline"))
    assert [c.node.id for c in pipeline.node.children if isinstance(c, cdk.Stack)] == [
        "OrdersPipeline"
    ]
    stack = pipeline.node.find_child("OrdersPipeline")
    assert [c.node.id for c in stack.node.children if isinstance(c, cdk.Stage)] == PIPELINE_STAGES


@pytest.mark.parametrize("environment", ENVIRONMENT_NAMES)
def test_environment_templates(
    pipeline_templates: dict[str, dict[str, Any]],
    environment: str,
    snapshot_json: SnapshotAssertion,
) -> None:
    """What the pipeline deploys to each environment (asset hashes normalized)."""
    assert {
        name: normalize(pipeline_templates[name]) for name in stage_stack_names(environment)
    } == snapshot_json


def test_direct_deploy_and_pipeline_deploy_the_same_stacks(
    pipeline_templates: dict[str, dict[str, Any]], direct_templates: dict[str, dict[str, Any]]
) -> None:
    """`cdk deploy -c env=dev 'dev/*'` and the pipeline's dev stage update the same stacks
    (same names) with the same templates."""
    assert set(direct_templates) == set(pipeline_templates) - {"OrdersPipeline"}
    for name, template in direct_templates.items():
        assert template == pipeline_templates[name], name


def test_prod_retains_and_uses_the_existing_identity(
    pipeline_templates: dict[str, dict[str, Any]],
) -> None:
    messaging, channels = (pipeline_templates[n] for n in stage_stack_names("prod"))
    assert resources_of(messaging, "AWS::SES::EmailIdentity") == {}
    for resource_type in ("AWS::Pinpoint::App", "AWS::SES::ConfigurationSet"):
        (resource,) = resources_of(messaging, resource_type).values()
        assert resource["DeletionPolicy"] == resource["UpdateReplacePolicy"] == "Retain"
    (channel,) = resources_of(channels, CHANNEL).values()
    assert channel["DeletionPolicy"] == "Retain"
    assert channel["Properties"]["Identity"] == CDK_JSON_CONTEXT["environments"]["prod"]["identity"]
    assert channel["Properties"]["ConfigurationSet"] == "orders-prod"


def test_dev_creates_its_identity_and_destroys_on_removal(
    pipeline_templates: dict[str, dict[str, Any]],
) -> None:
    messaging, channels = (pipeline_templates[n] for n in stage_stack_names("dev"))
    (identity,) = resources_of(messaging, "AWS::SES::EmailIdentity").values()
    assert identity["Properties"]["EmailIdentity"] == "dev.example.com"
    assert identity["DeletionPolicy"] == "Delete"
    (config_set,) = resources_of(messaging, "AWS::SES::ConfigurationSet").values()
    assert config_set["Properties"]["Name"] == "orders-dev"
    (app,) = resources_of(messaging, "AWS::Pinpoint::App").values()
    assert app["Properties"]["Name"] == "orders-dev"
    (channel,) = resources_of(channels, CHANNEL).values()
    assert channel.get("DeletionPolicy", "Delete") == "Delete"  # CloudFormation's default
    # cdk.json's recommended flags write the partition of a known region as a literal.
    assert channel["Properties"]["Identity"] == (
        "arn:aws:ses:eu-west-1:111111111111:identity/dev.example.com"
    )


# The pipeline


def _pipeline(pipeline_templates: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return pipeline_templates["OrdersPipeline"]


def _summary(template: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "stage": stage["Name"],
            "actions": [
                f"{a['RunOrder']}: {a['Name']} ({a['ActionTypeId']['Category']}/"
                f"{a['ActionTypeId']['Provider']})"
                for a in stage["Actions"]
            ],
        }
        for stage in pipeline_stages(template)
    ]


def test_pipeline_structure(
    pipeline_templates: dict[str, dict[str, Any]], snapshot_json: SnapshotAssertion
) -> None:
    assert _summary(_pipeline(pipeline_templates)) == snapshot_json


def test_pipeline_deploys_dev_then_staging_then_prod(
    pipeline_templates: dict[str, dict[str, Any]],
) -> None:
    names = stage_names(_pipeline(pipeline_templates))
    assert names.index("dev") < names.index("staging") < names.index("prod")
    assert names == ["Source", "Build", "UpdatePipeline", "Assets", "dev", "staging", "prod"]


def test_prod_waits_for_a_manual_approval(pipeline_templates: dict[str, dict[str, Any]]) -> None:
    stages = {s["Name"]: s["Actions"] for s in pipeline_stages(_pipeline(pipeline_templates))}
    approvals = {
        name: [a for a in actions if a["ActionTypeId"]["Category"] == "Approval"]
        for name, actions in stages.items()
    }
    assert {name: len(found) for name, found in approvals.items() if found} == {"prod": 1}
    (approval,) = approvals["prod"]
    first_deploy = min(a["RunOrder"] for a in stages["prod"] if a["Name"].endswith(".Prepare"))
    assert approval["RunOrder"] < first_deploy
    # Within a stage, Messaging deploys before Channels (Channels reads its SSM parameter).
    for name in PIPELINE_STAGES:
        order = {a["Name"]: a["RunOrder"] for a in stages[name]}
        assert order["Messaging.Deploy"] < order["Channels.Prepare"]


def test_stage_actions_deploy_into_each_environments_account(
    pipeline_templates: dict[str, dict[str, Any]],
) -> None:
    stages = {s["Name"]: s["Actions"] for s in pipeline_stages(_pipeline(pipeline_templates))}
    for name in PIPELINE_STAGES:
        account = CDK_JSON_CONTEXT["environments"][name]["account"]
        deploys = [a for a in stages[name] if a["ActionTypeId"]["Category"] == "Deploy"]
        assert len(deploys) == 4
        for action in deploys:
            assert f":{account}:role/cdk-hnb659fds-deploy-role-{account}-eu-west-1" in str(
                action["RoleArn"]
            )
            assert action["Configuration"]["StackName"].startswith(f"{name}-")


def test_synth_step_runs_the_readme_commands_from_the_connection_source(
    pipeline_templates: dict[str, dict[str, Any]],
) -> None:
    template = _pipeline(pipeline_templates)
    source = pipeline_stages(template)[0]["Actions"][0]
    pipeline_context = CDK_JSON_CONTEXT["pipeline"]
    assert source["ActionTypeId"]["Provider"] == "CodeStarSourceConnection"
    assert source["Configuration"] == {
        "ConnectionArn": pipeline_context["connection_arn"],
        "FullRepositoryId": pipeline_context["repository"],
        "BranchName": pipeline_context["branch"],
    }
    specs = [
        p["Properties"]["Source"]["BuildSpec"]
        for p in resources_of(template, "AWS::CodeBuild::Project").values()
    ]
    (synth,) = [s for s in specs if "./scripts/test.sh" in s]
    pipeline_synth = "CONSTRAINTS=constraints-pipeline.txt ./scripts/synth.sh -c env=pipeline"
    assert ("./scripts/test.sh", pipeline_synth) == SYNTH_COMMANDS
    assert synth.index("./scripts/test.sh") < synth.index(pipeline_synth)
    assert '"base-directory": "cdk.out"' in synth
    assert '"python": "3.11"' in synth and '"nodejs": "20"' in synth
    # Self-mutation installs the pinned CLI, never an unpinned (possibly 3.0.0) latest.
    (mutation,) = [s for s in specs if "npm install -g aws-cdk" in s]
    assert f'"npm install -g aws-cdk@{CDK_CLI_VERSION}"' in mutation


def test_pipeline_cli_version_is_the_one_package_json_pins() -> None:
    package = json.loads((REPO_ROOT / "package.json").read_text())
    assert package["devDependencies"]["aws-cdk"] == CDK_CLI_VERSION


def test_pipeline_asset_stage_installs_the_cdk_assets_tests_ends_runs(
    pipeline_templates: dict[str, dict[str, Any]],
) -> None:
    """The Assets steps install the pinned cdk-assets (tests/ends proves it reads the Synth
    step's assembly), never cdk-assets@latest."""
    package = json.loads((REPO_ROOT / "package.json").read_text())
    assert package["devDependencies"]["cdk-assets"] == CDK_ASSETS_CLI_VERSION
    specs = [
        p["Properties"]["Source"]["BuildSpec"]
        for p in resources_of(_pipeline(pipeline_templates), "AWS::CodeBuild::Project").values()
    ]
    installs = [s for s in specs if "cdk-assets" in s]
    assert installs, "the pipeline has no asset-publishing step"
    for spec in installs:
        assert f"cdk-assets@{CDK_ASSETS_CLI_VERSION}" in spec
        assert "cdk-assets@latest" not in spec


def test_pipeline_lives_in_its_own_account_with_cross_account_keys(
    pipeline_assembly: cx_api.CloudAssembly, pipeline_templates: dict[str, dict[str, Any]]
) -> None:
    stack = pipeline_assembly.get_stack_by_name("OrdersPipeline")
    assert (stack.environment.account, stack.environment.region) == ("444444444444", "eu-west-1")
    (key,) = resources_of(_pipeline(pipeline_templates), "AWS::KMS::Key").values()
    assert key["Properties"]["EnableKeyRotation"] is True


def test_every_environment_config_is_used_by_the_pipeline() -> None:
    assert [e.name for e in load_environments(CDK_JSON_CONTEXT["environments"])] == PIPELINE_STAGES


def test_cfn_lint_is_clean_on_every_stage_stack(pipeline_assembly: cx_api.CloudAssembly) -> None:
    """The stage stacks are ours; the pipeline template is aws-cdk-lib's CodePipeline (cfn-lint
    1.58 reports W3005 and E3703 there, which the built-in validation does not)."""
    paths = stage_templates(pipeline_assembly)
    assert len(paths) == 2 * len(PIPELINE_STAGES)
    assert cfn_lint_result(paths) == []
