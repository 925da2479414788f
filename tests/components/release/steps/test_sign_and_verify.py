"""Sign then verify against moto: a clean release passes; every kind of difference is refused."""

import base64
import hashlib
import json
from pathlib import Path

from components.release.steps.manifest import ReleaseManifest
from components.release.steps.signature import SignatureEnvelope, sign_manifest
from tests.support.release_account import (
    BUILD_FILES,
    BUILD_ID,
    COMMIT,
    EXECUTION,
    IMAGE_REPOSITORY,
    OTHER_ALIAS,
    OTHER_COMMIT,
    PIPELINE,
    REGISTRY,
    SIGNING_ALIAS,
    T0,
    sha256,
    zip_bytes,
)


def read_manifest(output: Path) -> dict:
    return json.loads((output / "manifest.json").read_bytes())


def refused_lines(err: str) -> list[str]:
    """The `  - ...` lines of a refusal, without the bullet."""
    return [line[4:] for line in err.splitlines() if line.startswith("  - ")]


def test_a_clean_release_is_signed_and_verified(release, run_sign, run_verify, output):
    build = release.record_build()
    image = release.record_image()
    release.record_action("Sign", "Sign", {}, status="InProgress")  # the step itself, running
    release.queue_action_executions()
    release.queue_scan()

    code, out, err = run_sign()

    assert (code, err) == (0, ""), out + err
    manifest_bytes = (output / "manifest.json").read_bytes()
    manifest = read_manifest(output)
    assert (
        manifest_bytes
        == json.dumps(manifest, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()
    )
    assert manifest["schema"] == "guarded-delivery/release-manifest/v1"
    assert (manifest["stack"], manifest["service"], manifest["pipeline"]) == (
        "dev",
        "api",
        PIPELINE,
    )
    assert manifest["source"] == {"repository": "example/api", "branch": "main", "commitId": COMMIT}
    assert (manifest["pipelineExecutionId"], manifest["buildId"]) == (EXECUTION, BUILD_ID)
    assert manifest["artifacts"]["BuildOutput"]["sha256"] == sha256(build)
    assert manifest["artifacts"]["ImageOutput"]["sha256"] == sha256(image)
    assert manifest["artifacts"]["BuildOutput"]["key"] == release.artifact_key("BuildOutput")
    assert manifest["artifacts"]["BuildOutput"]["versionId"]
    assert manifest["image"]["digest"] == release.image_digest
    assert manifest["image"]["uri"] == f"{REGISTRY}/{IMAGE_REPOSITORY}@{release.image_digest}"
    assert (manifest["image"]["tag"], manifest["image"]["scanFindings"]) == (COMMIT, {"HIGH": 1})
    sbom = (output / "sbom.cdx.json").read_bytes()
    assert manifest["sbom"] == {
        "format": "CycloneDX",
        "specVersion": "1.5",
        "sha256": sha256(sbom),
        "components": 2,  # requests (dist-info) and urllib3 (pinned); idna>=3.7 is not pinned
    }
    assert manifest["scan"]["verdict"] == "pass"
    assert manifest["scan"]["counts"] == {
        "CRITICAL": 0,
        "HIGH": 1,
        "MEDIUM": 0,
        "LOW": 0,
        "OTHER": 0,
    }
    assert manifest["scan"]["reportSha256"] == sha256((output / "scan-report.json").read_bytes())
    envelope = json.loads((output / "manifest.sig.json").read_bytes())
    assert envelope["keyId"] == release.keys[SIGNING_ALIAS]
    assert envelope["requestedKeyId"] == release.alias_arn
    assert envelope["manifestSha256"] == sha256(manifest_bytes)
    verified = release.aws.client("kms").verify(
        KeyId=release.alias_arn,
        Message=hashlib.sha256(manifest_bytes).digest(),
        MessageType="DIGEST",
        Signature=base64.b64decode(envelope["signature"]),
        SigningAlgorithm="ECDSA_SHA_256",
    )
    assert verified["SignatureValid"] is True
    assert (output / "variables.env").read_text() == (
        f"MANIFEST_SHA256={sha256(manifest_bytes)}\nCOMMIT_ID={COMMIT}\n"
        f"IMAGE_DIGEST={release.image_digest}\nSCAN_VERDICT=pass\n"
    )
    assert f"commit {COMMIT}" in out and f"signed with {release.keys[SIGNING_ALIAS]}" in out

    release.record_release(output)
    release.queue_action_executions()
    code, out, err = run_verify(APPROVED_MANIFEST_SHA256=sha256(manifest_bytes))

    assert (code, err) == (0, "")
    assert out == (
        f"verified: {PIPELINE} {COMMIT} manifest sha256 {sha256(manifest_bytes)}, "
        f"2 artifacts, image {release.image_digest}\n"
    )
    release.aws.assert_all_stubs_used()


def test_a_release_without_image_signs_and_verifies(release, run_sign, run_verify, output):
    release.record_build()
    release.queue_action_executions()
    release.queue_scan([{"id": "CVE-2024-37891", "ratings": [{"severity": "medium"}]}])

    code, out, err = run_sign(
        RELEASE_ARTIFACTS="BuildOutput", IMAGE_ARTIFACT="", VULNERABILITY_GATE="HIGH"
    )

    assert code == 0, out + err
    manifest = read_manifest(output)
    assert (manifest["image"], manifest["scan"]["counts"]["MEDIUM"]) == (None, 1)
    assert "IMAGE_DIGEST=none\n" in (output / "variables.env").read_text()
    release.record_release(output)
    release.queue_action_executions()
    code, out, err = run_verify(DEPLOY_ARTIFACTS="BuildOutput", IMAGE_ARTIFACT="")
    assert (code, err) == (0, "")
    assert out.endswith(", 1 artifacts, image none\n")


def test_an_artifact_changed_after_signing_is_tampered(release, signed, run_verify):
    then = read_manifest(signed)["artifacts"]["BuildOutput"]["sha256"]
    changed = zip_bytes({**BUILD_FILES, "handler.py": "import os; os.system('curl evil')\n"})
    release.put_object(release.artifact_key("BuildOutput"), changed)  # a new version, same key
    release.queue_action_executions()

    code, out, err = run_verify()

    assert (code, out) == (1, "")
    assert refused_lines(err) == [
        f"tampered artifact BuildOutput: sha256 {sha256(changed)}, signed {then}"
    ]


def test_a_manifest_signed_by_another_key_is_refused(release, run_sign, run_verify, output):
    release.record_build()
    release.record_image()
    release.queue_action_executions()
    release.queue_scan()
    assert run_sign(SIGNING_KEY_ID=release.other_alias_arn)[0] == 0
    release.record_release(output)
    release.queue_action_executions()

    code, _, err = run_verify()

    assert code == 1
    assert refused_lines(err) == [
        f"manifest signed by another key: {release.keys[OTHER_ALIAS]}, this stage trusts "
        f"{release.alias_arn} ({release.keys[SIGNING_ALIAS]})"
    ]


def test_an_envelope_naming_the_trusted_key_over_another_keys_signature_does_not_verify(
    release, signed, run_verify
):
    manifest_bytes = (signed / "manifest.json").read_bytes()
    forged = sign_manifest(release.aws.client("kms"), release.other_alias_arn, manifest_bytes)
    envelope = SignatureEnvelope(
        key_id=release.keys[SIGNING_ALIAS],
        requested_key_id=release.alias_arn,
        manifest_sha256=forged.manifest_sha256,
        signature=forged.signature,
    )
    (signed / "manifest.sig.json").write_bytes(envelope.to_bytes())
    release.record_release(signed)
    release.queue_action_executions()

    code, _, err = run_verify()

    assert code == 1
    assert refused_lines(err) == [
        f"signature does not verify with the release key {release.alias_arn}"
    ]


def test_a_release_without_signature_is_unsigned(release, signed, run_verify):
    release.record_release(signed, leave_out=("manifest.sig.json",))
    release.queue_action_executions()

    code, _, err = run_verify()

    assert code == 1
    assert refused_lines(err) == ["unsigned: artifact ReleaseOutput has no manifest.sig.json"]


def test_an_execution_without_release_artifact_has_no_manifest(release, run_verify):
    release.record_build()
    release.record_image()
    release.queue_action_executions()

    code, _, err = run_verify()

    assert code == 1
    assert refused_lines(err) == [
        f"no manifest: execution {EXECUTION} has no artifact ReleaseOutput"
    ]


def test_a_release_without_manifest_is_refused(release, signed, run_verify):
    release.record_release(signed, leave_out=("manifest.json",))
    release.queue_action_executions()

    code, _, err = run_verify()

    assert code == 1
    assert refused_lines(err) == ["no manifest: artifact ReleaseOutput has no manifest.json"]


def test_a_manifest_of_another_revision_is_refused(release, signed, run_verify):
    release.queue_action_executions()

    code, _, err = run_verify(COMMIT_ID=OTHER_COMMIT)

    assert code == 1
    assert refused_lines(err) == [
        f"manifest of another revision: {COMMIT}, this execution's source is {OTHER_COMMIT}"
    ]


def test_a_manifest_of_another_pipeline_is_refused(release, signed, run_verify):
    release.queue_action_executions(pipeline="guarded-delivery-dev-web")

    code, _, err = run_verify(PIPELINE_NAME="guarded-delivery-dev-web")

    assert code == 1
    assert refused_lines(err) == [
        f"manifest of another pipeline: {PIPELINE}, this pipeline is guarded-delivery-dev-web"
    ]


def test_a_release_that_is_not_the_approved_one_is_refused(release, signed, run_verify):
    digest = sha256((signed / "manifest.json").read_bytes())
    release.queue_action_executions()

    code, _, err = run_verify(APPROVED_MANIFEST_SHA256="0" * 64)

    assert code == 1
    assert refused_lines(err) == [
        f"not the release that was approved: manifest sha256 {digest}, the approval showed {'0' * 64}"
    ]


def test_sign_refuses_an_image_referenced_by_tag(release, run_sign, output):
    release.record_build()
    tagged = f"{REGISTRY}/{IMAGE_REPOSITORY}:{COMMIT}"
    release.record_image(tagged)
    release.queue_action_executions()

    code, out, err = run_sign()

    assert (code, out) == (1, "")
    assert refused_lines(err) == [
        f"image referenced by tag {tagged}: the deploy must take it by digest"
    ]
    assert not output.exists()


def test_sign_refuses_an_image_not_tagged_with_the_commit(release, run_sign):
    release.record_build()
    other = release.push_image("latest-build", layer="2")
    release.record_image(f"{REGISTRY}/{IMAGE_REPOSITORY}@{other}")
    release.queue_action_executions()

    code, _, err = run_sign()

    assert code == 1
    assert refused_lines(err) == [
        f"image {other} in {IMAGE_REPOSITORY} is not tagged {COMMIT} (tags: latest-build)"
    ]


def test_verify_reports_every_difference_of_a_swapped_image(release, signed, run_verify):
    signed_image = read_manifest(signed)["artifacts"]["ImageOutput"]["sha256"]
    tagged = f"{REGISTRY}/{IMAGE_REPOSITORY}:{COMMIT}"
    swapped = zip_bytes({"imageDetail.json": json.dumps({"ImageURI": tagged})})
    release.put_object(release.artifact_key("ImageOutput"), swapped)
    release.queue_action_executions()

    code, _, err = run_verify(COMMIT_ID=OTHER_COMMIT)

    assert code == 1
    assert refused_lines(err) == [
        f"manifest of another revision: {COMMIT}, this execution's source is {OTHER_COMMIT}",
        f"tampered artifact ImageOutput: sha256 {sha256(swapped)}, signed {signed_image}",
        f"image {tagged} is not the signed image {REGISTRY}/{IMAGE_REPOSITORY}@{release.image_digest}",
        f"image referenced by tag {tagged}: the deploy must take it by digest",
    ]


def test_verify_refuses_an_image_missing_from_the_repository(release, signed, run_verify):
    release.aws.client("ecr").batch_delete_image(
        repositoryName=IMAGE_REPOSITORY, imageIds=[{"imageDigest": release.image_digest}]
    )
    release.queue_action_executions()

    code, _, err = run_verify()

    assert code == 1
    assert refused_lines(err) == [
        f"image {release.image_digest} not found in ECR repository {IMAGE_REPOSITORY}"
    ]


def test_a_signed_manifest_with_a_failing_scan_never_deploys(release, signed, run_verify):
    manifest = ReleaseManifest.from_bytes((signed / "manifest.json").read_bytes())
    failing = ReleaseManifest.from_dict(
        {**manifest.to_dict(), "scan": {**manifest.scan, "verdict": "fail"}}
    )
    data = failing.to_bytes()
    (signed / "manifest.json").write_bytes(data)
    envelope = sign_manifest(release.aws.client("kms"), release.alias_arn, data)
    (signed / "manifest.sig.json").write_bytes(envelope.to_bytes())
    release.record_release(signed)
    release.queue_action_executions()

    code, _, err = run_verify()

    assert code == 1
    assert refused_lines(err) == [
        "the signed vulnerability scan verdict is fail: a failing release never deploys"
    ]


def test_a_retried_build_signs_and_verifies_the_newest_output(
    release, run_sign, run_verify, output
):
    older = release.record_build(updated=T0)
    newer_files = {**BUILD_FILES, "handler.py": "def handler(event, context):\n    return 2\n"}
    newer = release.record_build(newer_files, updated=T0.replace(hour=10))
    release.actions[1]["output"]["executionResult"]["externalExecutionId"] = "build:retried"
    release.record_image()
    failed = {**BUILD_FILES, "handler.py": "half-written\n"}
    release.record_build(failed, status="Failed", updated=T0.replace(hour=11))  # passes nothing on
    # Newest first, the older run on the second page: neither "last wins" nor one page suffices.
    pages = [[release.actions[3], release.actions[1], release.actions[2]], [release.actions[0]]]
    release.queue_action_executions(pages)
    release.queue_scan()

    assert run_sign()[0] == 0

    manifest = read_manifest(output)
    assert manifest["artifacts"]["BuildOutput"]["sha256"] == sha256(newer) != sha256(older)
    assert (
        manifest["artifacts"]["BuildOutput"]["key"]
        == release.actions[1]["output"]["outputArtifacts"][0]["s3location"]["key"]
    )
    assert manifest["buildId"] == "build:retried"
    release.record_release(output)
    release.queue_action_executions()
    assert run_verify()[0] == 0
    release.aws.assert_all_stubs_used()
