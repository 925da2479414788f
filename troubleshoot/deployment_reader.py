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

from troubleshoot import console_links
from troubleshoot.aws_calls import AwsReader
from troubleshoot.model import (
    EcsServiceEvents,
    ErrorDetail,
    FailedTarget,
    Rollback,
    ServiceEvent,
    Target,
)

APPSPEC_DIGEST_LENGTH = 12
SERVER_PLATFORM = "Server"
"""computePlatform of an EC2/on-premises deployment (CodeDeploy API reference, DeploymentInfo)."""
TARGETS_PER_BATCH = 25
"""BatchGetDeploymentTargets takes at most 25 target ids (CodeDeploy API reference)."""
FAILED_TARGETS_SHOWN = 3
LOG_TAIL_LINES = 20
SERVICE_EVENTS_SHOWN = 5


@dataclass(frozen=True)
class Group:
    """What the report needs of a deployment group: its stopping alarms and its ECS services."""

    alarm_names: tuple[str, ...]
    ecs_services: tuple[tuple[str, str], ...]
    """(cluster, service) pairs of an ECS group (DeploymentGroupInfo.ecsServices)."""


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


def read_group(reader: AwsReader, application: str, group: str) -> Group:
    """The alarms that stop and roll back this group's deployments (none when monitoring is off)
    and, for ECS, the services it deploys to."""
    info = reader.call(
        "codedeploy",
        "get_deployment_group",
        "read which alarms stop the deployment group",
        applicationName=application,
        deploymentGroupName=group,
    )["deploymentGroupInfo"]
    alarms = info.get("alarmConfiguration", {})
    names = (
        tuple(alarm["name"] for alarm in alarms.get("alarms", []) if alarm.get("name"))
        if alarms.get("enabled")
        else ()
    )
    services = tuple(
        (service.get("clusterName", ""), service.get("serviceName", ""))
        for service in info.get("ecsServices", [])
        if service.get("clusterName") and service.get("serviceName")
    )
    return Group(names, services)


def failed_instances(reader: AwsReader, deployment_id: str) -> tuple[FailedTarget, ...]:
    """The failed instances of a server deployment, each with the lifecycle event that failed, its
    script and the log tail the CodeDeploy agent reported (InstanceTarget.lifecycleEvents[]
    .diagnostics: errorCode, scriptName, message, logTail; CodeDeploy API reference)."""
    listed = reader.call(
        "codedeploy",
        "list_deployment_targets",
        "list the deployment's failed instances",
        deploymentId=deployment_id,
        targetFilters={"TargetStatus": ["Failed"]},
    )
    ids = listed.get("targetIds", [])[:TARGETS_PER_BATCH]
    if not ids:
        return ()
    targets = reader.call(
        "codedeploy",
        "batch_get_deployment_targets",
        "read each failed instance's lifecycle events and script log",
        deploymentId=deployment_id,
        targetIds=ids,
    ).get("deploymentTargets", [])
    failed = []
    for target in targets:
        instance = target.get("instanceTarget") or {}
        if not instance:
            continue
        event = next(
            (e for e in instance.get("lifecycleEvents", []) if e.get("status") == "Failed"), {}
        )
        diagnostics = event.get("diagnostics", {})
        tail = diagnostics.get("logTail", "") or ""
        failed.append(
            FailedTarget(
                target_id=instance.get("targetId", ""),
                status=instance.get("status", ""),
                lifecycle_event=event.get("lifecycleEventName", ""),
                error_code=diagnostics.get("errorCode", ""),
                script=diagnostics.get("scriptName", ""),
                message=diagnostics.get("message", ""),
                log_tail="\n".join(tail.splitlines()[-LOG_TAIL_LINES:]),
            )
        )
    return tuple(failed[:FAILED_TARGETS_SHOWN])


def service_events(
    reader: AwsReader, target: Target, cluster: str, service: str
) -> EcsServiceEvents:
    """The ECS service's newest events (describe-services `events`, newest first: the scheduler's
    own account of tasks that failed to start or to become healthy; Amazon ECS Developer Guide,
    "Viewing Amazon ECS service event messages") and the link to its Events tab."""
    described = reader.call(
        "ecs",
        "describe_services",
        "read the ECS service's newest events",
        cluster=cluster,
        services=[service],
    )
    events = tuple(
        ServiceEvent(at=event.get("createdAt"), message=event.get("message", ""))
        for found in described.get("services", [])
        for event in found.get("events", [])[:SERVICE_EVENTS_SHOWN]
    )
    link = console_links.ecs_events_link(target, cluster, service)
    return EcsServiceEvents(cluster, service, events, link)


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
