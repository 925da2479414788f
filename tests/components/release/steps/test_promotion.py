"""Verify in promotion mode on moto: dev signs and publishes, staging verifies what it received.

Each test runs the chain as the pipelines do: dev's sign step, dev's publish step (after its
deploy), staging's S3 source actions copying what dev published, then staging's verify step.
"""

import io
import json
import zipfile

from components.release.steps.manifest import ReleaseManifest
from components.release.steps.signature import sign_manifest
from tests.support.release_account import (
    BUILD_FILES,
    COMMIT,
    EXECUTION,
    IMAGE_REPOSITORY,
    OTHER_ALIAS,
    OTHER_COMMIT,
    PIPELINE,
    PROD,
    REGISTRY,
    SIGNING_ALIAS,
    STAGING,
    STAGING_BUCKET,
    STAGING_EXECUTION,
    STAGING_PIPELINE,
    published_key,
    sha256,
    zip_bytes,
)

EXECUTION_B = "5b0e2f4c-9a7d-4e61-b2c3-d4e5f6a7b8c9"
STAGING_EXECUTION_2 = "0f9e8d7c-6b5a-4c3d-2e1f-a0b1c2d3e4f5"


def refused_lines(err: str) -> list[str]:
    return [line[4:] for line in err.splitlines() if line.startswith("  - ")]


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def republish(release, target: str = STAGING, **changes: bytes) -> dict[str, bytes]:
    """Replace files of the ReleaseOutput.zip dev published (what an attacker would have to do)."""
    key = published_key(target, "ReleaseOutput")
    files = {**members(release.get_object(key)), **changes}
    release.put_object(key, zip_bytes(files))
    return files


def source_and_queue(release, execution: str = STAGING_EXECUTION) -> dict[str, bytes]:
    """Staging's execution starts from what dev published; its verify will ask CodePipeline."""
    copied = release.record_sources(execution)
    release.queue_action_executions(pipeline=STAGING_PIPELINE, execution=execution)
    return copied


def test_a_release_signed_in_dev_and_published_verifies_in_staging(
    downstream, published, run_promoted_verify, tmp_path
):
    digest = sha256((published / "manifest.json").read_bytes())
    source_and_queue(downstream)
    variables = tmp_path / "verified"

    code, out, err = run_promoted_verify(
        APPROVED_MANIFEST_SHA256=digest,
        OUTPUT_DIRECTORY=str(variables),
        TRUSTED_KEY_ID=downstream.keys[SIGNING_ALIAS],  # the key ARN, as across accounts
    )

    assert (code, err) == (0, "")
    assert out == (
        f"verified promoted release: {STAGING_PIPELINE} {COMMIT} manifest sha256 {digest} "
        f"from dev execution {EXECUTION}, 2 artifacts, image {downstream.image_digest}\n"
    )
    assert (variables / "variables.env").read_text() == (
        f"MANIFEST_SHA256={digest}\nCOMMIT_ID={COMMIT}\nIMAGE_DIGEST={downstream.image_digest}\n"
        f"SCAN_VERDICT=pass\nUPSTREAM_EXECUTION_ID={EXECUTION}\n"
    )
    downstream.aws.assert_all_stubs_used()


def test_an_artifact_altered_between_environments_is_refused(
    downstream, published, run_promoted_verify
):
    signed = json.loads((published / "manifest.json").read_bytes())["artifacts"]["BuildOutput"]
    other = zip_bytes({**BUILD_FILES, "handler.py": "def handler(e, c):\n    return 'other'\n"})
    downstream.put_object(published_key(STAGING, "BuildOutput"), other)  # before staging reads it
    source_and_queue(downstream)

    code, out, err = run_promoted_verify()

    assert (code, out) == (1, "")
    assert refused_lines(err) == [
        f"artifact altered between environments: BuildOutput has sha256 {sha256(other)}, "
        f"the manifest says {signed['sha256']}"
    ]


def test_a_manifest_swapped_in_the_release_artifact_is_refused(
    downstream, published, run_promoted_verify
):
    original = (published / "manifest.json").read_bytes()
    manifest = ReleaseManifest.from_bytes(original)
    swapped = ReleaseManifest.from_dict({**manifest.to_dict(), "createdAt": "2025-05-02T00:00:00Z"})
    data = swapped.to_bytes()
    envelope = sign_manifest(downstream.aws.client("kms"), downstream.alias_arn, data)
    republish(downstream, **{"manifest.json": data, "manifest.sig.json": envelope.to_bytes()})
    source_and_queue(downstream)

    code, _, err = run_promoted_verify()

    assert code == 1
    assert refused_lines(err) == [  # even validly signed by dev: not what dev's record vouches for
        f"manifest altered between environments: manifest sha256 {sha256(data)}, "
        f"the deployment record of dev vouches for {sha256(original)}"
    ]


def test_a_record_signed_by_another_key_is_refused(downstream, published, run_promoted_verify):
    record = members(downstream.get_object(published_key(STAGING, "ReleaseOutput")))
    forged = sign_manifest(
        downstream.aws.client("kms"), downstream.other_alias_arn, record["deployment.json"]
    )
    republish(downstream, **{"deployment.sig.json": forged.to_bytes()})
    source_and_queue(downstream)

    code, _, err = run_promoted_verify()

    assert code == 1
    assert refused_lines(err) == [
        f"deployment record signed by another key: {downstream.keys[OTHER_ALIAS]}, this stage "
        f"trusts {downstream.alias_arn} ({downstream.keys[SIGNING_ALIAS]})"
    ]


def test_a_record_published_for_prod_is_refused_in_staging(
    downstream, signed, run_publish, run_promoted_verify
):
    downstream.queue_action_executions()
    assert run_publish(PUBLISH_TARGETS=f"{STAGING},{PROD}")[0] == 0
    downstream.record_sources(published=PROD)  # staging's sources pointed at prod's objects
    downstream.queue_action_executions(pipeline=STAGING_PIPELINE, execution=STAGING_EXECUTION)

    code, _, err = run_promoted_verify()

    assert code == 1
    assert refused_lines(err) == [
        f"published for another environment: the deployment record promotes to {PROD}, "
        f"this stack is {STAGING}"
    ]


def test_a_record_of_another_upstream_or_a_failed_bake_is_refused(
    downstream, published, run_promoted_verify
):
    record = json.loads(
        members(downstream.get_object(published_key(STAGING, "ReleaseOutput")))["deployment.json"]
    )
    failed = json.dumps(
        {**record, "bake": {**record["bake"], "allOk": False}},
        sort_keys=True,
        separators=(",", ":"),
    ).encode()
    envelope = sign_manifest(downstream.aws.client("kms"), downstream.alias_arn, failed)
    republish(downstream, **{"deployment.json": failed, "deployment.sig.json": envelope.to_bytes()})
    source_and_queue(downstream)

    code, _, err = run_promoted_verify(
        UPSTREAM_STACK="qa", UPSTREAM_PIPELINE="guarded-delivery-qa-api"
    )

    assert code == 1
    assert refused_lines(err) == [
        "deployment record of stack dev, this stack promotes from qa",
        f"deployment record of pipeline {PIPELINE}, the upstream pipeline is guarded-delivery-qa-api",
        "the bake in dev did not pass (bake.allOk is not true)",
    ]


def test_a_release_without_deployment_record_is_not_promoted(
    downstream, published, run_promoted_verify
):
    plain = {
        name: (published / name).read_bytes() for name in ("manifest.json", "manifest.sig.json")
    }
    downstream.put_object(published_key(STAGING, "ReleaseOutput"), zip_bytes(plain))
    source_and_queue(downstream)

    code, _, err = run_promoted_verify()

    assert code == 1
    assert refused_lines(err) == ["not a promoted release: no deployment record"]


def test_the_image_must_be_in_the_upstream_registry(downstream, published, run_promoted_verify):
    source_and_queue(downstream)

    code, _, err = run_promoted_verify(IMAGE_REGISTRY_ID="210987654321")

    assert code == 1
    assert refused_lines(err) == [f"image {downstream.image_uri} is not in registry 210987654321"]


def test_promotion_mode_without_the_upstream_key_is_a_configuration_error(run_promoted_verify):
    assert run_promoted_verify(TRUSTED_KEY_ID="") == (
        2,
        "",
        "verify: error: missing environment variable TRUSTED_KEY_ID\n",
    )


def sign_and_publish_b(release, run_sign, run_publish, output) -> str:
    """Dev's next execution: commit B built, imaged, signed, deployed and published to staging."""
    image_b = release.push_image(OTHER_COMMIT, layer="2")
    files_b = {**BUILD_FILES, "handler.py": "def handler(event, context):\n    return 'B'\n"}
    release.record_build(files_b, execution=EXECUTION_B)
    release.record_image(f"{REGISTRY}/{IMAGE_REPOSITORY}@{image_b}", execution=EXECUTION_B)
    release.queue_action_executions(execution=EXECUTION_B)
    release.queue_scan()
    code, out, err = run_sign(EXECUTION_ID=EXECUTION_B, COMMIT_ID=OTHER_COMMIT)
    assert (code, err) == (0, ""), out + err
    release.record_release(output, execution=EXECUTION_B)
    release.queue_action_executions(execution=EXECUTION_B)
    code, out, err = run_publish(EXECUTION_ID=EXECUTION_B)
    assert (code, err) == (0, ""), out + err
    return sha256((output / "manifest.json").read_bytes())


def test_a_stale_approval_cannot_deploy_a_newer_release(
    downstream, published, run_sign, run_publish, run_promoted_verify, output
):
    manifest_a = json.loads((published / "manifest.json").read_bytes())
    digest_a = sha256((published / "manifest.json").read_bytes())
    downstream.record_sources(STAGING_EXECUTION)  # staging execution 1 starts from A, waits
    digest_b = sign_and_publish_b(downstream, run_sign, run_publish, output)
    manifest_b = json.loads((output / "manifest.json").read_bytes())
    assert digest_b != digest_a
    release_b = downstream.get_object(published_key(STAGING, "ReleaseOutput"))
    downstream.record_sources(STAGING_EXECUTION_2)  # execution 2 starts from B

    # Execution 1 is approved for A and still reads A: B's publication changed nothing it holds.
    downstream.queue_action_executions(pipeline=STAGING_PIPELINE, execution=STAGING_EXECUTION)
    code, out, err = run_promoted_verify(APPROVED_MANIFEST_SHA256=digest_a)
    assert (code, err) == (0, "")
    assert out.startswith(f"verified promoted release: {STAGING_PIPELINE} {COMMIT} manifest ")

    # Had execution 1's release artifact become B's, the approval of A would not cover it.
    key = downstream.artifact_key("ReleaseOutput", STAGING_EXECUTION)
    downstream.put_object(key, release_b, STAGING_BUCKET)
    downstream.queue_action_executions(pipeline=STAGING_PIPELINE, execution=STAGING_EXECUTION)
    code, _, err = run_promoted_verify(APPROVED_MANIFEST_SHA256=digest_a)
    assert code == 1
    altered = "artifact altered between environments: {0} has sha256 {1}, the manifest says {2}"
    a, b = manifest_a["artifacts"], manifest_b["artifacts"]
    assert refused_lines(err) == [
        f"not the release that was approved: manifest sha256 {digest_b}, "
        f"the approval showed {digest_a}",
        altered.format("BuildOutput", a["BuildOutput"]["sha256"], b["BuildOutput"]["sha256"]),
        altered.format("ImageOutput", a["ImageOutput"]["sha256"], b["ImageOutput"]["sha256"]),
        f"image {manifest_a['image']['uri']} is not the signed image {manifest_b['image']['uri']}",
    ]

    # Execution 2, approved for B, verifies B.
    downstream.queue_action_executions(pipeline=STAGING_PIPELINE, execution=STAGING_EXECUTION_2)
    code, out, err = run_promoted_verify(
        EXECUTION_ID=STAGING_EXECUTION_2, APPROVED_MANIFEST_SHA256=digest_b
    )
    assert (code, err) == (0, "")
    assert out == (
        f"verified promoted release: {STAGING_PIPELINE} {OTHER_COMMIT} manifest sha256 "
        f"{digest_b} from dev execution {EXECUTION_B}, 2 artifacts, "
        f"image {manifest_b['image']['digest']}\n"
    )
    downstream.aws.assert_all_stubs_used()
