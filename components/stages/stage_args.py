"""The shape of one pipeline stage and the artifacts stages pass on; shared by stages and targets."""

from typing import Any

import pulumi_aws as aws

SOURCE_OUTPUT = "SourceOutput"
BUILD_OUTPUT = "BuildOutput"
IMAGE_OUTPUT = "ImageOutput"
"""`imageDetail.json` naming the image the pipeline built, by digest (ECS services)."""
RELEASE_OUTPUT = "ReleaseOutput"
"""The signed release: manifest, signature, SBOM and scan report."""
SOURCE_NAMESPACE = "SourceVariables"
RELEASE_NAMESPACE = "ReleaseVariables"
"""Action namespaces: later actions read `#{SourceVariables.CommitId}`, `#{ReleaseVariables.X}`."""


def stage(
    name: str,
    *,
    category: str,
    provider: str,
    configuration: dict[str, Any],
    inputs: list[str] | None = None,
    outputs: list[str] | None = None,
    namespace: str | None = None,
) -> aws.codepipeline.PipelineStageArgs:
    """A stage with one AWS-owned action of the same name (its variables under `namespace`)."""
    return aws.codepipeline.PipelineStageArgs(
        name=name,
        actions=[
            aws.codepipeline.PipelineStageActionArgs(
                name=name,
                category=category,
                owner="AWS",
                provider=provider,
                version="1",
                input_artifacts=inputs,
                output_artifacts=outputs,
                configuration=configuration,
                namespace=namespace,
            )
        ],
    )
