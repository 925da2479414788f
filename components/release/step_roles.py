"""The roles of the stack-owned release steps: each may do its one job and nothing the others do.

- The **image** role builds and pushes the service's image (ECS): push to its own repository only.
- The **signer** role reads the artifacts, scans them and may `kms:Sign` with the release key; it
  writes only its own output artifact and deploys nothing.
- The **verifier** role reads the artifacts, the manifest and (Lambda) the deployed code, and may
  `kms:Verify`; it can neither write the bucket nor Sign.

The build role (the repository's buildspec) gets none of this: it cannot sign, and the signing key's
policy denies `kms:Sign` to every principal but the signer roles (`signing_key.py`). These roles use
the artifact key through IAM (the artifact key policy delegates to IAM through the account root), so
the shared artifact key policy does not grow by three roles per service (KMS's 32 KB limit).
"""

from components.iam.documents import service_assume_role_policy, statement
from components.iam.grants import RoleGrants, Statement
from components.iam.principals import ANY_RESOURCE, CODEBUILD_PRINCIPAL
from components.release.release_names import (
    IMAGE_PURPOSE,
    SIGNER_PURPOSE,
    VERIFIER_PURPOSE,
    ReleaseNames,
)
from components.shared.artifact_grants import (
    ARTIFACT_READ_ACTIONS,
    ARTIFACT_WRITE_ACTIONS,
    BUCKET_ACTIONS,
    artifact_statements,
    kms_use_statement,
)
from components.shared.naming import ServiceNames
from components.targets import DeployTarget

SIGNING_ALGORITHM = "ECDSA_SHA_256"
"""The one algorithm the release key signs with (ECC_NIST_P256); pinned in the key policy too."""
SIGNING_KEY_VERIFY_ACTIONS = ("kms:DescribeKey", "kms:GetPublicKey", "kms:Verify")
ARTIFACT_KEY_READ_ACTIONS = ("kms:Decrypt", "kms:DescribeKey")
IMAGE_PUSH_ACTIONS = (
    "ecr:BatchCheckLayerAvailability",
    "ecr:BatchGetImage",
    "ecr:CompleteLayerUpload",
    "ecr:DescribeImages",
    "ecr:GetDownloadUrlForLayer",
    "ecr:InitiateLayerUpload",
    "ecr:PutImage",
    "ecr:UploadLayerPart",
)
IMAGE_READ_ACTIONS = ("ecr:DescribeImageScanFindings", "ecr:DescribeImages")


def release_role_grants(names: ServiceNames, target: DeployTarget) -> list[RoleGrants]:
    """The step roles this service needs, in declaration order (image only when it builds one)."""
    release = ReleaseNames(names)
    grants = [signer_role(release, target), verifier_role(release, target)]
    if target.builds_image:
        grants.insert(0, image_role(release))
    return grants


def image_role(release: ReleaseNames) -> RoleGrants:
    """Build from the source artifact and push the commit's image to this service's repository."""
    names = release.service
    statements = [
        _write_own_logs(release, "image"),
        *artifact_statements(names.platform, ARTIFACT_WRITE_ACTIONS),
        kms_use_statement(names.platform),
        # ecr:GetAuthorizationToken has no resource-level permission (AWS requires "*"); the token
        # alone pushes nothing: the repository policy and the statement below name the repository.
        statement("Allow", ["ecr:GetAuthorizationToken"], [ANY_RESOURCE], sid="LogInToRegistry"),
        statement("Allow", IMAGE_PUSH_ACTIONS, [release.image_repository_arn], sid="PushOwnImages"),
    ]
    return RoleGrants(IMAGE_PURPOSE, _trust(release, "image"), statements)


def signer_role(release: ReleaseNames, target: DeployTarget) -> RoleGrants:
    """Hash, scan and sign the release; write only the release artifact (manifest, SBOM, report)."""
    names = release.service
    statements = [
        _write_own_logs(release, "sign"),
        *artifact_statements(names.platform, ARTIFACT_WRITE_ACTIONS),
        kms_use_statement(names.platform),
        statement(
            "Allow",
            ["kms:Sign"],
            [names.platform.key_arn_pattern],
            conditions={
                "ForAnyValue:StringEquals": {
                    "kms:ResourceAliases": release.stack.signing_key_alias_name
                },
                "StringEquals": {"kms:SigningAlgorithm": SIGNING_ALGORITHM},
            },
            sid="SignReleasesWithReleaseKey",
        ),
        _read_own_executions(names),
        # inspector-scan:ScanSbom has no resource type (AWS requires "*"): it scans the document
        # it is given and reads nothing of the account.
        statement("Allow", ["inspector-scan:ScanSbom"], [ANY_RESOURCE], sid="ScanSbom"),
    ]
    if target.builds_image:
        statements.append(_read_own_images(release))
    return RoleGrants(SIGNER_PURPOSE, _trust(release, "sign"), statements)


def verifier_role(release: ReleaseNames, target: DeployTarget) -> RoleGrants:
    """Read the artifacts and the manifest and `kms:Verify`; no write, no Sign, no deploy."""
    names = release.service
    steps = ["verify", *(["confirm"] if target.confirms_deployed_code else [])]
    statements = [
        statement(
            "Allow",
            ["logs:CreateLogStream", "logs:PutLogEvents"],
            [release.log_streams_arn(step) for step in steps],
            sid="WriteOwnStepLogs",
        ),
        statement(
            "Allow",
            ARTIFACT_READ_ACTIONS,
            [names.platform.artifact_objects_arn],
            sid="ReadArtifacts",
        ),
        statement(
            "Allow", BUCKET_ACTIONS, [names.platform.artifact_bucket_arn], sid="ArtifactBucket"
        ),
        statement(
            "Allow",
            ARTIFACT_KEY_READ_ACTIONS,
            [names.platform.key_arn_pattern],
            conditions={
                "ForAnyValue:StringEquals": {"kms:ResourceAliases": names.platform.key_alias_name}
            },
            sid="DecryptArtifacts",
        ),
        statement(
            "Allow",
            SIGNING_KEY_VERIFY_ACTIONS,
            [names.platform.key_arn_pattern],
            conditions={
                "ForAnyValue:StringEquals": {
                    "kms:ResourceAliases": release.stack.signing_key_alias_name
                }
            },
            sid="VerifyWithReleaseKey",
        ),
        _read_own_executions(names),
        *target.deployed_code_statements(names),
    ]
    if target.builds_image:
        statements.append(_read_own_images(release))
    return RoleGrants(VERIFIER_PURPOSE, _trust(release, *steps), statements)


def _trust(release: ReleaseNames, *steps: str) -> str:
    """CodeBuild may assume the role for exactly these step projects (its confused-deputy guide)."""
    names = release.service
    return service_assume_role_policy(
        CODEBUILD_PRINCIPAL,
        names.platform.account_id,
        [release.project_arn(step) for step in steps],
    )


def _write_own_logs(release: ReleaseNames, step: str) -> Statement:
    return statement(
        "Allow",
        ["logs:CreateLogStream", "logs:PutLogEvents"],
        [release.log_streams_arn(step)],
        sid="WriteOwnStepLogs",
    )


def _read_own_executions(names: ServiceNames) -> Statement:
    """Find this execution's artifact objects and build id from CodePipeline itself."""
    return statement(
        "Allow",
        ["codepipeline:ListActionExecutions"],
        [names.pipeline_arn],
        sid="ReadOwnActionExecutions",
    )


def _read_own_images(release: ReleaseNames) -> Statement:
    return statement(
        "Allow", IMAGE_READ_ACTIONS, [release.image_repository_arn], sid="ReadOwnImages"
    )
