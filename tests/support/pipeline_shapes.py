"""CodePipeline resources as the engine sends them, for the policies that judge pipeline actions."""

from offline_preview.registration import RegisteredResource
from tests.support.analyzer_harness import resource

PIPELINE = "aws:codepipeline/pipeline:Pipeline"


def lambda_deploy(**configuration) -> dict:
    return {
        "name": "Deploy",
        "category": "Deploy",
        "owner": "AWS",
        "provider": "Lambda",
        "version": "1",
        "configuration": {"FunctionName": "worker", **configuration},
    }


def codedeploy(application: str = "guarded-delivery-prod-worker") -> dict:
    return {
        "name": "Deploy",
        "category": "Deploy",
        "owner": "AWS",
        "provider": "CodeDeploy",
        "version": "1",
        "configuration": {"ApplicationName": application, "DeploymentGroupName": "worker-group"},
    }


def pipeline(deploy_action: dict, name: str = "worker") -> RegisteredResource:
    build = {"name": "Build", "category": "Build", "owner": "AWS", "provider": "CodeBuild"}
    stages = [
        {"name": "Build", "actions": [build]},
        {"name": "Deploy", "actions": [deploy_action]},
    ]
    return resource(PIPELINE, name, {"pipelineType": "V2", "stages": stages})


GUARDED = lambda_deploy(
    FunctionAlias="live",
    DeployStrategy="Canary10Percent5Minutes",
    Alarms="worker-errors,worker-p99",
)
