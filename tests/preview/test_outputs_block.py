"""The `Outputs:` block prints nested stack outputs as `pulumi preview` does (object_diff.go)."""

from tests.support.preview_runs import preview, write_project

PROGRAM = """\
import json
import pulumi
import pulumi_aws as aws

pulumi.export("services", {
    "web": {"pipelineName": "scratch-web", "stages": ["build", "deploy"], "retries": 3},
    "api": {"pipelineName": "scratch-api", "token": pulumi.Output.secret("t")},
})
pulumi.export("id", "ok")
pulumi.export("pending", aws.cloudwatch.LogGroup("logs", retention_in_days=30).arn)
pulumi.export("empty", "")
pulumi.export("document", json.dumps({"Version": "2012-10-17"}))
"""

EXPECTED = """\
Outputs:
    document: (json) {
        Version: "2012-10-17"
    }

    id      : "ok"
    pending : [unknown]
    services: {
        api: {
            pipelineName: "scratch-api"
            token       : [secret]
        }
        web: {
            pipelineName: "scratch-web"
            retries     : 3
            stages      : [
                [0]: "build"
                [1]: "deploy"
            ]
        }
    }

Resources:
"""


def test_nested_outputs_are_expanded_aligned_and_typed_as_the_cli_prints_them(tmp_path):
    result = preview("--stack", "test", "--cwd", write_project(tmp_path / "p", PROGRAM))
    assert result.code == 0, result.stderr
    assert EXPECTED in result.stdout, result.stdout
