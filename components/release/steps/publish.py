"""Publish step, after the deploy (and confirm): bake, then hand the release to the next environments.

Runs as the signer role of the upstream stack. It watches the stack's alarms for `BAKE_MINUTES`,
re-reads this execution's release (the manifest verified with this stack's key when it was built
here; when it was promoted here, the record that promoted it must name its digest and this stack),
checks every release artifact of this execution against the manifest, and signs a deployment record
per downstream stack. Each target then gets, under `releases/<service>/<target>/` of the artifact
bucket, byte-for-byte copies of the exact object versions it checked and, last, the release artifact
(manifest, signature, SBOM, report, the records of earlier environments and its own signed record):
the downstream pipeline starts from that last object, so it never sees half a publication.
"""

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from .bake import Clock, bake
from .deployment_record import (
    NAME,
    DeploymentRecord,
    record_files,
    sign_record,
)
from .pipeline_artifacts import (
    ArtifactError,
    ArtifactObject,
    find_execution_artifacts,
    read_member,
    read_object,
    zip_files,
)
from .promotion import read_release_to_publish
from .release_artifact import (
    MANIFEST_FILE,
    REPORT_FILE,
    SBOM_FILE,
    SIGNATURE_FILE,
    artifact_problems,
    identity_problems,
    read_release_files,
)
from .step_io import (
    Clients,
    StepError,
    names,
    optional,
    optional_names,
    refuse,
    required,
    run_env_step,
    safe,
)

STEP = "publish"
ALTERED = "artifact {name} of this execution has sha256 {sha256}, the manifest has {signed}"
RELEASES_PREFIX = "releases"
CARRIED_BYTES = 64 * 1024 * 1024
"""Largest SBOM or scan report carried from the release artifact to the published one."""


@dataclass(frozen=True)
class PublishSettings:
    """The step's environment, set by the stack on the project and the pipeline action."""

    pipeline: str
    execution_id: str
    stack: str
    service: str
    signing_key_id: str
    release_artifact: str
    release_artifacts: list[str]
    alarms: list[str]
    bake_minutes: int
    bucket: str
    publish_key_id: str
    targets: list[str]
    trusted_key_id: str | None
    """The upstream's key: when set, a promoted release's record must verify with it."""

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> "PublishSettings":
        settings = cls(
            pipeline=required(environ, "PIPELINE_NAME"),
            execution_id=required(environ, "EXECUTION_ID"),
            stack=required(environ, "STACK"),
            service=required(environ, "SERVICE"),
            signing_key_id=required(environ, "SIGNING_KEY_ID"),
            release_artifact=required(environ, "RELEASE_ARTIFACT"),
            release_artifacts=names(environ, "RELEASE_ARTIFACTS"),
            alarms=optional_names(environ, "ALARM_NAMES"),
            bake_minutes=_minutes(required(environ, "BAKE_MINUTES")),
            bucket=required(environ, "PUBLISH_BUCKET"),
            publish_key_id=required(environ, "PUBLISH_KEY_ID"),
            targets=optional_names(environ, "PUBLISH_TARGETS"),
            trusted_key_id=optional(environ, "TRUSTED_KEY_ID") or None,
        )
        for variable, value in (
            ("STACK", settings.stack),
            ("SERVICE", settings.service),
            ("RELEASE_ARTIFACT", settings.release_artifact),
            *(("RELEASE_ARTIFACTS", name) for name in settings.release_artifacts),
            *(("PUBLISH_TARGETS", name) for name in settings.targets),
        ):
            if not NAME.match(value):
                raise StepError(f"{variable}: {value} is not a name that fits an S3 key")
        if settings.stack in settings.targets:
            raise StepError(f"PUBLISH_TARGETS: stack {settings.stack} cannot publish to itself")
        if settings.release_artifact in settings.release_artifacts:
            raise StepError(
                f"RELEASE_ARTIFACTS: lists the release artifact {settings.release_artifact}"
            )
        return settings


def _minutes(value: str) -> int:
    if not (value.isascii() and value.isdigit()):
        raise StepError(f"BAKE_MINUTES is not a whole number of minutes: {value}")
    return int(value)


def main(
    argv: Sequence[str] | None = None,
    environ: Mapping[str, str] | None = None,
    clients: Clients | None = None,
    clock: Clock | None = None,
) -> int:
    """Bake and publish; 0 published (or nothing to publish), 1 refused, 2 error."""

    def run(settings: PublishSettings, clients: Clients) -> int:
        try:
            return publish_release(settings, clients, clock or Clock())
        except ArtifactError as error:
            return refuse(STEP, [str(error), "nothing was published"])

    return run_env_step(STEP, argv, environ, clients, PublishSettings.from_environ, run)


def publish_release(settings: PublishSettings, clients: Clients, clock: Clock) -> int:
    if not settings.targets:
        print(f"{STEP}: nothing to publish: PUBLISH_TARGETS is empty")
        return 0
    baked = bake(clients.cloudwatch, settings.alarms, settings.bake_minutes, clock)
    if baked.refusal:
        return refuse(STEP, [baked.refusal, "nothing was published"])
    execution = find_execution_artifacts(
        clients.codepipeline, settings.pipeline, settings.execution_id
    )
    checked, records, upstream = read_release_to_publish(
        clients.kms,
        read_release_files(clients.s3, execution, settings.release_artifact),
        settings.stack,
        settings.signing_key_id,
        settings.trusted_key_id,
    )
    if upstream is None and checked.manifest is not None:  # built here: in this very execution
        checked.problems += identity_problems(
            checked.manifest, settings.pipeline, settings.execution_id
        )
    objects: dict[str, ArtifactObject] = {}
    for name in settings.release_artifacts:
        location = execution.location(name)
        if location is None:
            checked.problems.append(
                f"artifact {name} not found in execution {execution.execution_id}"
            )
            continue
        objects[name] = read_object(clients.s3, location)
        checked.problems += artifact_problems(checked.manifest, objects[name], ALTERED)
    manifest, release = checked.manifest, checked.release
    if checked.problems or manifest is None or release is None or checked.manifest_bytes is None:
        return refuse(STEP, [*checked.problems, "nothing was published"])
    files = {MANIFEST_FILE: checked.manifest_bytes, **records.carried(upstream)}
    for member in (SIGNATURE_FILE, SBOM_FILE, REPORT_FILE):
        data = read_member(release, member, CARRIED_BYTES)
        if data is not None:
            files[member] = data
    built = DeploymentRecord(
        stack=settings.stack,
        service=settings.service,
        pipeline=settings.pipeline,
        pipeline_execution_id=settings.execution_id,
        manifest_sha256=checked.manifest_sha256 or "",
        commit_id=manifest.commit_id,
        deployed_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        bake={"minutes": settings.bake_minutes, "alarms": settings.alarms, "allOk": True},
        promoted_to="",
    )
    signed = [  # every record is signed before anything is written
        sign_record(clients.kms, settings.signing_key_id, replace(built, promoted_to=target))
        for target in settings.targets
    ]
    origin = "built here" if upstream is None else f"promoted from {safe(upstream.stack)}"
    print(
        f"{STEP}: publishing {safe(settings.pipeline)} commit {safe(manifest.commit_id)} "
        f"({origin}), manifest sha256 {checked.manifest_sha256}, after a bake of "
        f"{settings.bake_minutes} minute(s): {len(settings.alarms)} alarm(s) never in ALARM "
        f"over {baked.polls} poll(s)"
    )
    for record, envelope in signed:
        release_zip = zip_files({**files, **record_files(record, envelope)})
        _publish_target(
            settings, clients.s3, record.promoted_to, objects, release_zip, envelope.key_id
        )
    return 0


def _publish_target(
    settings: PublishSettings,
    s3: Any,
    target: str,
    objects: dict[str, ArtifactObject],
    release_zip: bytes,
    key_id: str,
) -> None:
    """Copy the checked object versions, then write the release artifact (the trigger) last."""
    prefix = f"{RELEASES_PREFIX}/{settings.service}/{target}"
    encryption = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": settings.publish_key_id}

    def written(key: str, answer: Mapping[str, Any], note: str) -> None:
        version = answer.get("VersionId") or "unversioned"
        print(f"  {target}: s3://{safe(settings.bucket)}/{key} (version {safe(version)}), {note}")

    for name, artifact in objects.items():
        source = {"Bucket": artifact.location.bucket, "Key": artifact.location.key}
        if artifact.version_id:
            source["VersionId"] = artifact.version_id
        key = f"{prefix}/{name}.zip"
        answer = s3.copy_object(Bucket=settings.bucket, Key=key, CopySource=source, **encryption)
        written(key, answer, f"sha256 {artifact.sha256}")
    key = f"{prefix}/{settings.release_artifact}.zip"
    answer = s3.put_object(Bucket=settings.bucket, Key=key, Body=release_zip, **encryption)
    written(key, answer, f"record signed with {safe(key_id)}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
