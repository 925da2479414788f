"""codedeploy-action-server-platform: a CodeDeploy action names a Server application, never Lambda or ECS."""

import pytest

from cicd_guardrails.rules.codepipeline.codedeploy_action_platform import (
    POLICIES as PLATFORM_POLICIES,
)
from tests.support.analyzer_harness import (
    UNKNOWN,
    analyze,
    assert_no_violations,
    assert_skipped,
    assert_violation,
    resource,
)
from tests.support.pipeline_shapes import GUARDED, codedeploy, pipeline

PLATFORM = "codedeploy-action-server-platform"
APPLICATION = "aws:codedeploy/application:Application"


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
    assert_no_violations(
        analyze(PLATFORM_POLICIES, [other_account, elsewhere, pipeline(codedeploy())]), PLATFORM
    )
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
