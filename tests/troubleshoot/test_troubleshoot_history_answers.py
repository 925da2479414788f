"""Which attempt and which execution are explained: retried stages, and failures deep in the history.

A retried stage lists several attempts of an action in one execution (ListActionExecutions); only the
last one decided the outcome. A failure queued behind a waiting approval can be older than the first
page of executions: the history is read page after page until the question is answered, and no
further.
"""

import json
from datetime import timedelta

from tests.support.troubleshoot_scenarios import (
    APPROVAL_TOKEN,
    BUILD_ID,
    DEV_PIPELINE,
    DEV_PROJECT,
    FAILED_EXECUTION,
    OLDER_EXECUTION,
    PROD_PIPELINE,
    RUNNING_EXECUTION,
    STARTED,
    action_run,
    execution_summary,
    failed_build,
    seed_build_logs,
    source_succeeded,
    stage_build_failure,
    stage_state,
    stub_action_runs,
    stub_executions,
    stub_state,
)

RETRY_STARTED = STARTED + timedelta(minutes=20)
EARLIER_BUILD_ID = f"{DEV_PROJECT}:11111111-2222-4333-8444-555555555555"
INVOKE_ERROR = {"code": "JobFailed", "message": "smoke test: GET /health answered 503"}


def attempt(run: dict, number: int, started) -> dict:
    """Attempt `number` of an action: its own actionExecutionId and start time."""
    return {
        **run,
        "actionExecutionId": f"{run['actionExecutionId']}-attempt-{number}",
        "startTime": started,
        "lastUpdateTime": started,
    }


def build_attempt(status: str, build_id: str, number: int, started) -> dict:
    result = {"externalExecutionId": build_id}
    if status == "Failed":
        result["errorDetails"] = {
            "code": "JobFailed",
            "message": "Build terminated with state: FAILED",
        }
    return attempt(
        action_run(
            FAILED_EXECUTION,
            "Build",
            "Build",
            "CodeBuild",
            status,
            result,
            {"ProjectName": DEV_PROJECT},
        ),
        number,
        started,
    )


def smoke_test_failed() -> dict:
    return attempt(
        action_run(
            FAILED_EXECUTION,
            "SmokeTest",
            "Invoke",
            "Lambda",
            "Failed",
            {"externalExecutionId": "invoke-1", "errorDetails": INVOKE_ERROR},
            {"FunctionName": "guarded-delivery-dev-web-smoke"},
        ),
        1,
        RETRY_STARTED + timedelta(minutes=5),
    )


def test_a_build_failure_fixed_by_a_retry_is_not_the_failure_the_later_one_is(aws, run_command):
    stub_executions(aws, DEV_PIPELINE, execution_summary(FAILED_EXECUTION, "Failed"))
    stub_state(aws, DEV_PIPELINE, [])
    stub_action_runs(
        aws,
        DEV_PIPELINE,
        FAILED_EXECUTION,
        [
            smoke_test_failed(),
            build_attempt("Succeeded", BUILD_ID, 2, RETRY_STARTED),
            build_attempt("Failed", EARLIER_BUILD_ID, 1, STARTED),
            source_succeeded(FAILED_EXECUTION),
        ],
    )

    code, out, err = run_command("dev")

    assert (code, err) == (1, "")
    assert "FAILED stage SmokeTest, action SmokeTest (Lambda)" in out
    assert "AWS: JobFailed: smoke test: GET /health answered 503" in out
    assert "FAILED stage Build" not in out
    assert (
        "stage Build, action Build failed in an earlier attempt (action execution "
        f"build-{FAILED_EXECUTION[:8]}-attempt-1) that a retry fixed (Succeeded); not the failure"
    ) in out
    assert "batch-get-builds" not in out  # the fixed build is not read
    aws.assert_all_stubs_used()


def test_of_a_stage_that_failed_twice_only_the_last_attempt_is_explained(aws, run_command):
    seed_build_logs(aws)
    stub_executions(aws, DEV_PIPELINE, execution_summary(FAILED_EXECUTION, "Failed"))
    stub_state(aws, DEV_PIPELINE, [])
    stub_action_runs(
        aws,
        DEV_PIPELINE,
        FAILED_EXECUTION,
        [
            build_attempt("Failed", EARLIER_BUILD_ID, 1, STARTED),
            build_attempt("Failed", BUILD_ID, 2, RETRY_STARTED),
            source_succeeded(FAILED_EXECUTION),
        ],
    )
    aws.stub("codebuild").add_response(
        "batch_get_builds", {"builds": [failed_build()]}, {"ids": [BUILD_ID]}
    )

    code, out, _ = run_command("dev", "--json")

    document = json.loads(out)
    assert code == document["exitCode"] == 1
    [action] = document["failedActions"]
    assert (action["externalId"], action["attempts"]) == (BUILD_ID, 2)
    assert action["build"]["buildId"] == BUILD_ID
    aws.assert_all_stubs_used()


def execution_id(number: int) -> str:
    return f"{number:08x}-0000-4000-8000-{number:012x}"


def queued(number: int) -> dict:
    """The number-th newest execution, waiting in the queue behind the approval."""
    return {
        **execution_summary(execution_id(number), "InProgress"),
        "startTime": STARTED - timedelta(minutes=number),
    }


def test_a_failure_behind_a_long_queue_is_found_on_a_later_page_and_no_further(aws, run_command):
    """137 executions wait behind the approval; the 138th failed, the 139th succeeded."""
    failed = {
        **execution_summary(FAILED_EXECUTION, "Failed"),
        "startTime": STARTED - timedelta(days=3),
    }
    succeeded = {
        **execution_summary(OLDER_EXECUTION, "Succeeded"),
        "startTime": STARTED - timedelta(days=4),
        "sourceRevisions": [{"actionName": "Source", "revisionId": "0b1c2d3e4f5a"}],
    }
    first_page = [execution_summary(RUNNING_EXECUTION, "InProgress")] + [
        queued(number) for number in range(1, 100)
    ]
    second_page = [queued(number) for number in range(100, 137)] + [failed, succeeded]
    codepipeline = aws.stub("codepipeline")
    codepipeline.add_response(
        "list_pipeline_executions",
        {"pipelineExecutionSummaries": first_page, "nextToken": "page-2"},
        {"pipelineName": PROD_PIPELINE, "maxResults": 100},
    )
    codepipeline.add_response(  # a third page exists, and is not read: the question is answered
        "list_pipeline_executions",
        {"pipelineExecutionSummaries": second_page, "nextToken": "page-3"},
        {"pipelineName": PROD_PIPELINE, "maxResults": 100, "nextToken": "page-2"},
    )
    stub_state(
        aws,
        PROD_PIPELINE,
        [
            stage_state(
                "Approval",
                RUNNING_EXECUTION,
                "InProgress",
                {"status": "InProgress", "token": APPROVAL_TOKEN, "lastStatusChange": STARTED},
            )
        ],
    )
    stub_action_runs(
        aws,
        PROD_PIPELINE,
        FAILED_EXECUTION,
        [source_succeeded(FAILED_EXECUTION), smoke_test_failed()],
    )
    stub_action_runs(
        aws,
        PROD_PIPELINE,
        RUNNING_EXECUTION,
        [action_run(RUNNING_EXECUTION, "Approval", "Approval", "Manual", "InProgress")],
    )

    code, out, err = run_command("prod")

    assert (code, err) == (1, "")
    assert "looked at 139 execution(s) back to 2026-11-27 18:02:11 UTC" in out
    assert f"Execution {FAILED_EXECUTION}: Failed, started 2026-11-28 18:02:11 UTC" in out
    assert "FAILED stage SmokeTest, action SmokeTest (Lambda)" in out
    assert "WAITING for approval: stage Approval, action Approval" in out
    assert (
        f"last success before it: {OLDER_EXECUTION}, started 2026-11-27 18:02:11 UTC\n"
        "    source Source: 0b1c2d3e4f5a\n"
    ) in out
    assert (
        f"aws codepipeline list-pipeline-executions --pipeline-name {PROD_PIPELINE} "
        "--max-items 139 --region us-east-1"
    ) in out
    assert out.count("list-pipeline-executions") == 1
    aws.assert_all_stubs_used()


def test_the_look_back_is_bounded_and_says_so(aws, run_command):
    codepipeline = aws.stub("codepipeline")
    for page in range(10):
        params = {"pipelineName": DEV_PIPELINE, "maxResults": 100}
        if page:
            params["nextToken"] = f"page-{page}"
        codepipeline.add_response(
            "list_pipeline_executions",
            {
                "pipelineExecutionSummaries": [
                    queued(page * 100 + number) for number in range(100)
                ],
                "nextToken": f"page-{page + 1}",
            },
            params,
        )
    stub_state(
        aws,
        DEV_PIPELINE,
        [stage_state("Approval", execution_id(0), "InProgress", {"status": "InProgress"})],
    )
    stub_action_runs(aws, DEV_PIPELINE, execution_id(0), [])

    code, out, _ = run_command("dev", "--json")

    document = json.loads(out)
    assert (code, document["verdict"]) == (0, "in-progress")
    assert document["lookBack"] == {
        "executions": 1000,
        "oldest": "2026-12-01T01:23:11Z",
        "wholeHistory": False,
        "limitReached": True,
    }
    assert (
        "no execution among the newest 1000 failed or succeeded: pass --execution ID to explain "
        "an older one"
    ) in document["notes"]
    aws.assert_all_stubs_used()


def test_json_has_the_previous_success_and_console_links(aws, run_command):
    stage_build_failure(aws)

    code, out, _ = run_command("dev", "--json")

    document = json.loads(out)
    assert code == 1
    assert document["previousSuccess"]["executionId"] == OLDER_EXECUTION
    assert document["execution"]["consoleLink"] == (
        "https://us-east-1.console.aws.amazon.com/codesuite/codepipeline/pipelines/"
        f"{DEV_PIPELINE}/executions/{FAILED_EXECUTION}/timeline?region=us-east-1"
    )
    assert document["failedActions"][0]["build"]["consoleLink"] == (
        "https://us-east-1.console.aws.amazon.com/codesuite/codebuild/123456789012/projects/"
        f"{DEV_PROJECT}/build/{BUILD_ID.replace(':', '%3A')}/?region=us-east-1"
    )
