"""The policy config neither accepts what the stack config refuses nor asks less than the stack declares."""

import ipaddress
import re

import pytest

from cicd_guardrails.rules.codedeploy.auto_rollback import POLICIES as ROLLBACK_POLICIES
from cicd_guardrails.rules.iam.execution_role import POLICIES as EXECUTION_ROLE_POLICIES
from cicd_guardrails.support.policy_config import (
    MIN_CIDR_PREFIX_LENGTH,
    PolicyConfigError,
    check_cidr_breadth,
    cidr_schema_pattern,
)
from components.config import ConfigError, parse_settings
from components.config.allowed import MIN_PREFIX_LENGTH
from tests.support.analyzer_harness import (
    analyze,
    assert_no_violations,
    assert_violation,
    resource,
)
from tests.support.program_runs import stack_settings_raw

POLICY = "execution-role-ip-restricted"
SAMPLES = [
    *(str(ipaddress.ip_network(f"10.0.0.0/{n}", strict=False)) for n in range(1, 33)),
    *(str(ipaddress.ip_network(f"2001:db8::/{n}", strict=False)) for n in range(1, 129)),
]


def test_the_pack_repeats_the_stack_configs_limit():
    # The pack runs from policies/ and cannot import the program; this keeps the copy honest.
    assert MIN_CIDR_PREFIX_LENGTH == MIN_PREFIX_LENGTH


def stack_accepts(cidr: str) -> bool:
    raw = dict(stack_settings_raw("dev"), allowedCidrs=[cidr])
    try:
        parse_settings(raw, "dev")
    except ConfigError:
        return False
    return True


def pack_accepts(cidr: str) -> bool:
    if not re.fullmatch(cidr_schema_pattern(), cidr):
        return False
    try:
        check_cidr_breadth(POLICY, "allowedCidrs", [cidr])
    except PolicyConfigError:
        return False
    return True


@pytest.mark.parametrize("cidr", SAMPLES)
def test_the_policy_config_accepts_a_cidr_exactly_when_the_stack_config_does(cidr):
    assert pack_accepts(cidr) == stack_accepts(cidr), cidr


def test_a_slash_one_in_the_policy_config_is_refused_with_one_line_and_a_slash_eight_passes():
    broad = analyze(EXECUTION_ROLE_POLICIES, [], {POLICY: {"allowedCidrs": ["0.0.0.0/1"]}})
    assert_violation(
        broad,
        POLICY,
        "policy config execution-role-ip-restricted.allowedCidrs[0] is '0.0.0.0/1', broader than "
        "the /8 the stack config allowedCidrs accepts",
    )
    narrow = analyze(EXECUTION_ROLE_POLICIES, [], {POLICY: {"allowedCidrs": ["10.0.0.0/8"]}})
    assert_no_violations(narrow, POLICY)


def test_the_schema_pattern_refuses_what_the_stack_refuses():
    pattern = cidr_schema_pattern()
    assert not re.fullmatch(pattern, "0.0.0.0/1")
    assert not re.fullmatch(pattern, "2001::/31")
    assert re.fullmatch(pattern, "10.0.0.0/8")
    assert re.fullmatch(pattern, "2001:db8::/32")


# A policy config that asks less than the stack declares: requireAlarmRollback false while the
# stack's deployment groups roll back on alarms (stack config alarmRollback: true).
ROLLBACK = "codedeploy-auto-rollback"
GROUP = "aws:codedeploy/deploymentGroup:DeploymentGroup"
ON_ALARM = {"enabled": True, "events": ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]}
FAILURE_ONLY = {"enabled": True, "events": ["DEPLOYMENT_FAILURE"]}
ALARMS = {"enabled": True, "alarms": ["web-5xx"]}


def deployment_group(rollback, alarms=None):
    props = {
        "appName": "web",
        "deploymentGroupName": "web-dev",
        "autoRollbackConfiguration": rollback,
    }
    if alarms is not None:
        props["alarmConfiguration"] = alarms
    return resource(GROUP, "web", props)


def rollback_result(required, group):
    return analyze(ROLLBACK_POLICIES, [group], {ROLLBACK: {"requireAlarmRollback": required}})


def test_a_policy_config_not_requiring_the_alarm_rollback_the_stack_declares_is_reported():
    assert_violation(
        rollback_result(False, deployment_group(ON_ALARM, ALARMS)),
        ROLLBACK,
        "policy config codedeploy-auto-rollback.requireAlarmRollback is false, but the stack "
        "declares alarm rollback (stack config alarmRollback: true; deployment group(s) 'web' stop "
        "and roll back on alarms)",
    )
    # The same stack with the config that matches it.
    assert_no_violations(rollback_result(True, deployment_group(ON_ALARM, ALARMS)), ROLLBACK)


def test_a_stack_without_alarm_rollback_and_a_config_not_requiring_it_agree():
    assert_no_violations(rollback_result(False, deployment_group(FAILURE_ONLY)), ROLLBACK)
    # Alarms configured but not among the rollback events: the stack does not declare it.
    assert_no_violations(rollback_result(False, deployment_group(FAILURE_ONLY, ALARMS)), ROLLBACK)


def test_a_policy_config_without_the_key_asks_the_default_false_and_is_reported_too():
    # The SDK fills the schema default (false): the same weakening as stating it.
    assert_violation(
        analyze(ROLLBACK_POLICIES, [deployment_group(ON_ALARM, ALARMS)]),
        ROLLBACK,
        "requireAlarmRollback is false, but the stack declares alarm rollback",
    )
