"""Rollback of CodePipeline's standard ECS deploy action, judged on the service it updates.

The ECS action (category Deploy, owner AWS, provider ECS; configuration `ClusterName`,
`ServiceName`, `FileName`) starts a rolling update of an ECS service; CodePipeline itself never
rolls it back. What does is the service's deployment circuit breaker with `rollback: true`: a
deployment whose tasks keep failing is marked FAILED and the service returns to the last completed
deployment ("How the Amazon ECS deployment circuit breaker detects failures",
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-circuit-breaker.html). Where
alarm rollback is required, the service's CloudWatch alarms must roll it back too (`alarms {enable:
true, rollback: true, alarmNames}`, "How CloudWatch alarms detect Amazon ECS deployment failures",
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-alarm-failure.html).

The service is found in the stack by its name and cluster (a name, an ARN ending in
`cluster/<name>`, none meaning `default`, or, while the ARN is not known, the cluster resource it was
built from). A service the stack does not declare cannot be judged, and a deploy the pack cannot
judge is not accepted: it is reported, saying so.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pulumi_policy import PolicyResource, ReportViolation

from cicd_guardrails.support.native_twins import (
    AWS_ECS_SERVICE,
    NATIVE_ECS_SERVICE,
    NativeTwin,
    twin_of,
)
from cicd_guardrails.support.pipeline_actions import ActionKind, actions_of_kind
from cicd_guardrails.support.wire import as_list, block, is_true, is_unknown, plain, shown

ECS_DEPLOY = ActionKind(category="Deploy", provider="ECS")
SERVICE_TYPES = frozenset({AWS_ECS_SERVICE, NATIVE_ECS_SERVICE})
ECS_CLUSTER_TYPES = {"aws:ecs/cluster:Cluster": "name", "aws-native:ecs:Cluster": "clusterName"}
DEFAULT_CLUSTER = "default"
CLUSTER_ARN_MARK = ":cluster/"
BREAKER_FIX = "set deploymentCircuitBreaker {enable: true, rollback: true} on the ECS service"
ALARMS_FIX = (
    "set alarms {enable: true, rollback: true, alarmNames: [<CloudWatch alarm names>]} on the "
    "ECS service"
)


@dataclass(frozen=True)
class EcsService:
    """An ECS service of the stack in the `aws` shape, with its cluster's name when known."""

    resource: PolicyResource
    twin: NativeTwin
    cluster: Any  # the cluster name, `default` or the unknown sentinel

    @property
    def props(self) -> dict[str, Any]:
        return self.twin.props

    def say(self, message: str) -> str:
        return self.twin.say(message)


def stack_services(resources: Iterable[PolicyResource]) -> list[EcsService]:
    """Every ECS service of the stack (aws and aws-native) with the name of its cluster."""
    resources = list(resources)
    cluster_names = {
        r.urn: plain(r.props).get(key)
        for r in resources
        for type_, key in ECS_CLUSTER_TYPES.items()
        if r.resource_type == type_
    }
    services = []
    for resource in resources:
        if resource.resource_type not in SERVICE_TYPES:
            continue
        twin = twin_of(resource.resource_type, plain(resource.props))
        services.append(EcsService(resource, twin, _cluster(resource, twin.props, cluster_names)))
    return services


def _cluster(resource: PolicyResource, props: dict[str, Any], names: dict[str, Any]) -> Any:
    cluster = props.get("cluster")
    if cluster is None:
        return DEFAULT_CLUSTER
    if is_unknown(cluster):
        for dependency in resource.property_dependencies.get("cluster", []):
            name = names.get(dependency.urn)
            if isinstance(name, str) and not is_unknown(name):
                return name
        return cluster
    if isinstance(cluster, str) and CLUSTER_ARN_MARK in cluster:
        return cluster.rsplit(CLUSTER_ARN_MARK, 1)[1]
    return cluster


def judge_ecs_deploy_actions(
    name: str,
    props: dict[str, Any],
    services: list[EcsService],
    require_alarm: bool,
    report: ReportViolation,
    undecided: list[str],
) -> None:
    """Report every ECS deploy action of pipeline `name` whose service cannot roll itself back."""
    for action in actions_of_kind(props, ECS_DEPLOY, undecided):
        label = f"pipeline '{name}': {action.label} (an ECS rolling deploy action)"
        if is_unknown(action.configuration):
            undecided.append(f"{action.path}.configuration")
            continue
        cluster = action.setting("ClusterName") or DEFAULT_CLUSTER
        service = action.setting("ServiceName")
        unknown = [
            f"{action.path}.configuration.{key}"
            for key, value in (("ClusterName", cluster), ("ServiceName", service))
            if is_unknown(value)
        ]
        if unknown:
            undecided.extend(unknown)
            continue
        matched, maybe = _matching(services, cluster, service)
        for found in matched:
            _judge_service(label, found, require_alarm, report, undecided)
        if not matched and maybe:
            undecided.append(f"{action.path} (which service it deploys)")
        elif not matched:
            report(
                f"{label} updates ECS service {shown(service)} in cluster {shown(cluster)}, which "
                "this stack does not declare, so the pack cannot see whether a failed deployment "
                f"rolls back; declare the service in this stack and {BREAKER_FIX}, or deploy with "
                "CodeDeployToECS through a deployment group with autoRollbackConfiguration"
            )


def _matching(
    services: list[EcsService], cluster: Any, service: Any
) -> tuple[list[EcsService], bool]:
    """The services the action names, and whether a service not known yet may be one of them."""
    matched: list[EcsService] = []
    maybe = False
    for candidate in services:
        name = candidate.props.get("name")
        if is_unknown(name) or is_unknown(candidate.cluster):
            maybe = maybe or is_unknown(name) or name == service
            continue
        if name == service and candidate.cluster == cluster:
            matched.append(candidate)
    return matched, maybe


def _judge_service(
    label: str,
    service: EcsService,
    require_alarm: bool,
    report: ReportViolation,
    undecided: list[str],
) -> None:
    where = f"{label}: its service '{service.resource.name}'"
    breaker = service.props.get("deploymentCircuitBreaker")
    fields = {key: block(breaker).get(key) for key in ("enable", "rollback")}
    if is_unknown(breaker) or any(is_unknown(v) for v in fields.values()):
        undecided.append(service.say(f"{service.resource.name}.deploymentCircuitBreaker"))
    elif not all(is_true(v) for v in fields.values()):
        report(
            service.say(
                f"{where} has deploymentCircuitBreaker {_shown_fields(breaker, fields)}, so a "
                f"failed rolling deployment is not rolled back; {BREAKER_FIX}"
            )
        )
    if require_alarm:
        _judge_alarms(where, service, report, undecided)


def _judge_alarms(
    where: str, service: EcsService, report: ReportViolation, undecided: list[str]
) -> None:
    alarms = service.props.get("alarms")
    fields = {key: block(alarms).get(key) for key in ("enable", "rollback", "alarmNames")}
    if is_unknown(alarms) or any(is_unknown(v) for v in fields.values()):
        undecided.append(service.say(f"{service.resource.name}.alarms"))
        return
    named = [n for n in as_list(fields["alarmNames"]) if isinstance(n, str) and n.strip()]
    if not (is_true(fields["enable"]) and is_true(fields["rollback"]) and named):
        report(
            service.say(
                f"{where} has alarms {_shown_fields(alarms, fields)} but alarm rollback is "
                f"required; {ALARMS_FIX}"
            )
        )


def _shown_fields(value: Any, fields: dict[str, Any]) -> str:
    if value is None:
        return "not set"
    return "{" + ", ".join(f"{key}: {shown(v)}" for key, v in fields.items()) + "}"
