"""Usage, stack config and credential errors: exit 2 and one line; Ctrl-C is 130; --account."""

import json
import sys

import pytest

from tests.preflight.test_preflight_dev import line
from tests.support.entry_points import (
    REPO,
    assert_no_credentials_error,
    assert_usage_error_is_one_line,
    run_with_test_credentials,
    run_without_credentials,
)


def test_an_unknown_stack_lists_the_stacks_that_exist(aws, run_preflight):
    code, out, err = run_preflight("qa")

    assert (code, out) == (2, "")
    assert err.startswith("error: no stack file Pulumi.qa.yaml in ")
    assert err.endswith("; stacks of this project: dev, prod, staging\n")
    assert aws.clients == {}, "no AWS client before the stack file is read"


def test_an_unknown_service_is_one_line_before_any_aws_call(aws, run_preflight):
    code, out, err = run_preflight("dev", "--service", "billing", "--json")

    assert code == 2
    assert json.loads(out) == {
        "error": "--service 'billing' is not a service of stack dev; its services: web, api, worker",
        "exitCode": 2,
    }
    assert (
        err
        == "error: --service 'billing' is not a service of stack dev; its services: web, api, worker\n"
    )
    assert aws.clients == {}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["dev", "--region", "mars-1"], "--region 'mars-1' is not an AWS region"),
        (["dev", "--account", "12345"], "--account '12345' is not a 12-digit AWS account id"),
        (["dev", "--colour"], "unrecognized arguments: --colour"),
        ([], "the following arguments are required: STACK"),
    ],
)
def test_usage_errors_are_one_line(argv, message, capsys):
    from preflight.cli import main

    assert_usage_error_is_one_line("preflight", main, argv, message, capsys)


def test_another_account_than_given_fails_the_account_check(account, run_preflight):
    account.instances("MyDemoInstance")
    account.codecommit()
    account.ssm_unmanaged()

    code, out, _ = run_preflight("dev", "--service", "web", "--account", "444455556666")

    assert code == 1
    assert line(out, "account") == (
        "FAIL  account                the credentials are of account 123456789012, not "
        "444455556666; fix: use credentials of account 444455556666 (AWS_PROFILE, `aws sso login`)"
    )


def test_a_missing_permission_is_one_line(account, run_preflight):
    account.aws.stub("codecommit").add_client_error(
        "list_repositories",
        service_error_code="UnrecognizedClientException",
        service_message="The security token included in the request is invalid.",
    )

    code, out, err = run_preflight("dev", "--service", "web")

    assert (code, out) == (2, "")
    assert err.startswith("error: AWS rejected the credentials (UnrecognizedClientException")
    assert err.count("\n") == 1


def test_ctrl_c_is_one_line_and_130(aws, run_preflight, monkeypatch):
    def interrupted(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("preflight.cli.stack_plan", interrupted)

    assert run_preflight("dev") == (130, "", "interrupted\n")


def test_no_credentials_is_one_line_from_the_real_entry_point(moto_endpoint, tmp_path):
    command = [sys.executable, "-m", "preflight", "dev"]

    assert_no_credentials_error(run_without_credentials(command, moto_endpoint, tmp_path))


def test_the_real_entry_point_runs_against_the_test_server(moto_endpoint, aws, tmp_path):
    """moto alone: CodeCommit's listing is not in moto and the instances are missing, yet every
    answer is one line or a check line, never a traceback."""
    result = run_with_test_credentials(
        [REPO / "bin" / "preflight", "dev", "--service", "worker", "--json"],
        moto_endpoint,
        tmp_path,
    )

    assert result.returncode in (1, 2), result.stderr
    document = json.loads(result.stdout)
    assert document["exitCode"] == result.returncode


def test_a_malformed_aws_variable_is_one_line_before_any_aws_call(aws, run_preflight, monkeypatch):
    monkeypatch.setenv("AWS_RETRY_MODE", "bogus")

    code, out, err = run_preflight("dev")

    assert (code, out) == (2, "")
    assert err == (
        "error: environment variable AWS_RETRY_MODE='bogus' is invalid: set it to legacy, "
        "standard or adaptive, or unset it\n"
    )
    assert aws.clients == {}
