"""An action that is neither a build nor a deployment is still named, with AWS's error and link."""

from tests.support.troubleshoot_scenarios import (
    DEV_PIPELINE,
    FAILED_EXECUTION,
    action_run,
    execution_summary,
    stub_action_runs,
    stub_executions,
    stub_state,
)

SOURCE_ERROR = {
    "code": "JobFailed",
    "message": "The branch main does not exist in the repository MyDemoRepo",
}


def test_failed_source_action_shows_the_error_and_the_console_link(aws, run_command):
    stub_executions(aws, DEV_PIPELINE, execution_summary(FAILED_EXECUTION, "Failed"))
    stub_state(aws, DEV_PIPELINE, [])
    link = "https://us-east-1.console.aws.amazon.com/codesuite/codecommit/repositories/MyDemoRepo"
    stub_action_runs(
        aws,
        DEV_PIPELINE,
        FAILED_EXECUTION,
        [
            action_run(
                FAILED_EXECUTION,
                "Source",
                "Source",
                "CodeCommit",
                "Failed",
                {"externalExecutionUrl": link, "errorDetails": SOURCE_ERROR},
            )
        ],
    )

    code, out, _ = run_command("dev")

    assert code == 1
    assert "FAILED stage Source, action Source (CodeCommit)" in out
    assert f"AWS: JobFailed: {SOURCE_ERROR['message']}" in out
    assert f"details: {link}" in out
    # Neither CodeBuild nor CodeDeploy is asked about a source failure.
    assert "batch-get-builds" not in out and "aws deploy" not in out
    aws.assert_all_stubs_used()
