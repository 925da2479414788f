"""The release artifact (`manifest.json` + `manifest.sig.json`) of an execution, read and checked.

Verify and confirm both start here: the manifest is trusted only once KMS verified its signature
with the key the stage was configured with, and only for the execution and pipeline it names.
"""

import hashlib
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .manifest import ManifestError, ReleaseManifest
from .pipeline_artifacts import (
    ArtifactError,
    ArtifactObject,
    ExecutionArtifacts,
    read_member,
    read_object,
)
from .signature import EnvelopeError, SignatureEnvelope, verify_manifest

MANIFEST_FILE = "manifest.json"
SIGNATURE_FILE = "manifest.sig.json"
SBOM_FILE = "sbom.cdx.json"
REPORT_FILE = "scan-report.json"
VARIABLES_FILE = "variables.env"
TAMPERED = "tampered artifact {name}: sha256 {sha256}, signed {signed}"
"""How `artifact_problems` words an object whose digest is not the manifest's."""
_SHELL_SAFE = re.compile(r"^[A-Za-z0-9._:/@+,=-]*$")


@dataclass
class CheckedRelease:
    """What the release artifact holds and every reason it cannot be trusted (empty: trusted)."""

    manifest: ReleaseManifest | None = None
    manifest_sha256: str | None = None
    problems: list[str] = field(default_factory=list)
    release: ArtifactObject | None = None
    """The release artifact's object, with its bytes (other files are read from it)."""
    manifest_bytes: bytes | None = None
    signature_bytes: bytes | None = None


def read_release_files(s3: Any, execution: ExecutionArtifacts, artifact: str) -> CheckedRelease:
    """The release artifact's manifest and signature bytes, neither checked nor parsed yet."""
    checked = CheckedRelease()
    location = execution.location(artifact)
    if location is None:
        checked.problems.append(
            f"no manifest: execution {execution.execution_id} has no artifact {artifact}"
        )
        return checked
    checked.release = read_object(s3, location, keep=True)
    try:
        manifest_bytes = read_member(checked.release, MANIFEST_FILE)
        checked.signature_bytes = read_member(checked.release, SIGNATURE_FILE)
    except ArtifactError as error:
        checked.problems.append(str(error))
        return checked
    if manifest_bytes is None:
        checked.problems.append(f"no manifest: artifact {artifact} has no {MANIFEST_FILE}")
        return checked
    checked.manifest_bytes = manifest_bytes
    checked.manifest_sha256 = hashlib.sha256(manifest_bytes).hexdigest()
    return checked


def check_manifest_signature(kms: Any, checked: CheckedRelease, expected_key_id: str) -> None:
    """Add why the manifest's signature is not the expected key's to `checked.problems`."""
    if checked.manifest_bytes is None:
        return
    artifact = checked.release.location.name if checked.release else "release"
    if checked.signature_bytes is None:
        checked.problems.append(f"unsigned: artifact {artifact} has no {SIGNATURE_FILE}")
        return
    try:
        envelope = SignatureEnvelope.from_bytes(checked.signature_bytes)
    except EnvelopeError as error:
        checked.problems.append(f"unsigned: {error}")
    else:
        checked.problems += verify_manifest(kms, expected_key_id, checked.manifest_bytes, envelope)


def parse_manifest(checked: CheckedRelease) -> None:
    """Set `checked.manifest` from its bytes, or add why they are not a manifest."""
    if checked.manifest_bytes is None:
        return
    try:
        checked.manifest = ReleaseManifest.from_bytes(checked.manifest_bytes)
    except ManifestError as error:
        checked.problems.append(f"{MANIFEST_FILE}: {error}")


def read_signed_release(
    s3: Any, kms: Any, execution: ExecutionArtifacts, artifact: str, expected_key_id: str
) -> CheckedRelease:
    """Read the manifest and its signature from `artifact` and verify it with the expected key."""
    checked = read_release_files(s3, execution, artifact)
    check_manifest_signature(kms, checked, expected_key_id)
    parse_manifest(checked)
    return checked


def identity_problems(
    manifest: ReleaseManifest, pipeline: str, execution_id: str, commit_id: str | None = None
) -> list[str]:
    """Differences between what the manifest was made for and this execution."""
    problems = []
    if commit_id is not None and manifest.commit_id != commit_id:
        problems.append(
            f"manifest of another revision: {manifest.commit_id}, "
            f"this execution's source is {commit_id}"
        )
    if manifest.pipeline_execution_id != execution_id:
        problems.append(
            f"manifest of another execution: {manifest.pipeline_execution_id}, "
            f"this execution is {execution_id}"
        )
    if manifest.pipeline != pipeline:
        problems.append(
            f"manifest of another pipeline: {manifest.pipeline}, this pipeline is {pipeline}"
        )
    return problems


def artifact_problems(
    manifest: ReleaseManifest | None,
    artifact: ArtifactObject,
    altered: str = TAMPERED,
) -> list[str]:
    """Why the artifact's object is not the one the manifest names (`altered` words a mismatch)."""
    if manifest is None:
        return []  # already refused: nothing signed to compare with
    name = artifact.location.name
    signed = manifest.artifacts.get(name)
    if signed is None:
        return [f"artifact {name} is not in the signed manifest"]
    if signed["sha256"] != artifact.sha256:
        return [altered.format(name=name, sha256=artifact.sha256, signed=signed["sha256"])]
    return []


def variables_env(variables: Mapping[str, str]) -> str:
    """`KEY=value` lines that `set -a; . variables.env` reads back unchanged (quoted if needed)."""
    return "".join(
        f"{key}={value if _SHELL_SAFE.match(value) else shlex.quote(value)}\n"
        for key, value in variables.items()
    )
