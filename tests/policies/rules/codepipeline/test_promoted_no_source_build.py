"""codepipeline-promoted-no-source-build: a stack that promotes starts from S3 and never builds source."""

import pytest

from cicd_guardrails.rules.codepipeline.promoted_no_source_build import POLICIES
from tests.support.analyzer_harness import (
    UNKNOWN,
    analyze,
    assert_no_violations,
    assert_skipped,
    assert_violation,
    resource,
)
from tests.support.release_shapes import (
    PROJECT,
    PROMOTED_STAGES,
    RELEASE_STAGES,
    SOURCE,
    action,
    inline_buildspec,
    pipeline,
    project,
    promoted_projects,
    s3_source,
    stage,
    step_command,
    step_projects,
)

PROMOTED = "codepipeline-promoted-no-source-build"
FIX = (
    "take the upstream's verified release instead (stack config promoteFrom): start the pipeline "
    "from S3 source actions reading what the upstream published, and run only stack-owned inline "
    "buildspecs (release_steps.verify, confirm, publish)"
)
MANDATORY = {PROMOTED: {"promotedStack": True, "enforcementLevel": "mandatory"}}


def judge(stages=None, projects=None, config=None):
    resources = [
        *(promoted_projects() if projects is None else projects),
        pipeline(PROMOTED_STAGES if stages is None else stages),
    ]
    return analyze(POLICIES, resources, MANDATORY if config is None else config)


def with_source(*actions):
    return [stage("Source", *actions), *PROMOTED_STAGES[1:]]


def test_the_promoted_pipeline_and_its_step_projects_pass():
    assert_no_violations(judge())


def test_a_stack_that_builds_is_not_judged_unless_it_promotes():
    building = [*step_projects(), pipeline(RELEASE_STAGES)]
    assert_no_violations(analyze(POLICIES, building))
    assert_no_violations(analyze(POLICIES, building, {PROMOTED: {"promotedStack": False}}))


def test_the_default_level_is_advisory_and_the_stack_config_makes_it_mandatory():
    advisory = judge(RELEASE_STAGES, step_projects(), {PROMOTED: {"promotedStack": True}})
    assert_violation(advisory, PROMOTED, "builds from source", level="advisory")
    assert_violation(judge(RELEASE_STAGES, step_projects()), PROMOTED, "", level="mandatory")


def test_a_codecommit_source_in_a_promoted_stack_is_refused():
    result = judge([SOURCE, *PROMOTED_STAGES[1:]])
    violation = assert_violation(
        result,
        PROMOTED,
        "pipeline 'api': stages[0].actions[0] ('Source') is a source action with provider "
        f"'CodeCommit' (owner 'AWS'), which builds from source in a stack that promotes; {FIX}",
        level="mandatory",
    )
    assert violation.urn == pipeline().urn


@pytest.mark.parametrize(
    ("provider", "owner", "configuration"),
    [
        (
            "CodeStarSourceConnection",
            "AWS",
            {"ConnectionArn": "arn:aws:codeconnections:us-east-1:123456789012:connection/x"},
        ),
        ("GitHub", "ThirdParty", {"Owner": "example", "Repo": "api", "Branch": "main"}),
        ("Bitbucket", "ThirdParty", {"Repo": "api"}),
        ("ECR", "AWS", {"RepositoryName": "api"}),
    ],
)
def test_every_source_but_s3_is_refused_next_to_the_s3_ones(provider, owner, configuration):
    repository = action("Source", "Source", provider, None, ["SourceOutput"], owner=owner)
    repository["configuration"] = configuration
    result = judge(with_source(*PROMOTED_STAGES[0]["actions"], repository))
    assert_violation(
        result,
        PROMOTED,
        f"pipeline 'api': stages[0].actions[3] ('Source') is a source action with provider "
        f"{provider!r} (owner {owner!r}), which builds from source in a stack that promotes",
    )
    assert len(result.of(PROMOTED)) == 1, "the three S3 sources pass"


def test_a_custom_action_named_s3_is_not_the_s3_source():
    custom = action("Release", "Source", "S3", None, ["ReleaseOutput"], owner="Custom")
    assert_violation(
        judge(with_source(custom)),
        PROMOTED,
        "stages[0].actions[0] ('Release') is a source action with provider 'S3' (owner 'Custom')",
    )


@pytest.mark.parametrize(
    ("buildspec", "described"),
    [
        ("buildspec.yml", "source.buildspec is the path 'buildspec.yml', read from the source"),
        ("", "source.buildspec is not set, so CodeBuild reads buildspec.yml from the source"),
    ],
)
def test_a_build_project_reading_the_repository_buildspec_is_refused(buildspec, described):
    build = project("build", buildspec=buildspec)
    result = judge(projects=[*promoted_projects(), build])
    violation = assert_violation(
        result,
        PROMOTED,
        f"CodeBuild project 'api-build': {described}, which a push can change: a build of source "
        f"in a stack that promotes; {FIX}",
        level="mandatory",
    )
    assert violation.urn == build.urn


def test_a_project_with_a_repository_source_is_refused_whatever_buildspec_it_runs():
    props = {
        "name": "guarded-delivery-prod-api-checkout",
        "serviceRole": "arn:aws:iam::123456789012:role/guarded-delivery-prod-api-verifier",
        "source": {
            "type": "GITHUB",
            "location": "https://github.com/example/api.git",
            "buildspec": inline_buildspec(step_command("verify")),
        },
        "secondarySources": [
            {"type": "CODECOMMIT", "sourceIdentifier": "lib", "location": "lib"},
            {"type": "S3", "sourceIdentifier": "data", "location": "bucket/data.zip"},
        ],
    }
    checkout = resource(PROJECT, "api-checkout", props)
    result = judge(projects=[*promoted_projects(), checkout])
    assert_violation(
        result,
        PROMOTED,
        "CodeBuild project 'api-checkout': source.type is 'GITHUB', a repository, so the project "
        f"builds from source in a stack that promotes; {FIX}",
    )
    assert_violation(
        result,
        PROMOTED,
        "CodeBuild project 'api-checkout': secondarySources[0].type is 'CODECOMMIT'",
    )
    assert len(result.of(PROMOTED)) == 2


def test_an_unknown_provider_or_buildspec_is_undecided_and_its_known_twin_judged():
    unknown_provider = s3_source("BuildOutput")
    unknown_provider["provider"] = UNKNOWN
    result = judge(with_source(unknown_provider))
    assert not result.of(PROMOTED)
    assert_skipped(result, PROMOTED, "stages[0].actions[0].owner or provider")

    unknown_spec = project("verify", buildspec=UNKNOWN)
    result = judge(projects=[*promoted_projects(verify=unknown_spec)])
    assert not result.of(PROMOTED)
    assert_skipped(result, PROMOTED, "source.buildspec")
    assert_violation(
        judge(projects=[project("verify", buildspec="buildspec.yml")]),
        PROMOTED,
        "CodeBuild project 'api-verify': source.buildspec is the path 'buildspec.yml'",
    )


def test_an_unknown_action_may_be_a_source_action():
    result = judge([stage("Source", UNKNOWN), *PROMOTED_STAGES[1:]])
    assert_skipped(result, PROMOTED, "stages[0].actions[0] (which may be a source action)")


def test_a_promoted_stack_value_that_is_not_a_boolean_is_refused_in_one_line():
    result = judge(config={PROMOTED: {"promotedStack": "yes"}})
    assert_violation(
        result,
        PROMOTED,
        f"policy config {PROMOTED}.promotedStack is 'yes'; set it to true or false",
    )
