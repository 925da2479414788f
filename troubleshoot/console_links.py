"""Links to the AWS console pages that show what the report describes, for a person to click.

URL forms as the consoles use them (and as CodePipeline's own notifications and public tooling link
them): an execution's timeline `codesuite/codepipeline/pipelines/<name>/executions/<id>/timeline`, a
build `codesuite/codebuild/<account>/projects/<project>/build/<build id, URL-encoded>/`, a deployment
`codesuite/codedeploy/deployments/<id>`, an ECS service's events `ecs/v2/clusters/<cluster>/services/
<service>/events`, each with `?region=`. The console's domain depends on the partition (AWS General
Reference, "Service endpoints": console.aws.amazon.com, console.amazonaws.cn for China,
console.amazonaws-us-gov.com for GovCloud (US)).
"""

from urllib.parse import quote

from troubleshoot.model import Target

PARTITION_CONSOLES = {
    "aws-cn": "https://console.amazonaws.cn",
    "aws-us-gov": "https://console.amazonaws-us-gov.com",
}


def console_home(partition: str, region: str) -> str:
    """The console's base URL for the partition; the commercial one is regional."""
    return PARTITION_CONSOLES.get(partition, f"https://{region}.console.aws.amazon.com")


def arn_parts(target: Target) -> tuple[str, str]:
    """(partition, account) of the pipeline's ARN `arn:<partition>:codepipeline:<region>:<account>:...`."""
    parts = target.pipeline_arn.split(":")
    return (parts[1], parts[4]) if len(parts) > 4 else ("aws", "")


def execution_link(target: Target, execution_id: str) -> str:
    partition, _ = arn_parts(target)
    return _link(
        target,
        partition,
        f"codesuite/codepipeline/pipelines/{quote(target.pipeline_name, safe='')}/executions/"
        f"{quote(execution_id, safe='')}/timeline",
    )


def build_link(target: Target, build_id: str) -> str:
    """A CodeBuild build id is `<project>:<uuid>`; the console takes it URL-encoded (`%3A`)."""
    partition, account = arn_parts(target)
    project = build_id.split(":", 1)[0]
    return _link(
        target,
        partition,
        f"codesuite/codebuild/{account}/projects/{quote(project, safe='')}/build/"
        f"{quote(build_id, safe='')}/",
    )


def deployment_link(target: Target, deployment_id: str) -> str:
    partition, _ = arn_parts(target)
    return _link(
        target, partition, f"codesuite/codedeploy/deployments/{quote(deployment_id, safe='')}"
    )


def ecs_events_link(target: Target, cluster: str, service: str) -> str:
    partition, _ = arn_parts(target)
    return _link(
        target,
        partition,
        f"ecs/v2/clusters/{quote(cluster, safe='')}/services/{quote(service, safe='')}/events",
    )


def _link(target: Target, partition: str, path: str) -> str:
    return f"{console_home(partition, target.region)}/{path}?region={target.region}"
