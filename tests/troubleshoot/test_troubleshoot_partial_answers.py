"""An AWS error half-way through (throttling that outlasts the retries, a missing permission): what was
already read is still printed, then the one error line, exit 2."""

import json

from tests.support.troubleshoot_scenarios import BUILD_ID, FAILED_EXECUTION, stage_build_failure

THROTTLED = "Rate exceeded"


def throttle_the_log_read(aws) -> None:
    aws.stub("logs").add_client_error(
        "get_log_events",
        service_error_code="ThrottlingException",
        service_message=THROTTLED,
        http_status_code=400,
    )


def test_throttling_while_reading_the_log_still_prints_the_build_read_before(aws, run_command):
    stage_build_failure(aws)
    throttle_the_log_read(aws)

    code, out, err = run_command("dev")

    assert code == 2
    assert f"Execution {FAILED_EXECUTION}: Failed" in out
    assert f"  Build {BUILD_ID}: FAILED in phase BUILD" in out
    assert "    COMMAND_EXECUTION_ERROR: Error while executing command: npm test." in out
    assert ": not read" in out
    assert "STOPPED before the end, the report above is what was read: " in out
    assert "aws logs get-log-events" in out  # the step that failed is listed, to retry by hand
    assert err.count("\n") == 1
    assert err.startswith(
        "error: read the build's own log stream, from its end: GetLogEvents failed"
    )
    assert "ThrottlingException: Rate exceeded" in err
    aws.assert_all_stubs_used()


def test_throttling_half_way_with_json_keeps_what_was_read_and_the_error(aws, run_command):
    stage_build_failure(aws)
    throttle_the_log_read(aws)

    code, out, _ = run_command("dev", "--json")

    document = json.loads(out)
    assert code == document["exitCode"] == 2
    assert "ThrottlingException: Rate exceeded" in document["error"]
    [action] = document["failedActions"]
    assert action["build"]["failedPhase"] == "BUILD"
    assert action["build"]["logComplete"] is False
