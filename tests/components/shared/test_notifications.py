"""Failure messages say where: the failed-action rule, its message, the PipelineFailure alarm, the approval."""

import json
import re
from typing import Any

import pytest

from components.config import (
    ConnectionSource,
    Ec2TagFilter,
    EcsSettings,
    LambdaSettings,
    ServiceSettings,
)
from components.shared.naming import PlatformNames
from components.shared.notifications import ACTION_PATHS, EXECUTION_PATHS
from components.shared.tagging import resource_tags
from components.stages.approval import APPROVAL_TEXT_LIMIT
from components.stages.approval import approval_request as approval_text
from components.stages.origins import origin_for
from components.targets import target_for
from offline_preview.program_runner import run_program
from tests.support.dependency_graph import DependencyGraph
from tests.support.mocked_program import (
    FIXTURE_ACCOUNT_ID,
    FIXTURE_REGION,
    declare_monitoring,
)
from tests.support.program_runs import PROJECT_DIR

RELEASE_SUMMARY = (
    "Commit #{SourceVariables.CommitId}, signed manifest sha256 "
    "#{ReleaseVariables.MANIFEST_SHA256}, vulnerability scan #{ReleaseVariables.SCAN_VERDICT}."
)
"""What a Server service's request adds: the commit and digests, resolved when it is sent."""


def approval_request(service: ServiceSettings, stack: str, summary: str = "") -> str:
    return approval_text(service, stack, origin_for(service), target_for(service), summary)


NAMES = PlatformNames("guarded-delivery", "staging", FIXTURE_ACCOUNT_ID, FIXTURE_REGION)
SERVICE = NAMES.service("api", "MyDemoApi")
BUILD_ID = "guarded-delivery-staging-api-build:86a1cd00-9509-4929-ac8b-7d3a8c10c2bc"
BUILD_URL = (
    f"https://console.aws.amazon.com/codebuild/home?region=us-east-1#/builds/{BUILD_ID}/view/new"
)
EXECUTION = "1d247af2-7eb3-4569-aeda-41416e2a81c5"
# The shape of a failed build action's event ("Monitoring CodePipeline events").
FAILED_BUILD_EVENT = {
    "detail-type": "CodePipeline Action Execution State Change",
    "source": "aws.codepipeline",
    "time": "2026-12-01T18:04:33Z",
    "region": FIXTURE_REGION,
    "detail": {
        "pipeline": SERVICE.pipeline_name,
        "execution-id": EXECUTION,
        "stage": "Build",
        "action": "Build",
        "state": "FAILED",
        "type": {"owner": "AWS", "provider": "CodeBuild", "category": "Build", "version": "1"},
        "execution-result": {
            "external-execution-url": BUILD_URL,
            "external-execution-summary": "Build terminated with state: FAILED",
            "external-execution-id": BUILD_ID,
            "error-code": "JobFailed",
        },
    },
}


@pytest.fixture(scope="module")
def monitoring():
    return declare_monitoring(
        "api-monitoring", SERVICE, resource_tags("guarded-delivery", "staging", "api")
    )


def rule_named(mocks, name: str) -> dict[str, Any]:
    return next(
        r.inputs
        for r in mocks.of_type("aws:cloudwatch/eventRule:EventRule")
        if r.inputs["name"] == name
    )


def target_of(mocks, rule_name: str) -> dict[str, Any]:
    return next(
        t.inputs
        for t in mocks.of_type("aws:cloudwatch/eventTarget:EventTarget")
        if t.inputs["rule"] == rule_name
    )


def rendered(target: dict[str, Any], event: dict[str, Any]) -> str:
    """What EventBridge sends: each `<name>` replaced by the value at its path (dot notation)."""
    transformer = target["inputTransformer"]
    values = {name: _at(event, path) for name, path in transformer["inputPaths"].items()}
    text = re.sub(
        r"<([A-Za-z0-9]+)>", lambda m: str(values[m.group(1)]), transformer["inputTemplate"]
    )
    return json.loads(text)


def _at(event: dict[str, Any], path: str) -> Any:
    value: Any = event
    for part in path.removeprefix("$.").split("."):
        value = value[part]
    return value


def test_failed_actions_of_this_pipeline_are_matched(monitoring):
    pattern = json.loads(rule_named(monitoring, SERVICE.action_failure_rule_name)["eventPattern"])
    assert pattern == {
        "source": ["aws.codepipeline"],
        "detail-type": ["CodePipeline Action Execution State Change"],
        "detail": {"pipeline": [SERVICE.pipeline_name], "state": ["FAILED"]},
    }


def test_failed_action_message_names_where_and_how_to_look(monitoring):
    target = target_of(monitoring, SERVICE.action_failure_rule_name)
    assert target["arn"] == NAMES.topic_arn
    assert target["inputTransformer"]["inputPaths"] == ACTION_PATHS
    message = rendered(target, FAILED_BUILD_EVENT)
    for expected in (
        f"Pipeline {SERVICE.pipeline_name}: stage Build, action Build (CodeBuild) FAILED",
        f"execution {EXECUTION}",
        "AWS: JobFailed Build terminated with state: FAILED",
        BUILD_URL,
        f"bin/troubleshoot staging --service api --execution {EXECUTION}",
        f"aws codebuild batch-get-builds --ids {BUILD_ID} --region us-east-1",
        f"aws logs filter-log-events --log-group-name {SERVICE.log_group_name} --filter-pattern ERROR",
        SERVICE.execution_console_url(EXECUTION),
    ):
        assert expected in message, (expected, message)
    assert "<" not in message, "every placeholder is filled from the event"


def test_failed_execution_message_points_to_the_execution_and_the_command(monitoring):
    target = target_of(monitoring, SERVICE.failure_rule_name)
    assert target["inputTransformer"]["inputPaths"] == EXECUTION_PATHS
    message = rendered(target, FAILED_BUILD_EVENT)
    assert f"Pipeline {SERVICE.pipeline_name} execution {EXECUTION} FAILED" in message
    assert f"bin/troubleshoot staging --service api --execution {EXECUTION}" in message
    assert SERVICE.execution_console_url(EXECUTION) in message


def test_pipeline_failure_alarm_counts_the_failed_execution_rule(monitoring):
    alarm = next(
        a.inputs
        for a in monitoring.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
        if a.inputs["name"] == SERVICE.pipeline_failure_alarm
    )
    assert (alarm["namespace"], alarm["metricName"]) == ("AWS/Events", "TriggeredRules")
    assert alarm["dimensions"] == {"RuleName": SERVICE.failure_rule_name}
    assert alarm["statistic"] == "Sum" and alarm["threshold"] == 1
    assert alarm["alarmActions"] == [NAMES.topic_arn]
    assert alarm["alarmDescription"].startswith("PipelineFailure")


@pytest.fixture(scope="module")
def staging_run():
    return run_program(PROJECT_DIR, "staging").resources


def test_alarm_and_targets_wait_for_the_rules_they_name(staging_run):
    graph = DependencyGraph(staging_run)
    by_name = {r.name: r for r in staging_run}
    for service in ("web", "api"):
        names = NAMES.service(service, service)
        failed = by_name[f"{service}-monitoring-failed-executions"].urn
        actions = by_name[f"{service}-monitoring-failed-actions"].urn
        assert failed in graph.waits_for(by_name[f"{service}-monitoring-pipeline-failure"].urn)
        assert failed in graph.waits_for(
            by_name[f"{service}-monitoring-failed-executions-to-topic"].urn
        )
        assert actions in graph.waits_for(
            by_name[f"{service}-monitoring-failed-actions-to-topic"].urn
        )
        topic_policy = next(
            r.urn for r in staging_run if r.type == "aws:sns/topicPolicy:TopicPolicy"
        )
        assert topic_policy in graph.waits_for(
            by_name[f"{service}-monitoring-pipeline-failure"].urn
        )
        assert (
            by_name[f"{service}-monitoring-failed-actions"].inputs["name"]
            == names.action_failure_rule_name
        )


WEB = ServiceSettings(
    name="web",
    repository_name="MyDemoRepo",
    compute_platform="Server",
    deployment_config="CodeDeployDefault.OneAtATime",
    ec2_tag_filters=(Ec2TagFilter("Name", "MyDemoInstance-prod"),),
)


@pytest.mark.parametrize(
    ("service", "source", "target"),
    [
        (WEB, "MyDemoRepo@main", "EC2 instances tagged Name=MyDemoInstance-prod"),
        (
            ServiceSettings(
                name="api",
                repository_name="api",
                compute_platform="ECS",
                deployment_config="CodeDeployDefault.ECSAllAtOnce",
                connection=ConnectionSource(
                    "arn:aws:codeconnections:us-east-1:123456789012:connection/x", "my-org/api"
                ),
                ecs=EcsSettings("prod-cluster", "api", "api", 8080, "arn:listener", ("b", "g")),
            ),
            "my-org/api@main",
            "ECS service api on cluster prod-cluster",
        ),
        (
            ServiceSettings(
                name="worker",
                repository_name="MyDemoWorker",
                compute_platform="Lambda",
                deployment_config="CodeDeployDefault.LambdaCanary10Percent5Minutes",
                lambda_=LambdaSettings("prod-worker", "live"),
            ),
            "MyDemoWorker@main",
            "Lambda prod-worker alias live",
        ),
    ],
)
def test_approval_request_names_what_is_released_where(service, source, target):
    text = approval_request(service, "prod")
    assert text.startswith(f"Approve releasing {service.name} (prod): {source} built and tested")
    assert f"to {target} by {service.deployment_config}" in text


def test_a_long_approval_request_is_cut_to_its_bound_but_never_in_its_variables():
    many = tuple(Ec2TagFilter(f"k{i}", "v" * 200) for i in range(5))
    service = ServiceSettings(**{**WEB.__dict__, "ec2_tag_filters": many})
    text = approval_request(service, "prod", RELEASE_SUMMARY)
    assert len(text) == APPROVAL_TEXT_LIMIT and "v… " in text
    assert f" {RELEASE_SUMMARY} Check the execution" in text


def test_the_prod_approval_action_carries_the_request_and_the_pipeline_link():
    from tests.support.program_runs import run_main

    pipeline = next(
        r.inputs
        for r in run_main("prod").of_type("aws:codepipeline/pipeline:Pipeline")
        if r.inputs["name"] == "guarded-delivery-prod-web"
    )
    (approval,) = [a for s in pipeline["stages"] if s["name"] == "Approval" for a in s["actions"]]
    prod_web = PlatformNames(
        "guarded-delivery", "prod", FIXTURE_ACCOUNT_ID, FIXTURE_REGION
    ).service("web", "MyDemoRepo")
    # prod promotes: the request names the release staging deployed and baked, and its digests.
    assert approval["configuration"]["CustomData"] == (
        "Approve releasing web (prod): the release of web deployed and baked in staging, to EC2 "
        "instances tagged Name=MyDemoInstance-prod by CodeDeployDefault.OneAtATime. Commit "
        "#{ReleaseVariables.COMMIT_ID}, signed manifest sha256 #{ReleaseVariables.MANIFEST_SHA256}, "
        "vulnerability scan #{ReleaseVariables.SCAN_VERDICT}, deployed and baked in staging by "
        "execution #{ReleaseVariables.UPSTREAM_EXECUTION_ID}. Check the execution's source revision "
        "and build in the linked pipeline, then approve or reject."
    )
    assert approval["configuration"]["ExternalEntityLink"] == prod_web.console_url
