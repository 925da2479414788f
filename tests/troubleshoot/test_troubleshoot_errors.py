"""Usage, credential, permission and lookup problems: exit 2 and one line, never a traceback."""

import json
import sys

import pytest

from tests.support.entry_points import (
    assert_no_credentials_error,
    assert_usage_error_is_one_line,
    run_with_test_credentials,
    run_without_credentials,
)
from tests.support.troubleshoot_scenarios import (
    BUILD_ID,
    DEV_PIPELINE,
    FAILED_EXECUTION,
    action_run,
    execution_summary,
    stub_action_runs,
    stub_executions,
    stub_state,
)

DENIED = (
    "User: arn:aws:sts::123456789012:assumed-role/developer/alice is not authorized to perform: "
    f"codepipeline:GetPipelineState on resource: arn:aws:codepipeline:us-east-1:123456789012:{DEV_PIPELINE} "
    "because no identity-based policy allows the codepipeline:GetPipelineState action"
)


def test_missing_permission_names_the_iam_action(aws, run_command):
    stub_executions(aws, DEV_PIPELINE, execution_summary(FAILED_EXECUTION, "Failed"))
    aws.stub("codepipeline").add_client_error(
        "get_pipeline_state",
        service_error_code="AccessDeniedException",
        service_message=DENIED,
        http_status_code=400,
        expected_params={"name": DEV_PIPELINE},
    )

    code, out, err = run_command("dev")

    # What was read before the refusal is still reported, then the one error line (exit 2).
    assert code == 2
    assert f"Execution {FAILED_EXECUTION}: Failed" in out
    assert "STOPPED before the end, the report above is what was read: missing permission " in out
    assert err == (
        "error: missing permission codepipeline:GetPipelineState on "
        f"arn:aws:codepipeline:us-east-1:123456789012:{DEV_PIPELINE} (GetPipelineState was denied): "
        "grant it to the identity you run as, or run with a role that has it\n"
    )


def test_missing_permission_without_an_action_in_the_message_names_the_operation(aws, run_command):
    stub_executions(aws, DEV_PIPELINE, execution_summary(FAILED_EXECUTION, "Failed"))
    stub_state(aws, DEV_PIPELINE, [])
    stub_action_runs(
        aws,
        DEV_PIPELINE,
        FAILED_EXECUTION,
        [
            action_run(
                FAILED_EXECUTION,
                "Build",
                "Build",
                "CodeBuild",
                "Failed",
                {"externalExecutionId": BUILD_ID},
            )
        ],
    )
    aws.stub("codebuild").add_client_error(
        "batch_get_builds",
        service_error_code="AccessDeniedException",
        service_message="Access denied",
    )

    code, out, err = run_command("dev", "--json")

    document = json.loads(out)
    assert code == document["exitCode"] == 2
    assert document["error"] == (
        "missing permission codebuild:BatchGetBuilds (BatchGetBuilds was denied): grant it "
        "to the identity you run as, or run with a role that has it"
    )
    assert document["stoppedBy"] == document["error"]
    # The failed action read before the refusal is kept, without the build it could not read.
    assert document["verdict"] == "failed"
    [action] = document["failedActions"]
    assert (action["stage"], action["externalId"], action["build"]) == ("Build", BUILD_ID, None)
    assert err.count("\n") == 1 and "codebuild:BatchGetBuilds" in err


def test_a_pipeline_that_does_not_exist_is_one_line(aws, run_command):
    aws.stub("codepipeline").add_client_error(
        "list_pipeline_executions",
        service_error_code="PipelineNotFoundException",
        service_message=f"Account '123456789012' does not have a pipeline with name '{DEV_PIPELINE}'",
    )

    code, _, err = run_command("dev")

    assert code == 2
    assert err == (
        f"error: no pipeline {DEV_PIPELINE} in account 123456789012, region us-east-1 "
        "(PipelineNotFoundException; names from Pulumi.dev.yaml and account 123456789012): deploy "
        "the stack with `pulumi up --stack dev`, or run with the account's credentials, --region R "
        "or --outputs FILE where it is deployed\n"
    )


def test_no_credentials_is_one_line_from_the_real_entry_point(moto_endpoint, tmp_path):
    command = [sys.executable, "-m", "troubleshoot", "dev"]

    assert_no_credentials_error(run_without_credentials(command, moto_endpoint, tmp_path))


def test_the_real_entry_point_reads_the_endpoint_and_credentials_from_the_environment(
    aws, moto_endpoint, tmp_path
):
    from tests.support.troubleshoot_scenarios import seed_pipeline_that_succeeded

    seed_pipeline_that_succeeded(aws)
    result = run_with_test_credentials(
        [sys.executable, "-m", "troubleshoot", "dev"], moto_endpoint, tmp_path
    )

    assert (result.returncode, result.stderr) == (0, "")
    assert (
        "guarded-delivery-dev-web (stack dev, service web, us-east-1): nothing failed"
        in result.stdout
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["dev", "--execution", "latest"], "--execution 'latest' is not a pipeline execution id"),
        (["dev", "--region", "mars-1"], "--region 'mars-1' is not an AWS region"),
        (["dev", "--colour"], "unrecognized arguments: --colour"),
        ([], "the following arguments are required: STACK"),
    ],
)
def test_usage_errors_are_one_line(argv, message, capsys):
    from troubleshoot.cli import main

    assert_usage_error_is_one_line("troubleshoot", main, argv, message, capsys)


def test_usage_errors_with_json_also_print_the_json_error_document(capsys):
    from troubleshoot.cli import main

    with pytest.raises(SystemExit):
        main(["dev", "--json", "--execution", "latest"])

    document = json.loads(capsys.readouterr().out)
    assert document["exitCode"] == 2
    assert document["error"].startswith("--execution 'latest' is not a pipeline execution id")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["qa"], "error: no stack file Pulumi.qa.yaml"),
        (
            ["dev", "--service", "billing"],
            "error: --service 'billing' is not a service of stack dev; its services: web, api, "
            "worker",
        ),
    ],
)
def test_stack_and_service_errors_are_one_line_before_any_aws_call(argv, message, aws, run_command):
    code, out, err = run_command(*argv)

    assert (code, out) == (2, "")
    assert err.startswith(message) and err.count("\n") == 1
    assert aws.clients == {}, "no client may be created for a usage error"
