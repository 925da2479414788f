"""Names from a `pulumi stack output --json` file instead of the stack config."""

import json

import pytest

from tests.support.troubleshoot_scenarios import seed_pipeline_that_succeeded

STAGING_OUTPUTS = {
    "artifactBucket": "guarded-delivery-staging-artifacts-123456789012-us-east-1",
    "defaultService": "web",
    "pipelineName": "guarded-delivery-staging-web",
    "pipelineArn": "arn:aws:codepipeline:us-east-1:123456789012:guarded-delivery-staging-web",
    "services": {
        "web": {
            "pipelineName": "guarded-delivery-staging-web",
            "pipelineArn": "arn:aws:codepipeline:us-east-1:123456789012:guarded-delivery-staging-web",
        },
        "api": {
            "pipelineName": "guarded-delivery-staging-api",
            "pipelineArn": "arn:aws:codepipeline:us-east-1:123456789012:guarded-delivery-staging-api",
        },
    },
}


@pytest.fixture
def outputs_file(tmp_path):
    path = tmp_path / "staging-outputs.json"
    path.write_text(json.dumps(STAGING_OUTPUTS))
    return path


def test_outputs_file_names_the_service_pipeline_without_asking_sts(aws, run_command, outputs_file):
    seed_pipeline_that_succeeded(aws, "guarded-delivery-staging-api")

    code, out, err = run_command("staging", "--service", "api", "--outputs", str(outputs_file))

    assert (code, err) == (0, "")
    assert "Pipeline guarded-delivery-staging-api (stack staging, service api, us-east-1)" in out
    assert f"names from {outputs_file}" in out
    assert "get-caller-identity" not in out


def test_outputs_file_defaults_to_the_default_service(aws, run_command, outputs_file):
    seed_pipeline_that_succeeded(aws, "guarded-delivery-staging-web")

    code, out, _ = run_command("staging", "--outputs", str(outputs_file))

    assert code == 0
    assert "Pipeline guarded-delivery-staging-web (stack staging, service web," in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not JSON"),
        (json.dumps(["a"]), "expected a JSON object of outputs"),
        (
            json.dumps({"services": {"web": {"pipelineName": "x"}}}),
            "services.web lacks pipelineName or pipelineArn",
        ),
        (
            json.dumps(
                {"services": {"web": {"pipelineName": "x", "pipelineArn": "arn:aws:s3:::x"}}}
            ),
            "is not a CodePipeline ARN",
        ),
        (
            json.dumps(STAGING_OUTPUTS | {"defaultService": "worker"}),
            "no outputs for service 'worker'; it has api, web",
        ),
    ],
)
def test_bad_outputs_files_are_one_line(content, message, tmp_path, aws, run_command):
    path = tmp_path / "outputs.json"
    path.write_text(content)

    code, out, err = run_command("staging", "--outputs", str(path))

    assert (code, out) == (2, "")
    assert err.startswith(f"error: --outputs {path}" if "JSON" in message else "error: ")
    assert message in err and err.count("\n") == 1


def test_a_missing_outputs_file_says_how_to_write_it(tmp_path, run_command):
    code, _, err = run_command("staging", "--outputs", str(tmp_path / "absent.json"))

    assert code == 2
    assert "No such file or directory; write it with `pulumi stack output --json > FILE`" in err
