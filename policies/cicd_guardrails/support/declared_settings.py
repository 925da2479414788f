"""What the stack itself declares, read from its resources, to catch a policy config weaker than it.

A policy config (`policies/config/<stack>.json`) copies some stack settings
(`tools/policy_config_values.py`); hand-edited, or pointed at the wrong stack, it can ask less than
the stack declares, and then a later change that drops the setting passes silently. The SDK fills a
missing key with its schema default, so a config without the key counts as one that says false. The pack never
sees the stack file, but the setting leaves a trace in the resources: `alarmRollback: true` gives
every CodeDeploy deployment group `DEPLOYMENT_STOP_ON_ALARM` among its rollback events and an enabled
`alarmConfiguration` (`components/targets/base.py`; AWS: "Redeploy and roll back a deployment",
https://docs.aws.amazon.com/codedeploy/latest/userguide/deployments-rollback-and-redeploy.html).
"""

from collections.abc import Iterable

from pulumi_policy import PolicyResource

from cicd_guardrails.support.native_twins import natives_of, twin_of
from cicd_guardrails.support.wire import as_list, block, is_true, is_unknown, plain

DEPLOYMENT_GROUP = "aws:codedeploy/deploymentGroup:DeploymentGroup"
ALARM_EVENT = "DEPLOYMENT_STOP_ON_ALARM"
_GROUP_TYPES = frozenset({DEPLOYMENT_GROUP}) | natives_of(frozenset({DEPLOYMENT_GROUP}))


def alarm_rollback_groups(resources: Iterable[PolicyResource]) -> list[str]:
    """The deployment groups that provably roll back on alarms (what `alarmRollback: true` makes)."""
    names = []
    for resource in resources:
        if resource.resource_type not in _GROUP_TYPES:
            continue
        props = twin_of(resource.resource_type, plain(resource.props)).props
        rollback = props.get("autoRollbackConfiguration")
        alarms = props.get("alarmConfiguration")
        if is_unknown(rollback) or is_unknown(alarms):
            continue
        events = block(rollback).get("events")
        on_alarm = is_true(block(rollback).get("enabled")) and ALARM_EVENT in (
            [] if is_unknown(events) else as_list(events)
        )
        if on_alarm and is_true(block(alarms).get("enabled")):
            names.append(resource.name)
    return names


def weaker_alarm_rollback_message(policy: str, key: str, groups: list[str]) -> str:
    """One line naming the policy config key, the stack key and the fix."""
    shown = ", ".join(f"'{name}'" for name in groups)
    return (
        f"policy config {policy}.{key} is false, but the stack declares alarm rollback (stack "
        f"config alarmRollback: true; deployment group(s) {shown} stop and roll back on alarms): "
        f"the policy would let a change that drops it pass; set {policy}.{key} to true "
        "(venv/bin/python -m tools.generate_config_files copies it from the stack file)"
    )
