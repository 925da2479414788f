"""Sign step: hash what the deploy will read, scan it, gate on the scan, and sign the manifest.

Runs in a stack-owned CodeBuild project as the signer role, which alone may `kms:Sign` with the
release key; the repository's buildspec cannot change what is hashed, scanned or signed. Options
(tests set them to 0): `--scan-timeout SECONDS` (600) and `--scan-interval SECONDS` (15) bound
the wait for ECR's scan on push.
"""

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .image import IMAGE_DETAIL_FILE, ImageRefused, read_image_detail, require_image, wait_for_scan
from .manifest import ReleaseManifest
from .pipeline_artifacts import (
    ArtifactError,
    ArtifactObject,
    find_execution_artifacts,
    read_member,
    read_object,
)
from .release_artifact import (
    MANIFEST_FILE,
    REPORT_FILE,
    SBOM_FILE,
    SIGNATURE_FILE,
    VARIABLES_FILE,
    variables_env,
)
from .release_scan import scan_release
from .signature import sign_manifest
from .step_io import Clients, StepError, names, optional, refuse, required, run_step, safe
from .vulnerability_gate import GateError, parse_threshold

STEP = "sign"
DEFAULT_GATE = "HIGH"
DEFAULT_OUTPUT_DIRECTORY = "release"
DEFAULT_BUILD_ACTION = "Build"


@dataclass(frozen=True)
class SignSettings:
    """The step's environment, set by the stack on the project and the pipeline action."""

    pipeline: str
    stack: str
    service: str
    repository: str
    branch: str
    commit_id: str
    execution_id: str
    signing_key_id: str
    release_artifacts: list[str]
    image_artifact: str | None
    image_repository: str | None
    gate: str
    sbom_directory: Path
    output_directory: Path
    build_action: str

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> "SignSettings":
        values = {
            field: required(environ, variable)
            for field, variable in (
                ("pipeline", "PIPELINE_NAME"),
                ("stack", "STACK"),
                ("service", "SERVICE"),
                ("repository", "REPOSITORY"),
                ("branch", "BRANCH"),
                ("commit_id", "COMMIT_ID"),
                ("execution_id", "EXECUTION_ID"),
                ("signing_key_id", "SIGNING_KEY_ID"),
            )
        }
        release_artifacts = names(environ, "RELEASE_ARTIFACTS")
        image_artifact = optional(environ, "IMAGE_ARTIFACT") or None
        image_repository = required(environ, "IMAGE_REPOSITORY") if image_artifact else None
        sbom_directory = optional(environ, "SBOM_DIRECTORY", optional(environ, "CODEBUILD_SRC_DIR"))
        if not sbom_directory:
            raise StepError("missing environment variable SBOM_DIRECTORY (or CODEBUILD_SRC_DIR)")
        try:
            gate = parse_threshold(optional(environ, "VULNERABILITY_GATE", DEFAULT_GATE))
        except GateError as error:
            raise StepError(f"VULNERABILITY_GATE: {error}") from error
        return cls(
            **values,
            release_artifacts=release_artifacts,
            image_artifact=image_artifact,
            image_repository=image_repository,
            gate=gate,
            sbom_directory=Path(sbom_directory),
            output_directory=Path(optional(environ, "OUTPUT_DIRECTORY", DEFAULT_OUTPUT_DIRECTORY)),
            build_action=optional(environ, "BUILD_ACTION", DEFAULT_BUILD_ACTION),
        )


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:
        raise StepError(f"usage: {message}")


def parse_options(argv: Sequence[str]) -> argparse.Namespace:
    parser = _Parser(prog=f"release_steps.{STEP}", add_help=False)
    parser.add_argument("--scan-timeout", type=float, default=600.0)
    parser.add_argument("--scan-interval", type=float, default=15.0)
    return parser.parse_args(list(argv))


def main(
    argv: Sequence[str] | None = None,
    environ: Mapping[str, str] | None = None,
    clients: Clients | None = None,
) -> int:
    """Sign this execution's release; 0 signed, 1 refused (gate, image), 2 error."""
    environ = os.environ if environ is None else environ

    def body() -> int:
        options = parse_options(argv or [])
        settings = SignSettings.from_environ(environ)
        try:
            return sign_release(settings, clients or Clients.default(), options)
        except (ImageRefused, ArtifactError) as error:
            return refuse(STEP, [str(error)])

    return run_step(STEP, body)


def sign_release(settings: SignSettings, clients: Clients, options: argparse.Namespace) -> int:
    if not settings.sbom_directory.is_dir():
        raise StepError(f"SBOM directory {settings.sbom_directory} is not a directory")
    execution = find_execution_artifacts(
        clients.codepipeline, settings.pipeline, settings.execution_id
    )
    build_id = execution.build_id(settings.build_action)
    objects: dict[str, ArtifactObject] = {}
    image_artifacts = [settings.image_artifact] if settings.image_artifact else []
    for name in dict.fromkeys([*settings.release_artifacts, *image_artifacts]):
        location = execution.location(name)
        if location is None:
            raise StepError(f"artifact {name} not found in execution {settings.execution_id}")
        objects[name] = read_object(clients.s3, location, keep=name == settings.image_artifact)

    image, image_scan = None, {}
    if settings.image_artifact and settings.image_repository:
        image, image_scan = _check_image(
            settings, clients, objects[settings.image_artifact], options
        )

    output = settings.output_directory
    scan = scan_release(
        clients.inspector_scan,
        settings.sbom_directory,
        [output],
        settings.service,
        settings.gate,
        image,
        image_scan,
    )
    for warning in scan.warnings:
        print(f"{STEP}: sbom: skipped {safe(warning)}", file=sys.stderr)
    output.mkdir(parents=True, exist_ok=True)
    for stale in (MANIFEST_FILE, SIGNATURE_FILE, VARIABLES_FILE):
        (output / stale).unlink(missing_ok=True)
    (output / SBOM_FILE).write_bytes(scan.sbom)
    (output / REPORT_FILE).write_bytes(scan.report)
    if scan.result.verdict == "fail":
        return refuse(STEP, [*scan.result.message_lines(), "nothing was signed"])

    manifest = ReleaseManifest(
        stack=settings.stack,
        service=settings.service,
        pipeline=settings.pipeline,
        source={
            "repository": settings.repository,
            "branch": settings.branch,
            "commitId": settings.commit_id,
        },
        pipeline_execution_id=settings.execution_id,
        build_id=build_id,
        artifacts={name: objects[name].manifest_entry() for name in settings.release_artifacts},
        image=image,
        sbom=scan.sbom_entry(),
        scan=scan.scan_entry(),
        created_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    manifest_data = manifest.to_bytes()
    envelope = sign_manifest(clients.kms, settings.signing_key_id, manifest_data)
    (output / MANIFEST_FILE).write_bytes(manifest_data)
    (output / SIGNATURE_FILE).write_bytes(envelope.to_bytes())
    variables = {
        "MANIFEST_SHA256": envelope.manifest_sha256,
        "COMMIT_ID": settings.commit_id,
        "IMAGE_DIGEST": manifest.image_digest or "none",
        "SCAN_VERDICT": scan.result.verdict,
    }
    (output / VARIABLES_FILE).write_text(variables_env(variables))
    _print_summary(manifest, envelope.manifest_sha256, envelope.key_id, scan.result.summary())
    return 0


def _check_image(
    settings: SignSettings, clients: Clients, artifact: ArtifactObject, options: argparse.Namespace
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The manifest's image entry and ECR's scan findings; refuses a tag or a missing image."""
    reference = read_image_detail(read_member(artifact, IMAGE_DETAIL_FILE), artifact.location.name)
    digest = reference.require_digest()
    repository = settings.image_repository or ""
    reference.require_repository(repository)
    require_image(clients.ecr, repository, digest, tag=settings.commit_id)
    findings = wait_for_scan(
        clients.ecr, repository, digest, options.scan_timeout, options.scan_interval
    )
    counts = {
        key: int(value) for key, value in (findings.get("findingSeverityCounts") or {}).items()
    }
    entry = {
        "repository": repository,
        "uri": reference.uri,
        "digest": digest,
        "tag": settings.commit_id,
        "scanFindings": counts,
    }
    return entry, findings


def _print_summary(manifest: ReleaseManifest, digest: str, key_id: str, verdict: str) -> None:
    print(f"{STEP}: signed release of {safe(manifest.pipeline)} commit {safe(manifest.commit_id)}")
    print(f"  manifest sha256 {digest}")
    for name, entry in sorted(manifest.artifacts.items()):
        version = entry["versionId"] or "unversioned"
        print(f"  {safe(name)} sha256 {entry['sha256']} (version {safe(version)})")
    print(f"  image {safe(manifest.image_digest or 'none')}")
    print(f"  vulnerability scan {verdict}")
    print(f"  signed with {safe(key_id)}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
