"""This execution's artifacts, found from CodePipeline itself, and the bytes of their S3 objects.

The steps never trust where a build says it wrote something: CodePipeline's own record of the
execution names the exact objects the next actions read. A retried stage leaves several action
executions with the same artifact name; the most recent one is what later actions read.
"""

import hashlib
import io
import zipfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .step_io import StepError

SUCCEEDED = "Succeeded"
MAX_MEMBER_BYTES = 1024 * 1024
"""Largest manifest, signature or imageDetail.json a step reads from a zip (no zip bombs)."""
MAX_MEMBERS = 64
"""Most files a step reads from one folder of a zip."""
_CHUNK = 1024 * 1024
_ZIP_TIME = (2025, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class ArtifactLocation:
    """One artifact of the execution: its S3 object and the action execution that wrote it."""

    name: str
    bucket: str
    key: str
    action_name: str
    updated: float
    """`lastUpdateTime` of the action execution that wrote it (epoch seconds)."""


@dataclass(frozen=True)
class ArtifactObject:
    """An artifact's object as read now: its digest, version and (when kept) its bytes."""

    location: ArtifactLocation
    sha256: str
    version_id: str | None
    data: bytes | None = None

    def manifest_entry(self) -> dict[str, Any]:
        """The manifest's `artifacts.<name>`: digest and the exact object version read."""
        location = self.location
        return {
            "sha256": self.sha256,
            "bucket": location.bucket,
            "key": location.key,
            "versionId": self.version_id,
        }


@dataclass(frozen=True)
class ExecutionArtifacts:
    """Every output artifact of one pipeline execution, newest per name, and the action results."""

    pipeline: str
    execution_id: str
    artifacts: dict[str, ArtifactLocation]
    external_ids: dict[str, str]
    """Action name -> the newest succeeded run's `externalExecutionId` (a CodeBuild build id)."""

    def location(self, name: str) -> ArtifactLocation | None:
        return self.artifacts.get(name)

    def build_id(self, action_name: str) -> str:
        """The build id of action `action_name` (env `BUILD_ACTION`), or a one-line error."""
        if action_name not in self.external_ids:
            raise StepError(
                f"no succeeded action {action_name} with a build id in execution "
                f"{self.execution_id} of pipeline {self.pipeline}"
            )
        return self.external_ids[action_name]


def action_executions(codepipeline: Any, pipeline: str, execution_id: str) -> Iterator[dict]:
    """Every action execution of the pipeline execution (all pages)."""
    request: dict[str, Any] = {
        "pipelineName": pipeline,
        "filter": {"pipelineExecutionId": execution_id},
    }
    seen: set[str] = set()
    while True:
        page = codepipeline.list_action_executions(**request)
        yield from page.get("actionExecutionDetails", [])
        token = page.get("nextToken")
        if not token:
            return
        if token in seen:
            raise StepError(f"ListActionExecutions of {pipeline} repeats page token {token}")
        seen.add(token)
        request["nextToken"] = token


def find_execution_artifacts(
    codepipeline: Any, pipeline: str, execution_id: str
) -> ExecutionArtifacts:
    """Where this execution's artifacts are: the newest succeeded writer of each name wins."""
    artifacts: dict[str, ArtifactLocation] = {}
    external: dict[str, tuple[float, str]] = {}
    for detail in action_executions(codepipeline, pipeline, execution_id):
        if detail.get("pipelineExecutionId", execution_id) != execution_id:
            continue
        if detail.get("status") != SUCCEEDED:
            continue  # a failed or running action passes nothing on
        updated = _epoch(detail.get("lastUpdateTime") or detail.get("startTime"))
        action = detail.get("actionName", "")
        output = detail.get("output") or {}
        for artifact in output.get("outputArtifacts") or []:
            name, s3 = artifact.get("name"), artifact.get("s3location") or {}
            if not name or not s3.get("bucket") or not s3.get("key"):
                continue
            current = artifacts.get(name)
            if current is None or updated > current.updated:
                artifacts[name] = ArtifactLocation(name, s3["bucket"], s3["key"], action, updated)
        external_id = (output.get("executionResult") or {}).get("externalExecutionId")
        if external_id and (action not in external or updated > external[action][0]):
            external[action] = (updated, external_id)
    return ExecutionArtifacts(
        pipeline,
        execution_id,
        artifacts,
        {action: value for action, (_, value) in external.items()},
    )


def _epoch(value: object) -> float:
    """Seconds since the epoch of a botocore timestamp (naive ones are UTC); 0 when absent."""
    if not isinstance(value, datetime):
        return 0.0
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()


def read_object(s3: Any, location: ArtifactLocation, keep: bool = False) -> ArtifactObject:
    """The artifact's current object: SHA-256 of its bytes and its VersionId (bytes if `keep`)."""
    answer = s3.get_object(Bucket=location.bucket, Key=location.key)
    digest, chunks = hashlib.sha256(), []
    body = answer["Body"]
    try:
        for chunk in body.iter_chunks(_CHUNK):
            digest.update(chunk)
            if keep:
                chunks.append(chunk)
    finally:
        body.close()
    data = b"".join(chunks) if keep else None
    return ArtifactObject(location, digest.hexdigest(), answer.get("VersionId"), data)


def read_member(
    artifact: ArtifactObject, member: str, limit: int = MAX_MEMBER_BYTES
) -> bytes | None:
    """File `member` at the root of the artifact's zip, None when absent; refuses a bad zip."""
    return read_members(artifact, lambda name: name == member, limit).get(member)


def read_members(
    artifact: ArtifactObject, wanted: Callable[[str], bool], limit: int = MAX_MEMBER_BYTES
) -> dict[str, bytes]:
    """The files of the artifact's zip whose names are `wanted` (at most MAX_MEMBERS of them)."""
    name = artifact.location.name
    if artifact.data is None:
        raise ValueError(f"artifact {name} was read without its bytes")
    found: dict[str, bytes] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(artifact.data)) as archive:
            infos = [info for info in archive.infolist() if wanted(info.filename)]
            if len(infos) > MAX_MEMBERS:
                raise ArtifactError(f"artifact {name} has more than {MAX_MEMBERS} such files")
            for info in infos:
                if info.file_size > limit:
                    raise ArtifactError(f"artifact {name}: {info.filename} is larger than {limit}")
                found[info.filename] = archive.read(info)
    except zipfile.BadZipFile as error:
        raise ArtifactError(f"artifact {name} is not a zip file ({error})") from error
    return found


def zip_files(files: Mapping[str, bytes]) -> bytes:
    """A zip of `files` in name order with fixed timestamps: the same files give the same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in sorted(files.items()):
            archive.writestr(zipfile.ZipInfo(name, date_time=_ZIP_TIME), data)
    return buffer.getvalue()


class ArtifactError(ValueError):
    """An artifact that cannot be read as the steps expect: the release is refused."""
