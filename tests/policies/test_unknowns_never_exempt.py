"""An unknown value never hides what known values prove, and never passes what it may hide.

Each test pairs the resource whose unknown part is reported as "can't run during preview" (or that
is still refused for what is known) with the twin in which that part is known.
"""

import json

import pytest

from cicd_guardrails.rules.cloudwatch.alarm_actions import POLICIES as ALARM_POLICIES
from cicd_guardrails.rules.codebuild.project_hardening import (
    CODEBUILD_NO_PLAINTEXT_SECRETS,
    CODEBUILD_PRIVILEGED_MODE,
)
from cicd_guardrails.rules.codepipeline.artifact_encryption import POLICIES as ARTIFACT_POLICIES
from cicd_guardrails.rules.codepipeline.artifact_verification import (
    POLICIES as VERIFICATION_POLICIES,
)
from cicd_guardrails.rules.codepipeline.image_by_digest import POLICIES as IMAGE_POLICIES
from cicd_guardrails.rules.codepipeline.promoted_no_source_build import (
    POLICIES as PROMOTED_POLICIES,
)
from cicd_guardrails.rules.ecr.repository_hardening import POLICIES as ECR_POLICIES
from cicd_guardrails.rules.iam.cross_account_principals import POLICIES as PRINCIPAL_POLICIES
from cicd_guardrails.rules.kms.cross_account_key import POLICIES as CROSS_ACCOUNT_KEY_POLICIES
from cicd_guardrails.rules.kms.key_lifecycle import KMS_KEY_ROTATION
from cicd_guardrails.rules.kms.signing_key import POLICIES as SIGNING_POLICIES
from cicd_guardrails.rules.s3.bucket_encryption import POLICIES as S3_POLICIES
from cicd_guardrails.rules.s3.bucket_hardening import POLICIES as BUCKET_POLICIES
from tests.support.analyzer_harness import (
    UNKNOWN,
    analyze,
    assert_no_violations,
    assert_skipped,
    assert_violation,
    resource,
)
from tests.support.release_shapes import (
    DOWNSTREAM_ROOT,
    PROMOTED_STAGES,
    SOURCE,
    algorithm_pin,
    artifact_bucket_policy,
    artifact_key,
    artifact_key_statements,
    cross_account_stack,
    document,
    downstream_decrypt,
    downstream_object_read,
    pipeline,
    project,
    promoted_projects,
    s3_source,
    signer_allow,
    signing_key,
    signing_policy,
    stage,
    step_projects,
    tls_deny,
)

BUCKET = "aws:s3/bucket:Bucket"
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:notifications"


# --- advisory bucket stack policies: an unknown setting is reported, not passed ----------------------

TLS = "s3-bucket-tls-only"
VERSIONING = "s3-bucket-versioning"
PUBLIC = "s3-bucket-public-access-blocked"
TLS_DENY = {
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:*",
    "Resource": ["arn:aws:s3:::artifacts-dev", "arn:aws:s3:::artifacts-dev/*"],
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}


def bucket_with_policy(document):
    bucket = resource(BUCKET, "artifacts", {"bucket": "artifacts-dev"})
    policy = resource(
        "aws:s3/bucketPolicy:BucketPolicy",
        "artifacts-policy",
        {"bucket": "artifacts-dev", "policy": document},
    )
    return [bucket, policy]


def test_an_unknown_bucket_policy_document_cannot_be_judged_at_preview():
    result = analyze(BUCKET_POLICIES, bucket_with_policy(UNKNOWN))
    assert not result.of(TLS)
    assert_skipped(result, TLS, "artifacts-policy.policy")
    known = bucket_with_policy(json.dumps({"Statement": [TLS_DENY]}))
    assert_no_violations(analyze(BUCKET_POLICIES, known), TLS)
    without = bucket_with_policy(json.dumps({"Statement": [{**TLS_DENY, "Effect": "Allow"}]}))
    assert_violation(
        analyze(BUCKET_POLICIES, without), TLS, "has no bucket policy statement denying"
    )


def test_an_unknown_statement_may_be_the_tls_deny_but_a_known_one_proves_it():
    partly = bucket_with_policy({"Statement": [{"Effect": "Allow"}, UNKNOWN]})
    assert_skipped(analyze(BUCKET_POLICIES, partly), TLS, "artifacts-policy.policy")
    proven = bucket_with_policy({"Statement": [TLS_DENY, UNKNOWN]})
    assert_no_violations(analyze(BUCKET_POLICIES, proven), TLS)


def versioned(status, inline=None):
    props = (
        {"bucket": "artifacts-dev"}
        if inline is None
        else {"bucket": "artifacts-dev", "versioning": inline}
    )
    side = resource(
        "aws:s3/bucketVersioning:BucketVersioning",
        "artifacts-versioning",
        {"bucket": "artifacts-dev", "versioningConfiguration": {"status": status}},
    )
    return [resource(BUCKET, "artifacts", props), side]


def test_an_unknown_versioning_status_is_reported_and_an_unknown_inline_block_hides_no_side_resource():
    assert_skipped(
        analyze(BUCKET_POLICIES, versioned(UNKNOWN)),
        VERSIONING,
        "artifacts-versioning.versioningConfiguration.status",
    )
    assert_no_violations(analyze(BUCKET_POLICIES, versioned("Enabled")), VERSIONING)
    # The inline block is not known, but the side resource provably suspends versioning.
    result = analyze(BUCKET_POLICIES, versioned("Suspended", inline={"enabled": UNKNOWN}))
    assert_violation(
        result,
        VERSIONING,
        "BucketVersioning 'artifacts-versioning' (bucket 'artifacts'): versioningConfiguration.status is 'Suspended'",
    )


def test_an_unknown_public_access_flag_is_reported_while_a_known_false_one_is_refused():
    bucket = resource(BUCKET, "artifacts", {"bucket": "artifacts-dev"})
    flags = {
        "blockPublicAcls": False,
        "blockPublicPolicy": UNKNOWN,
        "ignorePublicAcls": True,
        "restrictPublicBuckets": True,
    }
    block = resource(
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "artifacts-pab",
        {"bucket": "artifacts-dev", **flags},
    )
    result = analyze(BUCKET_POLICIES, [bucket, block])
    assert_violation(
        result,
        PUBLIC,
        "BucketPublicAccessBlock 'artifacts-pab' (bucket 'artifacts'): blockPublicAcls not true",
    )
    assert_skipped(result, PUBLIC, "artifacts-pab.blockPublicPolicy")


def test_a_bucket_without_public_access_block_is_described_as_what_the_default_gives():
    result = analyze(BUCKET_POLICIES, [resource(BUCKET, "scratch", {"bucket": "scratch-dev"})])
    violation = assert_violation(
        result,
        PUBLIC,
        "bucket 'scratch' has no BucketPublicAccessBlock: S3 blocks public access on new buckets by "
        "default (since April 2023), but nothing in the stack pins it",
        level="advisory",
    )
    assert "pin the default with a BucketPublicAccessBlock" in violation.detail


# --- cloudwatch-alarm-actions: an unknown switch hides no empty action list ----------------------

ALARM = "cloudwatch-alarm-actions"


def alarm(**props):
    return resource("aws:cloudwatch/metricAlarm:MetricAlarm", "failed-builds", props)


def test_unknown_actions_enabled_does_not_hide_empty_action_lists():
    result = analyze(ALARM_POLICIES, [alarm(actionsEnabled=UNKNOWN, alarmActions=[])])
    assert_violation(
        result, ALARM, "alarmActions, okActions and insufficientDataActions are all empty"
    )
    assert_skipped(result, ALARM, "actionsEnabled")
    assert_no_violations(
        analyze(ALARM_POLICIES, [alarm(actionsEnabled=True, alarmActions=[TOPIC_ARN])]), ALARM
    )


def test_an_unknown_action_list_may_be_empty_so_it_is_not_passed():
    assert_skipped(analyze(ALARM_POLICIES, [alarm(alarmActions=UNKNOWN)]), ALARM, "alarmActions")
    assert_no_violations(
        analyze(ALARM_POLICIES, [alarm(alarmActions=UNKNOWN, okActions=[TOPIC_ARN])]), ALARM
    )


# --- kms-key-rotation: an unknown switch hides no out-of-range period ---------------------------------


def test_unknown_rotation_does_not_hide_a_rotation_period_kms_rejects():
    key = resource(
        "aws:kms/key:Key", "artifacts", {"enableKeyRotation": UNKNOWN, "rotationPeriodInDays": 30}
    )
    result = analyze([KMS_KEY_ROTATION], [key])
    assert_violation(
        result, "kms-key-rotation", "rotationPeriodInDays is 30, outside the 90-2560 days"
    )
    assert_skipped(result, "kms-key-rotation", "enableKeyRotation")
    fine = resource(
        "aws:kms/key:Key", "artifacts", {"enableKeyRotation": True, "rotationPeriodInDays": 90}
    )
    assert_no_violations(analyze([KMS_KEY_ROTATION], [fine]), "kms-key-rotation")


# --- unknown list elements: judged only where provable ---------------------------------------------

ARTIFACTS = "pipeline-artifacts-kms"
STORE = {"type": "S3", "location": "artifacts-dev", "encryptionKey": {"type": "KMS", "id": KEY_ARN}}


def test_an_unknown_artifact_store_is_undecided_while_a_known_one_without_key_is_refused():
    pipeline = resource(
        "aws:codepipeline/pipeline:Pipeline",
        "web",
        {
            "artifactStores": [
                UNKNOWN,
                {"type": "S3", "location": "artifacts-eu", "region": "eu-west-1"},
            ]
        },
    )
    result = analyze(ARTIFACT_POLICIES, [pipeline])
    assert_violation(
        result,
        ARTIFACTS,
        "pipeline 'web': artifactStores[1].encryptionKey (region eu-west-1) is not set",
    )
    assert_skipped(result, ARTIFACTS, "artifactStores[0]")
    known = resource("aws:codepipeline/pipeline:Pipeline", "web", {"artifactStores": [STORE]})
    assert_no_violations(analyze(ARTIFACT_POLICIES, [known]), ARTIFACTS)


@pytest.mark.parametrize(
    "block", [{"artifacts": UNKNOWN}, {"secondaryArtifacts": [UNKNOWN]}, {"logsConfig": UNKNOWN}]
)
def test_an_unknown_build_artifact_block_may_disable_encryption(block):
    project = resource(
        "aws:codebuild/project:Project", "build", {"encryptionKey": KEY_ARN, **block}
    )
    assert_skipped(analyze(ARTIFACT_POLICIES, [project]), ARTIFACTS, "encryptionDisabled")
    disabled = resource(
        "aws:codebuild/project:Project",
        "build",
        {"encryptionKey": KEY_ARN, "artifacts": {"encryptionDisabled": True}},
    )
    assert_violation(
        analyze(ARTIFACT_POLICIES, [disabled]), ARTIFACTS, "artifacts.encryptionDisabled is true"
    )


def test_an_unknown_encryption_rule_is_undecided_not_refused_as_missing():
    bucket = resource(BUCKET, "artifacts", {"bucket": "artifacts-dev"})
    sse = resource(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "artifacts-sse",
        {
            "bucket": "artifacts-dev",
            "rules": [UNKNOWN, {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}],
        },
    )
    result = analyze(S3_POLICIES, [bucket, sse])
    assert_violation(
        result,
        "s3-sse-kms",
        "rules[1].applyServerSideEncryptionByDefault.sseAlgorithm is 'AES256', not SSE-KMS",
    )
    assert_skipped(result, "s3-sse-kms", "rules[0]")
    assert not [v for v in result.of("s3-sse-kms") if "rules[0]" in v.detail]


# --- CodeBuild hardening: unknown settings are reported, known secrets still refused ----------------


def build_project(**props):
    return resource("aws:codebuild/project:Project", "build", props)


def test_an_unknown_privileged_mode_is_reported_not_passed():
    policies = [CODEBUILD_PRIVILEGED_MODE]
    unknown = build_project(environment={"privilegedMode": UNKNOWN})
    assert_skipped(
        analyze(policies, [unknown]), "codebuild-privileged-mode", "environment.privilegedMode"
    )
    privileged = build_project(environment={"privilegedMode": True})
    assert_violation(
        analyze(policies, [privileged]), "codebuild-privileged-mode", "privilegedMode is true"
    )
    assert_no_violations(analyze(policies, [build_project(environment={"privilegedMode": False})]))


def test_an_unknown_variable_does_not_hide_a_known_plaintext_secret():
    policies = [CODEBUILD_NO_PLAINTEXT_SECRETS]
    variables = [UNKNOWN, {"name": "DB_PASSWORD", "value": "hunter2", "type": "PLAINTEXT"}]
    result = analyze(policies, [build_project(environment={"environmentVariables": variables})])
    assert_violation(
        result,
        "codebuild-no-plaintext-secrets",
        "environment.environmentVariables[1] (DB_PASSWORD)",
    )
    assert_skipped(result, "codebuild-no-plaintext-secrets", "environment.environmentVariables[0]")
    stored = [{"name": "DB_PASSWORD", "value": "/app/db", "type": "PARAMETER_STORE"}]
    assert_no_violations(
        analyze(policies, [build_project(environment={"environmentVariables": stored})])
    )


def test_a_configuration_naming_no_known_bucket_may_configure_the_bucket_whose_name_is_unknown():
    unnamed = resource(BUCKET, "artifacts", {"bucket": UNKNOWN})
    sse = resource(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "artifacts-sse",
        {
            "bucket": "artifacts-dev",
            "rules": [
                {
                    "applyServerSideEncryptionByDefault": {
                        "sseAlgorithm": "aws:kms",
                        "kmsMasterKeyId": KEY_ARN,
                    }
                }
            ],
        },
    )
    result = analyze(S3_POLICIES, [unnamed, sse])
    assert not result.of("s3-sse-kms")
    assert_skipped(
        result,
        "s3-sse-kms",
        "artifacts (which bucket an encryption configuration names is not known yet)",
    )
    named = resource(BUCKET, "artifacts", {"bucket": "artifacts-other"})
    assert_violation(
        analyze(S3_POLICIES, [named, sse]),
        "s3-sse-kms",
        "bucket 'artifacts' has no server-side encryption configuration",
    )


# --- the signed release: an unknown step, key policy or image is undecided, its known twin judged ----


def test_an_unknown_verification_project_is_undecided_and_a_repository_buildspec_refused():
    verification = "codepipeline-artifact-verification"
    unknown = step_projects(verify=project("verify", buildspec=UNKNOWN))
    result = analyze(VERIFICATION_POLICIES, [*unknown, pipeline()])
    assert not result.of(verification)
    assert_skipped(result, verification, "(its verification)")
    pushed = step_projects(verify=project("verify", buildspec="buildspec.yml"))
    assert_violation(
        analyze(VERIFICATION_POLICIES, [*pushed, pipeline()]),
        verification,
        "source.buildspec is the path 'buildspec.yml', read from the source",
    )


def test_an_unknown_signing_key_policy_is_undecided_and_a_known_unfenced_root_refused():
    signing = "kms-signing-key-restricted"
    result = analyze(SIGNING_POLICIES, [*step_projects(), pipeline(), signing_key(UNKNOWN)])
    assert not result.of(signing)
    assert_skipped(result, signing, "release-signing-key.policy")
    unfenced = signing_key(
        signing_policy(
            {
                "Effect": "Allow",
                "Principal": {"AWS": "123456789012"},
                "Action": "kms:*",
                "Resource": "*",
            },
            algorithm_pin(),
            signer_allow(),
        )
    )
    assert_violation(
        analyze(SIGNING_POLICIES, [*step_projects(), pipeline(), unfenced]),
        signing,
        "to the account root '123456789012'",
    )


def test_an_unknown_image_uri_is_undecided_and_a_tag_refused():
    image_tag = "codepipeline-no-mutable-image-tag"

    def function(uri):
        return resource(
            "aws:lambda/function:Function", "worker", {"packageType": "Image", "imageUri": uri}
        )

    assert_skipped(analyze(IMAGE_POLICIES, [function(UNKNOWN)]), image_tag, "imageUri")
    assert_violation(
        analyze(IMAGE_POLICIES, [function("123456789012.dkr.ecr.us-east-1.amazonaws.com/w:1")]),
        image_tag,
        "imageUri is '123456789012.dkr.ecr.us-east-1.amazonaws.com/w:1' with packageType Image",
    )


def test_an_unknown_repository_key_is_customer_managed_but_an_unknown_type_is_undecided():
    ecr = "ecr-repository-hardened"

    def repository(encryption):
        return resource(
            "aws:ecr/repository:Repository",
            "images",
            {
                "imageTagMutability": "IMMUTABLE",
                "imageScanningConfiguration": {"scanOnPush": True},
                "encryptionConfigurations": [encryption],
            },
        )

    # The key's ARN is not known until the key exists: the program's own reference.
    assert_no_violations(
        analyze(ECR_POLICIES, [repository({"encryptionType": "KMS", "kmsKey": UNKNOWN})])
    )
    assert_skipped(
        analyze(ECR_POLICIES, [repository({"encryptionType": UNKNOWN, "kmsKey": UNKNOWN})]),
        ecr,
        "encryptionConfigurations[0].encryptionType",
    )
    assert_violation(
        analyze(ECR_POLICIES, [repository({"encryptionType": "AES256"})]),
        ecr,
        "encryptionConfigurations[0].encryptionType is 'AES256'",
    )


# --- promotion: an unknown source, document, own account or key usage is undecided, its twin judged --


def test_an_unknown_source_provider_in_a_promoted_stack_is_undecided_and_codecommit_refused():
    promoted = "codepipeline-promoted-no-source-build"
    config = {promoted: {"promotedStack": True}}
    source = s3_source("BuildOutput")
    source["provider"] = UNKNOWN
    unknown = pipeline([stage("Source", source), *PROMOTED_STAGES[1:]])
    result = analyze(PROMOTED_POLICIES, [*promoted_projects(), unknown], config)
    assert not result.of(promoted)
    assert_skipped(result, promoted, "stages[0].actions[0].owner or provider")
    codecommit = pipeline([SOURCE, *PROMOTED_STAGES[1:]])
    assert_violation(
        analyze(PROMOTED_POLICIES, [*promoted_projects(), codecommit], config),
        promoted,
        "stages[0].actions[0] ('Source') is a source action with provider 'CodeCommit'",
    )


def test_an_unknown_bucket_policy_or_own_account_is_undecided_and_a_known_root_refused():
    exact = "resource-policy-cross-account-exact-principals"
    result = analyze(
        PRINCIPAL_POLICIES, cross_account_stack(bucket_policy=artifact_bucket_policy(UNKNOWN))
    )
    assert not result.of(exact)
    assert_skipped(result, exact, "artifacts-bucket-policy.policy")
    rooted = artifact_bucket_policy(
        document(tls_deny(), downstream_object_read({"AWS": DOWNSTREAM_ROOT}))
    )
    unknown_role = analyze(PRINCIPAL_POLICIES, [pipeline(role=UNKNOWN), rooted])
    assert not unknown_role.of(exact)
    assert_skipped(unknown_role, exact, "api.roleArn")
    assert_violation(
        analyze(PRINCIPAL_POLICIES, [pipeline(), rooted]),
        exact,
        f"lets another account in through the account root '{DOWNSTREAM_ROOT}'",
    )


def test_an_unknown_key_usage_is_undecided_and_a_known_encrypt_grant_refused():
    limited = "kms-key-cross-account-limited"
    statements = [*artifact_key_statements()[:-1], downstream_decrypt(actions=["kms:Encrypt"])]
    unknown = artifact_key(document(*statements), key_usage=UNKNOWN)
    result = analyze(CROSS_ACCOUNT_KEY_POLICIES, cross_account_stack(artifact_key=unknown))
    assert not result.of(limited)
    assert_skipped(result, limited, "(the key's keyUsage)")
    known = artifact_key(document(*statements))
    assert_violation(
        analyze(CROSS_ACCOUNT_KEY_POLICIES, cross_account_stack(artifact_key=known)),
        limited,
        "on this ENCRYPT_DECRYPT key kms:Encrypt",
    )
