"""Confirm step, after a Lambda deploy: the alias runs exactly the signed package.

Runs as the verifier role (read-only). Lambda reports each version's `CodeSha256` (base64 of the
SHA-256 of the deployed zip); the signed manifest holds the package object's SHA-256 in hex. Every
version the alias routes traffic to must match, so a stale weighted version is caught too. A release
promoted from another environment (`UPSTREAM_STACK` set) is trusted through the upstream's signed
deployment record, as the verify step trusts it (`promotion.py`).
"""

import base64
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .pipeline_artifacts import find_execution_artifacts
from .promotion import PromotionSettings, read_promoted_release
from .release_artifact import identity_problems, read_signed_release
from .step_io import Clients, refuse, required, run_env_step, safe

STEP = "confirm"


@dataclass(frozen=True)
class ConfirmSettings:
    """The step's environment, set by the stack on the project and the pipeline action."""

    pipeline: str
    execution_id: str
    signing_key_id: str
    release_artifact: str
    package_artifact: str
    function_name: str
    function_alias: str
    promotion: PromotionSettings | None = None
    """Set for a release another environment deployed, baked and published to this one."""

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> "ConfirmSettings":
        return cls(
            pipeline=required(environ, "PIPELINE_NAME"),
            execution_id=required(environ, "EXECUTION_ID"),
            signing_key_id=required(environ, "SIGNING_KEY_ID"),
            release_artifact=required(environ, "RELEASE_ARTIFACT"),
            package_artifact=required(environ, "PACKAGE_ARTIFACT"),
            function_name=required(environ, "FUNCTION_NAME"),
            function_alias=required(environ, "FUNCTION_ALIAS"),
            promotion=PromotionSettings.from_environ(environ),
        )


def main(
    argv: Sequence[str] | None = None,
    environ: Mapping[str, str] | None = None,
    clients: Clients | None = None,
) -> int:
    """Confirm the deployed code; 0 it is the signed package, 1 it is not, 2 error."""
    return run_env_step(
        STEP, argv, environ, clients, ConfirmSettings.from_environ, confirm_deployment
    )


def signed_code_sha256(hex_digest: str) -> str:
    """Lambda's CodeSha256 form (base64) of a hex SHA-256."""
    return base64.b64encode(bytes.fromhex(hex_digest)).decode("ascii")


def confirm_deployment(settings: ConfirmSettings, clients: Clients) -> int:
    execution = find_execution_artifacts(
        clients.codepipeline, settings.pipeline, settings.execution_id
    )
    if settings.promotion is None:
        release = read_signed_release(
            clients.s3, clients.kms, execution, settings.release_artifact, settings.signing_key_id
        )
    else:
        release, _ = read_promoted_release(
            clients.s3, clients.kms, execution, settings.release_artifact, settings.promotion
        )
    problems, manifest = list(release.problems), release.manifest
    package = None
    if manifest is not None:
        if settings.promotion is None:
            # A promoted manifest names the upstream's pipeline and execution, vouched for by the
            # upstream's record instead.
            problems += identity_problems(manifest, settings.pipeline, settings.execution_id)
        package = manifest.artifacts.get(settings.package_artifact)
        if package is None:
            problems.append(f"artifact {settings.package_artifact} is not in the signed manifest")
    if problems or package is None:
        return refuse(STEP, problems)

    function, alias = settings.function_name, settings.function_alias
    answer = clients.lambda_.get_alias(FunctionName=function, Name=alias)
    versions = [answer["FunctionVersion"], *_weighted_versions(answer)]
    expected = signed_code_sha256(package["sha256"])
    for version in versions:
        configuration = clients.lambda_.get_function_configuration(
            FunctionName=function, Qualifier=version
        )
        deployed = configuration.get("CodeSha256", "")
        if deployed != expected:
            problems.append(
                f"deployed code of {function}:{alias} (version {version}) has CodeSha256 "
                f"{deployed}, the signed package is {expected}"
            )
    if problems:
        return refuse(STEP, problems)
    print(
        f"confirmed: {safe(function)}:{safe(alias)} (version {safe(', '.join(versions))}) runs "
        f"the signed package {safe(settings.package_artifact)} (CodeSha256 {expected}), "
        f"manifest sha256 {release.manifest_sha256}"
    )
    return 0


def _weighted_versions(alias: Mapping[str, Any]) -> list[str]:
    """Other versions the alias sends traffic to (a canary or linear shift not finished)."""
    weights = (alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
    return sorted(version for version in weights if version != alias["FunctionVersion"])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
