"""`codedeploy-auto-rollback`: a failed (or, where required, alarming) deployment rolls itself back.

Without automatic rollback a failed deployment leaves the fleet on a half-deployed revision until
someone notices; in prod we also want CloudWatch alarms to stop and roll back a deployment that
"succeeded" while the service degraded. Judged on CodeDeploy deployment groups, on CodePipeline's
Lambda deploy actions (`lambda_deploy_rollback`) and on its standard ECS deploy actions, whose
rolling update only the ECS service's circuit breaker rolls back (`ecs_deploy_rollback`). A stack
policy, because an ECS action's rollback lives on the service it names. Deployment groups and
pipelines declared through aws-native are read as their `aws` twins (`support/native_twins.py`).

With `requireAlarmRollback`, `alarmConfiguration.ignorePollAlarmFailure: true` is refused too: it
lets a deployment continue when CodeDeploy cannot read the alarms' state from CloudWatch, so a
deleted, renamed or misspelled alarm silently turns alarm rollback off; the AWS default (false)
stops the deployment instead. An alarm name that is blank names no alarm.
"""

from typing import Any

from pulumi_policy import (
    PolicyConfigSchema,
    ReportViolation,
    StackValidationArgs,
    StackValidationPolicy,
)

from cicd_guardrails.rules.codedeploy.ecs_deploy_rollback import (
    EcsService,
    judge_ecs_deploy_actions,
    stack_services,
)
from cicd_guardrails.rules.codedeploy.lambda_deploy_rollback import judge_lambda_deploy_actions
from cicd_guardrails.support.declared_settings import (
    alarm_rollback_groups,
    weaker_alarm_rollback_message,
)
from cicd_guardrails.support.metadata import policy_fields
from cicd_guardrails.support.native_twins import NativeTwin, natives_of, twin_of
from cicd_guardrails.support.pipeline_actions import PIPELINE
from cicd_guardrails.support.policy_config import PolicyConfigError, config_bool
from cicd_guardrails.support.wire import (
    as_list,
    block,
    fail_undecided,
    is_true,
    is_unknown,
    plain,
    shown,
)

NAME = "codedeploy-auto-rollback"
DEPLOYMENT_GROUP = "aws:codedeploy/deploymentGroup:DeploymentGroup"
FAILURE_EVENT = "DEPLOYMENT_FAILURE"
ALARM_EVENT = "DEPLOYMENT_STOP_ON_ALARM"
REQUIRE_ALARM_ROLLBACK = "requireAlarmRollback"
IGNORE_POLL_FAILURE = "ignorePollAlarmFailure"
AWS_TYPES = frozenset({DEPLOYMENT_GROUP, PIPELINE})
JUDGED_TYPES = AWS_TYPES | natives_of(AWS_TYPES)


def validate_auto_rollback(args: StackValidationArgs, report: ReportViolation) -> None:
    try:
        require_alarm = config_bool(NAME, args.get_config(), REQUIRE_ALARM_ROLLBACK, False)
    except PolicyConfigError as error:
        report(str(error))
        return
    declared = [] if require_alarm else alarm_rollback_groups(args.resources)
    if declared:  # a policy config asking less than the stack declares
        report(weaker_alarm_rollback_message(NAME, REQUIRE_ALARM_ROLLBACK, declared))
    services: list[EcsService] | None = None  # read only for a stack that has pipelines
    undecided: list[str] = []
    for resource in args.resources:
        if resource.resource_type not in JUDGED_TYPES:
            continue
        twin = twin_of(resource.resource_type, plain(resource.props))
        in_names = _in_names_of(twin, report, resource.urn)
        paths: list[str] = []
        if twin.type == PIPELINE:
            if services is None:
                services = stack_services(args.resources)
            judge_lambda_deploy_actions(resource.name, twin.props, require_alarm, in_names, paths)
            judge_ecs_deploy_actions(
                resource.name, twin.props, services, require_alarm, in_names, paths
            )
        else:
            _judge_deployment_group(resource.name, twin.props, require_alarm, in_names, paths)
        if paths:
            undecided.append(f"{resource.name}: {', '.join(twin.say(p) for p in paths)}")
    if undecided:
        fail_undecided(NAME, undecided)


def _in_names_of(twin: NativeTwin, report: ReportViolation, urn: str) -> ReportViolation:
    """`report` on the resource `urn`, in the property names it was declared with."""

    def report_in_names(message: str, _urn: str | None = None) -> None:
        report(twin.say(message), _urn or urn)

    return report_in_names


def _judge_deployment_group(
    name: str,
    props: dict[str, Any],
    require_alarm: bool,
    report: ReportViolation,
    undecided: list[str],
) -> None:
    label = f"deployment group '{name}'"
    rollback = props.get("autoRollbackConfiguration")
    required = [FAILURE_EVENT, ALARM_EVENT] if require_alarm else [FAILURE_EVENT]

    if is_unknown(rollback):
        undecided.append("autoRollbackConfiguration")
    else:
        _judge_rollback(label, block(rollback), required, report, undecided)
    if require_alarm:
        alarms = props.get("alarmConfiguration")
        if is_unknown(alarms):
            undecided.append("alarmConfiguration")
        else:
            _judge_alarms(label, block(alarms), report, undecided)


def _judge_rollback(
    label: str,
    rollback: dict[str, Any],
    required: list[str],
    report: ReportViolation,
    undecided: list[str],
) -> None:
    enabled = rollback.get("enabled")
    events = rollback.get("events")
    if is_unknown(enabled):
        undecided.append("autoRollbackConfiguration.enabled")
    elif not is_true(enabled):
        report(
            f"{label}: autoRollbackConfiguration.enabled is {shown(enabled)}; set "
            f"autoRollbackConfiguration {{enabled: true, events: {required}}}"
        )
        return
    if is_unknown(events):
        undecided.append("autoRollbackConfiguration.events")
        return
    listed = as_list(events)
    missing = [e for e in required if e not in listed]
    if missing and any(is_unknown(e) for e in listed):
        # An event not known yet may be the missing one: refuse only a list that provably lacks it.
        undecided.append("autoRollbackConfiguration.events")
    elif missing:
        report(
            f"{label}: autoRollbackConfiguration.events lacks {', '.join(missing)}; "
            f"add {', '.join(missing)} to autoRollbackConfiguration.events"
        )


def _judge_alarms(
    label: str, alarms: dict[str, Any], report: ReportViolation, undecided: list[str]
) -> None:
    fix = "set alarmConfiguration {enabled: true, alarms: [<CloudWatch alarm name>]}"
    enabled = alarms.get("enabled")
    names = alarms.get("alarms")
    if is_unknown(enabled):
        undecided.append("alarmConfiguration.enabled")
    elif not is_true(enabled):
        report(
            f"{label}: alarmConfiguration.enabled is {shown(enabled)} but alarm rollback is required; {fix}"
        )
    ignore_poll_failure = alarms.get(IGNORE_POLL_FAILURE)
    if is_unknown(ignore_poll_failure):
        undecided.append(f"alarmConfiguration.{IGNORE_POLL_FAILURE}")
    elif is_true(ignore_poll_failure):
        report(
            f"{label}: alarmConfiguration.{IGNORE_POLL_FAILURE} is true, so a deployment continues "
            "when CodeDeploy cannot read its alarms (a deleted or misnamed alarm turns alarm "
            f"rollback off); set alarmConfiguration.{IGNORE_POLL_FAILURE} to false"
        )
    named = [n for n in as_list(names) if isinstance(n, str) and not is_unknown(n) and n.strip()]
    if is_unknown(names) or (not named and any(is_unknown(n) for n in as_list(names))):
        undecided.append("alarmConfiguration.alarms")
    elif not named:
        report(
            f"{label}: alarmConfiguration.alarms names no alarm but alarm rollback is required; {fix}"
        )


CODEDEPLOY_AUTO_ROLLBACK = StackValidationPolicy(
    **policy_fields(NAME),
    validate=validate_auto_rollback,
    config_schema=PolicyConfigSchema(
        properties={
            REQUIRE_ALARM_ROLLBACK: {
                "type": "boolean",
                "default": False,
                "description": (
                    "Also require DEPLOYMENT_STOP_ON_ALARM and an enabled alarmConfiguration, "
                    "Alarms on Lambda deploy actions, and alarms with rollback on the ECS "
                    "services of ECS deploy actions."
                ),
            }
        }
    ),
)

POLICIES = [CODEDEPLOY_AUTO_ROLLBACK]
