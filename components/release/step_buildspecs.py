"""The buildspecs of the release steps, declared by the stack, never read from the repository.

Anyone who can push can change the service's own buildspec, so the steps that must not be skipped or
bent (build the image, sign, verify, confirm) run buildspecs that live in the CodeBuild project
definition (`source.buildspec` inline, CodeBuild's "Buildspec reference"): changing them takes
`codebuild:UpdateProject`, i.e. a change to this stack. The step programs (`steps/`, tested on their
own) are written into the build from the project definition too, byte for byte, so what runs is what
the tests ran; only their one dependency, boto3, is installed, pinned, from PyPI.
"""

from functools import cache
from pathlib import Path
from typing import Any

from components.stages.buildspec import BUILDSPEC_VERSION, dump_buildspec

STEPS_DIRECTORY = Path(__file__).parent / "steps"
STEPS_PACKAGE = "release_steps"
STEPS_HOME = "/tmp/guarded-delivery"
"""Outside the build's source directory, so the step code is never part of what it hashes or scans."""
BOTO3_REQUIREMENT = "boto3==1.44.8"
"""The boto3 the step programs are tested with (requirements.txt)."""
SOURCE_DELIMITER = "RELEASE_STEP_SOURCE"
OUTPUT_DIRECTORY = ".release"
"""Where the signing step writes the manifest, signature, SBOM and report (the release artifact)."""
RELEASE_VARIABLES = ("MANIFEST_SHA256", "COMMIT_ID", "IMAGE_DIGEST", "SCAN_VERDICT")
"""Exported by the signing step as `#{ReleaseVariables.<name>}` (CodeBuild `exported-variables`)."""
ADMITTED_VARIABLES = (*RELEASE_VARIABLES, "UPSTREAM_EXECUTION_ID")
"""Exported by the admission of a promoted release, for the approval and the verifier."""
IMAGE_DETAIL_FILE = "imageDetail.json"
DOCKERFILE = "Dockerfile"


def step_sources() -> dict[str, str]:
    """The step package's modules by file name, in a stable order."""
    sources = {path.name: path.read_text() for path in sorted(STEPS_DIRECTORY.glob("*.py"))}
    for name, text in sources.items():
        if SOURCE_DELIMITER in text:
            raise ValueError(f"steps/{name} contains the heredoc delimiter {SOURCE_DELIMITER}")
    return sources


def install_commands() -> list[str]:
    """Install boto3 and write the step package where Python finds it."""
    package = f"{STEPS_HOME}/{STEPS_PACKAGE}"
    commands = [
        f"pip install --quiet --no-cache-dir {BOTO3_REQUIREMENT}",
        f'mkdir -p "{package}"',
    ]
    for name, text in step_sources().items():
        commands.append(
            f"cat > \"{package}/{name}\" <<'{SOURCE_DELIMITER}'\n{text}{SOURCE_DELIMITER}\n"
        )
    return commands


def step_command(step: str) -> str:
    """`python3 -m release_steps.<step>` with the package on the path (the policy pack looks for it)."""
    return f'PYTHONPATH="{STEPS_HOME}" python3 -m {STEPS_PACKAGE}.{step}'


@cache
def sign_buildspec() -> str:
    """Hash, scan, gate and sign; export the manifest digest for the approval and the verifier."""
    return _buildspec(
        [
            step_command("sign"),
            f"set -a; . {OUTPUT_DIRECTORY}/variables.env; set +a",
        ],
        exported=RELEASE_VARIABLES,
        artifacts={"files": ["**/*"], "base-directory": OUTPUT_DIRECTORY},
    )


@cache
def admit_buildspec() -> str:
    """Verify a promoted release on arrival and export what the approval request names."""
    return _buildspec(
        [step_command("verify"), f"set -a; . {OUTPUT_DIRECTORY}/variables.env; set +a"],
        exported=ADMITTED_VARIABLES,
    )


@cache
def publish_buildspec() -> str:
    """Bake, then publish the deployed release to the downstream stacks."""
    return _buildspec([step_command("publish")])


@cache
def verify_buildspec() -> str:
    """Check signature, digests, revision and approval before the deploy; write nothing."""
    return _buildspec([step_command("verify")])


@cache
def confirm_buildspec() -> str:
    """After the deploy, match what the target runs with the signed package."""
    return _buildspec([step_command("confirm")])


@cache
def image_buildspec() -> str:
    """Build the commit's image from the repository's Dockerfile, push it once, write its digest.

    Tags are immutable, so a retried execution of the same commit reuses the image already pushed
    under its commit id instead of failing to overwrite the tag (one image per commit).
    """
    reuse = (
        'if aws ecr describe-images --repository-name "$IMAGE_REPOSITORY" '
        '--image-ids imageTag="$COMMIT_ID" >/dev/null 2>&1; then '
        'echo "image $COMMIT_ID already pushed: reusing it"; else '
        'docker build --pull --file "$DOCKERFILE" --tag "$IMAGE_REPOSITORY_URI:$COMMIT_ID" . && '
        'docker push "$IMAGE_REPOSITORY_URI:$COMMIT_ID"; fi'
    )
    digest = (
        'IMAGE_DIGEST=$(aws ecr describe-images --repository-name "$IMAGE_REPOSITORY" '
        "--image-ids imageTag=\"$COMMIT_ID\" --query 'imageDetails[0].imageDigest' --output text)"
    )
    document: dict[str, Any] = {
        "version": BUILDSPEC_VERSION,
        "env": {"shell": "bash", "exported-variables": ["IMAGE_DIGEST"]},
        "phases": {
            "pre_build": {
                "on-failure": "ABORT",
                "commands": [
                    'test -n "$COMMIT_ID"',
                    'aws ecr get-login-password --region "$AWS_REGION" | docker login '
                    '--username AWS --password-stdin "$IMAGE_REGISTRY"',
                ],
            },
            "build": {"on-failure": "ABORT", "commands": [reuse, digest]},
            "post_build": {
                "commands": [
                    'test "$CODEBUILD_BUILD_SUCCEEDING" = "1"',
                    'case "$IMAGE_DIGEST" in sha256:*) ;; *) echo "ERROR: no digest for '
                    '$COMMIT_ID"; exit 1;; esac',
                    'printf \'{"ImageURI":"%s@%s"}\\n\' "$IMAGE_REPOSITORY_URI" "$IMAGE_DIGEST" '
                    f"> {IMAGE_DETAIL_FILE}",
                ]
            },
        },
        "artifacts": {"files": [IMAGE_DETAIL_FILE]},
    }
    return dump_buildspec(document)


def _buildspec(
    commands: list[str],
    exported: tuple[str, ...] = (),
    artifacts: dict[str, Any] | None = None,
) -> str:
    env: dict[str, Any] = {"shell": "bash"}
    if exported:
        env["exported-variables"] = list(exported)
    document: dict[str, Any] = {
        "version": BUILDSPEC_VERSION,
        "env": env,
        "phases": {
            "install": {"on-failure": "ABORT", "commands": install_commands()},
            "build": {"on-failure": "ABORT", "commands": commands},
        },
    }
    if artifacts is not None:
        document["artifacts"] = artifacts
    return dump_buildspec(document)
