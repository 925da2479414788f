"""The release manifest: what was built, from which revision, and what the deploy may read.

Its canonical bytes (sorted keys, no spaces, ASCII) are what is signed and what the approval shows
the digest of, so the same manifest always has the same bytes. Fields this version does not know are
kept and signed as they are, so an older step never drops what a newer one wrote.
"""

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

SCHEMA = "guarded-delivery/release-manifest/v1"
SEVERITY_KEYS = ("CRITICAL", "HIGH", "MEDIUM", "LOW", "OTHER")
VERDICTS = ("pass", "fail", "report-only")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_IMAGE_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
_KNOWN = (
    "schema",
    "stack",
    "service",
    "pipeline",
    "source",
    "pipelineExecutionId",
    "buildId",
    "artifacts",
    "image",
    "sbom",
    "scan",
    "createdAt",
)


class ManifestError(ValueError):
    """A manifest that is not valid JSON or lacks a field; the message names the field."""


def canonical_bytes(value: Any) -> bytes:
    """The one byte form of a JSON value that is signed and hashed."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


@dataclass(frozen=True)
class ReleaseManifest:
    """A signed release: the revision, the exact artifact objects, the image, SBOM and scan."""

    stack: str
    service: str
    pipeline: str
    source: dict[str, Any]
    """`{"repository", "branch", "commitId"}`."""
    pipeline_execution_id: str
    build_id: str
    artifacts: dict[str, dict[str, Any]]
    """Name -> `{"sha256", "bucket", "key", "versionId"}`."""
    image: dict[str, Any] | None
    """None, or `{"repository", "uri", "digest", "tag", "scanFindings"}`."""
    sbom: dict[str, Any]
    scan: dict[str, Any]
    created_at: str
    schema: str = SCHEMA
    extra: dict[str, Any] = field(default_factory=dict)
    """Top-level fields a later version added: kept and signed unchanged."""

    @property
    def commit_id(self) -> str:
        return self.source["commitId"]

    @property
    def image_digest(self) -> str | None:
        return None if self.image is None else self.image["digest"]

    @property
    def scan_verdict(self) -> str:
        return self.scan["verdict"]

    def to_dict(self) -> dict[str, Any]:
        document = dict(self.extra)
        document.update(
            {
                "schema": self.schema,
                "stack": self.stack,
                "service": self.service,
                "pipeline": self.pipeline,
                "source": self.source,
                "pipelineExecutionId": self.pipeline_execution_id,
                "buildId": self.build_id,
                "artifacts": self.artifacts,
                "image": self.image,
                "sbom": self.sbom,
                "scan": self.scan,
                "createdAt": self.created_at,
            }
        )
        return document

    def to_bytes(self) -> bytes:
        return canonical_bytes(self.to_dict())

    def sha256(self) -> str:
        return hashlib.sha256(self.to_bytes()).hexdigest()

    @classmethod
    def from_bytes(cls, data: bytes) -> "ReleaseManifest":
        """Parse and check a manifest; ManifestError names the first field that is wrong."""
        try:
            document = json.loads(data)
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise ManifestError(f"manifest is not valid JSON: {error}") from error
        return cls.from_dict(document)

    @classmethod
    def from_dict(cls, document: Any) -> "ReleaseManifest":
        _require(isinstance(document, dict), "manifest", "is not a JSON object")
        schema = _text(document, "schema")
        _require(schema == SCHEMA, "schema", f"is not {SCHEMA}")
        source = _object(document, "source")
        for key in ("repository", "branch", "commitId"):
            _text(source, key, "source.")
        artifacts = _object(document, "artifacts")
        for name, artifact in artifacts.items():
            path = f"artifacts.{name}"
            _require(isinstance(artifact, dict), path, "is not an object")
            _digest(artifact, "sha256", f"{path}.")
            _text(artifact, "bucket", f"{path}.")
            _text(artifact, "key", f"{path}.")
            _require("versionId" in artifact, f"{path}.versionId", "is missing")
        _require("image" in document, "image", "is missing")
        image = document["image"]
        if image is not None:
            _require(isinstance(image, dict), "image", "is not an object or null")
            for key in ("repository", "uri", "tag"):
                _text(image, key, "image.")
            _require(
                bool(_IMAGE_DIGEST.match(_text(image, "digest", "image."))),
                "image.digest",
                "is not sha256:<64 hex>",
            )
        sbom = _object(document, "sbom")
        _digest(sbom, "sha256", "sbom.")
        scan = _object(document, "scan")
        _require(_text(scan, "verdict", "scan.") in VERDICTS, "scan.verdict", "is unknown")
        _require(isinstance(scan.get("counts"), dict), "scan.counts", "is missing")
        return cls(
            stack=_text(document, "stack"),
            service=_text(document, "service"),
            pipeline=_text(document, "pipeline"),
            source=source,
            pipeline_execution_id=_text(document, "pipelineExecutionId"),
            build_id=_text(document, "buildId"),
            artifacts=artifacts,
            image=image,
            sbom=sbom,
            scan=scan,
            created_at=_text(document, "createdAt"),
            schema=schema,
            extra={key: value for key, value in document.items() if key not in _KNOWN},
        )


def _require(condition: bool, path: str, problem: str) -> None:
    if not condition:
        raise ManifestError(f"manifest field {path} {problem}")


def _text(document: Mapping[str, Any], key: str, prefix: str = "") -> str:
    value = document.get(key)
    _require(key in document, prefix + key, "is missing")
    _require(isinstance(value, str) and value != "", prefix + key, "is not a non-empty string")
    return value


def _object(document: Mapping[str, Any], key: str) -> dict[str, Any]:
    _require(key in document, key, "is missing")
    _require(isinstance(document[key], dict), key, "is not an object")
    return document[key]


def _digest(document: Mapping[str, Any], key: str, prefix: str) -> str:
    value = _text(document, key, prefix)
    _require(bool(_HEX64.match(value)), prefix + key, "is not 64 lowercase hex digits")
    return value
