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

from collections.abc import Sequence

from components.iam.documents import service_assume_role_policy, statement
from components.iam.grants import RoleGrants, Statement
from components.iam.principals import ANY_RESOURCE, CODEBUILD_PRINCIPAL
from components.release.promotion import ReleasePlan
from components.release.release_actions import (
    ARTIFACT_KEY_READ_ACTIONS,
    IMAGE_PUSH_ACTIONS,
    IMAGE_READ_ACTIONS,
    SIGNING_ALGORITHM,
    SIGNING_KEY_VERIFY_ACTIONS,
)
from components.release.release_names import (
    IMAGE_PURPOSE,
    SIGNER_PURPOSE,
    VERIFIER_PURPOSE,
    ReleaseNames,
    StackReleaseNames,
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


def release_role_grants(
    names: ServiceNames, target: DeployTarget, plan: ReleasePlan, alarm_names: Sequence[str] = ()
) -> list[RoleGrants]:
    """The step roles this service needs under `plan`, in declaration order."""
    release = ReleaseNames(names)
    grants = []
    if plan.builds and target.builds_image:
        grants.append(image_role(release))
    if signs(plan):
        grants.append(signer_role(release, target, plan, alarm_names))
    grants.append(verifier_role(release, target, plan))
    return grants


def signs(plan: ReleasePlan) -> bool:
    """Whether anything in the stack signs: manifests (it builds) or deployment records (it publishes)."""
    return plan.builds or plan.publishes


def image_role(release: ReleaseNames) -> RoleGrants:
    """Build from the source artifact and push the commit's image to this service's repository."""
    names = release.service
    statements = [
        _write_own_logs(release, ["image"]),
        *artifact_statements(names.platform, ARTIFACT_WRITE_ACTIONS),
        kms_use_statement(names.platform),
        # ecr:GetAuthorizationToken has no resource-level permission (AWS requires "*"); the token
        # alone pushes nothing: the repository policy and the statement below name the repository.
        statement("Allow", ["ecr:GetAuthorizationToken"], [ANY_RESOURCE], sid="LogInToRegistry"),
        statement("Allow", IMAGE_PUSH_ACTIONS, [release.image_repository_arn], sid="PushOwnImages"),
    ]
    return RoleGrants(IMAGE_PURPOSE, _trust(release, "image"), statements)


def signer_role(
    release: ReleaseNames, target: DeployTarget, plan: ReleasePlan, alarm_names: Sequence[str]
) -> RoleGrants:
    """Sign manifests (a stack that builds) and deployment records (a stack that publishes).

    Signing reads, hashes and scans the artifacts; publishing waits for the bake watching the
    rollback alarms, then copies the deployed objects under `releases/`. Neither deploys anything.
    """
    names = release.service
    steps = [*(["sign"] if plan.builds else []), *(["publish"] if plan.publishes else [])]
    statements = [
        _write_own_logs(release, steps),
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
    ]
    if plan.builds:
        # inspector-scan:ScanSbom has no resource type (AWS requires "*"): it scans the document
        # it is given and reads nothing of the account.
        statements.append(
            statement("Allow", ["inspector-scan:ScanSbom"], [ANY_RESOURCE], sid="ScanSbom")
        )
        if target.builds_image:
            statements.append(_read_images([release.image_repository_arn]))
    if plan.publishes:
        # Before vouching for a release, the publish step re-verifies it: this stack's manifest
        # signature, or the upstream's deployment record of a promoted release.
        statements.append(_verify_with_trusted_key(release, plan))
        if plan.upstream is not None:
            statements.append(_verify_with_own_key(release))
    if plan.publishes and alarm_names:
        statements.append(
            statement(
                "Allow",
                ["cloudwatch:DescribeAlarms"],
                [names.alarm_arn(alarm) for alarm in alarm_names],
                sid="WatchRollbackAlarmsDuringBake",
            )
        )
    return RoleGrants(SIGNER_PURPOSE, _trust(release, *steps), statements)


def verifier_role(release: ReleaseNames, target: DeployTarget, plan: ReleasePlan) -> RoleGrants:
    """Read the artifacts and the manifest and `kms:Verify`; no write, no Sign, no deploy."""
    names = release.service
    steps = [
        *(["admit"] if not plan.builds else []),
        "verify",
        *(["confirm"] if target.confirms_deployed_code else []),
    ]
    statements = [
        _write_own_logs(release, steps),
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
        _verify_with_trusted_key(release, plan),
        _read_own_executions(names),
        *target.deployed_code_statements(names),
    ]
    if target.builds_image:
        upstream = plan.upstream
        repository = (
            release.image_repository_arn
            if upstream is None
            else upstream.release(names.service_name).image_repository_arn
        )
        statements.append(_read_images([repository]))
    return RoleGrants(VERIFIER_PURPOSE, _trust(release, *steps), statements)


def _verify_with_own_key(release: ReleaseNames) -> Statement:
    return statement(
        "Allow",
        SIGNING_KEY_VERIFY_ACTIONS,
        [release.service.platform.key_arn_pattern],
        conditions={
            "ForAnyValue:StringEquals": {
                "kms:ResourceAliases": release.stack.signing_key_alias_name
            }
        },
        sid="VerifyWithOwnReleaseKey",
    )


def _verify_with_trusted_key(release: ReleaseNames, plan: ReleasePlan) -> Statement:
    """`kms:Verify` with the key that vouches for the release, and only that key.

    This stack's key, or the upstream's: by alias in the same account (`kms:ResourceAliases`), by
    its exact ARN across accounts (aliases do not cross accounts).
    """
    upstream = plan.upstream
    if upstream is not None and not upstream.same_account:
        return statement(
            "Allow",
            SIGNING_KEY_VERIFY_ACTIONS,
            [upstream.signing_key_arn],
            sid="VerifyWithUpstreamReleaseKey",
        )
    stack_names = release.stack if upstream is None else StackReleaseNames(upstream.names)
    return statement(
        "Allow",
        SIGNING_KEY_VERIFY_ACTIONS,
        [stack_names.platform.key_arn_pattern],
        conditions={
            "ForAnyValue:StringEquals": {"kms:ResourceAliases": stack_names.signing_key_alias_name}
        },
        sid="VerifyWithReleaseKey",
    )


def _trust(release: ReleaseNames, *steps: str) -> str:
    """CodeBuild may assume the role for exactly these step projects (its confused-deputy guide)."""
    names = release.service
    return service_assume_role_policy(
        CODEBUILD_PRINCIPAL,
        names.platform.account_id,
        [release.project_arn(step) for step in steps],
    )


def _write_own_logs(release: ReleaseNames, steps: Sequence[str]) -> Statement:
    return statement(
        "Allow",
        ["logs:CreateLogStream", "logs:PutLogEvents"],
        [release.log_streams_arn(step) for step in steps],
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


def _read_images(repository_arns: Sequence[str]) -> Statement:
    return statement("Allow", IMAGE_READ_ACTIONS, repository_arns, sid="ReadReleaseImages")
