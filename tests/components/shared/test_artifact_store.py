"""The artifact store on its own: key, alias and bucket safety, with documents known at preview."""

import json

import pytest

from components.config import MAX_SERVICES
from components.shared.artifact_store import ArtifactStore, ArtifactStoreArgs
from components.shared.naming import PlatformNames
from components.shared.tagging import resource_tags
from tests.support.mocked_program import FIXTURE_ACCOUNT_ID, FIXTURE_REGION, declare
from tests.support.program_runs import recorded_options
from tests.support.resource_policy_eval import DENY, Caller, evaluate

NAMES = PlatformNames("guarded-delivery", "dev", FIXTURE_ACCOUNT_ID, FIXTURE_REGION)
ROLE_ARNS = (
    f"arn:aws:iam::{FIXTURE_ACCOUNT_ID}:role/guarded-delivery-dev-web-build",
    f"arn:aws:iam::{FIXTURE_ACCOUNT_ID}:role/guarded-delivery-dev-web-pipeline",
)
LOG_GROUP_ARN = f"arn:aws:logs:{FIXTURE_REGION}:{FIXTURE_ACCOUNT_ID}:log-group:/aws/codebuild/x"


def build(protect: bool = False, deletion_window_days: int = 7) -> None:
    ArtifactStore(
        "artifacts",
        ArtifactStoreArgs(
            names=NAMES,
            key_user_role_arns=ROLE_ARNS,
            log_group_arns=[LOG_GROUP_ARN],
            tags=resource_tags("guarded-delivery", "dev"),
            deletion_window_days=deletion_window_days,
            protect=protect,
        ),
    )


@pytest.fixture(scope="module")
def store():
    return declare(build)


def statements(document: str) -> dict[str, dict]:
    assert isinstance(document, str), "policy must be a known JSON string at preview"
    return {s["Sid"]: s for s in json.loads(document)["Statement"]}


def test_key_rotates_and_keeps_the_configured_deletion_window(store):
    key = store.of_type("aws:kms/key:Key")[0].inputs
    assert key["enableKeyRotation"] is True
    assert key["deletionWindowInDays"] == 7
    assert key["customerMasterKeySpec"] == "SYMMETRIC_DEFAULT"


def test_key_policy_gives_kms_star_only_to_the_account_root(store):
    key_policy = statements(store.of_type("aws:kms/key:Key")[0].inputs["policy"])
    star_holders = [
        sid for sid, s in key_policy.items() if any(a in ("kms:*", "*") for a in s["Action"])
    ]
    assert star_holders == ["AccountRootDelegatesToIam"]
    root = key_policy["AccountRootDelegatesToIam"]
    assert root["Principal"] == {"AWS": f"arn:aws:iam::{FIXTURE_ACCOUNT_ID}:root"}


def test_key_policy_names_exactly_the_pipeline_roles(store):
    roles = statements(store.of_type("aws:kms/key:Key")[0].inputs["policy"])["PipelineRolesUseKey"]
    assert roles["Principal"] == {"AWS": sorted(ROLE_ARNS)}
    assert set(roles["Action"]) == {
        "kms:Decrypt",
        "kms:DescribeKey",
        "kms:Encrypt",
        "kms:GenerateDataKey",
    }


def test_key_policy_binds_logs_to_our_log_groups_and_publishers_to_our_topic(store):
    policy = statements(store.of_type("aws:kms/key:Key")[0].inputs["policy"])
    logs = policy["CloudWatchLogsEncryptsBuildLogs"]
    assert logs["Principal"] == {"Service": f"logs.{FIXTURE_REGION}.amazonaws.com"}
    assert logs["Condition"] == {
        "ArnEquals": {"kms:EncryptionContext:aws:logs:arn": [LOG_GROUP_ARN]}
    }
    topic_context = {"kms:EncryptionContext:aws:sns:topicArn": NAMES.topic_arn}
    alarms = policy["AlarmsPublishToEncryptedTopic"]
    assert alarms["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert alarms["Condition"] == {
        "StringEquals": {"aws:SourceAccount": FIXTURE_ACCOUNT_ID, **topic_context}
    }
    assert set(alarms["Action"]) == {"kms:Decrypt", "kms:GenerateDataKey"}
    rules = policy["EventRulesPublishToEncryptedTopic"]
    assert rules["Principal"] == {"Service": "events.amazonaws.com"}
    # EventBridge's KMS requests carry no aws:SourceAccount/aws:SourceArn: a condition on them
    # would deny every delivery to the encrypted topic. The topic's encryption context binds it.
    assert rules["Condition"] == {"StringEquals": topic_context}
    assert set(rules["Action"]) == {"kms:Decrypt", "kms:GenerateDataKey"}


def test_alias_is_the_known_name(store):
    alias = store.of_type("aws:kms/alias:Alias")[0].inputs
    assert alias["name"] == "alias/guarded-delivery-dev-artifacts"


def test_bucket_is_named_for_account_and_region_and_never_force_destroyed(store):
    bucket = store.of_type("aws:s3/bucket:Bucket")[0].inputs
    assert (
        bucket["bucket"] == f"guarded-delivery-dev-artifacts-{FIXTURE_ACCOUNT_ID}-{FIXTURE_REGION}"
    )
    assert bucket["forceDestroy"] is False


def test_bucket_is_versioned_kms_encrypted_with_bucket_key(store):
    versioning = store.of_type("aws:s3/bucketVersioning:BucketVersioning")[0].inputs
    assert versioning["versioningConfiguration"] == {"status": "Enabled"}
    sse_type = (
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
    )
    (rule,) = store.of_type(sse_type)[0].inputs["rules"]
    assert rule["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "aws:kms"
    assert rule["bucketKeyEnabled"] is True


def test_bucket_blocks_all_public_access_and_enforces_owner(store):
    block = store.of_type("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")[0].inputs
    for flag in (
        "blockPublicAcls",
        "blockPublicPolicy",
        "ignorePublicAcls",
        "restrictPublicBuckets",
    ):
        assert block[flag] is True, flag
    ownership = store.of_type("aws:s3/bucketOwnershipControls:BucketOwnershipControls")[0].inputs
    assert ownership["rule"] == {"objectOwnership": "BucketOwnerEnforced"}


def test_bucket_policy_denies_plain_http_unencrypted_and_foreign_key_uploads(store):
    policy = statements(store.of_type("aws:s3/bucketPolicy:BucketPolicy")[0].inputs["policy"])
    assert all(s["Effect"] == "Deny" for s in policy.values())
    tls = policy["DenyInsecureTransport"]
    assert tls["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert set(tls["Resource"]) == {NAMES.artifact_bucket_arn, f"{NAMES.artifact_bucket_arn}/*"}
    unencrypted = policy["DenyUploadsNotEncryptedWithKms"]
    assert unencrypted["Condition"] == {
        "StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}
    }
    assert unencrypted["NotResource"] == [f"{NAMES.artifact_bucket_arn}/build-cache/*"]
    foreign = policy["DenyUploadsWithForeignKey"]["Condition"]["StringNotLikeIfExists"]
    assert set(foreign["s3:x-amz-server-side-encryption-aws-kms-key-id"]) == {
        NAMES.key_alias_arn,
        f"arn:aws:kms:{FIXTURE_REGION}:{FIXTURE_ACCOUNT_ID}:key/*",
    }


BUCKET = NAMES.artifact_bucket_arn
OUR_KEY = (
    f"arn:aws:kms:{FIXTURE_REGION}:{FIXTURE_ACCOUNT_ID}:key/11111111-2222-3333-4444-555555555555"
)
FOREIGN_KEY = "arn:aws:kms:us-east-1:999999999999:key/99999999-2222-3333-4444-555555555555"
SSE, SSE_KEY = "s3:x-amz-server-side-encryption", "s3:x-amz-server-side-encryption-aws-kms-key-id"
BUILD_ROLE = f"arn:aws:iam::{FIXTURE_ACCOUNT_ID}:role/guarded-delivery-dev-web-build"


@pytest.mark.parametrize(
    ("key", "headers", "denied"),
    [
        # The S3 cache: without SSE headers the bucket's default encryption (our key) applies.
        ("build-cache/web/abc", {}, False),
        ("build-cache/web/abc", {SSE: "aws:kms"}, False),
        ("build-cache/web/abc", {SSE: "aws:kms", SSE_KEY: OUR_KEY}, False),
        ("build-cache/web/abc", {SSE: "aws:kms", SSE_KEY: NAMES.key_alias_arn}, False),
        ("build-cache/web/abc", {SSE: "aws:kms", SSE_KEY: FOREIGN_KEY}, True),
        ("build-cache/web/abc", {SSE_KEY: FOREIGN_KEY}, True),
        ("build-cache/web/abc", {SSE: "AES256"}, True),
        # Everything else must name aws:kms, and a key of ours when it names one.
        ("web/BuildOutput/abc.zip", {}, True),
        ("web/BuildOutput/abc.zip", {SSE: "AES256"}, True),
        ("web/BuildOutput/abc.zip", {SSE: "aws:kms", SSE_KEY: OUR_KEY}, False),
        ("web/BuildOutput/abc.zip", {SSE: "aws:kms", SSE_KEY: FOREIGN_KEY}, True),
        ("releases/web/prod/release.zip", {}, True),
        ("build-cachex/web/abc", {}, True),
    ],
)
def test_bucket_policy_lets_the_headerless_cache_upload_through_and_nothing_else(
    store, key, headers, denied
):
    """Evaluated, not just read: the cache prefix is exempt from the header Deny only."""
    document = store.of_type("aws:s3/bucketPolicy:BucketPolicy")[0].inputs["policy"]
    caller = Caller(BUILD_ROLE, dict(headers))
    answer = evaluate(document, caller, "s3:PutObject", f"{BUCKET}/{key}")
    assert (answer == DENY) is denied, (key, headers, answer)


def test_cache_uploads_over_plain_http_are_still_denied(store):
    document = store.of_type("aws:s3/bucketPolicy:BucketPolicy")[0].inputs["policy"]
    caller = Caller(BUILD_ROLE, {"aws:SecureTransport": "false"})
    assert evaluate(document, caller, "s3:PutObject", f"{BUCKET}/build-cache/web/x") == DENY


def test_the_bucket_default_encryption_is_our_key_with_bucket_key(store):
    """What makes the headerless cache upload safe: S3 encrypts it with our key by default."""
    (rule,) = store.of_type(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
    )[0].inputs["rules"]
    assert rule["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "aws:kms"
    assert rule["bucketKeyEnabled"] is True


def test_lifecycle_expires_replaced_versions_and_stale_uploads(store):
    (rule,) = store.of_type("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")[
        0
    ].inputs["rules"]
    assert rule["status"] == "Enabled"
    assert rule["noncurrentVersionExpiration"]["noncurrentDays"] == 30
    assert rule["abortIncompleteMultipartUpload"]["daysAfterInitiation"] == 7
    assert "expiration" not in rule, "current artifacts must never expire under a running pipeline"


def test_taggable_resources_carry_the_stack_tags(store):
    expected = resource_tags("guarded-delivery", "dev")
    for resource in store.of_type("aws:kms/key:Key") + store.of_type("aws:s3/bucket:Bucket"):
        assert resource.inputs["tags"] == expected


def test_protect_marks_key_and_bucket_protected_and_retained():
    with recorded_options() as registered:
        declare(lambda: build(protect=True))
    options = {o.typ: o for o in registered}
    for token in ("aws:kms/key:Key", "aws:s3/bucket:Bucket"):
        assert options[token].protect, token
        assert options[token].retain_on_delete, token
    assert not options["aws:kms/alias:Alias"].protect


def test_unprotected_store_can_be_torn_down():
    with recorded_options() as registered:
        declare(lambda: build(protect=False))
    assert registered
    assert not any(o.protect or o.retain_on_delete for o in registered)


KMS_KEY_POLICY_LIMIT_BYTES = 32 * 1024


def test_key_policy_naming_every_role_fits_kms_limit_at_the_service_cap():
    """Long stack, region and service names at MAX_SERVICES: the key policy must still be accepted."""
    names = PlatformNames(
        "guarded-delivery", "production-eu-west", FIXTURE_ACCOUNT_ID, "ap-southeast-2"
    )
    services = [
        names.service(f"service-{i:03d}-abcdefghij"[:20], f"Repository{i:03d}")
        for i in range(MAX_SERVICES)
    ]
    stores = declare(
        lambda: ArtifactStore(
            "artifacts",
            ArtifactStoreArgs(
                names=names,
                key_user_role_arns=[arn for s in services for arn in s.key_user_role_arns],
                log_group_arns=[s.log_group_arn for s in services],
                tags=resource_tags("guarded-delivery", "production-eu-west"),
                deletion_window_days=30,
                protect=False,
            ),
        )
    )
    policy = stores.of_type("aws:kms/key:Key")[0].inputs["policy"]
    assert len(policy.encode()) <= KMS_KEY_POLICY_LIMIT_BYTES
    assert len(json.loads(policy)["Statement"]) >= 2
