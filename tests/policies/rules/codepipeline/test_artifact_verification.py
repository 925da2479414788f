"""codepipeline-artifact-verification: a stack-owned verification reads every deployed artifact last."""

from cicd_guardrails.rules.codepipeline.artifact_verification import POLICIES
from tests.support.analyzer_harness import (
    UNKNOWN,
    analyze,
    assert_no_violations,
    assert_skipped,
    assert_violation,
    resource,
)
from tests.support.release_shapes import (
    APPROVAL,
    BUILD,
    DEPLOY,
    IMAGE,
    SIGN,
    SOURCE,
    action,
    pipeline,
    project,
    stage,
    step_action,
    step_projects,
    verify_stage,
)

VERIFICATION = "codepipeline-artifact-verification"
FIX = (
    "add a CodeBuild action whose project has an inline (stack-owned) buildspec running "
    "`python3 -m release_steps.verify`, after any approval and right before the deploy, with input "
    "artifacts BuildOutput, ImageOutput, each written by an action that runs before it"
)


def judge(stages=None, projects=None, config=None):
    resources = [*(step_projects() if projects is None else projects), pipeline(stages)]
    return analyze(POLICIES, resources, {VERIFICATION: config or {}})


def test_the_signed_release_pipeline_passes():
    assert_no_violations(judge())


def test_a_lambda_pipeline_verified_in_the_deploy_stage_by_run_order_passes():
    deploy = action("Deploy", "Deploy", "Lambda", ["BuildOutput"], None, run_order=2)
    verify = step_action(
        "Verify", "verify", ["ReleaseOutput", "BuildOutput"], category="Test", run_order=1
    )
    stages = [
        SOURCE,
        BUILD,
        stage("Sign", step_action("Sign", "sign", ["BuildOutput"], ["ReleaseOutput"])),
        stage("Deploy", verify, deploy),
    ]
    assert_no_violations(judge(stages))


def test_a_deploy_without_verification_is_refused():
    stages = [SOURCE, BUILD, IMAGE, SIGN, APPROVAL, DEPLOY]
    result = judge(stages)
    violation = assert_violation(
        result,
        VERIFICATION,
        "pipeline 'api': stages[5].actions[0] ('Deploy') (a CodeDeployToECS deploy action reading "
        "BuildOutput, ImageOutput) has no verification action before it (stages[3].actions[0] "
        "('Sign') reads what it deploys, but its project 'guarded-delivery-prod-api-sign' (Project "
        "'api-sign') runs a stack-owned buildspec with no `python3 -m release_steps.verify` "
        f"command); {FIX}",
        level="mandatory",
    )
    assert violation.urn == pipeline(stages).urn


def test_a_verification_that_does_not_read_the_image_is_refused():
    stages = [SOURCE, BUILD, IMAGE, SIGN, APPROVAL, verify_stage(["ReleaseOutput", "BuildOutput"])]
    result = judge([*stages, DEPLOY])
    assert_violation(
        result,
        VERIFICATION,
        "pipeline 'api': stages[6].actions[0] ('Deploy') (a CodeDeployToECS deploy action reading "
        "BuildOutput, ImageOutput) deploys ImageOutput, which the verification action "
        "stages[5].actions[0] ('Verify') does not read; add ImageOutput to "
        "stages[5].actions[0].inputArtifacts",
    )


def test_an_artifact_written_after_the_verification_is_refused():
    # The image is built after the verification ran: what is deployed was never verified.
    stages = [SOURCE, BUILD, SIGN, APPROVAL, verify_stage(), IMAGE, DEPLOY]
    assert_violation(
        judge(stages),
        VERIFICATION,
        "pipeline 'api': stages[6].actions[0] ('Deploy') (a CodeDeployToECS deploy action reading "
        "BuildOutput, ImageOutput) deploys ImageOutput, which stages[5].actions[0] ('Image') writes "
        "after the verification action stages[4].actions[0] ('Verify') starts, so it reaches the "
        "deploy unverified; move the verification after stages[5].actions[0] ('Image'), right "
        "before the deploy",
    )


def test_an_artifact_written_alongside_the_verification_is_refused():
    image = step_action("Image", "image", ["SourceOutput"], ["ImageOutput"])
    verify = verify_stage()["actions"][0]
    stages = [SOURCE, BUILD, SIGN, APPROVAL, stage("Verify", verify, image), DEPLOY]
    assert_violation(
        judge(stages),
        VERIFICATION,
        "deploys ImageOutput, which stages[4].actions[1] ('Image') writes after the verification "
        "action stages[4].actions[0] ('Verify') starts",
    )


def test_a_verification_project_reading_the_repository_buildspec_is_not_stack_owned():
    projects = step_projects(verify=project("verify", buildspec="buildspec-verify.yml"))
    assert_violation(
        judge(projects=projects),
        VERIFICATION,
        "has no verification action before it (stages[3].actions[0] ('Sign') reads what it "
        "deploys, but its project 'guarded-delivery-prod-api-sign' (Project 'api-sign') runs a "
        "stack-owned buildspec with no `python3 -m release_steps.verify` command; "
        "stages[5].actions[0] ('Verify') reads what it deploys, but its project "
        "'guarded-delivery-prod-api-verify' (Project 'api-verify') does not run a stack-owned "
        "buildspec: source.buildspec is the path 'buildspec-verify.yml', read from the source, "
        "which a push can change)",
    )


def test_a_verification_project_with_the_default_buildspec_is_not_stack_owned():
    projects = step_projects(verify=project("verify", buildspec=""))
    assert_violation(
        judge(projects=projects),
        VERIFICATION,
        "source.buildspec is not set, so CodeBuild reads buildspec.yml from the source, which a "
        "push can change",
    )


def test_a_project_that_only_quotes_the_verify_step_in_a_heredoc_does_not_verify():
    quoting = (
        "version: 0.2\nphases:\n  build:\n    commands:\n"
        "      - |\n        cat > notes.txt <<'EOF'\n        python3 -m release_steps.verify\n"
        "        EOF\n"
    )
    projects = step_projects(verify=project("verify", buildspec=quoting))
    assert_violation(
        judge(projects=projects),
        VERIFICATION,
        "its project 'guarded-delivery-prod-api-verify' (Project 'api-verify') runs a stack-owned "
        "buildspec with no `python3 -m release_steps.verify` command",
    )


def test_a_verification_naming_no_project_of_the_stack_is_refused():
    stages = [SOURCE, BUILD, IMAGE, SIGN, APPROVAL, verify_stage(step="elsewhere"), DEPLOY]
    assert_violation(
        judge(stages),
        VERIFICATION,
        "stages[5].actions[0] ('Verify') reads what it deploys, but its configuration.ProjectName "
        "'guarded-delivery-prod-api-elsewhere' names no CodeBuild project of this stack",
    )


def test_a_verification_project_of_another_account_does_not_count():
    other = resource("pulumi:providers:aws", "other-account", {"region": "us-east-1"})
    projects = [*step_projects()[:3], project("verify", provider=other)]
    assert_violation(
        analyze(POLICIES, [other, *projects, pipeline()]),
        VERIFICATION,
        "names no CodeBuild project of this stack",
    )


def test_nothing_is_required_when_the_config_turns_it_off():
    stages = [SOURCE, BUILD, IMAGE, SIGN, APPROVAL, DEPLOY]
    assert_no_violations(judge(stages, config={"requireArtifactVerification": False}))


def test_a_bad_config_value_is_reported_in_one_line():
    assert_violation(
        judge(config={"requireArtifactVerification": "yes"}),
        VERIFICATION,
        "policy config codepipeline-artifact-verification.requireArtifactVerification is 'yes'; "
        "set it to true or false",
    )


# --- what is not known at preview is undecided, never passed, never refused ----------------------


def test_an_unknown_verify_buildspec_is_undecided_and_its_known_twin_judged():
    unknown = step_projects(verify=project("verify", buildspec=UNKNOWN))
    result = judge(projects=unknown)
    assert not result.of(VERIFICATION)
    assert_skipped(result, VERIFICATION, "api.stages[6].actions[0] (its verification)")
    assert_no_violations(judge())


def test_an_unknown_project_name_may_be_the_verification():
    unnamed = step_projects(verify=project("verify", name=UNKNOWN))
    stages = [SOURCE, BUILD, IMAGE, SIGN, APPROVAL, verify_stage(step="renamed"), DEPLOY]
    result = judge(stages, projects=unnamed)
    assert not result.of(VERIFICATION)
    assert_skipped(result, VERIFICATION, "(its verification)")


def test_an_unknown_stage_may_hold_the_verification_or_a_deploy():
    result = judge([SOURCE, BUILD, IMAGE, SIGN, {"name": "Verify", "actions": UNKNOWN}, DEPLOY])
    assert not result.of(VERIFICATION)
    assert_skipped(result, VERIFICATION, "api.stages[4].actions")
    assert_skipped(analyze(POLICIES, [pipeline(UNKNOWN)]), VERIFICATION, "api.stages")


def test_unknown_deploy_inputs_are_undecided():
    deploy = stage("Deploy", {**DEPLOY["actions"][0], "inputArtifacts": UNKNOWN})
    result = judge([SOURCE, BUILD, IMAGE, SIGN, APPROVAL, verify_stage(), deploy])
    assert not result.of(VERIFICATION)
    assert_skipped(result, VERIFICATION, "api.stages[6].actions[0].inputArtifacts")


def test_an_unknown_action_does_not_hide_a_deploy_that_provably_lacks_verification():
    # The unknown action runs after the deploy: it cannot be its verification.
    later = stage("Later", UNKNOWN)
    result = judge([SOURCE, BUILD, IMAGE, SIGN, DEPLOY, later])
    assert_violation(result, VERIFICATION, "has no verification action before it")
    assert_skipped(result, VERIFICATION, "api.stages[5].actions[0] (which may be a deploy action)")
