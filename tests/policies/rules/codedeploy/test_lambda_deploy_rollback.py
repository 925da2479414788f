"""codedeploy-auto-rollback on CodePipeline's Lambda deploy action: an alias to roll back to, and alarms."""

import pytest

from cicd_guardrails.rules.codedeploy.auto_rollback import POLICIES as ROLLBACK_POLICIES
from tests.support.analyzer_harness import (
    UNKNOWN,
    analyze,
    assert_no_violations,
    assert_skipped,
    assert_violation,
)
from tests.support.pipeline_shapes import GUARDED, lambda_deploy, pipeline

ROLLBACK = "codedeploy-auto-rollback"
STRICT = {ROLLBACK: {"requireAlarmRollback": True}}
LAMBDA_ACTION = "pipeline 'worker': stages[1].actions[0] ('Deploy') (a Lambda deploy action)"


def test_a_lambda_deploy_action_with_alias_and_alarms_passes_when_alarm_rollback_is_required():
    assert_no_violations(analyze(ROLLBACK_POLICIES, [pipeline(GUARDED)], STRICT), ROLLBACK)


def test_a_lambda_deploy_action_without_alias_has_no_rollback_target():
    no_alias = lambda_deploy(Alarms="worker-errors")
    result = analyze(ROLLBACK_POLICIES, [pipeline(no_alias)])
    violation = assert_violation(
        result,
        ROLLBACK,
        f"{LAMBDA_ACTION} has no configuration.FunctionAlias, so it deploys to $LATEST with no "
        "deploy strategy and no version to roll back to; set configuration.FunctionAlias",
        level="mandatory",
    )
    assert violation.urn.endswith("::worker")
    blank = lambda_deploy(FunctionAlias=" ", Alarms="worker-errors")
    assert_violation(
        analyze(ROLLBACK_POLICIES, [pipeline(blank)]),
        ROLLBACK,
        "has no configuration.FunctionAlias",
    )
    assert_no_violations(
        analyze(ROLLBACK_POLICIES, [pipeline(lambda_deploy(FunctionAlias="live"))]), ROLLBACK
    )


@pytest.mark.parametrize(("alarms", "shown"), [(None, "not set"), ("", "''"), (" , ", "' , '")])
def test_a_lambda_deploy_action_without_alarms_is_refused_when_alarm_rollback_is_required(
    alarms, shown
):
    configuration = (
        {"FunctionAlias": "live"} if alarms is None else {"FunctionAlias": "live", "Alarms": alarms}
    )
    action = lambda_deploy(**configuration)
    assert_violation(
        analyze(ROLLBACK_POLICIES, [pipeline(action)], STRICT),
        ROLLBACK,
        f"{LAMBDA_ACTION}: configuration.Alarms is {shown}, which names no alarm, but alarm "
        "rollback is required; set configuration.Alarms to the comma-separated names",
        level="mandatory",
    )
    # Without requireAlarmRollback the alias alone is enough.
    assert_no_violations(analyze(ROLLBACK_POLICIES, [pipeline(action)]), ROLLBACK)


def test_more_alarms_than_the_action_accepts_is_refused():
    many = lambda_deploy(FunctionAlias="live", Alarms=",".join(f"a{i}" for i in range(11)))
    assert_violation(
        analyze(ROLLBACK_POLICIES, [pipeline(many)], STRICT),
        ROLLBACK,
        "configuration.Alarms names 11 alarms, more than the 10 the action accepts",
    )


def test_an_unknown_alarm_list_cannot_be_judged_at_preview_but_a_missing_alias_still_is():
    action = lambda_deploy(Alarms=UNKNOWN)
    result = analyze(ROLLBACK_POLICIES, [pipeline(action)], STRICT)
    assert_violation(result, ROLLBACK, "has no configuration.FunctionAlias")
    assert_skipped(result, ROLLBACK, "stages[1].actions[0].configuration.Alarms")


def test_an_action_whose_provider_is_unknown_may_be_a_lambda_deploy_and_is_not_passed():
    unknown_kind = {**lambda_deploy(), "provider": UNKNOWN}
    result = analyze(ROLLBACK_POLICIES, [pipeline(unknown_kind)], STRICT)
    assert not result.of(ROLLBACK)
    assert_skipped(result, ROLLBACK, "stages[1].actions[0] (category, owner or provider)")


def test_other_lambda_actions_are_not_deploy_actions():
    invoke = {**lambda_deploy(), "category": "Invoke"}
    assert_no_violations(analyze(ROLLBACK_POLICIES, [pipeline(invoke)], STRICT), ROLLBACK)
