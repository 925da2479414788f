"""A release that does not verify, has no manifest, or nothing deployed: exit 1, saying which."""

import json

from tests.support.release_scenarios import (
    ACCOUNT,
    ALTERED_COMMIT,
    COMMIT,
    EXECUTIONS,
    action,
    sha256,
    summary,
)

DEV_KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:alias/guarded-delivery-dev-release-signing"
STAGING_KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:alias/guarded-delivery-staging-release-signing"
CHAIN = ["dev", "staging", "prod"]


def problems(out: str) -> list[str]:
    return [line[13:] for line in out.splitlines() if line.startswith("  problem    ")]


def test_a_manifest_altered_after_signing_does_not_verify(history, run_releases):
    files = history.built("dev", "web", altered=True)
    history.deployed("dev", "web", files)

    code, out, err = run_releases("dev", "--service", "web")

    assert (code, err) == (1, "")
    assert out.startswith("dev/web: DOES NOT VERIFY\n")
    signed = json.loads(files["manifest.sig.json"])["manifestSha256"]
    assert problems(out) == [
        f"manifest.sig.json is for manifest sha256 {signed}, manifest.json has sha256 "
        f"{sha256(files['manifest.json'])}",
        f"signature does not verify with the release key {DEV_KEY}",
        f"manifest of another revision: {ALTERED_COMMIT}, this execution's source is {COMMIT}",
    ]
    assert "  signature  DOES NOT VERIFY: manifest.json with this stack's release key" in out
    assert "1 release(s): 0 verified, 1 not: dev/web (not-verified)" in out


def test_a_manifest_signed_by_another_stacks_key_does_not_verify(history, run_releases):
    manifest = history.manifest("dev", "web", EXECUTIONS["dev"])
    history.deployed("dev", "web", history.signed_files("staging", manifest))
    history.signing_key("dev")

    code, out, _ = run_releases("dev", "--service", "web", "--json")

    assert code == 1
    (release,) = json.loads(out)["releases"]
    assert release["verdict"] == "not-verified"
    assert release["signature"]["verified"] is False
    assert release["signature"]["signedBy"] == history.key_arns["staging"]
    assert release["problems"] == [
        f"manifest signed by another key: {history.key_arns['staging']}, this stage trusts "
        f"{DEV_KEY} ({history.key_arns['dev']})"
    ]


def test_a_release_signed_for_another_execution_does_not_verify(history, run_releases):
    """A genuinely signed manifest replayed into another execution is not that execution's."""
    replayed = history.manifest("dev", "web", EXECUTIONS["prod"])
    history.deployed("dev", "web", history.signed_files("dev", replayed))

    code, out, _ = run_releases("dev", "--service", "web")

    assert code == 1
    assert problems(out) == [
        f"manifest of another execution: {EXECUTIONS['prod']}, this execution is {EXECUTIONS['dev']}"
    ]
    assert "  signature  verified: manifest.json" in out


def test_a_promoted_release_whose_record_vouches_for_another_manifest(history, run_releases):
    files = history.promoted(CHAIN, "web", manifest_sha256="ab" * 32)
    history.deployed("prod", "web", files)

    code, out, _ = run_releases("prod", "--service", "web")

    assert code == 1
    assert problems(out) == [
        "manifest altered between environments: manifest sha256 "
        f"{sha256(files['manifest.json'])}, the deployment record of staging "
        f"vouches for {'ab' * 32}"
    ]
    assert "  signature  verified: deployment.json" in out  # signed, but for something else


def test_a_promoted_release_published_for_another_stack_or_unbaked(history, run_releases):
    files = history.promoted(
        CHAIN, "web", promoted_to="qa", bake={"minutes": 30, "alarms": ["web-5xx"], "allOk": False}
    )
    history.deployed("prod", "web", files)

    code, out, _ = run_releases("prod", "--service", "web")

    assert code == 1
    assert problems(out) == [
        "published for another environment: the deployment record promotes to qa, this stack is "
        "prod",
        "the bake in staging did not pass (bake.allOk is not true)",
    ]


def test_a_promoted_release_without_a_deployment_record_does_not_verify(history, run_releases):
    files = history.promoted(CHAIN, "web")
    del files["deployment.json"], files["deployment.sig.json"]
    history.deployed("prod", "web", files)

    code, out, _ = run_releases("prod", "--service", "web", "--json")

    assert code == 1
    (release,) = json.loads(out)["releases"]
    assert release["verdict"] == "not-verified"
    assert release["problems"] == [
        "not a promoted release: no deployment record",
        "unsigned deployment record: no deployment.sig.json",
    ]
    assert release["signature"]["verified"] is False


def test_an_execution_without_a_release_artifact_has_no_manifest(history, run_releases):
    execution = EXECUTIONS["dev"]
    history.stub_executions("dev", "web", [[summary(execution, "Succeeded")]])
    history.stub_actions(
        "dev", "web", execution, [action(execution, "Deploy", "Deploy", "CodeDeploy", 5)]
    )

    code, out, err = run_releases("dev", "--service", "web")

    assert (code, err) == (1, "")
    assert out.startswith("dev/web: NO MANIFEST\n")
    assert problems(out) == [f"no manifest: execution {execution} has no artifact ReleaseOutput"]
    assert "1 not: dev/web (no-manifest)" in out


def test_a_release_artifact_without_a_manifest_has_no_manifest(history, run_releases):
    history.deployed("dev", "web", {"sbom.cdx.json": b"{}"})

    code, out, _ = run_releases("dev", "--service", "web")

    assert code == 1
    assert problems(out) == ["no manifest: artifact ReleaseOutput has no manifest.json"]


def test_a_release_artifact_that_is_gone_has_no_manifest(history, run_releases, aws):
    history.deployed("dev", "web", history.built("dev", "web"))
    bucket = "guarded-delivery-dev-artifacts-123456789012-us-east-1"
    key = "guarded-delivery-dev/ReleaseOut/1d2e3f4"
    s3 = aws.client("s3")
    for version in s3.list_object_versions(Bucket=bucket, Prefix=key)["Versions"]:
        s3.delete_object(Bucket=bucket, Key=key, VersionId=version["VersionId"])

    code, out, _ = run_releases("dev", "--service", "web")

    assert code == 1
    assert problems(out) == [
        f"no manifest: the release artifact s3://{bucket}/{key} no longer exists (NoSuchKey)"
    ]


def test_no_succeeded_execution_says_how_far_it_looked(history, run_releases):
    """Two pages (100, then the 50 left of --max-executions 150) of failures; more exist."""
    failed = [summary(f"00000000-0000-4000-8000-{n:012d}", "Failed") for n in range(150)]
    history.stub_executions(
        "dev", "web", [failed[:100], failed[100:]], page_sizes=[100, 50], more=True
    )

    code, out, err = run_releases("dev", "--service", "web", "--max-executions", "150")

    assert (code, err) == (1, "")
    assert out.startswith("dev/web: NOTHING DEPLOYED\n")
    assert problems(out) == [
        "nothing deployed: no Succeeded execution among the newest 150 (older ones were not "
        "read; pass --max-executions N to look further)"
    ]
    assert (
        "  newer      150 execution(s) since, not succeeded: 00000000-0000-4000-8000-000000000000 "
        "Failed, "
    ) in out
    assert "--pipeline-name guarded-delivery-dev-web --max-items 150 --region" in out


def test_when_every_execution_was_read_it_says_so(history, run_releases):
    history.stub_executions(
        "dev",
        "web",
        [[summary(EXECUTIONS["prod"], "InProgress"), summary(EXECUTIONS["dev"], "Failed")]],
    )

    code, out, _ = run_releases("dev", "--service", "web", "--json")

    assert code == 1
    (release,) = json.loads(out)["releases"]
    assert release["verdict"] == "nothing-deployed"
    assert release["problems"] == [
        "nothing deployed: none of the pipeline's 2 execution(s) succeeded (all of them were read)"
    ]
    assert release["search"]["newer"] == [
        {"executionId": EXECUTIONS["prod"], "status": "InProgress"},
        {"executionId": EXECUTIONS["dev"], "status": "Failed"},
    ]
    assert release["execution"] is None


def test_a_pipeline_that_never_ran_or_does_not_exist_is_nothing_deployed(aws, run_releases):
    stubber = aws.stub("codepipeline")
    stubber.add_response("list_pipeline_executions", {"pipelineExecutionSummaries": []})
    stubber.add_client_error(
        "list_pipeline_executions",
        service_error_code="PipelineNotFoundException",
        service_message="Account '123456789012' does not have a pipeline with name "
        "'guarded-delivery-prod-web'",
    )

    code, out, _ = run_releases("dev", "prod", "--service", "web")

    assert code == 1
    assert problems(out) == [
        "nothing deployed: the pipeline has no executions",
        "nothing deployed: no pipeline guarded-delivery-prod-web in account 123456789012, "
        "us-east-1 (is stack prod deployed here?): Account '123456789012' does not have a "
        "pipeline with name 'guarded-delivery-prod-web'",
    ]
