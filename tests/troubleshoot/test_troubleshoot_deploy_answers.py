"""Who answered the approvals, and what a failed deployment's targets say: a Lambda deploy action's
alarms, a server deployment's failed lifecycle event and script log, an ECS service's own events."""

import json
from datetime import UTC, datetime, timedelta

from tests.support.troubleshoot_scenarios import (
    DEV_PIPELINE,
    FAILED_DEPLOYMENT,
    FAILED_EXECUTION,
    STAGING_APPLICATION,
    STAGING_GROUP,
    STAGING_PIPELINE,
    STARTED,
    action_run,
    execution_summary,
    source_succeeded,
    stage_state,
    stub_action_runs,
    stub_executions,
    stub_state,
)

APPROVER = "arn:aws:sts::123456789012:assumed-role/release-manager/bob"
ANSWERED = STARTED + timedelta(minutes=30)
LAMBDA_ALARMS = (
    "guarded-delivery-dev-web-deploy-alias-errors",
    "guarded-delivery-dev-web-deploy-alias-throttles",
)
INSTANCE = "i-0a1b2c3d4e5f60718"
ECS_CLUSTER, ECS_SERVICE = "guarded-delivery-staging", "guarded-delivery-staging-api"


def approval(status: str, summary: str, updated_by: str | None) -> dict:
    run = action_run(
        FAILED_EXECUTION,
        "Approval",
        "Approval",
        "Manual",
        status,
        {"externalExecutionSummary": summary},
    )
    run["lastUpdateTime"] = ANSWERED
    if updated_by:
        run["updatedBy"] = updated_by
    return run


def test_a_rejected_approval_says_who_rejected_it_when_and_why(aws, run_command):
    comment = "Hold: the checkout fix is not verified on staging"
    stub_executions(aws, DEV_PIPELINE, execution_summary(FAILED_EXECUTION, "Failed"))
    # ListActionExecutions may not name the person; the live state's lastUpdatedBy does.
    stub_state(
        aws,
        DEV_PIPELINE,
        [
            stage_state(
                "Approval",
                FAILED_EXECUTION,
                "Failed",
                {
                    "actionExecutionId": f"approval-{FAILED_EXECUTION[:8]}",
                    "status": "Failed",
                    "summary": comment,
                    "lastUpdatedBy": APPROVER,
                    "lastStatusChange": ANSWERED,
                },
            )
        ],
    )
    stub_action_runs(
        aws,
        DEV_PIPELINE,
        FAILED_EXECUTION,
        [source_succeeded(FAILED_EXECUTION), approval("Failed", comment, None)],
    )

    code, out, _ = run_command("dev")

    assert code == 1
    assert "FAILED stage Approval, action Approval (Manual)" in out
    assert (
        f"  approval Approval/Approval rejected by {APPROVER} at 2026-12-01 18:32:11 UTC: "
        f"'{comment}'"
    ) in out
    assert out.count("rejected by") == 1  # told with the failed action, not again in the header
    aws.assert_all_stubs_used()


def seed_lambda_alarms(aws) -> None:
    cloudwatch = aws.client("cloudwatch")
    for name in LAMBDA_ALARMS:
        cloudwatch.put_metric_alarm(
            AlarmName=name,
            Namespace="AWS/Lambda",
            MetricName="Errors",
            Statistic="Sum",
            Period=60,
            EvaluationPeriods=1,
            Threshold=1,
            ComparisonOperator="GreaterThanOrEqualToThreshold",
        )
    cloudwatch.set_alarm_state(
        AlarmName=LAMBDA_ALARMS[0],
        StateValue="ALARM",
        StateReason="Threshold Crossed: 1 datapoint [4.0] was greater than or equal to 1.0",
    )


def test_an_approved_release_whose_lambda_deploy_failed_shows_the_approver_and_the_alarms(
    aws, run_command
):
    seed_lambda_alarms(aws)
    stub_executions(aws, DEV_PIPELINE, execution_summary(FAILED_EXECUTION, "Failed"))
    stub_state(aws, DEV_PIPELINE, [])
    deploy = action_run(
        FAILED_EXECUTION,
        "Deploy",
        "Deploy",
        "Lambda",
        "Failed",
        {"errorDetails": {"code": "JobFailed", "message": "Alarm triggered, rolled back"}},
        {
            "FunctionName": "guarded-delivery-dev-web",
            "FunctionAlias": "live",
            "Alarms": ",".join(LAMBDA_ALARMS),
        },
    )
    stub_action_runs(
        aws,
        DEV_PIPELINE,
        FAILED_EXECUTION,
        [deploy, approval("Succeeded", "Soak on staging clean", APPROVER)],
    )

    code, out, _ = run_command("dev")

    assert code == 1
    assert (
        f"  approval Approval/Approval approved by {APPROVER} at 2026-12-01 18:32:11 UTC: "
        "'Soak on staging clean'"
    ) in out
    assert "FAILED stage Deploy, action Deploy (Lambda)" in out
    assert "  Alarms the action watches: 1 of 2 in ALARM" in out
    assert f"ALARM             {LAMBDA_ALARMS[0]}  Threshold Crossed" in out
    assert f"OK                {LAMBDA_ALARMS[1]}" in out
    assert (
        "aws cloudwatch describe-alarms --alarm-names "
        f"{LAMBDA_ALARMS[0]} {LAMBDA_ALARMS[1]} --region us-east-1"
    ) in out
    aws.assert_all_stubs_used()


def stage_deploy_action(aws, provider: str) -> None:
    stub_executions(aws, STAGING_PIPELINE, execution_summary(FAILED_EXECUTION, "Failed"))
    stub_state(aws, STAGING_PIPELINE, [])
    stub_action_runs(
        aws,
        STAGING_PIPELINE,
        FAILED_EXECUTION,
        [
            action_run(
                FAILED_EXECUTION,
                "Deploy",
                "Deploy",
                provider,
                "Failed",
                {"externalExecutionId": FAILED_DEPLOYMENT},
                {"ApplicationName": STAGING_APPLICATION, "DeploymentGroupName": STAGING_GROUP},
            )
        ],
    )


def deployment_info(platform: str, error: dict) -> dict:
    return {
        "deploymentInfo": {
            "applicationName": STAGING_APPLICATION,
            "deploymentGroupName": STAGING_GROUP,
            "deploymentId": FAILED_DEPLOYMENT,
            "status": "Failed",
            "computePlatform": platform,
            "errorInformation": error,
        }
    }


def group_info(platform: str, **extra) -> dict:
    return {
        "deploymentGroupInfo": {
            "applicationName": STAGING_APPLICATION,
            "deploymentGroupName": STAGING_GROUP,
            "computePlatform": platform,
            "alarmConfiguration": {"enabled": False, "alarms": []},
            **extra,
        }
    }


def test_a_server_deployment_shows_the_failed_lifecycle_event_its_script_and_log_tail(
    aws, run_command
):
    stage_deploy_action(aws, "CodeDeploy")
    codedeploy = aws.stub("codedeploy")
    codedeploy.add_response(
        "get_deployment",
        deployment_info("Server", {"code": "HEALTH_CONSTRAINTS", "message": "too few healthy"}),
        {"deploymentId": FAILED_DEPLOYMENT},
    )
    codedeploy.add_response(
        "list_deployment_targets",
        {"targetIds": [INSTANCE]},
        {"deploymentId": FAILED_DEPLOYMENT, "targetFilters": {"TargetStatus": ["Failed"]}},
    )
    codedeploy.add_response(
        "batch_get_deployment_targets",
        {
            "deploymentTargets": [
                {
                    "deploymentTargetType": "InstanceTarget",
                    "instanceTarget": {
                        "deploymentId": FAILED_DEPLOYMENT,
                        "targetId": INSTANCE,
                        "status": "Failed",
                        "lifecycleEvents": [
                            {"lifecycleEventName": "BeforeInstall", "status": "Succeeded"},
                            {
                                "lifecycleEventName": "ValidateService",
                                "status": "Failed",
                                "diagnostics": {
                                    "errorCode": "ScriptFailed",
                                    "scriptName": "scripts/validate_service.sh",
                                    "message": "Script at specified location: "
                                    "scripts/validate_service.sh run as user root failed with "
                                    "exit code 7",
                                    "logTail": "[stdout]checking http://localhost:8080/health\n"
                                    "[stderr]curl: (7) Failed to connect to localhost port 8080",
                                },
                            },
                        ],
                    },
                }
            ]
        },
        {"deploymentId": FAILED_DEPLOYMENT, "targetIds": [INSTANCE]},
    )
    codedeploy.add_response(
        "get_deployment_group",
        group_info("Server"),
        {"applicationName": STAGING_APPLICATION, "deploymentGroupName": STAGING_GROUP},
    )

    code, out, _ = run_command("staging", "--service", "api")

    assert code == 1
    assert (
        f"  Instance {INSTANCE}: Failed in ValidateService\n"
        "    script scripts/validate_service.sh: ScriptFailed\n"
        "    Script at specified location: scripts/validate_service.sh run as user root failed "
        "with exit code 7\n"
        "    | [stdout]checking http://localhost:8080/health\n"
        "    | [stderr]curl: (7) Failed to connect to localhost port 8080\n"
    ) in out
    assert (
        "  console: https://us-east-1.console.aws.amazon.com/codesuite/codedeploy/deployments/"
        f"{FAILED_DEPLOYMENT}?region=us-east-1"
    ) in out
    aws.assert_all_stubs_used()


def test_an_ecs_deployment_shows_the_services_newest_events_and_where_to_see_them(aws, run_command):
    stage_deploy_action(aws, "CodeDeployToECS")
    codedeploy = aws.stub("codedeploy")
    codedeploy.add_response(
        "get_deployment",
        deployment_info("ECS", {"code": "ECS_UPDATE_ERROR", "message": "tasks failed to start"}),
        {"deploymentId": FAILED_DEPLOYMENT},
    )
    codedeploy.add_response(
        "get_deployment_group",
        group_info("ECS", ecsServices=[{"serviceName": ECS_SERVICE, "clusterName": ECS_CLUSTER}]),
        {"applicationName": STAGING_APPLICATION, "deploymentGroupName": STAGING_GROUP},
    )
    at = datetime(2026, 12, 1, 18, 20, 0, tzinfo=UTC)
    aws.stub("ecs").add_response(
        "describe_services",
        {
            "services": [
                {
                    "serviceName": ECS_SERVICE,
                    "events": [
                        {
                            "id": "e1",
                            "createdAt": at,
                            "message": f"(service {ECS_SERVICE}) has started 1 tasks: (task 9f8e).",
                        },
                        {
                            "id": "e2",
                            "createdAt": at - timedelta(minutes=1),
                            "message": f"(service {ECS_SERVICE}) (task 1a2b) failed container "
                            "health checks.",
                        },
                    ],
                }
            ]
        },
        {"cluster": ECS_CLUSTER, "services": [ECS_SERVICE]},
    )

    code, out, _ = run_command("staging", "--service", "api", "--json")

    document = json.loads(out)
    assert code == 1
    [service] = document["failedActions"][0]["deployment"]["ecsServices"]
    assert (service["cluster"], service["service"]) == (ECS_CLUSTER, ECS_SERVICE)
    assert [event["message"] for event in service["events"]][1].endswith(
        "failed container health checks."
    )
    assert service["events"][0]["at"] == "2026-12-01T18:20:00Z"
    assert service["consoleLink"] == (
        "https://us-east-1.console.aws.amazon.com/ecs/v2/clusters/"
        f"{ECS_CLUSTER}/services/{ECS_SERVICE}/events?region=us-east-1"
    )
    aws.assert_all_stubs_used()
