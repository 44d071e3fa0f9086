"""The pipeline that deploys the example app's environments in order (CDK Pipelines)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_codebuild as codebuild
from aws_cdk import aws_codepipeline as codepipeline
from aws_cdk import pipelines
from constructs import Construct

from .config import EnvironmentConfig, PipelineConfig
from .stage import OrdersStage

# The README's test command, then the pipeline and every stage synthesized into cdk.out/ with the
# pins CDK Pipelines' asset stage can read (constraints-pipeline.txt: aws-cdk-lib 2.273.0, cloud
# assembly schema 54; see docs/environments.md, "CDK Pipelines and the cloud-assembly schema").
SYNTH_COMMANDS = (
    "./scripts/test.sh",
    "CONSTRAINTS=constraints-pipeline.txt ./scripts/synth.sh -c env=pipeline",
)
# The CLI the self-mutation step installs: the one package.json pins (never an unpinned
# aws-cdk@latest, which may resolve to the accidental 3.0.0 that cannot read schema 55).
CDK_CLI_VERSION = "2.1148.1"
# The asset-publishing steps install this cdk-assets (CDK Pipelines' default is cdk-assets@latest),
# the one package.json pins and tests/ends runs: 4.7.3 reads cloud-assembly schema <= 54, which
# the Synth step's pins write.
CDK_ASSETS_CLI_VERSION = "4.7.3"
# What scripts/setup.sh expects on a fresh machine: Python 3.11 and Node 20 + npm.
SYNTH_RUNTIMES = {"python": "3.11", "nodejs": "20"}


class OrdersPipelineStack(cdk.Stack):
    """A CodePipeline (in the pipeline's account and region) that deploys one ``OrdersStage`` per
    environment, in ``pipeline.stages`` order, with a manual approval before the stages listed in
    ``pipeline.manual_approval``."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        config: PipelineConfig,
        environments: Sequence[EnvironmentConfig],
        **kwargs: Any,
    ) -> None:
        super().__init__(
            scope,
            id,
            env=cdk.Environment(account=config.account, region=config.region),
            **kwargs,
        )
        source = pipelines.CodePipelineSource.connection(
            config.repository, config.branch, connection_arn=config.connection_arn
        )
        self.pipeline = pipelines.CodePipeline(
            self,
            "Pipeline",
            pipeline_name="orders-email",
            pipeline_type=codepipeline.PipelineType.V2,
            synth=pipelines.ShellStep(
                "Synth",
                input=source,
                commands=list(SYNTH_COMMANDS),
                primary_output_directory="cdk.out",
            ),
            synth_code_build_defaults=pipelines.CodeBuildOptions(
                build_environment=codebuild.BuildEnvironment(
                    build_image=codebuild.LinuxBuildImage.STANDARD_7_0
                ),
                partial_build_spec=codebuild.BuildSpec.from_object(
                    {"phases": {"install": {"runtime-versions": SYNTH_RUNTIMES}}}
                ),
            ),
            # Stages deploy into other accounts: their artifacts must be readable there.
            cross_account_keys=True,
            enable_key_rotation=True,
            cli_version=CDK_CLI_VERSION,
            cdk_assets_cli_version=CDK_ASSETS_CLI_VERSION,
        )
        by_name = {environment.name: environment for environment in environments}
        self.stages: list[OrdersStage] = []
        for name in config.stages:
            stage = OrdersStage(self, by_name[name])
            pre: list[pipelines.Step] = (
                [
                    pipelines.ManualApprovalStep(
                        f"Promote to {name}", comment=f"Deploy the orders email stacks to {name}?"
                    )
                ]
                if name in config.manual_approval
                else []
            )
            self.pipeline.add_stage(stage, pre=pre)
            self.stages.append(stage)
