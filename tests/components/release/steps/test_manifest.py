"""The manifest's canonical bytes, its checks, and the signature envelope."""

import json
import subprocess

import pytest

from components.release.steps.manifest import ManifestError, ReleaseManifest
from components.release.steps.release_artifact import variables_env
from components.release.steps.signature import EnvelopeError, SignatureEnvelope

HEX = "ab" * 32
DOCUMENT = {
    "schema": "guarded-delivery/release-manifest/v1",
    "stack": "dev",
    "service": "api",
    "pipeline": "guarded-delivery-dev-api",
    "source": {"repository": "example/api", "branch": "main", "commitId": "c0ffee"},
    "pipelineExecutionId": "exec-1",
    "buildId": "build:1",
    "artifacts": {"BuildOutput": {"sha256": HEX, "bucket": "b", "key": "k", "versionId": None}},
    "image": None,
    "sbom": {"format": "CycloneDX", "specVersion": "1.5", "sha256": HEX, "components": 0},
    "scan": {"verdict": "pass", "counts": {}, "threshold": "HIGH"},
    "createdAt": "2025-05-01T09:00:00Z",
}


def test_round_trip_keeps_unknown_fields_in_canonical_bytes():
    document = {
        **DOCUMENT,
        "provenance": {"builder": "x"},
        "source": {**DOCUMENT["source"], "tag": "v1"},
    }
    data = json.dumps(document, indent=2).encode()

    manifest = ReleaseManifest.from_bytes(data)

    assert manifest.extra == {"provenance": {"builder": "x"}}
    assert (
        manifest.to_bytes()
        == json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()
    )
    assert ReleaseManifest.from_bytes(manifest.to_bytes()) == manifest


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.pop("buildId"), "manifest field buildId is missing"),
        (lambda d: d["source"].pop("commitId"), "manifest field source.commitId is missing"),
        (
            lambda d: d["artifacts"]["BuildOutput"].update(sha256="xyz"),
            "manifest field artifacts.BuildOutput.sha256 is not 64 lowercase hex digits",
        ),
        (lambda d: d.update(image={"uri": "u"}), "manifest field image.repository is missing"),
        (lambda d: d["scan"].update(verdict="maybe"), "manifest field scan.verdict is unknown"),
        (lambda d: d.update(schema="v0"), "manifest field schema is not guarded-delivery"),
    ],
)
def test_a_malformed_manifest_names_the_field(change, message):
    document = json.loads(json.dumps(DOCUMENT))
    change(document)

    with pytest.raises(ManifestError) as raised:
        ReleaseManifest.from_bytes(json.dumps(document).encode())

    assert str(raised.value).startswith(message)
    assert "\n" not in str(raised.value)


def test_not_json_is_a_manifest_error():
    with pytest.raises(ManifestError, match="manifest is not valid JSON"):
        ReleaseManifest.from_bytes(b"\xff{")


def test_the_envelope_round_trips_and_refuses_missing_fields():
    envelope = SignatureEnvelope("arn:key", "arn:alias", HEX, "c2ln")
    assert SignatureEnvelope.from_bytes(envelope.to_bytes()) == envelope
    assert json.loads(envelope.to_bytes()) == {
        "keyId": "arn:key",
        "requestedKeyId": "arn:alias",
        "signingAlgorithm": "ECDSA_SHA_256",
        "messageType": "DIGEST",
        "manifestSha256": HEX,
        "signature": "c2ln",
    }
    with pytest.raises(EnvelopeError, match="field keyId is missing"):
        SignatureEnvelope.from_bytes(b'{"signature": "x"}')


def test_variables_env_reads_back_unchanged_in_the_shell(tmp_path):
    values = {"MANIFEST_SHA256": HEX, "COMMIT_ID": "v1.2+build/x", "ODD": "a b $(id) 'q'"}
    path = tmp_path / "variables.env"
    path.write_text(variables_env(values))

    assert path.read_text().splitlines()[:2] == [f"MANIFEST_SHA256={HEX}", "COMMIT_ID=v1.2+build/x"]
    shell = subprocess.run(
        ["bash", "-c", f'set -a; . "{path}"; set +a; printf "%s\\n" "$COMMIT_ID" "$ODD"'],
        capture_output=True,
        text=True,
        check=True,
    )
    assert shell.stdout == "v1.2+build/x\na b $(id) 'q'\n"
