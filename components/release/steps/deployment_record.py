"""The deployment record: an environment's signed word that it deployed and baked a release.

The publish step writes one per downstream stack (`deployment.json`, canonical bytes like the
manifest) and signs it with its own release key exactly as the manifest is signed, into
`deployment.sig.json` (the manifest's envelope; its `manifestSha256` is the record's digest). The
downstream verify trusts the manifest whose SHA-256 the record names, for the stack it names.
Records of earlier environments travel along under `upstream/<stack>/`.
"""

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .manifest import canonical_bytes
from .pipeline_artifacts import ArtifactObject, read_members
from .signature import EnvelopeError, SignatureEnvelope, SignedFile, sign_manifest, verify_manifest

SCHEMA = "guarded-delivery/deployment-record/v1"
RECORD_FILE = "deployment.json"
RECORD_SIGNATURE_FILE = "deployment.sig.json"
UPSTREAM_FOLDER = "upstream/"
RECORD = SignedFile(
    name="deployment record",
    file=RECORD_FILE,
    signature_file=RECORD_SIGNATURE_FILE,
    unverified="deployment record signature does not verify with the upstream key",
)
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
"""A stack, service or artifact name as it appears in an S3 key or a zip path."""
_UPSTREAM_FILE = re.compile(
    r"^upstream/[A-Za-z0-9][A-Za-z0-9._-]{0,127}/deployment(?:\.sig)?\.json$"
)
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


class RecordError(ValueError):
    """A `deployment.json` that is not a record this module writes; the message names the field."""


@dataclass(frozen=True)
class DeploymentRecord:
    """Which stack deployed which manifest, from which execution, baked how, promoted where."""

    stack: str
    service: str
    pipeline: str
    pipeline_execution_id: str
    manifest_sha256: str
    commit_id: str
    deployed_at: str
    bake: dict[str, Any]
    """`{"minutes": int, "alarms": [names], "allOk": bool}`."""
    promoted_to: str
    schema: str = SCHEMA

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": self.schema,
            "stack": self.stack,
            "service": self.service,
            "pipeline": self.pipeline,
            "pipelineExecutionId": self.pipeline_execution_id,
            "manifestSha256": self.manifest_sha256,
            "commitId": self.commit_id,
            "deployedAt": self.deployed_at,
            "bake": self.bake,
            "promotedTo": self.promoted_to,
        }

    def to_bytes(self) -> bytes:
        return canonical_bytes(self.to_dict())

    @property
    def baked_ok(self) -> bool:
        return self.bake.get("allOk") is True

    @classmethod
    def from_bytes(cls, data: bytes) -> "DeploymentRecord":
        try:
            document = json.loads(data)
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise RecordError(f"{RECORD_FILE} is not valid JSON: {error}") from error
        if not isinstance(document, dict):
            raise RecordError(f"{RECORD_FILE} is not a JSON object")
        if document.get("schema") != SCHEMA:
            raise RecordError(f"{RECORD_FILE} field schema is not {SCHEMA}")
        text = {
            key: _text(document, key)
            for key in (
                "stack",
                "service",
                "pipeline",
                "pipelineExecutionId",
                "manifestSha256",
                "commitId",
                "deployedAt",
                "promotedTo",
            )
        }
        for key in ("stack", "service", "promotedTo"):  # they become S3 keys and zip paths
            if not NAME.match(text[key]):
                raise RecordError(f"{RECORD_FILE} field {key} is not a stack or service name")
        if not _HEX64.match(text["manifestSha256"]):
            raise RecordError(f"{RECORD_FILE} field manifestSha256 is not 64 lowercase hex digits")
        bake = document.get("bake")
        if not isinstance(bake, dict):
            raise RecordError(f"{RECORD_FILE} field bake is missing or not an object")
        return cls(
            stack=text["stack"],
            service=text["service"],
            pipeline=text["pipeline"],
            pipeline_execution_id=text["pipelineExecutionId"],
            manifest_sha256=text["manifestSha256"],
            commit_id=text["commitId"],
            deployed_at=text["deployedAt"],
            bake=bake,
            promoted_to=text["promotedTo"],
        )


@dataclass
class CarriedRecords:
    """The records a release artifact holds: the one that promoted it here, and earlier ones."""

    record: bytes | None = None
    signature: bytes | None = None
    upstream: dict[str, bytes] = field(default_factory=dict)
    """`upstream/<stack>/deployment[.sig].json` -> bytes, as the upstream published them."""

    def carried(self, promoted_by: "DeploymentRecord | None") -> dict[str, bytes]:
        """What the next environment receives: the earlier records and, under the stack of
        `promoted_by` (the record that promoted the release here), that record; nothing when the
        release was built here."""
        if promoted_by is None:
            return {}  # built here: nothing came before
        files = dict(self.upstream)
        folder = f"{UPSTREAM_FOLDER}{promoted_by.stack}/"
        for name, data in ((RECORD_FILE, self.record), (RECORD_SIGNATURE_FILE, self.signature)):
            if data is not None:
                files[folder + name] = data
        return files


def read_records(release: ArtifactObject) -> CarriedRecords:
    """The deployment records in the release artifact (ArtifactError for a bad zip)."""
    found = read_members(
        release,
        lambda name: (
            name in (RECORD_FILE, RECORD_SIGNATURE_FILE) or name.startswith(UPSTREAM_FOLDER)
        ),
    )
    return CarriedRecords(
        record=found.get(RECORD_FILE),
        signature=found.get(RECORD_SIGNATURE_FILE),
        upstream={name: data for name, data in found.items() if _UPSTREAM_FILE.match(name)},
    )


def verify_record(kms: Any, trusted_key_id: str, records: CarriedRecords) -> list[str]:
    """Every reason the record is not signed by the trusted upstream key (empty: it is)."""
    if records.record is None:
        return ["not a promoted release: no deployment record"]
    if records.signature is None:
        return [f"unsigned deployment record: no {RECORD_SIGNATURE_FILE}"]
    try:
        envelope = SignatureEnvelope.from_bytes(records.signature, RECORD_SIGNATURE_FILE)
    except EnvelopeError as error:
        return [f"unsigned deployment record: {error}"]
    return verify_manifest(kms, trusted_key_id, records.record, envelope, RECORD)


def sign_record(
    kms: Any, key_id: str, record: DeploymentRecord
) -> tuple[DeploymentRecord, SignatureEnvelope]:
    """The record and its signature by `key_id` (this stack's release key), as a manifest's."""
    return record, sign_manifest(kms, key_id, record.to_bytes())


def record_files(record: DeploymentRecord, envelope: SignatureEnvelope) -> Mapping[str, bytes]:
    """`deployment.json` and `deployment.sig.json` as the release artifact holds them."""
    return {RECORD_FILE: record.to_bytes(), RECORD_SIGNATURE_FILE: envelope.to_bytes()}


def _text(document: Mapping[str, Any], key: str) -> str:
    value = document.get(key)
    if not isinstance(value, str) or not value:
        raise RecordError(f"{RECORD_FILE} field {key} is missing or not a non-empty string")
    return value
