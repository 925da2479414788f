"""The customer-managed KMS key and the S3 bucket every pipeline stores its artifacts in.

Safer than the CDK defaults: rotation is on, the key policy gives `kms:*` to the account root only (the
IAM delegation statement) and names exactly which roles and services may use the key, the bucket refuses
plain-HTTP requests and uploads that are not SSE-KMS or use a key from another account, and old artifact
versions expire. Both documents are built from `PlatformNames`, so they are known on a first preview.

Ordering: the key policy is a `reference` to the roles it names (KMS resolves principals when it stores
the policy); every bucket-side resource names the bucket by its `bucket` input (known at preview, and a
dependency); the bucket name this component exposes is a reference to the bucket *and* its encryption,
policy, public-access block, ownership and versioning, so a pipeline is only created (and, V2, runs its
first execution) once its store is private and encrypted.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.iam.documents import policy_document, statement
from components.iam.grants import Statement
from components.iam.principals import ALARMS_PRINCIPAL, EVENTS_PRINCIPAL
from components.shared.artifact_grants import KEY_USE_ACTIONS
from components.shared.naming import PlatformNames
from components.shared.references import combine, reference

NONCURRENT_VERSION_DAYS = 30
"""How long a replaced artifact version stays restorable (pipelines only read the current one)."""
ABORT_MULTIPART_DAYS = 7
KEY_ROTATION_DAYS = 365

LOGS_KEY_ACTIONS = (
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
)
PUBLISHER_KEY_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey")
SNS_TOPIC_CONTEXT_KEY = "kms:EncryptionContext:aws:sns:topicArn"
"""SNS encrypts each message under this context, so a grant bound to it serves our topic and no other."""


@dataclass(frozen=True)
class ArtifactStoreArgs:
    """Inputs of the artifact store."""

    names: PlatformNames
    key_user_role_arns: Sequence[pulumi.Input[str]]
    """References to the roles (pipeline, build, deploy of every service) that may use the key; KMS
    rejects a key policy naming a role that does not exist yet, so each must carry its dependency."""
    log_group_arns: Sequence[str]
    """Log groups CloudWatch Logs may encrypt with the key (encryption-context bound)."""
    tags: Mapping[str, str]
    deletion_window_days: int = 30
    """KMS waiting period before a scheduled key deletion (7..30); the maximum by default."""
    noncurrent_version_days: int = NONCURRENT_VERSION_DAYS
    key_grants: Sequence[Statement] = ()
    """Further key-policy statements (downstream stacks decrypting published releases via S3)."""
    bucket_grants: Sequence[Statement] = ()
    """Further bucket-policy statements (downstream stacks reading their published releases)."""
    protect: bool = True
    """Protect and retain the key and the bucket (prod): deleting them loses every artifact."""


class ArtifactStore(pulumi.ComponentResource):
    """KMS key + alias + SSE-KMS, versioned, private, TLS-only artifact bucket."""

    key: aws.kms.Key
    key_arn: pulumi.Output[str]
    """Computed by KMS (unknown at preview): only for inputs that must be a key ARN."""
    key_alias_arn: pulumi.Output[str]
    """Reference to the alias (known at preview): pipeline artifact store, topic encryption."""
    bucket_name: pulumi.Output[str]
    """Reference to the bucket and all its safety settings."""
    bucket_arn: str

    def __init__(
        self, name: str, args: ArtifactStoreArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("guarded-delivery:artifact_store:ArtifactStore", name, None, opts)
        names = args.names
        self._declare_key(name, args)
        self._declare_bucket(name, args)
        self._declare_bucket_settings(name, args)
        self.key_arn = self.key.arn
        self.key_alias_arn = reference(names.key_alias_arn, self.alias)
        self.bucket_name = reference(
            names.artifact_bucket_name,
            self.bucket,
            self.encryption,
            self.bucket_policy,
            self.public_access_block,
            self.ownership,
            self.versioning,
        )
        self.bucket_arn = names.artifact_bucket_arn
        self.register_outputs(
            {
                "key_arn": self.key_arn,
                "key_alias_arn": self.key_alias_arn,
                "bucket_name": self.bucket_name,
                "bucket_arn": self.bucket_arn,
            }
        )

    def _kept(self, args: ArtifactStoreArgs) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(
            parent=self, protect=args.protect, retain_on_delete=args.protect
        )

    def _declare_key(self, name: str, args: ArtifactStoreArgs) -> None:
        names = args.names
        self.key = aws.kms.Key(
            f"{name}-key",
            description=f"Encrypts the {names.prefix} pipeline artifacts, repositories, logs and topic",
            enable_key_rotation=True,
            rotation_period_in_days=KEY_ROTATION_DAYS,
            deletion_window_in_days=args.deletion_window_days,
            key_usage="ENCRYPT_DECRYPT",
            customer_master_key_spec="SYMMETRIC_DEFAULT",
            policy=combine(lambda role_arns: key_policy(args, role_arns), args.key_user_role_arns),
            tags=dict(args.tags),
            opts=self._kept(args),
        )
        self.alias = aws.kms.Alias(
            f"{name}-key-alias",
            name=names.key_alias_name,
            target_key_id=self.key.key_id,
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _declare_bucket(self, name: str, args: ArtifactStoreArgs) -> None:
        """The bucket, versioned, encrypted with our key, private, owner-enforced."""
        child = pulumi.ResourceOptions(parent=self)
        self.bucket = aws.s3.Bucket(
            f"{name}-bucket",
            bucket=args.names.artifact_bucket_name,
            force_destroy=False,
            tags=dict(args.tags),
            opts=self._kept(args),
        )
        # The bucket's `bucket` input: known at preview (its `id` is not) and a dependency on it.
        bucket_id = self.bucket.bucket
        self.versioning = aws.s3.BucketVersioning(
            f"{name}-versioning",
            bucket=bucket_id,
            versioning_configuration={"status": "Enabled"},
            opts=child,
        )
        self.encryption = aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption",
            bucket=bucket_id,
            rules=[
                {
                    "apply_server_side_encryption_by_default": {
                        "sse_algorithm": "aws:kms",
                        "kms_master_key_id": self.key.arn,
                    },
                    "bucket_key_enabled": True,
                }
            ],
            opts=child,
        )
        self.public_access_block = aws.s3.BucketPublicAccessBlock(
            f"{name}-public-access-block",
            bucket=bucket_id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )
        self.ownership = aws.s3.BucketOwnershipControls(
            f"{name}-ownership",
            bucket=bucket_id,
            rule={"object_ownership": "BucketOwnerEnforced"},
            opts=child,
        )

    def _declare_bucket_settings(self, name: str, args: ArtifactStoreArgs) -> None:
        """The TLS/KMS-only bucket policy and the lifecycle of replaced artifact versions."""
        bucket_id = self.bucket.bucket
        self.bucket_policy = aws.s3.BucketPolicy(
            f"{name}-bucket-policy",
            bucket=bucket_id,
            policy=bucket_policy(args.names, args.bucket_grants),
            # S3 rejects a policy while the public access block is still being applied.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.public_access_block]),
        )
        self.lifecycle = aws.s3.BucketLifecycleConfiguration(
            f"{name}-lifecycle",
            bucket=bucket_id,
            rules=[
                {
                    "id": "expire-replaced-artifacts",
                    "status": "Enabled",
                    "filter": {"prefix": ""},
                    "noncurrent_version_expiration": {
                        "noncurrent_days": args.noncurrent_version_days
                    },
                    "abort_incomplete_multipart_upload": {
                        "days_after_initiation": ABORT_MULTIPART_DAYS
                    },
                }
            ],
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.versioning]),
        )


def key_policy(args: ArtifactStoreArgs, key_user_role_arns: Sequence[str]) -> str:
    """Root delegates to IAM; named roles and services get only the calls they make, nobody `kms:*`.

    Long because it is one document: five statements, each with the reason for its principal.
    """
    names = args.names
    # In a key policy "Resource": "*" means "this key"; it is the only form AWS accepts there.
    this_key = ["*"]
    statements = [
        statement(
            "Allow",
            ["kms:*"],
            this_key,
            sid="AccountRootDelegatesToIam",
            principal={"AWS": names.account_root_arn},
        ),
        statement(
            "Allow",
            KEY_USE_ACTIONS,
            this_key,
            sid="PipelineRolesUseKey",
            principal={"AWS": list(key_user_role_arns)},
        ),
        statement(
            "Allow",
            LOGS_KEY_ACTIONS,
            this_key,
            conditions={
                "ArnEquals": {"kms:EncryptionContext:aws:logs:arn": list(args.log_group_arns)}
            },
            sid="CloudWatchLogsEncryptsBuildLogs",
            principal={"Service": f"logs.{names.region}.amazonaws.com"},
        ),
        # SNS asks KMS for a data key on behalf of whoever publishes to the encrypted topic
        # (SNS guide, "compatibility between event sources from AWS services and encrypted
        # topics"). Both grants are bound to our topic by SNS's encryption context. CloudWatch's
        # requests also carry aws:SourceAccount; EventBridge's do not, so conditioning its grant on
        # it would make KMS refuse every failure notification, silently.
        statement(
            "Allow",
            PUBLISHER_KEY_ACTIONS,
            this_key,
            conditions={
                "StringEquals": {
                    "aws:SourceAccount": names.account_id,
                    SNS_TOPIC_CONTEXT_KEY: names.topic_arn,
                }
            },
            sid="AlarmsPublishToEncryptedTopic",
            principal={"Service": ALARMS_PRINCIPAL},
        ),
        statement(
            "Allow",
            PUBLISHER_KEY_ACTIONS,
            this_key,
            conditions={"StringEquals": {SNS_TOPIC_CONTEXT_KEY: names.topic_arn}},
            sid="EventRulesPublishToEncryptedTopic",
            principal={"Service": EVENTS_PRINCIPAL},
        ),
        *args.key_grants,
    ]
    return policy_document(statements)


def bucket_policy(names: PlatformNames, grants: Sequence[Statement] = ()) -> str:
    """TLS only; uploads must be SSE-KMS with a key of this account and region (ideally ours).

    The key's own ARN is only known after it exists, so pinning it would make this document unknown on
    a first preview; instead uploads are limited to our alias or keys of our account and region, which
    stops the real threat (objects encrypted under a key someone else controls).

    The build cache prefix (`build-cache/*`) is the one exception to "the upload names aws:kms": AWS
    does not document the SSE headers of CodeBuild's cache uploads, and a Deny on a header CodeBuild
    does not send would refuse every cache upload. An upload without SSE headers is encrypted by the
    bucket's default encryption (SSE-KMS with our key, `_declare_bucket`), so exempting the prefix
    keeps the guarantee. `...IfExists` cannot serve the prefix: on a missing key it is true, and the
    Deny would refuse the headerless upload. So the cache has its own Denies, each true only when its
    header is present and wrong (`Null: false` and a negated match).
    """
    bucket_and_objects = [names.artifact_bucket_arn, names.artifact_objects_arn]
    cache = [names.build_cache_objects_arn]
    everyone = "*"
    sse, sse_key = (
        "s3:x-amz-server-side-encryption",
        "s3:x-amz-server-side-encryption-aws-kms-key-id",
    )
    our_keys = [names.key_alias_arn, names.key_arn_pattern]
    return policy_document(
        [
            statement(
                "Deny",
                ["s3:*"],
                bucket_and_objects,
                conditions={"Bool": {"aws:SecureTransport": "false"}},
                sid="DenyInsecureTransport",
                principal=everyone,
            ),
            statement(
                "Deny",
                ["s3:PutObject"],
                None,
                conditions={"StringNotEquals": {sse: "aws:kms"}},
                sid="DenyUploadsNotEncryptedWithKms",
                principal=everyone,
                not_resources=cache,
            ),
            statement(
                "Deny",
                ["s3:PutObject"],
                None,
                conditions={"StringNotLikeIfExists": {sse_key: our_keys}},
                sid="DenyUploadsWithForeignKey",
                principal=everyone,
                not_resources=cache,
            ),
            statement(
                "Deny",
                ["s3:PutObject"],
                cache,
                conditions={"Null": {sse: "false"}, "StringNotEquals": {sse: "aws:kms"}},
                sid="DenyCacheUploadsNotKms",
                principal=everyone,
            ),
            statement(
                "Deny",
                ["s3:PutObject"],
                cache,
                conditions={"Null": {sse_key: "false"}, "StringNotLike": {sse_key: our_keys}},
                sid="DenyCacheUploadsWithForeignKey",
                principal=everyone,
            ),
            *grants,
        ]
    )
