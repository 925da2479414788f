"""The CloudWatch alarms a deployment stops and rolls back on, per compute platform.

CodeDeploy only rolls back on alarms that exist and measure the thing being deployed, so this stack
creates them instead of asking the user for alarm names. Every dimension is derived from config, never
from a computed output, so names and alarms are known at preview:
- ECS: target 5xx responses and unhealthy targets behind the production listener's load balancer (a
  Network Load Balancer has no HTTP codes: only unhealthy targets, in its own namespace). A
  target group's metric dimension carries an id config does not give (`targetgroup/<name>/<id>`), so the
  alarms watch the load balancer; a shared load balancer makes them conservative (roll back more often).
- Lambda: errors of the function through the alias being shifted (`Resource = <function>:<alias>`).
- Server: no per-instance metric can be named before instances are known, so the alarm counts CodeDeploy's
  own "instance FAILURE" events for this deployment group (an EventBridge rule; its `TriggeredRules`
  metric), i.e. a lifecycle hook such as ValidateService failed on an instance. The deployment then stops
  at the first broken instance instead of continuing until the minimum-healthy-hosts rule trips.
"""

import json
from typing import Any

import pulumi
import pulumi_aws as aws
from pulumi_aws.cloudwatch import MetricAlarm

from components.config import ServiceSettings
from components.shared.alarms import notifying_alarm
from components.shared.naming import EVENT_RULE_NAME_LIMIT, ServiceNames, bounded
from components.shared.references import reference

ALARM_PERIOD_SECONDS = 60
TARGET_5XX_THRESHOLD = 5
"""5xx responses from targets per minute that stop an ECS deployment (a few stray errors do not)."""
UNHEALTHY_HOSTS_THRESHOLD = 1
UNHEALTHY_EVALUATION_PERIODS = 2
"""Two minutes, so a target briefly failing health checks while registering does not roll back."""
LAMBDA_ERRORS_THRESHOLD = 1
INSTANCE_FAILURES_THRESHOLD = 1

ALB_NAMESPACE = "AWS/ApplicationELB"
NLB_NAMESPACE = "AWS/NetworkELB"
"""A Network Load Balancer publishes under its own namespace and has no HTTP codes (no 5xx metric)."""
CODEDEPLOY_INSTANCE_EVENT = "CodeDeploy Instance State-change Notification"


def rollback_alarm_names(service: ServiceSettings, names: ServiceNames) -> tuple[str, ...]:
    """The alarms `declare_rollback_alarms` creates; the deploy role may read exactly these."""
    if service.compute_platform == "ECS":
        assert service.ecs is not None  # config validation guarantees it for ECS services
        unhealthy = names.deployment_alarm("unhealthy-targets")
        if is_network_load_balancer(service.ecs.prod_listener_arn):
            return (unhealthy,)
        return (names.deployment_alarm("target-5xx"), unhealthy)
    if service.compute_platform == "Lambda":
        return (names.deployment_alarm("alias-errors"),)
    return (names.deployment_alarm("instance-failures"),)


def instance_failure_rule_name(names: ServiceNames) -> str:
    return bounded(f"{names.prefix}-deploy-instance-failed", EVENT_RULE_NAME_LIMIT)


def is_network_load_balancer(listener_arn: str) -> bool:
    return load_balancer_dimension(listener_arn).startswith("net/")


def load_balancer_dimension(listener_arn: str) -> str:
    """`...:listener/app/<name>/<id>/<listener id>` -> `app/<name>/<id>` (the `LoadBalancer` dimension)."""
    _, _, resource = listener_arn.partition(":listener/")
    parts = resource.split("/")
    if len(parts) != 4:
        raise ValueError(f"not a load balancer listener ARN: {listener_arn!r}")
    return "/".join(parts[:3])


def declare_rollback_alarms(
    service: ServiceSettings,
    names: ServiceNames,
    topic_arn: pulumi.Input[str],
    tags: dict[str, str],
    parent: pulumi.Resource,
) -> list[MetricAlarm]:
    """Create this service's rollback alarms (and, for Server, the rule they count) under `parent`."""
    opts = pulumi.ResourceOptions(parent=parent)

    def alarm(alarm_name: str, description: str, threshold: float, **metric: Any) -> MetricAlarm:
        # The resource is named after the alarm; OK is announced too (the deployment may resume).
        return notifying_alarm(
            alarm_name,
            name=alarm_name,
            description=description,
            topic_arn=topic_arn,
            threshold=threshold,
            tags=tags,
            opts=opts,
            notify_ok=True,
            **metric,
        )

    alarm_names = rollback_alarm_names(service, names)
    if service.compute_platform == "ECS":
        assert service.ecs is not None  # config validation guarantees it for ECS services
        listener = service.ecs.prod_listener_arn
        balancer = load_balancer_dimension(listener)
        network = is_network_load_balancer(listener)
        namespace = NLB_NAMESPACE if network else ALB_NAMESPACE
        query = (
            f'SELECT MAX(UnHealthyHostCount) FROM SCHEMA("{namespace}", LoadBalancer, TargetGroup)'
            f" WHERE LoadBalancer = '{balancer}'"
        )
        unhealthy = alarm(
            alarm_names[-1],
            f"Unhealthy targets behind {balancer}: roll back the deployment.",
            UNHEALTHY_HOSTS_THRESHOLD,
            evaluation_periods=UNHEALTHY_EVALUATION_PERIODS,
            metric_queries=[
                aws.cloudwatch.MetricAlarmMetricQueryArgs(
                    id="unhealthy", expression=query, period=ALARM_PERIOD_SECONDS, return_data=True
                )
            ],
        )
        if network:
            return [unhealthy]
        target_5xx = alarm(
            alarm_names[0],
            f"Targets of {balancer} answer 5xx: stop and roll back the deployment.",
            TARGET_5XX_THRESHOLD,
            namespace=ALB_NAMESPACE,
            metric_name="HTTPCode_Target_5XX_Count",
            dimensions={"LoadBalancer": balancer},
            statistic="Sum",
            period=ALARM_PERIOD_SECONDS,
        )
        return [target_5xx, unhealthy]
    if service.compute_platform == "Lambda":
        assert service.lambda_ is not None  # config validation guarantees it for Lambda services
        function, alias = service.lambda_.function_name, service.lambda_.alias_name
        return [
            alarm(
                alarm_names[0],
                f"{function}:{alias} returns errors: roll back the alias shift.",
                LAMBDA_ERRORS_THRESHOLD,
                namespace="AWS/Lambda",
                metric_name="Errors",
                dimensions={"FunctionName": function, "Resource": f"{function}:{alias}"},
                statistic="Sum",
                period=ALARM_PERIOD_SECONDS,
            )
        ]
    rule_name = instance_failure_rule_name(names)
    rule = aws.cloudwatch.EventRule(
        rule_name,
        name=rule_name,
        description=f"An instance of {names.deployment_group_name} failed a deployment.",
        event_pattern=json.dumps(
            {
                "source": ["aws.codedeploy"],
                "detail-type": [CODEDEPLOY_INSTANCE_EVENT],
                "detail": {
                    "application": [names.deploy_application_name],
                    "deploymentGroup": [names.deployment_group_name],
                    "state": ["FAILURE"],
                },
            },
            sort_keys=True,
        ),
        tags=tags,
        opts=opts,
    )
    # The rule also tells people which instance failed; the alarm below is what rolls back.
    aws.cloudwatch.EventTarget(
        f"{rule_name}-topic",
        rule=reference(rule_name, rule),
        arn=topic_arn,
        target_id="notify",
        opts=opts,
    )
    return [
        alarm(
            alarm_names[0],
            f"An instance failed a {names.deployment_group_name} deployment: stop and roll back.",
            INSTANCE_FAILURES_THRESHOLD,
            namespace="AWS/Events",
            metric_name="TriggeredRules",
            dimensions={"RuleName": reference(rule_name, rule)},
            statistic="Sum",
            period=ALARM_PERIOD_SECONDS,
        )
    ]
