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
from .pipeline_artifacts import ArtifactError, ExecutionArtifacts, read_member, read_object
from .signature import EnvelopeError, SignatureEnvelope, verify_manifest

MANIFEST_FILE = "manifest.json"
SIGNATURE_FILE = "manifest.sig.json"
SBOM_FILE = "sbom.cdx.json"
REPORT_FILE = "scan-report.json"
VARIABLES_FILE = "variables.env"
_SHELL_SAFE = re.compile(r"^[A-Za-z0-9._:/@+,=-]*$")


@dataclass
class CheckedRelease:
    """What the release artifact holds and every reason it cannot be trusted (empty: trusted)."""

    manifest: ReleaseManifest | None = None
    manifest_sha256: str | None = None
    problems: list[str] = field(default_factory=list)


def read_signed_release(
    s3: Any, kms: Any, execution: ExecutionArtifacts, artifact: str, expected_key_id: str
) -> CheckedRelease:
    """Read the manifest and its signature from `artifact` and verify it with the expected key."""
    checked = CheckedRelease()
    location = execution.location(artifact)
    if location is None:
        checked.problems.append(
            f"no manifest: execution {execution.execution_id} has no artifact {artifact}"
        )
        return checked
    release = read_object(s3, location, keep=True)
    try:
        manifest_bytes = read_member(release, MANIFEST_FILE)
        signature_bytes = read_member(release, SIGNATURE_FILE)
    except ArtifactError as error:
        checked.problems.append(str(error))
        return checked
    if manifest_bytes is None:
        checked.problems.append(f"no manifest: artifact {artifact} has no {MANIFEST_FILE}")
        return checked
    checked.manifest_sha256 = hashlib.sha256(manifest_bytes).hexdigest()
    if signature_bytes is None:
        checked.problems.append(f"unsigned: artifact {artifact} has no {SIGNATURE_FILE}")
    else:
        try:
            envelope = SignatureEnvelope.from_bytes(signature_bytes)
        except EnvelopeError as error:
            checked.problems.append(f"unsigned: {error}")
        else:
            checked.problems += verify_manifest(kms, expected_key_id, manifest_bytes, envelope)
    try:
        checked.manifest = ReleaseManifest.from_bytes(manifest_bytes)
    except ManifestError as error:
        checked.problems.append(f"{MANIFEST_FILE}: {error}")
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


def variables_env(variables: Mapping[str, str]) -> str:
    """`KEY=value` lines that `set -a; . variables.env` reads back unchanged (quoted if needed)."""
    return "".join(
        f"{key}={value if _SHELL_SAFE.match(value) else shlex.quote(value)}\n"
        for key, value in variables.items()
    )
