"""The build on its own, and the default buildspec it recommends."""

import pytest
import yaml

from components.stages.build import Build, BuildArgs
from components.stages.buildspec import DEFAULT_BUILDSPEC_PATH, default_buildspec
from components.targets import target_for
from tests.support.mocked_program import declare
from tests.support.service_fixtures import KEY_ARN, TAGS, names_of, service_of

PROJECT = "aws:codebuild/project:Project"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
REPORT_GROUP = "aws:codebuild/reportGroup:ReportGroup"


def build(platform: str = "Server", **overrides):
    service = service_of(platform)
    names = names_of(service)
    args = BuildArgs(
        service=service,
        target=target_for(service),
        names=names,
        service_role_arn=names.build_role.arn,
        key_arn=KEY_ARN,
        bucket_name=names.platform.artifact_bucket_name,
        tags=TAGS,
        **overrides,
    )
    mocks = declare(lambda: Build("build", args))
    [project] = mocks.of_type(PROJECT)
    return mocks, project.inputs, names


def test_project_runs_from_the_pipeline_encrypted_and_unprivileged():
    _, project, names = build()
    assert project["name"] == names.build_project_name
    assert project["serviceRole"] == names.build_role.arn
    assert project["encryptionKey"] == KEY_ARN
    assert project["source"] == {"type": "CODEPIPELINE", "buildspec": DEFAULT_BUILDSPEC_PATH}
    assert project["artifacts"] == {"type": "CODEPIPELINE"}
    assert project["environment"]["privilegedMode"] is False
    assert project["cache"] == {"type": "NO_CACHE"}
    assert project["tags"] == TAGS


def test_settings_reach_the_project():
    _, project, _ = build(
        compute_type="BUILD_GENERAL1_LARGE", timeout_minutes=45, privileged_mode=True, cache="local"
    )
    assert project["environment"]["computeType"] == "BUILD_GENERAL1_LARGE"
    assert project["environment"]["privilegedMode"] is True
    assert project["buildTimeout"] == 45
    assert project["cache"]["type"] == "LOCAL"
    assert "LOCAL_DOCKER_LAYER_CACHE" in project["cache"]["modes"]


def test_s3_cache_stays_in_the_artifact_bucket():
    _, project, names = build(cache="s3")
    assert project["cache"] == {
        "type": "S3",
        "location": f"{names.platform.artifact_bucket_name}/build-cache/{names.service_name}",
    }


def test_logs_go_only_to_our_encrypted_log_group_with_retention():
    mocks, project, names = build(log_retention_days=365)
    assert project["logsConfig"] == {
        "cloudwatchLogs": {"status": "ENABLED", "groupName": names.log_group_name},
        "s3Logs": {"status": "DISABLED"},
    }
    [group] = mocks.of_type(LOG_GROUP)
    assert (
        group.inputs["name"] == names.log_group_name == f"/aws/codebuild/{names.build_project_name}"
    )
    assert group.inputs["retentionInDays"] == 365
    assert group.inputs["kmsKeyId"] == KEY_ARN
    assert group.inputs["tags"] == TAGS


def test_report_group_is_the_one_the_role_may_write():
    mocks, _, names = build()
    [group] = mocks.of_type(REPORT_GROUP)
    assert group.inputs["name"] == names.report_group_name
    assert names.report_group_arn.endswith(f"report-group/{names.report_group_name}")
    assert group.inputs["type"] == "TEST"
    assert group.inputs["exportConfig"] == {"type": "NO_EXPORT"}


def test_configured_buildspec_path_wins():
    from dataclasses import replace

    service = replace(service_of("Server"), buildspec="ci/build.yml")
    names = names_of(service)
    args = BuildArgs(
        service=service,
        target=target_for(service),
        names=names,
        service_role_arn=names.build_role.arn,
        key_arn=KEY_ARN,
        bucket_name="bucket",
    )
    [project] = declare(lambda: Build("build", args)).of_type(PROJECT)
    assert project.inputs["source"]["buildspec"] == "ci/build.yml"


# --- the default buildspec ---


def parsed_buildspec(platform: str) -> dict:
    service = service_of(platform)
    return yaml.safe_load(
        default_buildspec(target_for(service), names_of(service).report_group_arn)
    )


@pytest.mark.parametrize("platform", ["Server", "ECS", "Lambda"])
def test_buildspec_installs_tests_and_reports_junit_into_our_report_group(platform):
    spec = parsed_buildspec(platform)
    assert spec["version"] == 0.2
    assert list(spec["phases"]) == ["install", "pre_build", "build", "post_build"]
    assert any("pytest" in c and "--junitxml" in c for c in spec["phases"]["build"]["commands"])
    for phase in ("install", "pre_build", "build"):
        assert spec["phases"][phase]["on-failure"] == "ABORT"
    # post_build runs even after a failed build: its first command must stop it.
    assert "CODEBUILD_BUILD_SUCCEEDING" in spec["phases"]["post_build"]["commands"][0]
    [(report_group, report)] = spec["reports"].items()
    assert report_group == names_of(service_of(platform)).report_group_arn
    assert report["file-format"] == "JUNITXML"


def test_buildspec_artifacts_per_platform():
    assert parsed_buildspec("Server")["artifacts"]["files"] == ["**/*"]
    assert parsed_buildspec("ECS")["artifacts"]["files"] == ["appspec.yaml", "taskdef.json"]
    lambda_artifacts = parsed_buildspec("Lambda")["artifacts"]
    assert lambda_artifacts["files"] == ["**/*"]
    assert lambda_artifacts["base-directory"] == "package"


def embedded_appspec(platform: str) -> dict:
    """The appspec the post_build heredoc writes, parsed."""
    [heredoc] = [
        c for c in parsed_buildspec(platform)["phases"]["post_build"]["commands"] if "<<" in c
    ]
    lines = heredoc.splitlines()
    return yaml.safe_load("\n".join(lines[1:-1]))


def test_ecs_appspec_targets_the_configured_container():
    ecs = service_of("ECS").ecs
    [resource] = embedded_appspec("ECS")["Resources"]
    properties = resource["TargetService"]["Properties"]
    assert properties["TaskDefinition"] == "<TASK_DEFINITION>"
    assert properties["LoadBalancerInfo"] == {
        "ContainerName": ecs.container_name,
        "ContainerPort": ecs.container_port,
    }


def test_lambda_build_only_packages_and_never_touches_the_function():
    # The pipeline's Lambda action publishes the version after any approval, not the build.
    commands = parsed_buildspec("Lambda")["phases"]["post_build"]["commands"]
    assert not any("aws lambda" in command for command in commands)
    assert any("cp -r src package" in command for command in commands)
