"""Promotion mode of the verify step: a release another environment deployed, baked and published.

The downstream pipeline starts from what the upstream's publish step wrote (S3 source actions):
the artifacts, byte for byte, and the release artifact holding the manifest and the upstream's
signed deployment record. Trust runs through that record, one environment at a time:

- the record must verify with the upstream's key (`TRUSTED_KEY_ID`: its alias ARN in the same
  account, its key ARN across accounts), name the upstream stack and pipeline, be published for
  this stack (`promotedTo`), and say the upstream's bake passed;
- the manifest must be exactly the one the record vouches for (its SHA-256), so the artifacts and
  the image it names are the ones the upstream deployed.

The manifest's own signature (by the first environment's key) is carried along but not re-verified
here: the upstream verified it before its own deploy, and its signed record vouches for the manifest
digest. Records of earlier environments (`upstream/<stack>/`) are carried, not checked. The manifest's
commitId and pipelineExecutionId belong to the upstream build and are not compared with this execution.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .deployment_record import CarriedRecords, DeploymentRecord, RecordError, read_records
from .deployment_record import verify_record as verify_record_signature
from .pipeline_artifacts import ArtifactError, ExecutionArtifacts
from .release_artifact import (
    VARIABLES_FILE,
    CheckedRelease,
    check_manifest_signature,
    parse_manifest,
    read_release_files,
    variables_env,
)
from .step_io import optional, required


@dataclass(frozen=True)
class PromotionSettings:
    """The promotion-mode environment of the verify step (set when `UPSTREAM_STACK` is)."""

    stack: str
    upstream_stack: str
    upstream_pipeline: str
    trusted_key_id: str
    output_directory: Path | None

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> "PromotionSettings | None":
        """None when `UPSTREAM_STACK` is unset: the release was built by this stack."""
        upstream_stack = optional(environ, "UPSTREAM_STACK")
        if not upstream_stack:
            return None
        directory = optional(environ, "OUTPUT_DIRECTORY")
        return cls(
            stack=required(environ, "STACK"),
            upstream_stack=upstream_stack,
            upstream_pipeline=required(environ, "UPSTREAM_PIPELINE"),
            trusted_key_id=required(environ, "TRUSTED_KEY_ID"),
            output_directory=Path(directory) if directory else None,
        )


def check_record(
    kms: Any,
    checked: CheckedRelease,
    records: CarriedRecords,
    stack: str,
    trusted_key_id: str | None,
    upstream_stack: str | None = None,
    upstream_pipeline: str | None = None,
) -> DeploymentRecord | None:
    """The record that promoted the release to `stack`; every reason it does not vouch for this
    manifest goes to `checked.problems`. The signature is checked when `trusted_key_id` is given."""
    problems = checked.problems
    if trusted_key_id:
        problems += verify_record_signature(kms, trusted_key_id, records)
    elif records.signature is None:
        problems.append("unsigned deployment record: no deployment.sig.json")
    if records.record is None:
        return None
    try:
        record = DeploymentRecord.from_bytes(records.record)
    except RecordError as error:
        problems.append(str(error))
        return None
    if upstream_stack is not None and record.stack != upstream_stack:
        problems.append(
            f"deployment record of stack {record.stack}, this stack promotes from {upstream_stack}"
        )
    if upstream_pipeline is not None and record.pipeline != upstream_pipeline:
        problems.append(
            f"deployment record of pipeline {record.pipeline}, "
            f"the upstream pipeline is {upstream_pipeline}"
        )
    if record.promoted_to != stack:
        problems.append(
            f"published for another environment: the deployment record promotes to "
            f"{record.promoted_to}, this stack is {stack}"
        )
    if not record.baked_ok:
        problems.append(f"the bake in {record.stack} did not pass (bake.allOk is not true)")
    if record.manifest_sha256 != checked.manifest_sha256:
        problems.append(
            f"manifest altered between environments: manifest sha256 {checked.manifest_sha256}, "
            f"the deployment record of {record.stack} vouches for {record.manifest_sha256}"
        )
    return record


def read_promoted_release(
    s3: Any, kms: Any, execution: ExecutionArtifacts, artifact: str, settings: PromotionSettings
) -> tuple[CheckedRelease, DeploymentRecord | None]:
    """The manifest and the upstream's record from `artifact`, checked against each other."""
    checked = read_release_files(s3, execution, artifact)
    record = None
    if checked.release is not None and checked.manifest_bytes is not None:
        try:
            records = read_records(checked.release)
        except ArtifactError as error:
            checked.problems.append(str(error))
        else:
            record = check_record(
                kms,
                checked,
                records,
                settings.stack,
                settings.trusted_key_id,
                settings.upstream_stack,
                settings.upstream_pipeline,
            )
    parse_manifest(checked)
    return checked, record


def read_release_to_publish(
    kms: Any,
    checked: CheckedRelease,
    stack: str,
    signing_key_id: str,
    trusted_key_id: str | None,
) -> tuple[CheckedRelease, CarriedRecords, DeploymentRecord | None]:
    """The publish step's view of its execution's release: the records it carries and the one
    that promoted it to `stack` (None: built here, so this stack's key must have signed the
    manifest for this very execution)."""
    if checked.release is None or checked.manifest_bytes is None:
        return checked, CarriedRecords(), None
    records = read_records(checked.release)
    if records.record is None:
        check_manifest_signature(kms, checked, signing_key_id)
        parse_manifest(checked)
        return checked, records, None
    parse_manifest(checked)
    upstream = check_record(kms, checked, records, stack, trusted_key_id)
    if upstream is not None and any(f"/{upstream.stack}/" in name for name in records.upstream):
        checked.problems.append(f"the release already passed through {upstream.stack} before")
    return checked, records, upstream


def write_variables(
    settings: PromotionSettings, checked: CheckedRelease, record: DeploymentRecord
) -> None:
    """`variables.env` for the stage's later actions, when `OUTPUT_DIRECTORY` is set."""
    if settings.output_directory is None or checked.manifest is None:
        return
    manifest = checked.manifest
    variables = {
        "MANIFEST_SHA256": checked.manifest_sha256 or "",
        "COMMIT_ID": manifest.commit_id,
        "IMAGE_DIGEST": manifest.image_digest or "none",
        "SCAN_VERDICT": manifest.scan_verdict,
        "UPSTREAM_EXECUTION_ID": record.pipeline_execution_id,
    }
    settings.output_directory.mkdir(parents=True, exist_ok=True)
    (settings.output_directory / VARIABLES_FILE).write_text(variables_env(variables))
