"""Usage, stack config, credential, permission and AWS errors: exit 2 and one line, never a
traceback; Ctrl-C is one line and 130."""

import json
import sys

import pytest
import yaml

from tests.support.entry_points import (
    REPO,
    assert_no_credentials_error,
    assert_usage_error_is_one_line,
    run_with_test_credentials,
    run_without_credentials,
)
from tests.support.release_scenarios import ACCOUNT, EXECUTIONS

CHAIN = ["dev", "staging", "prod"]
STAGING_KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:alias/guarded-delivery-staging-release-signing"
DENIED = (
    f"User: arn:aws:sts::{ACCOUNT}:assumed-role/auditor/bob is not authorized to perform: "
    f"kms:Verify on resource: arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-"
    "1234567890ab because no identity-based policy allows the kms:Verify action"
)


def deny_verify(aws, history) -> None:
    """KMS answers DescribeKey and refuses Verify (moto refuses nothing: a Stubber does)."""
    history.signing_key("staging")
    stubber = aws.stub("kms")
    stubber.add_response(
        "describe_key",
        {
            "KeyMetadata": {
                "KeyId": "1234abcd-12ab-34cd-56ef-1234567890ab",
                "Arn": history.key_arns["staging"],
            }
        },
        {"KeyId": STAGING_KEY},
    )
    stubber.add_client_error(
        "verify", service_error_code="AccessDeniedException", service_message=DENIED
    )


def test_access_denied_on_kms_verify_names_the_permission(aws, history, run_releases):
    history.deployed("prod", "web", history.promoted(CHAIN, "web"))
    deny_verify(aws, history)

    code, out, err = run_releases("prod", "--service", "web")

    assert (code, out) == (2, "")
    assert err == (
        f"error: prod/web: missing permission kms:Verify on arn:aws:kms:us-east-1:{ACCOUNT}:key/"
        "1234abcd-12ab-34cd-56ef-1234567890ab (Verify was denied): grant it to the identity you "
        "run as, or run with a role that has it\n"
    )


def test_access_denied_with_json_is_also_the_json_error_document(aws, history, run_releases):
    history.deployed("prod", "web", history.promoted(CHAIN, "web"))
    deny_verify(aws, history)

    code, out, err = run_releases("prod", "--service", "web", "--json")

    assert code == 2
    document = json.loads(out)
    assert document["exitCode"] == 2
    assert document["error"].startswith("prod/web: missing permission kms:Verify on ")
    assert err.count("\n") == 1


def test_access_denied_on_s3_without_an_action_in_the_message_names_the_operation(
    aws, history, run_releases
):
    history.deployed("dev", "web", history.built("dev", "web"))
    aws.stub("s3").add_client_error(
        "get_object", service_error_code="AccessDenied", service_message="Access Denied"
    )

    code, _, err = run_releases("dev", "--service", "web")

    assert code == 2
    assert err.startswith("error: dev/web: missing permission s3:GetObject (GetObject was denied)")


def test_an_unknown_stack_lists_the_stacks_that_exist(aws, run_releases):
    code, out, err = run_releases("qa")

    assert (code, out) == (2, "")
    assert err.startswith("error: no stack file Pulumi.qa.yaml in ")
    assert err.endswith("; stacks of this project: dev, prod, staging\n")
    assert err.count("\n") == 1
    assert aws.clients == {}, "no AWS client before the stack files are read"


def test_an_unknown_service_is_one_line_before_any_aws_call(aws, project, run_releases):
    services = {
        stack: ", ".join(
            service["name"]
            for service in yaml.safe_load((project / f"Pulumi.{stack}.yaml").read_text())["config"][
                "guarded-delivery:services"
            ]
        )
        for stack in ("dev", "prod", "staging")
    }

    named = run_releases("dev", "--service", "billing")
    every = run_releases("--service", "billing")

    assert named == (
        2,
        "",
        f"error: --service 'billing' is not a service of stack dev; its services: "
        f"{services['dev']}\n",
    )
    assert every == (
        2,
        "",
        "error: --service 'billing' is not a service of any stack; "
        + "; ".join(f"{stack}: {names}" for stack, names in services.items())
        + "\n",
    )
    assert aws.clients == {}


def test_a_bad_stack_file_is_one_line(project, run_releases):
    path = project / "Pulumi.staging.yaml"
    path.write_text(path.read_text().replace("promoteFrom: dev", "promoteFrom: staging"))

    code, _, err = run_releases("staging")

    assert code == 2
    assert err.startswith("error: Pulumi.staging.yaml: guarded-delivery:promoteFrom")
    assert "is this stack" in err and err.count("\n") == 1


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["dev", "--region", "mars-1"], "--region 'mars-1' is not an AWS region"),
        (["dev", "--max-executions", "0"], "--max-executions must be between 1 and 10000"),
        (["dev", "--max-executions", "many"], "argument --max-executions: invalid int value"),
        (["dev", "--colour"], "unrecognized arguments: --colour"),
    ],
)
def test_usage_errors_are_one_line(argv, message, capsys):
    from releases.cli import main

    assert_usage_error_is_one_line("releases", main, argv, message, capsys)


def test_ctrl_c_is_one_line_and_130(aws, history, run_releases, monkeypatch):
    def interrupted(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("releases.cli.read_deployed", interrupted)

    code, out, err = run_releases("dev", "--service", "web")

    assert (code, out, err) == (130, "", "interrupted\n")


def test_no_credentials_is_one_line_from_the_real_entry_point(moto_endpoint, tmp_path):
    command = [sys.executable, "-m", "releases", "dev"]

    assert_no_credentials_error(run_without_credentials(command, moto_endpoint, tmp_path))


def test_the_real_entry_point_reads_the_endpoint_and_credentials_from_the_environment(
    moto_endpoint, aws, tmp_path
):
    """Against moto alone (no stubs): the pipeline does not exist there, so nothing is deployed."""
    result = run_with_test_credentials(
        [REPO / "bin" / "releases", "dev", "--service", "web"], moto_endpoint, tmp_path
    )

    assert (result.returncode, result.stderr) == (1, "")
    assert result.stdout.startswith("dev/web: NOTHING DEPLOYED\n")
    assert EXECUTIONS["dev"] not in result.stdout


def test_a_malformed_aws_variable_is_one_line_before_any_aws_call(aws, run_releases, monkeypatch):
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "three")

    code, out, err = run_releases("dev")

    assert (code, out) == (2, "")
    assert err == (
        "error: environment variable AWS_MAX_ATTEMPTS='three' is invalid: set it to a whole "
        "number of attempts such as 3, or unset it\n"
    )
    assert aws.clients == {}
