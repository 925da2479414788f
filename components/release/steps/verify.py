"""Verify step, right before every deploy: the deploy reads exactly the release that was signed.

Runs as the verifier role (read, `kms:Verify`, nothing else). It re-finds this execution's
artifacts from CodePipeline, re-hashes the objects the Deploy action reads, verifies the manifest's
signature with the key the stage trusts, and checks that the manifest is this execution's, this
revision's, and the one the approval request showed. Every difference is reported, one per line.

With `UPSTREAM_STACK` set, the release was promoted from another environment (`promotion.py`): the
upstream's signed deployment record, not this stack's key, vouches for the manifest; the manifest's
revision and execution are the upstream build's and are not compared with this execution; and the
image stays in the upstream's registry (`IMAGE_REGISTRY_ID`).
"""

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .image import (
    IMAGE_DETAIL_FILE,
    ImageRefused,
    find_image,
    read_image_detail,
)
from .manifest import ReleaseManifest
from .pipeline_artifacts import (
    ArtifactError,
    ArtifactObject,
    ExecutionArtifacts,
    find_execution_artifacts,
    read_member,
    read_object,
)
from .promotion import PromotionSettings, read_promoted_release, write_variables
from .release_artifact import (
    TAMPERED,
    VARIABLES_FILE,
    artifact_problems,
    identity_problems,
    read_signed_release,
)
from .step_io import Clients, names, optional, refuse, required, run_env_step, safe

STEP = "verify"
ALTERED = (
    "artifact altered between environments: {name} has sha256 {sha256}, the manifest says {signed}"
)


@dataclass(frozen=True)
class VerifySettings:
    """The step's environment, set by the stack on the project and the pipeline action."""

    pipeline: str
    commit_id: str | None
    """This execution's revision; None in promotion mode (the manifest's is the upstream build's)."""
    execution_id: str
    signing_key_id: str | None
    """The key that signs this stack's manifests; None in promotion mode."""
    release_artifact: str
    deploy_artifacts: list[str]
    approved_manifest_sha256: str | None
    image_artifact: str | None
    image_repository: str | None
    image_registry_id: str | None = None
    promotion: PromotionSettings | None = None

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> "VerifySettings":
        image_artifact = optional(environ, "IMAGE_ARTIFACT") or None
        promotion = PromotionSettings.from_environ(environ)
        return cls(
            pipeline=required(environ, "PIPELINE_NAME"),
            commit_id=None if promotion else required(environ, "COMMIT_ID"),
            execution_id=required(environ, "EXECUTION_ID"),
            signing_key_id=None if promotion else required(environ, "SIGNING_KEY_ID"),
            release_artifact=required(environ, "RELEASE_ARTIFACT"),
            deploy_artifacts=names(environ, "DEPLOY_ARTIFACTS"),
            approved_manifest_sha256=optional(environ, "APPROVED_MANIFEST_SHA256").lower() or None,
            image_artifact=image_artifact,
            image_repository=required(environ, "IMAGE_REPOSITORY") if image_artifact else None,
            image_registry_id=optional(environ, "IMAGE_REGISTRY_ID") or None,
            promotion=promotion,
        )


def main(
    argv: Sequence[str] | None = None,
    environ: Mapping[str, str] | None = None,
    clients: Clients | None = None,
) -> int:
    """Verify the release before the deploy; 0 verified, 1 refused, 2 error."""
    return run_env_step(STEP, argv, environ, clients, VerifySettings.from_environ, verify_release)


def verify_release(settings: VerifySettings, clients: Clients) -> int:
    execution = find_execution_artifacts(
        clients.codepipeline, settings.pipeline, settings.execution_id
    )
    promotion, record = settings.promotion, None
    if promotion is None:
        release = read_signed_release(
            clients.s3,
            clients.kms,
            execution,
            settings.release_artifact,
            settings.signing_key_id or "",
        )
    else:
        if promotion.output_directory is not None:
            (promotion.output_directory / VARIABLES_FILE).unlink(missing_ok=True)
        release, record = read_promoted_release(
            clients.s3, clients.kms, execution, settings.release_artifact, promotion
        )
    problems = list(release.problems)
    manifest, digest = release.manifest, release.manifest_sha256
    approved = settings.approved_manifest_sha256
    if digest is not None and approved is not None and digest != approved:
        problems.append(
            f"not the release that was approved: manifest sha256 {digest}, "
            f"the approval showed {approved}"
        )
    if manifest is not None and promotion is None:
        problems += identity_problems(
            manifest, settings.pipeline, settings.execution_id, settings.commit_id
        )
    if manifest is not None and manifest.scan_verdict == "fail":
        problems.append(
            "the signed vulnerability scan verdict is fail: a failing release never deploys"
        )
    objects: dict[str, ArtifactObject] = {}
    for name in settings.deploy_artifacts:
        location = execution.location(name)
        if location is None:
            problems.append(f"artifact {name} not found in execution {settings.execution_id}")
            continue
        objects[name] = read_object(clients.s3, location, keep=name == settings.image_artifact)
        altered = TAMPERED if promotion is None else ALTERED
        problems += artifact_problems(manifest, objects[name], altered)
    image_digest = None
    if settings.image_artifact and settings.image_repository:
        image_digest, image_problems = _image_problems(
            settings, clients, execution, objects, manifest
        )
        problems += image_problems
    if problems:
        return refuse(STEP, problems)
    assert manifest is not None  # no problems means the manifest was read
    if promotion is not None and record is not None:
        write_variables(promotion, release, record)
        print(
            f"verified promoted release: {safe(settings.pipeline)} {safe(manifest.commit_id)} "
            f"manifest sha256 {digest} from {safe(record.stack)} execution "
            f"{safe(record.pipeline_execution_id)}, {len(settings.deploy_artifacts)} artifacts, "
            f"image {safe(image_digest or 'none')}"
        )
        return 0
    print(
        f"verified: {safe(settings.pipeline)} {safe(manifest.commit_id)} manifest sha256 {digest}, "
        f"{len(settings.deploy_artifacts)} artifacts, image {safe(image_digest or 'none')}"
    )
    return 0


def _image_problems(
    settings: VerifySettings,
    clients: Clients,
    execution: ExecutionArtifacts,
    objects: dict[str, ArtifactObject],
    manifest: ReleaseManifest | None,
) -> tuple[str | None, list[str]]:
    """The image digest the deploy reads and what is wrong with it."""
    name, repository = settings.image_artifact or "", settings.image_repository or ""
    artifact = objects.get(name)
    if artifact is None:
        location = execution.location(name)
        if location is None:
            return None, [f"image artifact {name} not found in execution {settings.execution_id}"]
        artifact = read_object(clients.s3, location, keep=True)
    try:
        reference = read_image_detail(read_member(artifact, IMAGE_DETAIL_FILE), name)
    except ArtifactError as error:
        return None, [str(error)]
    problems: list[str] = []
    signed: dict[str, Any] | None = None if manifest is None else manifest.image
    if manifest is not None and signed is None:
        problems.append(f"the signed manifest has no image, the deploy reads {reference.uri}")
    elif signed is not None and signed["uri"] != reference.uri:
        problems.append(f"image {reference.uri} is not the signed image {signed['uri']}")
    try:
        digest = reference.require_digest()
        reference.require_repository(repository)
    except ImageRefused as error:
        return reference.digest, [*problems, str(error)]
    registry = settings.image_registry_id
    if registry is not None and reference.registry_id != registry:
        problems.append(f"image {reference.uri} is not in registry {registry}")
    elif find_image(clients.ecr, repository, digest, registry) is None:
        where = f" of registry {registry}" if registry else ""
        problems.append(f"image {digest} not found in ECR repository {repository}{where}")
    return digest, problems


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
