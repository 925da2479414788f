"""codebuild-privileged-mode, -logs-enabled, -no-plaintext-secrets, -source-no-credentials."""

import pytest

from cicd_guardrails.rules.codebuild.project_hardening import POLICIES
from tests.support.analyzer_harness import (
    UNKNOWN,
    analyze,
    assert_no_violations,
    assert_skipped,
    assert_violation,
    resource,
    secret,
)

PRIVILEGED = "codebuild-privileged-mode"
LOGS = "codebuild-logs-enabled"
SECRETS = "codebuild-no-plaintext-secrets"
SOURCE = "codebuild-source-no-credentials"
PROJECT = "aws:codebuild/project:Project"


def project(env_vars=(), privileged=False, logs=None, source=None, secondary=None):
    props = {
        "environment": {
            "privilegedMode": privileged,
            "environmentVariables": list(env_vars),
            "image": "aws/codebuild/standard:7.0",
        },
        "logsConfig": logs or {"cloudwatchLogs": {"status": "ENABLED", "groupName": UNKNOWN}},
        "source": source or {"type": "CODEPIPELINE"},
    }
    if secondary is not None:
        props["secondarySources"] = secondary
    return resource(PROJECT, "build", props)


def test_hardened_project_passes():
    env = [
        {"name": "STAGE", "value": "dev", "type": "PLAINTEXT"},
        {"name": "DB_PASSWORD", "value": "/guarded/dev/db-password", "type": "PARAMETER_STORE"},
        {
            "name": "ARTIFACT_KEY_ARN",
            "value": "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        },
    ]
    source = {"type": "GITHUB", "location": "https://github.com/example/app.git"}
    assert_no_violations(analyze(POLICIES, [project(env, source=source)]))


def test_privileged_mode_is_refused_unless_allowed():
    result = analyze(POLICIES, [project(privileged=True)])
    assert_violation(
        result,
        PRIVILEGED,
        ["environment.privilegedMode is true", "allowPrivileged"],
        level="advisory",
    )
    allowed = analyze(POLICIES, [project(privileged=True)], {PRIVILEGED: {"allowPrivileged": True}})
    assert_no_violations(allowed, PRIVILEGED)


INLINE_BUILDSPEC = (
    "version: 0.2\nphases:\n  build:\n    commands:\n      - docker build --tag app .\n"
)


def test_a_privileged_project_with_an_inline_buildspec_passes_without_allow_privileged():
    source = {"type": "CODEPIPELINE", "buildspec": INLINE_BUILDSPEC}
    assert_no_violations(analyze(POLICIES, [project(privileged=True, source=source)]), PRIVILEGED)


@pytest.mark.parametrize(
    ("buildspec", "described"),
    [
        (None, "source.buildspec is not set, so CodeBuild reads buildspec.yml from the source"),
        ("", "source.buildspec is not set, so CodeBuild reads buildspec.yml from the source"),
        (
            "ci/buildspec.yml",
            "source.buildspec is the path 'ci/buildspec.yml', read from the source",
        ),
        (
            "arn:aws:s3:::specs/buildspec.yml",
            "source.buildspec is the S3 object 'arn:aws:s3:::specs/buildspec.yml'",
        ),
    ],
)
def test_a_privileged_project_reading_its_buildspec_from_outside_the_stack_is_refused(
    buildspec, described
):
    source = (
        {"type": "CODEPIPELINE"}
        if buildspec is None
        else {"type": "CODEPIPELINE", "buildspec": buildspec}
    )
    result = analyze(POLICIES, [project(privileged=True, source=source)])
    assert_violation(
        result,
        PRIVILEGED,
        f"build project 'build': environment.privilegedMode is true and {described}",
    )
    assert_violation(
        result,
        PRIVILEGED,
        "so something other than the stack decides what runs with root on the build host; set "
        "privilegedMode to false, or declare the buildspec inline in source.buildspec "
        "(stack-owned) if the project must build Docker images, or set allowPrivileged in this "
        "policy's config",
    )


def test_an_unknown_buildspec_of_a_privileged_project_is_undecided():
    source = {"type": "CODEPIPELINE", "buildspec": UNKNOWN}
    result = analyze(POLICIES, [project(privileged=True, source=source)])
    assert not result.of(PRIVILEGED)
    assert_skipped(result, PRIVILEGED, "source.buildspec")


def test_disabled_cloudwatch_logs_are_refused():
    result = analyze(POLICIES, [project(logs={"cloudwatchLogs": {"status": "DISABLED"}})])
    assert_violation(result, LOGS, "logsConfig.cloudwatchLogs.status is DISABLED")


@pytest.mark.parametrize(
    ("variable", "fragment"),
    [
        ({"name": "GITHUB_TOKEN", "value": "abc"}, "(GITHUB_TOKEN) has a secret-looking name"),
        (
            {"name": "db_password", "value": "hunter2", "type": "PLAINTEXT"},
            "(db_password) has a secret-looking name",
        ),
        ({"name": "API_KEY", "value": secret("s3cr3t")}, "(API_KEY) has a secret-looking name"),
        (
            {"name": "UPLOAD", "value": "AKIAIOSFODNN7EXAMPLE"},
            "(UPLOAD) holds a credential-shaped PLAINTEXT value",
        ),
        ({"name": "SECRET", "value": UNKNOWN}, "(SECRET) has a secret-looking name"),
    ],
)
def test_plaintext_secrets_are_refused(variable, fragment):
    result = analyze(POLICIES, [project([{"name": "STAGE", "value": "dev"}, variable])])
    assert_violation(
        result, SECRETS, ["environmentVariables[1]", fragment, "PARAMETER_STORE or SECRETS_MANAGER"]
    )


@pytest.mark.parametrize(
    "location",
    [
        "https://user:p4ss@bitbucket.org/team/app.git",
        "https://ghp_abcdefabcdefabcdefabcdefabcdefabcdef12@github.com/o/r.git",
    ],
)
def test_credentials_in_source_url_are_refused(location):
    result = analyze(POLICIES, [project(source={"type": "BITBUCKET", "location": location})])
    assert_violation(
        result, SOURCE, ["source.location embeds credentials", "CodeConnections"], level="mandatory"
    )


def test_credentials_in_secondary_source_are_refused():
    secondary = [
        {
            "type": "GITHUB",
            "sourceIdentifier": "lib",
            "location": "https://x:y@github.com/o/lib.git",
        }
    ]
    result = analyze(POLICIES, [project(secondary=secondary)])
    assert_violation(result, SOURCE, "secondarySources[0].location embeds credentials")
