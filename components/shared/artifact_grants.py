"""What a role needs to use the artifact store: its objects, its bucket and its key, nothing else."""

from components.iam.documents import statement
from components.iam.grants import Statement
from components.shared.naming import PlatformNames

KEY_USE_ACTIONS = ("kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey")
ARTIFACT_READ_ACTIONS = ("s3:GetObject", "s3:GetObjectVersion")
ARTIFACT_WRITE_ACTIONS = (*ARTIFACT_READ_ACTIONS, "s3:PutObject")
BUCKET_ACTIONS = (
    "s3:GetBucketAcl",
    "s3:GetBucketLocation",
    "s3:GetBucketVersioning",
    "s3:ListBucket",
)
"""Bucket-level reads CodePipeline's and CodeBuild's documented service-role policies both list."""


def kms_use_statement(platform: PlatformNames) -> Statement:
    """Use of our artifact key only: any key ARN of the account/region, narrowed to the one with our alias.

    The key ARN is a computed output (unknown at preview); `kms:ResourceAliases` names it by its alias,
    which is known. The key policy grants the same roles, so either side alone already fails closed.
    """
    return statement(
        "Allow",
        KEY_USE_ACTIONS,
        [platform.key_arn_pattern],
        conditions={"ForAnyValue:StringEquals": {"kms:ResourceAliases": platform.key_alias_name}},
        sid="UseArtifactKey",
    )


def artifact_statements(
    platform: PlatformNames, object_actions: tuple[str, ...]
) -> list[Statement]:
    """Objects in the artifact bucket, plus the bucket-level reads the S3 clients make first."""
    return [
        statement("Allow", object_actions, [platform.artifact_objects_arn], sid="ArtifactObjects"),
        statement("Allow", BUCKET_ACTIONS, [platform.artifact_bucket_arn], sid="ArtifactBucket"),
    ]


def revision_read_statements(platform: PlatformNames) -> list[Statement]:
    """A deployment service reading the revision (appspec) from the artifact bucket itself."""
    return [
        statement(
            "Allow", ARTIFACT_READ_ACTIONS, [platform.artifact_objects_arn], sid="ReadRevisions"
        ),
        kms_use_statement(platform),
    ]
