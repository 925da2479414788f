"""The pipeline on its own: V2, KMS artifact store, stages per settings, deploy action per platform."""

import dataclasses
import json

import pytest

from components.config import ConnectionSource, ServiceSettings
from components.release.promotion import ReleasePlan
from components.release.release_names import RELEASE_STEPS, ReleaseNames
from components.release.release_stages import release_stages
from components.stages.origins import origin_for
from components.stages.pipeline import Pipeline, PipelineArgs
from components.targets import Deployment, target_for
from tests.support.mocked_program import declare
from tests.support.service_fixtures import TAGS, names_of, platform_names, service_of

PIPELINE = "aws:codepipeline/pipeline:Pipeline"
TOPIC_ARN = platform_names().topic_arn


CONNECTION_ARN = (
    "arn:aws:codeconnections:us-east-1:123456789012:connection/"
    + "0" * 8
    + "-"
    + ("1111-2222-3333-" + "4" * 12)
)


def pipeline(
    platform: str = "Server",
    manual_approval: bool = True,
    service: ServiceSettings | None = None,
    rollback_alarms: tuple[str, ...] = (),
) -> tuple[dict, object]:
    service = service or service_of(platform)
    names = names_of(service)
    target = target_for(service)
    deployment = (
        Deployment(names.deploy_application_name, names.deployment_group_name)
        if target.uses_codedeploy
        else Deployment()
    )
    args = PipelineArgs(
        service=service,
        names=names,
        origin=origin_for(service),
        target=target,
        service_role_arn=names.pipeline_role.arn,
        bucket_name=names.platform.artifact_bucket_name,
        key_alias_arn=names.platform.key_alias_arn,
        topic_arn=TOPIC_ARN,
        repository_name=None if service.connection else names.repository_name,
        build_project_name=names.build_project_name,
        release=release_stages(
            target,
            ReleasePlan(upstream=None),
            {step: ReleaseNames(names).project_name(step) for step in RELEASE_STEPS},
        ),
        deployment=deployment,
        rollback_alarms=rollback_alarms,
        manual_approval=manual_approval,
        tags=TAGS,
    )
    [declared] = declare(lambda: Pipeline("pipeline", args)).of_type(PIPELINE)
    return declared.inputs, names


def stage(inputs: dict, name: str) -> dict:
    [found] = [s for s in inputs["stages"] if s["name"] == name]
    [action] = found["actions"]
    return action


def test_is_v2_with_a_kms_encrypted_artifact_store_in_our_bucket():
    inputs, names = pipeline()
    assert inputs["pipelineType"] == "V2"
    assert inputs["name"] == names.pipeline_name
    assert inputs["roleArn"] == names.pipeline_role.arn
    [store] = inputs["artifactStores"]
    assert store["type"] == "S3"
    assert store["location"] == names.platform.artifact_bucket_name
    assert store["encryptionKey"] == {"type": "KMS", "id": names.platform.key_alias_arn}
    assert inputs["tags"] == TAGS


@pytest.mark.parametrize(
    ("manual_approval", "expected"),
    [
        (True, ["Source", "Build", "Sign", "Approval", "Verify", "Deploy"]),
        (False, ["Source", "Build", "Sign", "Verify", "Deploy"]),
    ],
)
def test_approval_stage_only_when_asked_between_signing_and_verification(manual_approval, expected):
    inputs, _ = pipeline(manual_approval=manual_approval)
    assert [s["name"] for s in inputs["stages"]] == expected


def test_approval_notifies_the_topic():
    inputs, _ = pipeline(manual_approval=True)
    approval = stage(inputs, "Approval")
    assert (approval["category"], approval["provider"]) == ("Approval", "Manual")
    assert approval["configuration"]["NotificationArn"] == TOPIC_ARN


def test_source_does_not_poll_and_builds_from_the_branch():
    inputs, names = pipeline()
    source = stage(inputs, "Source")
    assert source["provider"] == "CodeCommit"
    assert source["configuration"] == {
        "RepositoryName": names.repository_name,
        "BranchName": service_of("Server").branch,
        "PollForSourceChanges": "false",
        "OutputArtifactFormat": "CODE_ZIP",
    }
    assert source["namespace"] == "SourceVariables"
    build = stage(inputs, "Build")
    assert build["configuration"] == {"ProjectName": names.build_project_name}
    assert build["inputArtifacts"] == source["outputArtifacts"]


def test_server_deploys_with_codedeploy():
    inputs, names = pipeline("Server")
    deploy = stage(inputs, "Deploy")
    assert deploy["provider"] == "CodeDeploy"
    assert deploy["configuration"] == {
        "ApplicationName": names.deploy_application_name,
        "DeploymentGroupName": names.deployment_group_name,
    }
    assert deploy["inputArtifacts"] == stage(inputs, "Build")["outputArtifacts"]


@pytest.mark.parametrize(
    ("alarms", "expected"), [((), None), (("a-errors", "b-throttles"), "a-errors,b-throttles")]
)
def test_lambda_deploys_with_the_pipelines_lambda_action_after_the_build(alarms, expected):
    service = service_of("Lambda")
    inputs, _ = pipeline(service=service, rollback_alarms=alarms)
    deploy = stage(inputs, "Deploy")
    assert (deploy["category"], deploy["provider"], deploy["version"]) == ("Deploy", "Lambda", "1")
    assert deploy["inputArtifacts"] == stage(inputs, "Build")["outputArtifacts"]
    configuration = deploy["configuration"]
    assert configuration["FunctionName"] == service.lambda_.function_name
    assert configuration["FunctionAlias"] == service.lambda_.alias_name
    assert configuration["DeployStrategy"] == service.deployment_config.removeprefix(
        "CodeDeployDefault.Lambda"
    )
    assert configuration.get("Alarms") == expected
    assert [s["name"] for s in inputs["stages"]] == [
        "Source",
        "Build",
        "Sign",
        "Approval",
        "Verify",
        "Deploy",
        "Confirm",
    ]


def test_a_connection_source_uses_the_connection_and_a_push_trigger_on_the_branch():
    service = dataclasses.replace(
        service_of("Server"),
        connection=ConnectionSource(CONNECTION_ARN, "my-org/web"),
    )
    inputs, _ = pipeline(service=service)
    source = stage(inputs, "Source")
    assert source["provider"] == "CodeStarSourceConnection"
    assert source["configuration"] == {
        "ConnectionArn": CONNECTION_ARN,
        "FullRepositoryId": "my-org/web",
        "BranchName": service.branch,
        "DetectChanges": "false",
        "OutputArtifactFormat": "CODE_ZIP",
    }
    [trigger] = inputs["triggers"]
    assert trigger["providerType"] == "CodeStarSourceConnection"
    git = trigger["gitConfiguration"]
    assert git["sourceActionName"] == "Source"
    assert git["pushes"] == [{"branches": {"includes": [service.branch]}}]


def test_a_codecommit_source_has_no_pipeline_trigger():
    inputs, _ = pipeline("Server")
    assert "triggers" not in inputs


def test_ecs_deploys_blue_green_from_the_build_output_templates_and_the_image_by_digest():
    inputs, names = pipeline("ECS")
    deploy = stage(inputs, "Deploy")
    assert deploy["provider"] == "CodeDeployToECS"
    [build_output] = stage(inputs, "Build")["outputArtifacts"]
    [image_output] = stage(inputs, "Image")["outputArtifacts"]
    config = deploy["configuration"]
    assert config["TaskDefinitionTemplateArtifact"] == build_output
    assert config["AppSpecTemplateArtifact"] == build_output
    assert config["TaskDefinitionTemplatePath"] == "taskdef.json"
    assert config["AppSpecTemplatePath"] == "appspec.yaml"
    assert config["DeploymentGroupName"] == names.deployment_group_name
    # imageDetail.json (ImageURI by digest) replaces <IMAGE1_NAME> in the task definition template.
    assert (config["Image1ArtifactName"], config["Image1ContainerName"]) == (
        image_output,
        "IMAGE1_NAME",
    )
    assert deploy["inputArtifacts"] == [build_output, image_output]
    assert [s["name"] for s in inputs["stages"]] == [
        "Source",
        "Build",
        "Image",
        "Sign",
        "Approval",
        "Verify",
        "Deploy",
    ]


@pytest.mark.parametrize("platform", ["Server", "ECS", "Lambda"])
def test_verification_reads_every_deploy_artifact_right_before_the_deploy(platform):
    inputs, _ = pipeline(platform)
    stages = inputs["stages"]
    names = [s["name"] for s in stages]
    verify, deploy = stage(inputs, "Verify"), stage(inputs, "Deploy")
    assert names.index("Verify") + 1 == names.index("Deploy")
    assert set(deploy["inputArtifacts"]) <= set(verify["inputArtifacts"])
    assert "outputArtifacts" not in verify or not verify["outputArtifacts"]
    produced_before = {
        artifact
        for s in stages[: names.index("Verify")]
        for action in s["actions"]
        for artifact in action.get("outputArtifacts") or []
    }
    assert set(verify["inputArtifacts"]) <= produced_before
    variables = json.loads(verify["configuration"]["EnvironmentVariables"])
    assert {v["name"]: v["value"] for v in variables} == {
        "COMMIT_ID": "#{SourceVariables.CommitId}",
        "EXECUTION_ID": "#{codepipeline.PipelineExecutionId}",
        "APPROVED_MANIFEST_SHA256": "#{ReleaseVariables.MANIFEST_SHA256}",
    }
    sign = stage(inputs, "Sign")
    assert sign["namespace"] == "ReleaseVariables"
    assert sign["inputArtifacts"] == deploy["inputArtifacts"]
    approval = stage(inputs, "Approval")["configuration"]["CustomData"]
    assert "#{SourceVariables.CommitId}" in approval
    assert "#{ReleaseVariables.MANIFEST_SHA256}" in approval
    assert ("#{ReleaseVariables.IMAGE_DIGEST}" in approval) is (platform == "ECS")
