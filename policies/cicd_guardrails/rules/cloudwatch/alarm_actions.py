"""`cloudwatch-alarm-actions`: an alarm that fires must reach someone or something.

An alarm with actions disabled or no action at all is silent: a deployment-rollback alarm still
works through CodeDeploy, but nobody is told the release went wrong.
"""

from pulumi_policy import (
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)

from cicd_guardrails.support.metadata import policy_fields
from cicd_guardrails.support.wire import as_list, fail_undecided, is_false, is_unknown, plain

NAME = "cloudwatch-alarm-actions"
METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
ACTION_KEYS = ("alarmActions", "okActions", "insufficientDataActions")


def validate_alarm_actions(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != METRIC_ALARM:
        return
    props = plain(args.props)
    label = f"alarm '{args.name}'"
    undecided: list[str] = []
    enabled = props.get("actionsEnabled")
    if is_unknown(enabled):
        undecided.append("actionsEnabled")
    elif is_false(enabled):
        report(
            f"{label}: actionsEnabled is false, so it notifies no one; remove it or set it to true"
        )
    values = {key: props.get(key) for key in ACTION_KEYS}
    has_action = any(a for v in values.values() if not is_unknown(v) for a in as_list(v))
    unknown_lists = [key for key, v in values.items() if is_unknown(v)]
    if unknown_lists and not has_action:
        undecided.extend(unknown_lists)  # a list not known yet may be empty
    elif not has_action:
        report(
            f"{label}: alarmActions, okActions and insufficientDataActions are all empty; "
            "add alarmActions with the notification topic ARN"
        )
    if undecided:
        fail_undecided(args.name, undecided)


CLOUDWATCH_ALARM_ACTIONS = ResourceValidationPolicy(
    **policy_fields(NAME),
    validate=validate_alarm_actions,
)

POLICIES = [CLOUDWATCH_ALARM_ACTIONS]
