"""Empty and malformed option values, and malformed AWS_* environment variables: one line, exit 2,
naming what to fix, before any AWS client is made."""

import json
import sys

import pytest

from tests.support.entry_points import assert_usage_error_is_one_line, run_with_test_credentials


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["dev", "--service", ""], "--service is empty: name a service of the stack"),
        (["dev", "--region", ""], "--region is empty: name a region such as us-east-1"),
        (["dev", "--execution", ""], "--execution is empty: pass an execution id"),
        (["dev", "--service", "  "], "--service is empty"),
        ([""], "STACK is empty: name a stack such as dev"),
        (["dev", "--timeout", "0"], "--timeout: '0' is not a number of seconds above 0"),
        (["dev", "--timeout", "soon"], "--timeout: 'soon' is not a number of seconds above 0"),
        (["dev", "--timeout", "nan"], "--timeout: 'nan' is not a number of seconds above 0"),
        (["dev", "--timeout", "inf"], "--timeout: 'inf' is not a number of seconds above 0"),
        (["dev", "--timeout", "1e12"], "--timeout: '1e12' is not a number of seconds above 0"),
    ],
)
def test_empty_and_malformed_values_are_one_line(argv, message, capsys):
    from troubleshoot.cli import main

    assert_usage_error_is_one_line("troubleshoot", main, argv, message, capsys)


@pytest.mark.parametrize(
    ("variable", "value", "fix"),
    [
        ("AWS_MAX_ATTEMPTS", "abc", "set it to a whole number of attempts such as 3, or unset it"),
        ("AWS_MAX_ATTEMPTS", "", "set it to a whole number of attempts such as 3, or unset it"),
        ("AWS_RETRY_MODE", "bogus", "set it to legacy, standard or adaptive, or unset it"),
        ("AWS_METADATA_SERVICE_TIMEOUT", "1s", "set it to a whole number of seconds such as 1"),
        ("AWS_STS_REGIONAL_ENDPOINTS", "global", "set it to legacy or regional, or unset it"),
        ("AWS_DEFAULTS_MODE", "fast", "set it to standard, in-region, cross-region, mobile"),
        ("AWS_ENDPOINT_URL", "not-a-url", "is not an endpoint URL: set it to one such as https://"),
        ("AWS_ENDPOINT_URL_CODEPIPELINE", "ftp://x", "is not an endpoint URL"),
        (
            "AWS_DEFAULT_REGION",
            "us east 1",
            "is not an AWS region: set it to one such as us-east-1",
        ),
        ("AWS_REGION", "../../etc", "is not an AWS region"),
    ],
)
def test_a_malformed_aws_variable_is_one_line_naming_it(
    variable, value, fix, aws, run_command, monkeypatch
):
    monkeypatch.setenv(variable, value)

    code, out, err = run_command("dev")

    assert (code, out) == (2, "")
    assert err.startswith(f"error: environment variable {variable}={value!r} "), err
    assert fix in err and err.count("\n") == 1, err
    assert aws.clients == {}, "no client may be made with a malformed variable"


def test_a_malformed_aws_variable_with_json_is_the_error_document(aws, run_command, monkeypatch):
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "three")

    code, out, _ = run_command("dev", "--json")

    assert code == 2
    assert json.loads(out) == {
        "error": "environment variable AWS_MAX_ATTEMPTS='three' is invalid: set it to a whole "
        "number of attempts such as 3, or unset it",
        "exitCode": 2,
    }


def test_the_real_entry_point_names_a_malformed_variable(moto_endpoint, tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "abc")

    result = run_with_test_credentials(
        [sys.executable, "-m", "troubleshoot", "dev"], moto_endpoint, tmp_path
    )

    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        "error: environment variable AWS_MAX_ATTEMPTS='abc' is invalid: set it to a whole number "
        "of attempts such as 3, or unset it\n"
    )
