"""codedeploy-auto-rollback on CodePipeline's Lambda deploy action, and codedeploy-action-server-platform."""

import pytest
from analyzer_harness import (
    UNKNOWN,
    analyze,
    assert_no_violations,
    assert_skipped,
    assert_violation,
    resource,
)

from cicd_guardrails.rules.codedeploy.auto_rollback import POLICIES as ROLLBACK_POLICIES
from cicd_guardrails.rules.codepipeline.codedeploy_action_platform import (
    POLICIES as PLATFORM_POLICIES,
)

ROLLBACK = "codedeploy-auto-rollback"
PLATFORM = "codedeploy-action-server-platform"
PIPELINE = "aws:codepipeline/pipeline:Pipeline"
APPLICATION = "aws:codedeploy/application:Application"
STRICT = {ROLLBACK: {"requireAlarmRollback": True}}
LAMBDA_ACTION = "pipeline 'worker': stages[1].actions[0] ('Deploy') (a Lambda deploy action)"


def lambda_deploy(**configuration):
    return {
        "name": "Deploy",
        "category": "Deploy",
        "owner": "AWS",
        "provider": "Lambda",
        "version": "1",
        "configuration": {"FunctionName": "worker", **configuration},
    }


def codedeploy(application="guarded-delivery-prod-worker"):
    return {
        "name": "Deploy",
        "category": "Deploy",
        "owner": "AWS",
        "provider": "CodeDeploy",
        "version": "1",
        "configuration": {"ApplicationName": application, "DeploymentGroupName": "worker-group"},
    }


def pipeline(deploy_action, name="worker"):
    build = {"name": "Build", "category": "Build", "owner": "AWS", "provider": "CodeBuild"}
    stages = [
        {"name": "Build", "actions": [build]},
        {"name": "Deploy", "actions": [deploy_action]},
    ]
    return resource(PIPELINE, name, {"pipelineType": "V2", "stages": stages})


GUARDED = lambda_deploy(
    FunctionAlias="live",
    DeployStrategy="Canary10Percent5Minutes",
    Alarms="worker-errors,worker-p99",
)


# --- codedeploy-auto-rollback: the Lambda deploy action --------------------------------------------


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


# --- codedeploy-action-server-platform -----------------------------------------------------------------


def application(platform, name="guarded-delivery-prod-worker"):
    props = {"name": name} if platform is None else {"name": name, "computePlatform": platform}
    return resource(APPLICATION, "worker-application", props)


@pytest.mark.parametrize(
    ("platform", "right"),
    [
        ("Lambda", "the Lambda deploy action (provider Lambda, V2 pipelines)"),
        ("ECS", "the CodeDeployToECS action"),
    ],
)
def test_a_codedeploy_action_on_a_lambda_or_ecs_application_is_refused(platform, right):
    worker = pipeline(codedeploy())
    result = analyze(PLATFORM_POLICIES, [application(platform), worker])
    assert_violation(
        result,
        PLATFORM,
        "pipeline 'worker': stages[1].actions[0] ('Deploy') is a CodeDeploy action on application "
        f"'guarded-delivery-prod-worker' (Application 'worker-application', computePlatform "
        f"{platform}), which CodePipeline's CodeDeploy action cannot deploy: it deploys to "
        f"EC2/on-premises only; deploy with {right} instead",
        urn=worker.urn,
        level="mandatory",
    )


@pytest.mark.parametrize("platform", ["Server", None])  # None: the provider's default, Server
def test_a_codedeploy_action_on_a_server_application_passes(platform):
    assert_no_violations(
        analyze(PLATFORM_POLICIES, [application(platform), pipeline(codedeploy())]), PLATFORM
    )


def test_the_lambda_deploy_action_itself_passes_next_to_a_lambda_application():
    assert_no_violations(
        analyze(PLATFORM_POLICIES, [application("Lambda"), pipeline(GUARDED)]), PLATFORM
    )


def test_an_application_of_another_account_or_name_is_not_the_one_named():
    other_account = resource("pulumi:providers:aws", "other-account", {"region": "us-east-1"})
    elsewhere = resource(
        APPLICATION,
        "worker-application",
        {"name": "guarded-delivery-prod-worker", "computePlatform": "Lambda"},
        provider=other_account,
    )
    assert_no_violations(analyze(PLATFORM_POLICIES, [elsewhere, pipeline(codedeploy())]), PLATFORM)
    renamed = application("Lambda", name="guarded-delivery-prod-other")
    assert_no_violations(analyze(PLATFORM_POLICIES, [renamed, pipeline(codedeploy())]), PLATFORM)


def test_an_unknown_application_name_or_platform_is_undecided_not_passed():
    result = analyze(PLATFORM_POLICIES, [application("Lambda"), pipeline(codedeploy(UNKNOWN))])
    assert not result.of(PLATFORM)
    assert_skipped(result, PLATFORM, "worker.stages[1].actions[0].configuration.ApplicationName")
    unknown_platform = analyze(PLATFORM_POLICIES, [application(UNKNOWN), pipeline(codedeploy())])
    assert_skipped(unknown_platform, PLATFORM, "worker.stages[1].actions[0]")
    # An application whose name is not known yet may be the one named.
    unnamed = analyze(
        PLATFORM_POLICIES, [application("Lambda", name=UNKNOWN), pipeline(codedeploy())]
    )
    assert_skipped(unnamed, PLATFORM, "worker.stages[1].actions[0]")
