"""`--execution ID`: the header describes that execution (its source revision, trigger and start), not
the newest one, even when a newer execution of another revision exists and owns the live state."""

import json
from datetime import timedelta

from tests.support.troubleshoot_scenarios import (
    BUILD_ID,
    DEV_PIPELINE,
    DEV_PROJECT,
    FAILED_EXECUTION,
    STARTED,
    action_run,
    execution_summary,
    failed_build,
    seed_build_logs,
    stage_state,
    stub_action_runs,
    stub_executions,
    stub_state,
)

OLDER_FAILED = "7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f"
OLDER_STARTED = STARTED - timedelta(days=1)
OLDER_REVISION = "1b9e0c7d5a42"
TRIGGER_ARN = "arn:aws:iam::123456789012:user/alice"
PREVIOUS_SUCCESS = "6e5d4c3b-2a19-4807-9f6e-5d4c3b2a1908"
PREVIOUS_REVISION = "0c9b8a7f6e5d"


def stage_older_failure(aws) -> None:
    """dev/web: `OLDER_FAILED` (revision 1b9e0c7d5a42, started by alice) failed in Build; the newer
    FAILED_EXECUTION of revision 3f2a1c9d0b8e is what the pipeline's live state shows."""
    seed_build_logs(aws)
    codepipeline = aws.stub("codepipeline")
    codepipeline.add_response(
        "get_pipeline_execution",
        {
            "pipelineExecution": {
                "pipelineName": DEV_PIPELINE,
                "pipelineVersion": 1,
                "pipelineExecutionId": OLDER_FAILED,
                "status": "Failed",
                "artifactRevisions": [
                    {
                        "name": "source",
                        "revisionId": OLDER_REVISION,
                        "revisionSummary": "Raise the cart limit",
                    }
                ],
                "trigger": {
                    "triggerType": "StartPipelineExecution",
                    "triggerDetail": TRIGGER_ARN,
                },
            }
        },
        {"pipelineName": DEV_PIPELINE, "pipelineExecutionId": OLDER_FAILED},
    )
    # The history back to the given execution and the success before it, to compare with.
    stub_executions(
        aws,
        DEV_PIPELINE,
        execution_summary(FAILED_EXECUTION, "Failed"),
        {**execution_summary(OLDER_FAILED, "Failed"), "startTime": OLDER_STARTED},
        {
            **execution_summary(PREVIOUS_SUCCESS, "Succeeded"),
            "startTime": OLDER_STARTED - timedelta(hours=2),
            "sourceRevisions": [{"actionName": "Source", "revisionId": PREVIOUS_REVISION}],
        },
    )
    stub_state(
        aws,
        DEV_PIPELINE,
        [
            stage_state(
                "Source",
                FAILED_EXECUTION,
                "Succeeded",
                {
                    "actionExecutionId": f"source-{FAILED_EXECUTION[:8]}",
                    "status": "Succeeded",
                    "externalExecutionId": "3f2a1c9d0b8e",
                    "summary": "Apply the spring discount",
                },
            ),
            stage_state(
                "Build",
                FAILED_EXECUTION,
                "InProgress",
                {"actionExecutionId": f"build-{FAILED_EXECUTION[:8]}", "status": "InProgress"},
            ),
        ],
    )
    source = action_run(
        OLDER_FAILED,
        "Source",
        "Source",
        "CodeCommit",
        "Succeeded",
        {"externalExecutionId": OLDER_REVISION, "externalExecutionSummary": "Raise the cart limit"},
    )
    source["startTime"] = OLDER_STARTED
    build = action_run(
        OLDER_FAILED,
        "Build",
        "Build",
        "CodeBuild",
        "Failed",
        {
            "externalExecutionId": BUILD_ID,
            "errorDetails": {"code": "JobFailed", "message": "Build terminated with state: FAILED"},
        },
        {"ProjectName": DEV_PROJECT},
    )
    build["startTime"] = OLDER_STARTED + timedelta(minutes=1)
    stub_action_runs(aws, DEV_PIPELINE, OLDER_FAILED, [source, build])
    aws.stub("codebuild").add_response(
        "batch_get_builds", {"builds": [failed_build()]}, {"ids": [BUILD_ID]}
    )


def test_the_header_is_the_given_executions_revision_trigger_and_start(aws, run_command):
    stage_older_failure(aws)

    code, out, err = run_command("dev", "--execution", OLDER_FAILED)

    assert (code, err) == (1, "")
    header = out[: out.index("FAILED stage")]
    assert (
        f"Execution {OLDER_FAILED}: Failed, started 2026-11-30 18:02:11 UTC "
        f"by StartPipelineExecution {TRIGGER_ARN}"
    ) in header
    assert f"source Source: {OLDER_REVISION} 'Raise the cart limit'" in header
    assert "3f2a1c9d0b8e" not in header and FAILED_EXECUTION not in header
    aws.assert_all_stubs_used()


def test_json_names_the_given_execution_too(aws, run_command):
    stage_older_failure(aws)

    _, out, _ = run_command("dev", "--execution", OLDER_FAILED, "--json")

    execution = json.loads(out)["execution"]
    assert execution["executionId"] == OLDER_FAILED
    assert execution["started"] == "2026-11-30T18:02:11Z"
    assert execution["trigger"] == f"StartPipelineExecution {TRIGGER_ARN}"
    assert execution["revisions"] == [
        {"action": "Source", "revisionId": OLDER_REVISION, "summary": "Raise the cart limit"}
    ]


def test_a_given_failed_execution_is_compared_with_the_success_before_it(aws, run_command):
    stage_older_failure(aws)

    code, out, _ = run_command("dev", "--execution", OLDER_FAILED)

    assert code == 1
    assert (
        f"  last success before it: {PREVIOUS_SUCCESS}, started 2026-11-30 16:02:11 UTC\n"
        f"    source Source: {PREVIOUS_REVISION}\n"
    ) in out
    assert "looked at 3 execution(s) back to 2026-11-30 16:02:11 UTC" in out
    aws.assert_all_stubs_used()
