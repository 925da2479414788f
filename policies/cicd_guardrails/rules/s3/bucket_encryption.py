"""`s3-sse-kms`: every bucket is encrypted with SSE-KMS under a customer-managed key.

A stack policy, because a bucket's encryption may live on a separate
`BucketServerSideEncryptionConfiguration(V2)` resource. Properties are read as plain data so an
unknown bucket name in one place never hides an unencrypted bucket elsewhere.

Directory buckets (S3 Express One Zone, `aws.s3.DirectoryBucket`) are judged the same way: they
default to SSE-S3 and take SSE-KMS only from their default encryption configuration
(PutBucketEncryption, the same `BucketServerSideEncryptionConfiguration` resource), with a
customer-managed key ("Setting and monitoring default encryption for directory buckets",
docs.aws.amazon.com/AmazonS3/latest/userguide/s3-express-bucket-encryption.html). Buckets declared
through aws-native (`aws-native:s3:Bucket`, `aws-native:s3express:DirectoryBucket`) are read as
their `aws` twins (`support/native_twins.py`): `bucketEncryption` is their inline configuration.
"""

from typing import Any

from pulumi_policy import (
    ReportViolation,
    StackValidationArgs,
    StackValidationPolicy,
)

from cicd_guardrails.support.bucket_links import (
    BUCKET_TYPES,
    Resource,
    buckets,
    link_side_resources,
    unwrap,
)
from cicd_guardrails.support.key_references import key_problem
from cicd_guardrails.support.metadata import policy_fields
from cicd_guardrails.support.native_twins import AWS_DIRECTORY_BUCKET, as_twin, natives_of, say
from cicd_guardrails.support.wire import as_list, block, fail_undecided, is_unknown, shown

NAME = "s3-sse-kms"
SSE_CONFIG_TYPES = frozenset(
    {
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
    }
)
KMS_ALGORITHMS = frozenset({"aws:kms", "aws:kms:dsse"})
ENCRYPTED_BUCKET_TYPES = BUCKET_TYPES | {AWS_DIRECTORY_BUCKET}
# What the policy reads besides general-purpose buckets: side configurations, directory buckets
# and the aws-native twins of both.
JUDGED_TYPES = SSE_CONFIG_TYPES | ENCRYPTED_BUCKET_TYPES | natives_of(ENCRYPTED_BUCKET_TYPES)

# Inline configuration: `serverSideEncryptionConfiguration` {rule {applyServerSideEncryptionByDefault}}
# on Bucket, the plural list-shaped forms on BucketV2; both deprecated, both still honoured by AWS.
INLINE_KEYS = ("serverSideEncryptionConfiguration", "serverSideEncryptionConfigurations")
RULE_KEYS = ("rule", "rules")
DEFAULT_KEYS = ("applyServerSideEncryptionByDefault", "applyServerSideEncryptionByDefaults")

FIX = (
    "set sseAlgorithm to 'aws:kms' and kmsMasterKeyId to a customer-managed KMS key ARN "
    "(e.g. the pipeline's artifact key)"
)
MISSING_FIX = (
    "add an aws.s3.BucketServerSideEncryptionConfiguration for it with "
    "rules[0].applyServerSideEncryptionByDefault {sseAlgorithm: 'aws:kms', kmsMasterKeyId: <key ARN>}"
)


def validate_s3_sse_kms(args: StackValidationArgs, report: ReportViolation) -> None:
    resources = [as_twin(r) for r in unwrap(args.resources, JUDGED_TYPES)]
    sse_configs = link_side_resources(resources, SSE_CONFIG_TYPES, ENCRYPTED_BUCKET_TYPES)
    undecided: list[str] = []

    for config in (r for r in resources if r.type in SSE_CONFIG_TYPES):
        label = f"BucketServerSideEncryptionConfiguration '{config.name}'"
        rules = as_list(config.props.get("rules"))
        if is_unknown(config.props.get("rules")):
            undecided.append(f"{config.name}.rules")
            continue
        _judge_rules(label, "rules", rules, config.urn, report, undecided)

    for bucket in buckets(resources, ENCRYPTED_BUCKET_TYPES):
        inline = _inline_rules(bucket)
        linked = sse_configs.of(bucket)
        label = f"{_kind(bucket)} '{bucket.name}'"
        if _inline_unknown(bucket) and not linked:
            undecided.append(say(bucket, f"{bucket.name}.serverSideEncryptionConfiguration"))
        elif inline is not None:
            path, rules = inline
            _judge_rules(label, path, rules, bucket.urn, _in_names_of(bucket, report), undecided)
        elif not linked:
            if sse_configs.unlinked:
                undecided.append(
                    f"{bucket.name} (which bucket an encryption configuration names is not known yet)"
                )
                continue
            report(
                say(
                    bucket,
                    f"{label} has no server-side encryption configuration, so S3 "
                    f"encrypts it with SSE-S3 (AES256); {MISSING_FIX}",
                ),
                bucket.urn,
            )

    if undecided:
        fail_undecided(NAME, undecided)


def _kind(bucket: Resource) -> str:
    return "directory bucket" if bucket.type == AWS_DIRECTORY_BUCKET else "bucket"


def _in_names_of(bucket: Resource, report: ReportViolation) -> ReportViolation:
    """`report`, wording messages in the property names `bucket` was declared with."""

    def report_in_names(message: str, urn: str | None = None) -> None:
        report(say(bucket, message), urn)

    return report_in_names


def _inline_unknown(bucket: Resource) -> bool:
    """An inline configuration (or one of its entries) not known yet may be SSE-KMS or not."""
    values = [bucket.props.get(key) for key in INLINE_KEYS]
    return any(is_unknown(v) or any(is_unknown(c) for c in as_list(v)) for v in values)


def _inline_rules(bucket: Resource) -> tuple[str, list[Any]] | None:
    """The inline rules and their property path, or None when the bucket has none inline."""
    for key in INLINE_KEYS:
        value = bucket.props.get(key)
        if value is None:
            continue
        rules: list[Any] = []
        path = key
        for index, config in enumerate(as_list(value)):
            for rule_key in RULE_KEYS:
                if rule_key in block(config):
                    rule_path = (
                        f"{key}[{index}].{rule_key}"
                        if isinstance(value, list)
                        else f"{key}.{rule_key}"
                    )
                    path = rule_path
                    rules.extend(as_list(block(config)[rule_key]))
        if rules:
            return path, rules
    return None


def _judge_rules(
    label: str,
    path: str,
    rules: list[Any],
    urn: str,
    report: ReportViolation,
    undecided: list[str],
) -> None:
    if not rules:
        report(f"{label}: {path} is empty, so S3 falls back to SSE-S3 (AES256); {FIX}", urn)
        return
    for index, rule in enumerate(rules):
        rule_path = f"{path}[{index}]"
        if is_unknown(rule) or any(is_unknown(block(rule).get(k)) for k in DEFAULT_KEYS):
            undecided.append(rule_path)  # may or may not set SSE-KMS
            continue
        defaults = [(k, d) for k in DEFAULT_KEYS for d in as_list(block(rule).get(k))]
        if not defaults:
            report(
                f"{label}: {rule_path}.applyServerSideEncryptionByDefault is not set, so S3 "
                f"falls back to SSE-S3 (AES256); {FIX}",
                urn,
            )
            continue
        for key, default in defaults:
            if is_unknown(default):
                undecided.append(f"{rule_path}.{key}")
                continue
            _judge_default(label, f"{rule_path}.{key}", block(default), urn, report, undecided)


def _judge_default(
    label: str,
    path: str,
    default: dict[str, Any],
    urn: str,
    report: ReportViolation,
    undecided: list[str],
) -> None:
    algorithm = default.get("sseAlgorithm")
    if is_unknown(algorithm):
        undecided.append(f"{path}.sseAlgorithm")
        return
    if algorithm not in KMS_ALGORITHMS:
        report(f"{label}: {path}.sseAlgorithm is {shown(algorithm)}, not SSE-KMS; {FIX}", urn)
        return
    problem = key_problem(default.get("kmsMasterKeyId"))
    if problem:
        report(f"{label}: {path}.kmsMasterKeyId {problem}; {FIX}", urn)


S3_SSE_KMS = StackValidationPolicy(
    **policy_fields(NAME),
    validate=validate_s3_sse_kms,
)

POLICIES = [S3_SSE_KMS]
