"""Configuration and AWS errors: exit 2 and one line naming what is wrong, never a traceback."""

import boto3
import pytest

from components.release.steps import confirm, sign, verify
from components.release.steps.step_io import Clients, safe
from tests.support.aws_test_account import REGION
from tests.support.release_account import OTHER_COMMIT

DENIED = (
    "User: arn:aws:sts::123456789012:assumed-role/guarded-delivery-dev-api-build/x is not "
    "authorized to perform: kms:Sign on resource: arn:aws:kms:us-east-1:123456789012:key/abc"
)


@pytest.mark.parametrize("variable", ["SIGNING_KEY_ID", "RELEASE_ARTIFACTS", "COMMIT_ID"])
def test_sign_without_a_variable_names_it(run_sign, variable):
    code, out, err = run_sign(**{variable: ""})

    assert (code, out) == (2, "")
    assert err == f"sign: error: missing environment variable {variable}\n"


def test_verify_and_confirm_without_a_variable_name_it(run_verify, run_confirm):
    assert run_verify(DEPLOY_ARTIFACTS="") == (
        2,
        "",
        "verify: error: missing environment variable DEPLOY_ARTIFACTS\n",
    )
    assert run_confirm(FUNCTION_ALIAS="") == (
        2,
        "",
        "confirm: error: missing environment variable FUNCTION_ALIAS\n",
    )


def test_an_unknown_gate_is_a_configuration_error(run_sign):
    code, _, err = run_sign(VULNERABILITY_GATE="SEVERE")

    assert code == 2
    assert err == (
        "sign: error: VULNERABILITY_GATE: vulnerability gate 'SEVERE' is not one of "
        "CRITICAL, HIGH, MEDIUM, LOW, report-only\n"
    )


def test_an_unknown_option_is_a_usage_error(run_sign):
    code, _, err = run_sign(argv=["--wait-forever"])

    assert code == 2
    assert err == "sign: error: usage: unrecognized arguments: --wait-forever\n"


def test_access_denied_from_kms_names_the_call(release, run_sign, output):
    release.record_build()
    release.record_image()
    release.queue_action_executions()
    release.queue_scan()
    release.aws.stub("kms").add_client_error(
        "sign",
        service_error_code="AccessDeniedException",
        service_message=DENIED,
        http_status_code=400,
    )

    code, out, err = run_sign()

    assert (code, out) == (2, "")
    assert err == f"sign: error: AccessDeniedException calling kms:Sign: {DENIED}\n"
    assert not (output / "manifest.json").exists()


def test_access_denied_to_verify_names_the_call(release, signed, run_verify):
    release.queue_action_executions()
    kms = release.aws.stub("kms")
    kms.add_response(
        "describe_key", {"KeyMetadata": {"KeyId": "abc", "Arn": "arn:aws:kms:us-east-1:1:key/abc"}}
    )
    kms.add_client_error(
        "verify", service_error_code="AccessDeniedException", service_message="denied"
    )

    code, out, err = run_verify()

    assert (code, out) == (2, "")
    assert err == "verify: error: AccessDeniedException calling kms:Verify: denied\n"


def test_no_credentials_is_one_line(release, run_verify, monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    session = boto3.session.Session(region_name=REGION)
    endpoint = release.aws.endpoint
    clients = Clients(
        *(
            session.client(name, endpoint_url=endpoint)
            for name in ("codepipeline", "s3", "kms", "ecr", "inspector-scan", "lambda")
        )
    )

    code, out, err = run_verify(clients=clients)

    assert (code, out) == (2, "")
    assert err == "verify: error: no AWS credentials found (role, environment or profile)\n"


class Interrupting:
    def list_action_executions(self, **_):
        raise KeyboardInterrupt


@pytest.mark.parametrize("step", [sign, verify, confirm])
def test_ctrl_c_is_one_line_and_exit_130(release, source, output, capsys, step):
    clients = Clients(Interrupting(), None, None, None, None, None)
    environ = {
        **release.sign_environ(source, output),
        **release.verify_environ(),
        **release.confirm_environ(),
    }

    code = step.main([], environ, clients)

    assert code == 130
    assert capsys.readouterr().err == f"{step.__name__.rsplit('.', 1)[1]}: error: interrupted\n"


def test_text_from_outside_is_printed_terminal_safe(release, signed, run_verify):
    release.queue_action_executions()

    code, _, err = run_verify(COMMIT_ID=OTHER_COMMIT + "\x1b[2J\x1b]0;owned\x07\r\nforged")

    assert code == 1
    assert "\x1b" not in err and "\r" not in err and "\x07" not in err
    assert f"this execution's source is {OTHER_COMMIT}\\x0d\\x0aforged" in err


def test_safe_drops_escape_sequences_and_escapes_controls():
    assert safe("ok \x1b[31mred\x1b[0m") == "ok red"
    assert safe("title\x1b]0;x\x07 end") == "title end"
    assert safe("a\nb\tc\x00\u202ed") == "a\\x0ab\\x09c\\x00\\u202ed"
    assert safe("naïve — ünïcode") == "naïve — ünïcode"
