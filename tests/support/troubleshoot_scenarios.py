"""Release failures of our own stacks, seeded into moto where moto can hold them, stubbed where not.

Names are the ones the program gives the stacks' resources in moto's account (123456789012, us-east-1);
every stubbed response is checked by botocore against the service model, and every stubbed request
against the parameters the command must send.
"""

import json
import time
from datetime import UTC, datetime

from tests.support.aws_test_account import AwsTestAccount

ACCOUNT = "123456789012"
STARTED = datetime(2026, 12, 1, 18, 2, 11, tzinfo=UTC)
FAILED_EXECUTION = "5a3c6f1e-2b7d-4c8e-9f10-3d4b5a6c7e8f"
OLDER_EXECUTION = "1d2e3f40-5a6b-4c7d-8e9f-0a1b2c3d4e5f"
RUNNING_EXECUTION = "9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a"

DEV_PIPELINE = "guarded-delivery-dev-web"
DEV_PROJECT = "guarded-delivery-dev-web-build"
DEV_LOG_GROUP = f"/aws/codebuild/{DEV_PROJECT}"
BUILD_UUID = "0f5e2d3c-8a41-4b7e-9c11-2d6f0e4b7a90"
BUILD_ID = f"{DEV_PROJECT}:{BUILD_UUID}"
OTHER_BUILD_STREAM = "7b6a5948-3726-4150-8f9e-8d7c6b5a4938"
BUILD_LOG = [
    "[Container] 2026/12/01 18:03:40 Running command npm ci",
    "added 412 packages in 9s",
    "[Container] 2026/12/01 18:03:52 Running command npm test",
    "> web@1.4.0 test",
    "> jest --ci --reporters=default --reporters=jest-junit",
    "FAIL src/checkout.test.js",
    "ERROR checkout: applies the discount: expected 90, received 100",
    "Tests: 1 failed, 57 passed, 58 total",
    "[Container] 2026/12/01 18:04:31 Command did not exit successfully npm test exit status 1",
    "[Container] 2026/12/01 18:04:31 Phase complete: BUILD State: FAILED",
    "[Container] 2026/12/01 18:04:31 Phase context status code: COMMAND_EXECUTION_ERROR Message: "
    "Error while executing command: npm test. Reason: exit status 1",
    "[Container] 2026/12/01 18:04:33 Phase complete: UPLOAD_ARTIFACTS State: SUCCEEDED",
]
"""A CodeBuild log: jest's FAIL and ERROR lines, then CodeBuild's lines for the failed BUILD phase."""
PUT_BATCH = 10_000
OTHER_BUILD_LOG = ["ERROR an older build's failure that must not be shown"]

STAGING_PIPELINE = "guarded-delivery-staging-api"
STAGING_APPLICATION = "guarded-delivery-staging-api"
STAGING_GROUP = "guarded-delivery-staging-api-deployment"
STAGING_ALARMS = (
    "guarded-delivery-staging-api-deploy-target-5xx",
    "guarded-delivery-staging-api-deploy-unhealthy-targets",
)
FAILED_DEPLOYMENT = "d-7XKQ2M9PA"
ROLLBACK_DEPLOYMENT = "d-3HVB8N1RC"

PROD_PIPELINE = "guarded-delivery-prod-web"
APPROVAL_TOKEN = "2c6f0a4e-8b1d-4e7a-9c3f-5d2b7e9a1c04"


# --- CodePipeline -------------------------------------------------------------------------------


def stub_executions(aws: AwsTestAccount, pipeline: str, *summaries: dict) -> None:
    aws.stub("codepipeline").add_response(
        "list_pipeline_executions",
        {"pipelineExecutionSummaries": list(summaries)},
        {"pipelineName": pipeline, "maxResults": 100},
    )


def execution_summary(execution_id: str, status: str, summary: str = "") -> dict:
    return {
        "pipelineExecutionId": execution_id,
        "status": status,
        "startTime": STARTED,
        "lastUpdateTime": STARTED,
        "sourceRevisions": [
            {
                "actionName": "Source",
                "revisionId": "3f2a1c9d0b8e",
                "revisionSummary": "Apply the spring discount at checkout",
            }
        ],
        "trigger": {"triggerType": "CloudWatchEvent", "triggerDetail": "push to main"},
        **({"statusSummary": summary} if summary else {}),
    }


def stub_state(aws: AwsTestAccount, pipeline: str, stages: list[dict]) -> None:
    aws.stub("codepipeline").add_response(
        "get_pipeline_state",
        {"pipelineName": pipeline, "pipelineVersion": 1, "stageStates": stages},
        {"name": pipeline},
    )


def stage_state(stage: str, execution_id: str, status: str, latest: dict) -> dict:
    return {
        "stageName": stage,
        "latestExecution": {"pipelineExecutionId": execution_id, "status": status},
        "actionStates": [{"actionName": stage, "latestExecution": latest}],
    }


def stub_action_runs(
    aws: AwsTestAccount, pipeline: str, execution_id: str, runs: list[dict]
) -> None:
    aws.stub("codepipeline").add_response(
        "list_action_executions",
        {"actionExecutionDetails": runs},
        {
            "pipelineName": pipeline,
            "filter": {"pipelineExecutionId": execution_id},
            "maxResults": 100,
        },
    )


def action_run(
    execution_id: str,
    stage: str,
    category: str,
    provider: str,
    status: str,
    result: dict | None = None,
    configuration: dict | None = None,
) -> dict:
    detail = {
        "pipelineExecutionId": execution_id,
        "actionExecutionId": f"{stage.lower()}-{execution_id[:8]}",
        "pipelineVersion": 1,
        "stageName": stage,
        "actionName": stage,
        "startTime": STARTED,
        "lastUpdateTime": STARTED,
        "status": status,
        "input": {
            "actionTypeId": {
                "category": category,
                "owner": "AWS",
                "provider": provider,
                "version": "1",
            },
            "configuration": configuration or {},
        },
    }
    if result is not None:
        detail["output"] = {"executionResult": result}
    return detail


def source_succeeded(execution_id: str) -> dict:
    return action_run(
        execution_id,
        "Source",
        "Source",
        "CodeCommit",
        "Succeeded",
        {
            "externalExecutionId": "3f2a1c9d0b8e",
            "externalExecutionSummary": "Apply the spring discount",
        },
    )


# --- Build failure -----------------------------------------------------------------------------


def seed_build_logs(aws: AwsTestAccount, build_log: list[str] = BUILD_LOG) -> None:
    """The build's own stream and an older build's stream in the same group, both with ERROR lines."""
    logs = aws.client("logs")
    logs.create_log_group(logGroupName=DEV_LOG_GROUP)
    # CloudWatch Logs refuses events older than 14 days (PutLogEvents), so they are stamped recent.
    now_ms = int(time.time() * 1000) - 60_000
    for stream, lines in ((BUILD_UUID, build_log), (OTHER_BUILD_STREAM, OTHER_BUILD_LOG)):
        logs.create_log_stream(logGroupName=DEV_LOG_GROUP, logStreamName=stream)
        events = [
            {"timestamp": now_ms + index, "message": line} for index, line in enumerate(lines)
        ]
        for start in range(0, len(events), PUT_BATCH):  # PutLogEvents takes 10,000 at most
            logs.put_log_events(
                logGroupName=DEV_LOG_GROUP,
                logStreamName=stream,
                logEvents=events[start : start + PUT_BATCH],
            )


def failed_build() -> dict:
    phase = {"startTime": STARTED, "endTime": STARTED, "durationInSeconds": 1}
    return {
        "id": BUILD_ID,
        "arn": f"arn:aws:codebuild:us-east-1:{ACCOUNT}:build/{BUILD_ID}",
        "buildNumber": 42,
        "startTime": STARTED,
        "endTime": STARTED,
        "currentPhase": "COMPLETED",
        "buildStatus": "FAILED",
        "projectName": DEV_PROJECT,
        "phases": [
            {**phase, "phaseType": "SUBMITTED", "phaseStatus": "SUCCEEDED"},
            {**phase, "phaseType": "INSTALL", "phaseStatus": "SUCCEEDED"},
            {
                **phase,
                "phaseType": "BUILD",
                "phaseStatus": "FAILED",
                "contexts": [
                    {
                        "statusCode": "COMMAND_EXECUTION_ERROR",
                        "message": "Error while executing command: npm test. Reason: exit status 1",
                    }
                ],
            },
            {**phase, "phaseType": "FINALIZING", "phaseStatus": "SUCCEEDED"},
            {"phaseType": "COMPLETED", "startTime": STARTED},
        ],
        "logs": {
            "groupName": DEV_LOG_GROUP,
            "streamName": BUILD_UUID,
            "deepLink": "https://console.aws.amazon.com/cloudwatch/home?region=us-east-1"
            f"#logEvent:group={DEV_LOG_GROUP};stream={BUILD_UUID}",
        },
    }


def stage_build_failure(aws: AwsTestAccount, build_log: list[str] = BUILD_LOG) -> None:
    """dev/web: the newest execution failed in Build, whose log is `build_log`."""
    seed_build_logs(aws, build_log)
    stub_executions(
        aws,
        DEV_PIPELINE,
        execution_summary(FAILED_EXECUTION, "Failed"),
        execution_summary(OLDER_EXECUTION, "Succeeded"),
    )
    error = {"code": "JobFailed", "message": "Build terminated with state: FAILED"}
    stub_state(
        aws,
        DEV_PIPELINE,
        [
            stage_state(
                "Build",
                FAILED_EXECUTION,
                "Failed",
                {
                    "actionExecutionId": f"build-{FAILED_EXECUTION[:8]}",
                    "status": "Failed",
                    "errorDetails": error,
                    "externalExecutionId": BUILD_ID,
                },
            )
        ],
    )
    stub_action_runs(
        aws,
        DEV_PIPELINE,
        FAILED_EXECUTION,
        [
            source_succeeded(FAILED_EXECUTION),
            action_run(
                FAILED_EXECUTION,
                "Build",
                "Build",
                "CodeBuild",
                "Failed",
                {"externalExecutionId": BUILD_ID, "errorDetails": error},
                {"ProjectName": DEV_PROJECT},
            ),
        ],
    )
    aws.stub("codebuild").add_response(
        "batch_get_builds", {"builds": [failed_build()]}, {"ids": [BUILD_ID]}
    )


# --- Deployment failure ------------------------------------------------------------------------


def seed_deployment_alarms(aws: AwsTestAccount, firing: tuple[str, ...] = ()) -> None:
    cloudwatch = aws.client("cloudwatch")
    for name in STAGING_ALARMS:
        cloudwatch.put_metric_alarm(
            AlarmName=name,
            Namespace="AWS/ApplicationELB",
            MetricName="HTTPCode_Target_5XX_Count",
            Statistic="Sum",
            Period=60,
            EvaluationPeriods=1,
            Threshold=5,
            ComparisonOperator="GreaterThanOrEqualToThreshold",
        )
    for name in firing:
        cloudwatch.set_alarm_state(
            AlarmName=name,
            StateValue="ALARM",
            StateReason="Threshold Crossed: 1 datapoint [17.0] was greater than or equal to the "
            "threshold (5.0).",
        )


def stage_deployment_failure(aws: AwsTestAccount, error: dict) -> None:
    """staging/api: the ECS blue/green deployment failed and CodeDeploy rolled it back."""
    stub_executions(aws, STAGING_PIPELINE, execution_summary(FAILED_EXECUTION, "Failed"))
    summary = f"Deployment {FAILED_DEPLOYMENT} failed"
    stub_state(
        aws,
        STAGING_PIPELINE,
        [
            stage_state(
                "Deploy",
                FAILED_EXECUTION,
                "Failed",
                {"actionExecutionId": f"deploy-{FAILED_EXECUTION[:8]}", "status": "Failed"},
            )
        ],
    )
    stub_action_runs(
        aws,
        STAGING_PIPELINE,
        FAILED_EXECUTION,
        [
            source_succeeded(FAILED_EXECUTION),
            action_run(
                FAILED_EXECUTION,
                "Deploy",
                "Deploy",
                "CodeDeployToECS",
                "Failed",
                {
                    "externalExecutionId": FAILED_DEPLOYMENT,
                    "externalExecutionSummary": summary,
                    "errorDetails": {"code": "JobFailed", "message": summary},
                },
                {"ApplicationName": STAGING_APPLICATION, "DeploymentGroupName": STAGING_GROUP},
            ),
        ],
    )
    deploy = aws.stub("codedeploy")
    deploy.add_response(
        "get_deployment",
        {
            "deploymentInfo": {
                "applicationName": STAGING_APPLICATION,
                "deploymentGroupName": STAGING_GROUP,
                "deploymentId": FAILED_DEPLOYMENT,
                "status": "Failed",
                "computePlatform": "ECS",
                "creator": "user",
                "errorInformation": error,
                "rollbackInfo": {
                    "rollbackDeploymentId": ROLLBACK_DEPLOYMENT,
                    "rollbackMessage": f"Deployment {FAILED_DEPLOYMENT} was rolled back by "
                    f"{ROLLBACK_DEPLOYMENT}",
                },
                "revision": appspec_revision("b4c7e19a2f6d03c8"),
            }
        },
        {"deploymentId": FAILED_DEPLOYMENT},
    )
    deploy.add_response(
        "get_deployment",
        {
            "deploymentInfo": {
                "applicationName": STAGING_APPLICATION,
                "deploymentGroupName": STAGING_GROUP,
                "deploymentId": ROLLBACK_DEPLOYMENT,
                "status": "Succeeded",
                "computePlatform": "ECS",
                "creator": "codeDeployRollback",
                "rollbackInfo": {"rollbackTriggeringDeploymentId": FAILED_DEPLOYMENT},
                "revision": appspec_revision("9a01d2e3f4b5c6d7"),
            }
        },
        {"deploymentId": ROLLBACK_DEPLOYMENT},
    )
    deploy.add_response(
        "get_deployment_group",
        {
            "deploymentGroupInfo": {
                "applicationName": STAGING_APPLICATION,
                "deploymentGroupName": STAGING_GROUP,
                "computePlatform": "ECS",
                "alarmConfiguration": {
                    "enabled": True,
                    "ignorePollAlarmFailure": False,
                    "alarms": [{"name": name} for name in STAGING_ALARMS],
                },
            }
        },
        {"applicationName": STAGING_APPLICATION, "deploymentGroupName": STAGING_GROUP},
    )


def appspec_revision(digest_head: str) -> dict:
    digest = (digest_head * 4)[:64]
    return {
        "revisionType": "AppSpecContent",
        "appSpecContent": {"content": json.dumps({"version": 0.0}), "sha256": digest},
    }


# --- Approval ----------------------------------------------------------------------------------


def stage_pending_approval(aws: AwsTestAccount, parallel_mode: bool = False) -> None:
    """prod/web: Build passed and the release waits for a person at the Approval stage.

    In PARALLEL execution mode GetPipelineState carries no approval token; the approval's
    externalExecutionId in ListActionExecutions is the token (CodePipeline API reference).
    """
    stub_executions(aws, PROD_PIPELINE, execution_summary(RUNNING_EXECUTION, "InProgress"))
    stub_state(
        aws,
        PROD_PIPELINE,
        []
        if parallel_mode
        else [
            stage_state(
                "Approval",
                RUNNING_EXECUTION,
                "InProgress",
                {
                    "actionExecutionId": f"approval-{RUNNING_EXECUTION[:8]}",
                    "status": "InProgress",
                    "token": APPROVAL_TOKEN,
                    "lastStatusChange": STARTED,
                },
            )
        ],
    )
    stub_action_runs(
        aws,
        PROD_PIPELINE,
        RUNNING_EXECUTION,
        [
            source_succeeded(RUNNING_EXECUTION),
            action_run(RUNNING_EXECUTION, "Build", "Build", "CodeBuild", "Succeeded", {}),
            action_run(
                RUNNING_EXECUTION,
                "Approval",
                "Approval",
                "Manual",
                "InProgress",
                {"externalExecutionId": APPROVAL_TOKEN} if parallel_mode else None,
                configuration={
                    "NotificationArn": f"arn:aws:sns:us-east-1:{ACCOUNT}:guarded-delivery-prod-notifications",
                    "CustomData": "Approve releasing web (prod).",
                    "ExternalEntityLink": "https://us-east-1.console.aws.amazon.com/codesuite/"
                    f"codepipeline/pipelines/{PROD_PIPELINE}/view?region=us-east-1",
                },
            ),
        ],
    )


# --- No failure (moto only) --------------------------------------------------------------------


def seed_pipeline_that_succeeded(aws: AwsTestAccount, pipeline: str = DEV_PIPELINE) -> str:
    """A pipeline and one execution in moto, which runs every execution to Succeeded at once."""
    role = aws.client("iam").create_role(
        RoleName=f"{pipeline}-pipeline",
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "codepipeline.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        ),
    )["Role"]["Arn"]
    codepipeline = aws.client("codepipeline")
    codepipeline.create_pipeline(
        pipeline={
            "name": pipeline,
            "roleArn": role,
            "artifactStore": {"type": "S3", "location": f"{pipeline}-artifacts"},
            "stages": [
                {
                    "name": "Source",
                    "actions": [
                        {
                            "name": "Source",
                            "actionTypeId": {
                                "category": "Source",
                                "owner": "AWS",
                                "provider": "CodeCommit",
                                "version": "1",
                            },
                            "configuration": {"RepositoryName": "MyDemoRepo", "BranchName": "main"},
                            "outputArtifacts": [{"name": "source"}],
                        }
                    ],
                },
                {
                    "name": "Build",
                    "actions": [
                        {
                            "name": "Build",
                            "actionTypeId": {
                                "category": "Build",
                                "owner": "AWS",
                                "provider": "CodeBuild",
                                "version": "1",
                            },
                            "configuration": {"ProjectName": DEV_PROJECT},
                            "inputArtifacts": [{"name": "source"}],
                        }
                    ],
                },
            ],
        }
    )
    return codepipeline.start_pipeline_execution(name=pipeline)["pipelineExecutionId"]
