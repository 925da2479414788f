"""codebuild-source-no-credentials: a credential in a source URL's query string, not only its user-info."""

import pytest

from cicd_guardrails.rules.codebuild.project_hardening import POLICIES
from tests.support.analyzer_harness import analyze, assert_no_violations, assert_violation, resource

NAME = "codebuild-source-no-credentials"
PROJECT = "aws:codebuild/project:Project"
NATIVE_PROJECT = "aws-native:codebuild:Project"


def project(location, type_=PROJECT, secondary=None):
    props = {"source": {"type": "GITHUB", "location": location}}
    if secondary is not None:
        props["secondarySources"] = [
            {"type": "S3", "sourceIdentifier": "extra", "location": secondary}
        ]
    return resource(type_, "build", props)


@pytest.mark.parametrize(
    ("location", "parameter"),
    [
        ("https://gitlab.example.com/team/app.git?private_token=glpat-abcdefghij", "private_token"),
        ("https://git.example.com/app.git?ref=main&access_token=gho_abc123", "access_token"),
        ("https://git.example.com/app.git?token=abc", "token"),
        ("https://git.example.com/app.git?Password=hunter2", "Password"),
        ("https://git.example.com/app.zip?api-key=abc", "api-key"),
        (
            "https://bucket.s3.amazonaws.com/src.zip?X-Amz-Algorithm=AWS4-HMAC-SHA256"
            "&X-Amz-Credential=AKIAEXAMPLE%2F20260101%2Fus-east-1%2Fs3%2Faws4_request"
            "&X-Amz-Signature=abcdef",
            "X-Amz-Credential",
        ),
        ("https://acct.blob.core.windows.net/src/app.zip?sv=2022-11-02&sig=abc%3D", "sig"),
    ],
)
def test_a_credential_in_the_query_string_is_refused(location, parameter):
    assert_violation(
        analyze(POLICIES, [project(location)]),
        NAME,
        f"build project 'build': source.location embeds credentials in the URL (query parameter "
        f"{parameter!r}); remove them from the URL and use a CodeConnections connection",
        level="mandatory",
    )
    # The legitimate twin: the same URL without the credential (an empty value carries none).
    clean = location.split("?")[0] + "?ref=main&" + parameter + "="
    assert_no_violations(analyze(POLICIES, [project(clean)]), NAME)


def test_user_info_is_still_refused_and_secondary_and_aws_native_sources_are_judged():
    assert_violation(
        analyze(POLICIES, [project("https://bot:pw@git.example.com/app.git")]),
        NAME,
        "source.location embeds credentials in the URL (the user:password@ part)",
    )
    secondary = project(
        "https://git.example.com/app.git", secondary="https://h/x.zip?X-Amz-Signature=ab"
    )
    assert_violation(
        analyze(POLICIES, [secondary]), NAME, "secondarySources[0].location embeds credentials"
    )
    native = project("https://git.example.com/app.git?access_token=abc", type_=NATIVE_PROJECT)
    assert_violation(analyze(POLICIES, [native]), NAME, "query parameter 'access_token'")
    assert_no_violations(
        analyze(POLICIES, [project("https://git.example.com/app.git", type_=NATIVE_PROJECT)]), NAME
    )
