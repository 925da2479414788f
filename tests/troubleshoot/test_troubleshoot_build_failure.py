"""A failed build: the failed stage, the build's failed phase and the error lines of its own stream."""

import json

from tests.support.troubleshoot_scenarios import (
    BUILD_ID,
    BUILD_UUID,
    DEV_LOG_GROUP,
    FAILED_EXECUTION,
    stage_build_failure,
)


def test_names_the_failed_stage_build_phase_and_the_builds_own_error_lines(aws, run_command):
    stage_build_failure(aws)

    code, out, err = run_command("dev")

    assert (code, err) == (1, "")
    assert "Pipeline guarded-delivery-dev-web (stack dev, service web, us-east-1): failed" in out
    assert f"Execution {FAILED_EXECUTION}: Failed" in out
    assert "FAILED stage Build, action Build (CodeBuild)" in out
    assert "AWS: JobFailed: Build terminated with state: FAILED" in out
    assert f"Build {BUILD_ID}: FAILED in phase BUILD" in out
    assert (
        "COMMAND_EXECUTION_ERROR: Error while executing command: npm test. Reason: exit status 1"
        in out
    )
    assert f"Log {DEV_LOG_GROUP} stream {BUILD_UUID}: 5 error line(s) in 12 line(s)" in out
    assert "> ERROR checkout: applies the discount: expected 90, received 100" in out
    assert "> FAIL src/checkout.test.js" in out
    assert "> [Container] 2026/12/01 18:04:31 Phase complete: BUILD State: FAILED" in out
    # Context: the lines around the error lines, unmarked ("1 failed" is a count, not an error).
    assert "      Tests: 1 failed, 57 passed, 58 total" in out
    assert "      > jest --ci" in out
    # The older build's stream in the same log group is not this build's.
    assert "older build" not in out
    aws.assert_all_stubs_used()


def test_prints_the_cli_command_behind_each_step(aws, run_command):
    stage_build_failure(aws)

    _, out, _ = run_command("dev")

    steps = out[out.index("AWS CLI behind each step:") :]
    for command in (
        "aws sts get-caller-identity --region us-east-1",
        "aws codepipeline list-pipeline-executions --pipeline-name guarded-delivery-dev-web "
        "--max-items 2 --region us-east-1",
        "aws codepipeline get-pipeline-state --name guarded-delivery-dev-web --region us-east-1",
        "aws codepipeline list-action-executions --pipeline-name guarded-delivery-dev-web "
        f"--filter pipelineExecutionId={FAILED_EXECUTION} --max-items 100 --region us-east-1",
        f"aws codebuild batch-get-builds --ids {BUILD_ID} --region us-east-1",
        f"aws logs get-log-events --log-group-name {DEV_LOG_GROUP} --log-stream-name {BUILD_UUID} "
        "--no-start-from-head --limit 10000 --region us-east-1",
    ):
        assert command in steps
    # The whole log fit in one page: nothing else was read, and no filter pattern was used.
    assert steps.count("aws logs") == 1


def test_json_carries_the_same_explanation(aws, run_command):
    stage_build_failure(aws)

    code, out, _ = run_command("dev", "--json")

    document = json.loads(out)
    assert code == document["exitCode"] == 1
    assert document["verdict"] == "failed"
    assert document["target"]["pipelineName"] == "guarded-delivery-dev-web"
    [action] = document["failedActions"]
    assert (action["stage"], action["action"], action["provider"]) == (
        "Build",
        "Build",
        "CodeBuild",
    )
    assert action["error"] == {
        "code": "JobFailed",
        "message": "Build terminated with state: FAILED",
    }
    build = action["build"]
    assert (build["buildId"], build["failedPhase"], build["errorCount"]) == (BUILD_ID, "BUILD", 5)
    assert (build["moreErrors"], build["logLinesRead"], build["logComplete"]) == (False, 12, True)
    errors = [
        line["message"] for excerpt in build["excerpts"] for line in excerpt if line["isError"]
    ]
    assert errors == [
        "FAIL src/checkout.test.js",
        "ERROR checkout: applies the discount: expected 90, received 100",
        "[Container] 2026/12/01 18:04:31 Command did not exit successfully npm test exit status 1",
        "[Container] 2026/12/01 18:04:31 Phase complete: BUILD State: FAILED",
        "[Container] 2026/12/01 18:04:31 Phase context status code: COMMAND_EXECUTION_ERROR "
        "Message: Error while executing command: npm test. Reason: exit status 1",
    ]
    assert document["steps"][0]["command"] == "aws sts get-caller-identity --region us-east-1"
