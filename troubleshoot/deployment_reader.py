"""CodeDeploy reads: the deployment a Deploy action started, its rollback, and its group's alarms.

For a CodeDeploy / CodeDeployToECS action, CodePipeline's externalExecutionId is the deployment id
(`d-...`). botocore's CodeDeploy model: deploymentInfo.status, errorInformation.code/message (code
ALARM_ACTIVE when an alarm stopped it), rollbackInfo.rollbackDeploymentId / rollbackTriggeringDeploymentId
/ rollbackMessage, revision; deploymentGroupInfo.alarmConfiguration.enabled/alarms[].name. CodeDeploy
rolls back by creating a new deployment of the last good revision (CodeDeploy User Guide, "Redeploy and
roll back a deployment"), so "what it rolled back to" is that deployment's revision.
"""

from dataclasses import dataclass
from typing import Any

from troubleshoot.aws_calls import AwsReader
from troubleshoot.model import ErrorDetail, Rollback

APPSPEC_DIGEST_LENGTH = 12


@dataclass(frozen=True)
class Deployment:
    deployment_id: str
    status: str
    compute_platform: str
    application: str
    deployment_group: str
    revision: str
    error: ErrorDetail | None
    rollback_deployment_id: str
    rollback_message: str


def read_deployment(reader: AwsReader, deployment_id: str, purpose: str) -> Deployment:
    info = reader.call("codedeploy", "get_deployment", purpose, deploymentId=deployment_id)[
        "deploymentInfo"
    ]
    error = info.get("errorInformation")
    rollback = info.get("rollbackInfo", {})
    return Deployment(
        deployment_id=info.get("deploymentId", deployment_id),
        status=info.get("status", ""),
        compute_platform=info.get("computePlatform", ""),
        application=info.get("applicationName", ""),
        deployment_group=info.get("deploymentGroupName", ""),
        revision=describe_revision(info.get("revision", {})),
        error=ErrorDetail(error.get("code", ""), error.get("message", "")) if error else None,
        rollback_deployment_id=rollback.get("rollbackDeploymentId", ""),
        rollback_message=rollback.get("rollbackMessage", ""),
    )


def read_rollback(reader: AwsReader, rollback_deployment_id: str) -> Rollback:
    rollback = read_deployment(reader, rollback_deployment_id, "read the rollback deployment")
    return Rollback(
        deployment_id=rollback.deployment_id,
        status=rollback.status,
        message=rollback.error.message if rollback.error else "",
        revision=rollback.revision,
    )


def group_alarm_names(reader: AwsReader, application: str, group: str) -> tuple[str, ...]:
    """The alarms that stop and roll back this group's deployments (none when monitoring is off)."""
    info = reader.call(
        "codedeploy",
        "get_deployment_group",
        "read which alarms stop the deployment group",
        applicationName=application,
        deploymentGroupName=group,
    )["deploymentGroupInfo"]
    alarms = info.get("alarmConfiguration", {})
    if not alarms.get("enabled"):
        return ()
    return tuple(alarm["name"] for alarm in alarms.get("alarms", []) if alarm.get("name"))


def describe_revision(revision: dict[str, Any]) -> str:
    """One line naming a revision: an S3 bundle, a commit, or an AppSpec by its digest."""
    kind = revision.get("revisionType", "")
    if kind == "S3":
        location = revision.get("s3Location", {})
        version = f" (version {location['version']})" if location.get("version") else ""
        return f"s3://{location.get('bucket', '')}/{location.get('key', '')}{version}"
    if kind == "GitHub":
        location = revision.get("gitHubLocation", {})
        return f"{location.get('repository', '')}@{location.get('commitId', '')}"
    if kind in ("AppSpecContent", "String"):
        content = revision.get("appSpecContent" if kind == "AppSpecContent" else "string", {})
        digest = content.get("sha256", "")
        return f"AppSpec sha256:{digest[:APPSPEC_DIGEST_LENGTH]}" if digest else "AppSpec content"
    return kind
