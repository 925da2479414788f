"""`codedeploy-auto-rollback`: a failed (or, where required, alarming) deployment rolls itself back.

Without automatic rollback a failed deployment leaves the fleet on a half-deployed revision until
someone notices; in prod we also want CloudWatch alarms to stop and roll back a deployment that
"succeeded" while the service degraded. Judged on CodeDeploy deployment groups and on
CodePipeline's Lambda deploy actions (`lambda_deploy_rollback`), the two mechanisms that deploy.

With `requireAlarmRollback`, `alarmConfiguration.ignorePollAlarmFailure: true` is refused too: it
lets a deployment continue when CodeDeploy cannot read the alarms' state from CloudWatch, so a
deleted, renamed or misspelled alarm silently turns alarm rollback off; the AWS default (false)
stops the deployment instead. An alarm name that is blank names no alarm.
"""

from typing import Any

from pulumi_policy import (
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)

from cicd_guardrails.rules.codedeploy.lambda_deploy_rollback import judge_lambda_deploy_actions
from cicd_guardrails.support.metadata import policy_fields
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


def validate_auto_rollback(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type not in (DEPLOYMENT_GROUP, PIPELINE):
        return
    try:
        require_alarm = config_bool(NAME, args.get_config(), REQUIRE_ALARM_ROLLBACK, False)
    except PolicyConfigError as error:
        report(str(error))
        return
    props = plain(args.props)
    undecided: list[str] = []
    if args.resource_type == PIPELINE:
        judge_lambda_deploy_actions(args.name, props, require_alarm, report, undecided)
        if undecided:
            fail_undecided(args.name, undecided)
        return
    label = f"deployment group '{args.name}'"
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
    if undecided:
        fail_undecided(args.name, undecided)


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


CODEDEPLOY_AUTO_ROLLBACK = ResourceValidationPolicy(
    **policy_fields(NAME),
    validate=validate_auto_rollback,
    config_schema=PolicyConfigSchema(
        properties={
            REQUIRE_ALARM_ROLLBACK: {
                "type": "boolean",
                "default": False,
                "description": (
                    "Also require DEPLOYMENT_STOP_ON_ALARM and an enabled alarmConfiguration, and "
                    "Alarms on Lambda deploy actions."
                ),
            }
        }
    ),
)

POLICIES = [CODEDEPLOY_AUTO_ROLLBACK]
