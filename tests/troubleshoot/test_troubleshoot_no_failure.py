"""Nothing failing: exit 0, whether the last run succeeded (moto) or an old failure was fixed since."""

import json

from tests.support.troubleshoot_scenarios import (
    DEV_PIPELINE,
    FAILED_EXECUTION,
    OLDER_EXECUTION,
    execution_summary,
    seed_pipeline_that_succeeded,
    stub_executions,
)


def test_a_pipeline_whose_last_execution_succeeded_exits_0(aws, run_command):
    execution_id = seed_pipeline_that_succeeded(aws)

    code, out, err = run_command("dev")

    assert (code, err) == (0, "")
    assert (
        "Pipeline guarded-delivery-dev-web (stack dev, service web, us-east-1): nothing failed"
        in out
    )
    assert f"Execution {execution_id}: Succeeded" in out
    assert "FAILED" not in out
    # Nothing runs and nothing failed, so there is no state to read.
    assert "get-pipeline-state" not in out


def test_no_failure_in_json(aws, run_command):
    seed_pipeline_that_succeeded(aws)

    code, out, _ = run_command("dev", "--json")

    document = json.loads(out)
    assert (code, document["exitCode"], document["verdict"]) == (0, 0, "succeeded")
    assert document["failedActions"] == [] and document["pendingApprovals"] == []


def test_a_pipeline_that_never_ran_exits_0_and_says_so(aws, run_command):
    stub_executions(aws, DEV_PIPELINE)

    code, out, _ = run_command("dev")

    assert code == 0
    assert ": never ran" in out
    assert "push to its branch" in out


def test_an_old_failure_fixed_by_a_newer_success_is_not_reported_as_failing(aws, run_command):
    stub_executions(
        aws,
        DEV_PIPELINE,
        execution_summary(OLDER_EXECUTION, "Succeeded"),
        execution_summary(FAILED_EXECUTION, "Failed"),
    )

    code, out, _ = run_command("dev")

    assert code == 0
    assert f"Execution {OLDER_EXECUTION}: Succeeded" in out
    assert f"pass --execution {FAILED_EXECUTION} to explain it" in out


def test_a_given_execution_that_succeeded_exits_0(aws, run_command):
    execution_id = seed_pipeline_that_succeeded(aws)

    code, out, _ = run_command("dev", "--execution", execution_id)

    assert code == 0
    assert f"Execution {execution_id}: Succeeded" in out
    assert (
        "aws codepipeline get-pipeline-execution --pipeline-name guarded-delivery-dev-web "
        f"--pipeline-execution-id {execution_id} --region us-east-1"
    ) in out
