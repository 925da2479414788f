"""The publish step against moto: bake on the stack's alarms, then copy and sign for the next stacks."""

import base64
import hashlib
import io
import json
import re
import zipfile

import pytest

from components.release.steps.signature import sign_manifest
from tests.support.release_account import (
    ARTIFACT_ALIAS,
    BUCKET,
    COMMIT,
    EXECUTION,
    OTHER_ALIAS,
    PIPELINE,
    PROD,
    SIGNING_ALIAS,
    STAGING,
    STAGING_ALIAS,
    STAGING_ARTIFACT_ALIAS,
    STAGING_BUCKET,
    STAGING_EXECUTION,
    STAGING_PIPELINE,
    published_key,
    sha256,
    zip_bytes,
)

PROD_PIPELINE = "guarded-delivery-prod-api"
PROD_EXECUTION = "c0a80101-7d3e-4a1b-8f2e-5b6c7d8e9f00"


def record_writes(release) -> list[tuple[str, dict]]:
    """Every PutObject and CopyObject under `releases/` from now on: (operation, parameters)."""
    writes: list[tuple[str, dict]] = []

    def remember(params, model, **_):
        if params.get("Key", "").startswith("releases/"):
            writes.append((model.name, dict(params)))

    s3 = release.aws.client("s3")
    for operation in ("PutObject", "CopyObject"):
        s3.meta.events.register(f"provide-client-params.s3.{operation}", remember)
    return writes


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def kms_verifies(release, key_id: str, data: bytes, envelope: dict) -> bool:
    return release.aws.client("kms").verify(
        KeyId=key_id,
        Message=hashlib.sha256(data).digest(),
        MessageType="DIGEST",
        Signature=base64.b64decode(envelope["signature"]),
        SigningAlgorithm="ECDSA_SHA_256",
    )["SignatureValid"]


def refused_lines(err: str) -> list[str]:
    return [line[4:] for line in err.splitlines() if line.startswith("  - ")]


def test_a_baked_release_is_published_byte_for_byte_release_artifact_last(
    downstream, signed, run_publish, fake_clock
):
    writes = record_writes(downstream)
    downstream.queue_action_executions()

    code, out, err = run_publish()

    assert (code, err) == (0, ""), out
    assert fake_clock.sleeps == [30.0, 30.0]  # polls at 0, 30 and 60 s
    prefix = f"releases/api/{STAGING}"
    assert [(operation, params["Key"]) for operation, params in writes] == [
        ("CopyObject", f"{prefix}/BuildOutput.zip"),
        ("CopyObject", f"{prefix}/ImageOutput.zip"),
        ("PutObject", f"{prefix}/ReleaseOutput.zip"),  # last: the downstream starts from it
    ]
    for _, params in writes:  # what the bucket policy demands of every upload
        assert params["ServerSideEncryption"] == "aws:kms"
        assert params["SSEKMSKeyId"] == downstream.arn(ARTIFACT_ALIAS)
    manifest_bytes = (signed / "manifest.json").read_bytes()
    manifest = json.loads(manifest_bytes)
    s3 = downstream.aws.client("s3")
    versions = {}
    for index, name in enumerate(("BuildOutput", "ImageOutput")):
        signed_entry = manifest["artifacts"][name]
        assert writes[index][1]["CopySource"] == {
            "Bucket": BUCKET,
            "Key": signed_entry["key"],
            "VersionId": signed_entry["versionId"],
        }
        copy = downstream.get_object(published_key(STAGING, name))
        assert copy == downstream.get_object(signed_entry["key"])
        assert sha256(copy) == signed_entry["sha256"]
        versions[name] = s3.head_object(Bucket=BUCKET, Key=published_key(STAGING, name))
    release_key = published_key(STAGING, "ReleaseOutput")
    versions["ReleaseOutput"] = s3.head_object(Bucket=BUCKET, Key=release_key)
    published = members(downstream.get_object(release_key))
    assert sorted(published) == [
        "deployment.json",
        "deployment.sig.json",
        "manifest.json",
        "manifest.sig.json",
        "sbom.cdx.json",
        "scan-report.json",
    ]
    for name in ("manifest.json", "manifest.sig.json", "sbom.cdx.json", "scan-report.json"):
        assert published[name] == (signed / name).read_bytes()
    record = json.loads(published["deployment.json"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", record["deployedAt"])
    assert record == {
        "schema": "guarded-delivery/deployment-record/v1",
        "stack": "dev",
        "service": "api",
        "pipeline": PIPELINE,
        "pipelineExecutionId": EXECUTION,
        "manifestSha256": sha256(manifest_bytes),
        "commitId": COMMIT,
        "deployedAt": record["deployedAt"],
        "bake": {"minutes": 1, "alarms": ["api-5xx", "api-latency"], "allOk": True},
        "promotedTo": STAGING,
    }
    assert (
        published["deployment.json"]
        == json.dumps(record, sort_keys=True, separators=(",", ":")).encode()
    )
    envelope = json.loads(published["deployment.sig.json"])
    assert envelope["keyId"] == downstream.keys[SIGNING_ALIAS]
    assert envelope["manifestSha256"] == sha256(published["deployment.json"])
    assert kms_verifies(downstream, downstream.alias_arn, published["deployment.json"], envelope)
    assert out.splitlines() == [
        f"publish: publishing {PIPELINE} commit {COMMIT} (built here), manifest sha256 "
        f"{sha256(manifest_bytes)}, after a bake of 1 minute(s): 2 alarm(s) never in ALARM "
        "over 3 poll(s)",
        f"  staging: s3://{BUCKET}/{prefix}/BuildOutput.zip (version "
        f"{versions['BuildOutput']['VersionId']}), sha256 {manifest['artifacts']['BuildOutput']['sha256']}",
        f"  staging: s3://{BUCKET}/{prefix}/ImageOutput.zip (version "
        f"{versions['ImageOutput']['VersionId']}), sha256 {manifest['artifacts']['ImageOutput']['sha256']}",
        f"  staging: s3://{BUCKET}/{release_key} (version "
        f"{versions['ReleaseOutput']['VersionId']}), record signed with "
        f"{downstream.keys[SIGNING_ALIAS]}",
    ]
    downstream.aws.assert_all_stubs_used()


def test_each_target_gets_its_own_signed_record(downstream, signed, run_publish):
    downstream.queue_action_executions()

    code, _, err = run_publish(PUBLISH_TARGETS=f"{STAGING},{PROD}", BAKE_MINUTES="0")

    assert (code, err) == (0, "")
    records = {}
    for target in (STAGING, PROD):
        published = members(downstream.get_object(published_key(target, "ReleaseOutput")))
        records[target] = json.loads(published["deployment.json"])
        envelope = json.loads(published["deployment.sig.json"])
        assert kms_verifies(
            downstream, downstream.alias_arn, published["deployment.json"], envelope
        )
        copy = downstream.get_object(published_key(target, "BuildOutput"))
        assert copy == downstream.get_object(downstream.artifact_key("BuildOutput"))
    assert records[STAGING]["promotedTo"] == STAGING and records[PROD]["promotedTo"] == PROD
    assert {**records[STAGING], "promotedTo": PROD} == records[PROD]


def test_an_alarm_in_alarm_during_the_bake_publishes_nothing(
    downstream, signed, run_publish, fake_clock
):
    writes = record_writes(downstream)
    reason = "Threshold Crossed: 1 out of the last 1 datapoints [812.0] was >= the threshold (5.0)"
    fake_clock.after_sleep[2] = lambda: downstream.aws.client("cloudwatch").set_alarm_state(
        AlarmName="api-5xx", StateValue="ALARM", StateReason=reason
    )

    code, out, err = run_publish(BAKE_MINUTES="2")

    assert (code, out) == (1, "")
    assert refused_lines(err) == [
        f"not published: alarm api-5xx went to ALARM during the bake (reason: {reason})",
        "nothing was published",
    ]
    assert fake_clock.sleeps == [30.0, 30.0]  # the third poll saw it; the bake stopped there
    assert writes == []
    listing = downstream.aws.client("s3").list_objects_v2(Bucket=BUCKET, Prefix="releases/")
    assert listing["KeyCount"] == 0


def test_an_alarm_that_does_not_exist_is_a_configuration_error(signed, run_publish):
    code, out, err = run_publish(ALARM_NAMES="api-5xx,api-5xx-typo")

    assert (code, out) == (2, "")
    assert err == "publish: error: alarm api-5xx-typo does not exist (ALARM_NAMES)\n"


def test_no_target_means_nothing_to_publish(run_publish, fake_clock):
    assert run_publish(PUBLISH_TARGETS="") == (
        0,
        "publish: nothing to publish: PUBLISH_TARGETS is empty\n",
        "",
    )
    assert fake_clock.sleeps == []


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"BAKE_MINUTES": "half an hour"}, "BAKE_MINUTES is not a whole number of minutes"),
        ({"PUBLISH_TARGETS": "staging,dev"}, "PUBLISH_TARGETS: stack dev cannot publish to itself"),
        ({"PUBLISH_TARGETS": "../prod"}, "PUBLISH_TARGETS: ../prod is not a name"),
        ({"PUBLISH_KEY_ID": ""}, "missing environment variable PUBLISH_KEY_ID"),
    ],
)
def test_a_bad_setting_is_a_configuration_error(run_publish, overrides, message):
    code, out, err = run_publish(**overrides)

    assert (code, out) == (2, "")
    assert err.startswith(f"publish: error: {message}")


def test_an_artifact_changed_after_signing_is_not_published(
    downstream, signed, run_publish, fake_clock
):
    then = json.loads((signed / "manifest.json").read_bytes())["artifacts"]["BuildOutput"]
    changed = zip_bytes({"handler.py": "import os; os.system('curl evil')\n"})
    downstream.put_object(downstream.artifact_key("BuildOutput"), changed)
    downstream.queue_action_executions()

    code, out, err = run_publish(BAKE_MINUTES="0")

    assert (code, out) == (1, "")
    assert refused_lines(err) == [
        f"artifact BuildOutput of this execution has sha256 {sha256(changed)}, "
        f"the manifest has {then['sha256']}",
        "nothing was published",
    ]
    assert fake_clock.sleeps == []  # BAKE_MINUTES 0: one look at the alarms
    listing = downstream.aws.client("s3").list_objects_v2(Bucket=BUCKET, Prefix="releases/")
    assert listing["KeyCount"] == 0


def test_a_promoted_release_is_republished_carrying_the_upstream_record(
    downstream, published, run_publish, run_promoted_verify
):
    from_dev = members(downstream.get_object(published_key(STAGING, "ReleaseOutput")))
    downstream.record_sources()  # staging's execution starts from what dev published
    downstream.queue_action_executions(pipeline=STAGING_PIPELINE, execution=STAGING_EXECUTION)
    assert run_promoted_verify()[0] == 0  # staging verifies, deploys, then publishes to prod
    downstream.queue_action_executions(pipeline=STAGING_PIPELINE, execution=STAGING_EXECUTION)

    code, out, err = run_publish(
        PIPELINE_NAME=STAGING_PIPELINE,
        EXECUTION_ID=STAGING_EXECUTION,
        STACK=STAGING,
        SIGNING_KEY_ID=downstream.arn(STAGING_ALIAS),
        TRUSTED_KEY_ID=downstream.alias_arn,
        PUBLISH_BUCKET=STAGING_BUCKET,
        PUBLISH_KEY_ID=downstream.arn(STAGING_ARTIFACT_ALIAS),
        PUBLISH_TARGETS=PROD,
    )

    assert (code, err) == (0, ""), out
    assert "(promoted from dev)" in out.splitlines()[0]
    to_prod = members(downstream.get_object(published_key(PROD, "ReleaseOutput"), STAGING_BUCKET))
    assert sorted(to_prod) == [
        "deployment.json",
        "deployment.sig.json",
        "manifest.json",
        "manifest.sig.json",
        "sbom.cdx.json",
        "scan-report.json",
        "upstream/dev/deployment.json",
        "upstream/dev/deployment.sig.json",
    ]
    for name in ("manifest.json", "manifest.sig.json", "sbom.cdx.json", "scan-report.json"):
        assert to_prod[name] == from_dev[name]
    assert to_prod["upstream/dev/deployment.json"] == from_dev["deployment.json"]
    assert to_prod["upstream/dev/deployment.sig.json"] == from_dev["deployment.sig.json"]
    record = json.loads(to_prod["deployment.json"])
    assert (record["stack"], record["pipeline"], record["promotedTo"]) == (
        STAGING,
        STAGING_PIPELINE,
        PROD,
    )
    assert (record["pipelineExecutionId"], record["commitId"]) == (STAGING_EXECUTION, COMMIT)
    assert record["manifestSha256"] == json.loads(from_dev["deployment.json"])["manifestSha256"]
    envelope = json.loads(to_prod["deployment.sig.json"])
    assert envelope["keyId"] == downstream.keys[STAGING_ALIAS]
    staging_key = downstream.arn(STAGING_ALIAS)
    assert kms_verifies(downstream, staging_key, to_prod["deployment.json"], envelope)
    for name in ("BuildOutput", "ImageOutput"):
        copy = downstream.get_object(published_key(PROD, name), STAGING_BUCKET)
        assert copy == downstream.get_object(published_key(STAGING, name))

    # Prod starts from what staging published and trusts staging's key (its ARN, as across accounts).
    downstream.record_sources(
        PROD_EXECUTION, PROD, source_bucket=STAGING_BUCKET, pipeline=PROD_PIPELINE
    )
    downstream.queue_action_executions(pipeline=PROD_PIPELINE, execution=PROD_EXECUTION)
    code, out, err = run_promoted_verify(
        PIPELINE_NAME=PROD_PIPELINE,
        EXECUTION_ID=PROD_EXECUTION,
        STACK=PROD,
        UPSTREAM_STACK=STAGING,
        UPSTREAM_PIPELINE=STAGING_PIPELINE,
        TRUSTED_KEY_ID=downstream.keys[STAGING_ALIAS],
    )
    assert (code, err) == (0, "")
    assert f"from staging execution {STAGING_EXECUTION}" in out
    downstream.aws.assert_all_stubs_used()


def test_a_release_signed_for_another_pipeline_is_not_published(downstream, signed, run_publish):
    downstream.queue_action_executions(pipeline="guarded-delivery-dev-web")

    code, _, err = run_publish(PIPELINE_NAME="guarded-delivery-dev-web", BAKE_MINUTES="0")

    assert code == 1
    assert refused_lines(err) == [
        f"manifest of another pipeline: {PIPELINE}, this pipeline is guarded-delivery-dev-web",
        "nothing was published",
    ]


def test_a_promoted_release_with_a_forged_record_is_not_passed_on(
    downstream, published, run_publish
):
    key = published_key(STAGING, "ReleaseOutput")
    files = members(downstream.get_object(key))
    forged = sign_manifest(
        downstream.aws.client("kms"), downstream.other_alias_arn, files["deployment.json"]
    )
    downstream.put_object(key, zip_bytes({**files, "deployment.sig.json": forged.to_bytes()}))
    downstream.record_sources()
    downstream.queue_action_executions(pipeline=STAGING_PIPELINE, execution=STAGING_EXECUTION)
    writes = record_writes(downstream)

    code, _, err = run_publish(
        PIPELINE_NAME=STAGING_PIPELINE,
        EXECUTION_ID=STAGING_EXECUTION,
        STACK=STAGING,
        SIGNING_KEY_ID=downstream.arn(STAGING_ALIAS),
        TRUSTED_KEY_ID=downstream.alias_arn,
        PUBLISH_BUCKET=STAGING_BUCKET,
        PUBLISH_KEY_ID=downstream.arn(STAGING_ARTIFACT_ALIAS),
        PUBLISH_TARGETS=PROD,
        BAKE_MINUTES="0",
    )

    assert code == 1
    assert refused_lines(err) == [
        f"deployment record signed by another key: {downstream.keys[OTHER_ALIAS]}, this stage "
        f"trusts {downstream.alias_arn} ({downstream.keys[SIGNING_ALIAS]})",
        "nothing was published",
    ]
    assert writes == []
