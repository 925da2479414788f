"""The pipeline on its own: V2, KMS artifact store, stages per settings, deploy action per platform."""

import pytest
from conftest import declare
from service_fixtures import TAGS, names_of, platform_names, service_of

from components.pipeline import Pipeline, PipelineArgs

PIPELINE = "aws:codepipeline/pipeline:Pipeline"
TOPIC_ARN = platform_names().topic_arn


def pipeline(platform: str = "Server", manual_approval: bool = True) -> tuple[dict, object]:
    service = service_of(platform)
    names = names_of(service)
    args = PipelineArgs(
        service=service,
        names=names,
        service_role_arn=names.pipeline_role.arn,
        bucket_name=names.platform.artifact_bucket_name,
        key_alias_arn=names.platform.key_alias_arn,
        topic_arn=TOPIC_ARN,
        repository_name=names.repository_name,
        build_project_name=names.build_project_name,
        deploy_application_name=names.deploy_application_name,
        deployment_group_name=names.deployment_group_name,
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
    [(True, ["Source", "Build", "Approval", "Deploy"]), (False, ["Source", "Build", "Deploy"])],
)
def test_approval_stage_only_when_asked(manual_approval, expected):
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
    build = stage(inputs, "Build")
    assert build["configuration"] == {"ProjectName": names.build_project_name}
    assert build["inputArtifacts"] == source["outputArtifacts"]


@pytest.mark.parametrize("platform", ["Server", "Lambda"])
def test_server_and_lambda_deploy_with_codedeploy(platform):
    inputs, names = pipeline(platform)
    deploy = stage(inputs, "Deploy")
    assert deploy["provider"] == "CodeDeploy"
    assert deploy["configuration"] == {
        "ApplicationName": names.deploy_application_name,
        "DeploymentGroupName": names.deployment_group_name,
    }
    assert deploy["inputArtifacts"] == stage(inputs, "Build")["outputArtifacts"]


def test_ecs_deploys_blue_green_from_the_build_output_templates():
    inputs, names = pipeline("ECS")
    deploy = stage(inputs, "Deploy")
    assert deploy["provider"] == "CodeDeployToECS"
    [build_output] = stage(inputs, "Build")["outputArtifacts"]
    config = deploy["configuration"]
    assert config["TaskDefinitionTemplateArtifact"] == build_output
    assert config["AppSpecTemplateArtifact"] == build_output
    assert config["TaskDefinitionTemplatePath"] == "taskdef.json"
    assert config["AppSpecTemplatePath"] == "appspec.yaml"
    assert config["DeploymentGroupName"] == names.deployment_group_name
