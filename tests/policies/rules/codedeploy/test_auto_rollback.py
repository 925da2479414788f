"""codedeploy-auto-rollback, with and without requireAlarmRollback."""

import pytest

from cicd_guardrails.rules.codedeploy.auto_rollback import POLICIES
from tests.support.analyzer_harness import (
    UNKNOWN,
    analyze,
    assert_no_violations,
    assert_skipped,
    assert_violation,
    resource,
)

NAME = "codedeploy-auto-rollback"
GROUP = "aws:codedeploy/deploymentGroup:DeploymentGroup"
STRICT = {NAME: {"requireAlarmRollback": True}}


def group(rollback=None, alarms=None):
    props = {"appName": "web", "deploymentGroupName": "web-dev", "serviceRoleArn": UNKNOWN}
    if rollback is not None:
        props["autoRollbackConfiguration"] = rollback
    if alarms is not None:
        props["alarmConfiguration"] = alarms
    return resource(GROUP, "web", props)


FAILURE_ONLY = {"enabled": True, "events": ["DEPLOYMENT_FAILURE"]}
BOTH = {"enabled": True, "events": ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]}
ALARMS = {"enabled": True, "alarms": ["web-5xx"]}


def test_failure_rollback_passes_by_default():
    assert_no_violations(analyze(POLICIES, [group(FAILURE_ONLY)]), NAME)


def test_alarm_rollback_passes_when_required():
    assert_no_violations(analyze(POLICIES, [group(BOTH, ALARMS)], STRICT), NAME)


def test_missing_rollback_is_refused():
    result = analyze(POLICIES, [group()])
    assert_violation(
        result,
        NAME,
        ["deployment group 'web': autoRollbackConfiguration.enabled is not set", "enabled: true"],
        level="mandatory",
    )


def test_disabled_rollback_is_refused():
    assert_violation(
        analyze(POLICIES, [group({"enabled": False, "events": ["DEPLOYMENT_FAILURE"]})]),
        NAME,
        "enabled is False",
    )


def test_rollback_without_failure_event_is_refused():
    result = analyze(POLICIES, [group({"enabled": True, "events": ["DEPLOYMENT_STOP_ON_ALARM"]})])
    assert_violation(result, NAME, "autoRollbackConfiguration.events lacks DEPLOYMENT_FAILURE")


def test_required_alarm_event_missing_is_refused():
    result = analyze(POLICIES, [group(FAILURE_ONLY, ALARMS)], STRICT)
    assert_violation(result, NAME, "lacks DEPLOYMENT_STOP_ON_ALARM")


@pytest.mark.parametrize(
    ("alarms", "fragment"),
    [
        (None, "alarmConfiguration.enabled is not set"),
        ({"enabled": False, "alarms": ["web-5xx"]}, "alarmConfiguration.enabled is False"),
        ({"enabled": True, "alarms": []}, "alarmConfiguration.alarms names no alarm"),
    ],
)
def test_required_alarm_configuration_problems_are_refused(alarms, fragment):
    assert_violation(analyze(POLICIES, [group(BOTH, alarms)], STRICT), NAME, fragment)


def test_unknown_alarm_names_are_cannot_run():
    result = analyze(POLICIES, [group(BOTH, {"enabled": True, "alarms": UNKNOWN})], STRICT)
    assert not result.of(NAME)
    assert_skipped(result, NAME, "alarmConfiguration.alarms")


def test_non_boolean_config_is_one_line_violation():
    result = analyze(POLICIES, [group(FAILURE_ONLY)], {NAME: {"requireAlarmRollback": "yes"}})
    assert_violation(
        result,
        NAME,
        "policy config codedeploy-auto-rollback.requireAlarmRollback is 'yes'; set it to true or false",
    )


def test_an_unknown_event_may_be_the_required_one_so_only_a_list_that_lacks_it_is_refused():
    maybe = group({"enabled": True, "events": [UNKNOWN]})
    result = analyze(POLICIES, [maybe])
    assert not result.of(NAME)
    assert_skipped(result, NAME, "autoRollbackConfiguration.events")
    # The same list without the unknown element provably lacks it.
    lacking = group({"enabled": True, "events": ["DEPLOYMENT_STOP_ON_ALARM"]})
    assert_violation(analyze(POLICIES, [lacking]), NAME, "events lacks DEPLOYMENT_FAILURE")
    present = group({"enabled": True, "events": ["DEPLOYMENT_FAILURE", UNKNOWN]})
    assert_no_violations(analyze(POLICIES, [present]), NAME)


def test_an_unknown_alarm_name_may_be_a_real_one_so_the_list_is_undecided():
    result = analyze(POLICIES, [group(BOTH, {"enabled": True, "alarms": [UNKNOWN]})], STRICT)
    assert not result.of(NAME)
    assert_skipped(result, NAME, "alarmConfiguration.alarms")
    blank = analyze(POLICIES, [group(BOTH, {"enabled": True, "alarms": [" "]})], STRICT)
    assert_violation(blank, NAME, "alarmConfiguration.alarms names no alarm")
