"""Artifact bucket hygiene: versioned, never public, TLS only — the AWS CDK Pipelines defaults.

Stack policies, because each setting lives on a side resource linked to its bucket. A side
resource whose bucket is unknown and not a property dependency, or a setting or bucket policy
document not known yet, is reported as "can't run during preview" for that bucket (it might be the
missing setting), after every bucket that can be judged from known values has been: advisory as
they are, they never pass what they could not see. The engine re-runs the pack on `pulumi up` with
every input known.

Since April 2023 S3 blocks public access on every new bucket by default (Amazon S3 User Guide,
"Blocking public access to your Amazon S3 storage"), so a bucket without a public access block is
not public: the advisory asks to pin in the stack what the default gives, so that lifting it is a
reviewed change rather than one `PutPublicAccessBlock` call.
"""

import json
from collections.abc import Callable
from typing import Any

from pulumi_policy import (
    ReportViolation,
    StackValidationArgs,
    StackValidationPolicy,
)

from cicd_guardrails.support.bucket_links import Resource, buckets, link_side_resources, unwrap
from cicd_guardrails.support.metadata import policy_fields
from cicd_guardrails.support.wire import (
    as_list,
    block,
    fail_undecided,
    is_false,
    is_true,
    is_unknown,
    nested,
    shown,
)

VERSIONING = "s3-bucket-versioning"
PUBLIC_ACCESS = "s3-bucket-public-access-blocked"
TLS_ONLY = "s3-bucket-tls-only"

VERSIONING_TYPES = frozenset(
    {"aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2"}
)
PUBLIC_ACCESS_BLOCK_TYPES = frozenset({"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"})
BUCKET_POLICY_TYPES = frozenset({"aws:s3/bucketPolicy:BucketPolicy"})
PUBLIC_ACCESS_FLAGS = (
    "blockPublicAcls",
    "blockPublicPolicy",
    "ignorePublicAcls",
    "restrictPublicBuckets",
)
ENABLED = "Enabled"
SECURE_TRANSPORT = "aws:securetransport"

# Reports the bucket's violations; returns the paths it could not judge because they are unknown.
Judge = Callable[[Resource, list[Resource], ReportViolation], list[str]]


def bucket_policy(side_types: frozenset[str], judge: Judge, name: str) -> Callable[..., None]:
    """A stack validation that links `side_types` to each bucket and hands both to `judge`."""

    def validate(args: StackValidationArgs, report: ReportViolation) -> None:
        resources = unwrap(args.resources, side_types)
        sides = link_side_resources(resources, side_types)
        undecided = []
        for bucket in buckets(resources):
            linked = sides.of(bucket)
            if not linked and sides.unlinked:
                undecided.append(
                    f"{bucket.name} (which bucket a side resource names is not known yet)"
                )
                continue
            undecided.extend(judge(bucket, linked, report))
        if undecided:
            fail_undecided(name, undecided)

    return validate


def judge_versioning(
    bucket: Resource, linked: list[Resource], report: ReportViolation
) -> list[str]:
    fix = "add an aws.s3.BucketVersioning with versioningConfiguration.status 'Enabled'"
    undecided = []
    for side in linked:
        status = nested(side.props, "versioningConfiguration", "status")
        if is_unknown(status):
            undecided.append(f"{side.name}.versioningConfiguration.status")
        elif status != ENABLED:
            report(
                f"BucketVersioning '{side.name}' (bucket '{bucket.name}'): "
                f"versioningConfiguration.status is {shown(status)}; set it to 'Enabled'",
                side.urn,
            )
    if linked:
        return undecided
    inline = [v for key in ("versioning", "versionings") for v in as_list(bucket.props.get(key))]
    if any(is_true(block(v).get("enabled")) for v in inline):
        return undecided
    if any(is_unknown(v) or is_unknown(block(v).get("enabled")) for v in inline):
        return [f"{bucket.name}.versioning"]
    report(
        f"bucket '{bucket.name}' is not versioned, so an overwritten artifact is lost; {fix}",
        bucket.urn,
    )
    return undecided


def judge_public_access(
    bucket: Resource, linked: list[Resource], report: ReportViolation
) -> list[str]:
    if not linked:
        report(
            f"bucket '{bucket.name}' has no BucketPublicAccessBlock: S3 blocks public access on new "
            "buckets by default (since April 2023), but nothing in the stack pins it, so one "
            "PutPublicAccessBlock call can lift it unreviewed; pin the default with a "
            f"BucketPublicAccessBlock with {', '.join(PUBLIC_ACCESS_FLAGS)} all true",
            bucket.urn,
        )
        return []
    undecided = []
    for side in linked:
        off = [f for f in PUBLIC_ACCESS_FLAGS if not _true_or_unknown(side.props.get(f))]
        undecided.extend(
            f"{side.name}.{f}" for f in PUBLIC_ACCESS_FLAGS if is_unknown(side.props.get(f))
        )
        if off:
            report(
                f"BucketPublicAccessBlock '{side.name}' (bucket '{bucket.name}'): "
                f"{', '.join(off)} not true; set all four flags to true",
                side.urn,
            )
    return undecided


def judge_tls_only(bucket: Resource, linked: list[Resource], report: ReportViolation) -> list[str]:
    documents = [(bucket.name, bucket.props.get("policy"))] + [
        (side.name, side.props.get("policy")) for side in linked
    ]
    documents = [(name, d) for name, d in documents if d is not None]
    if any(_denies_insecure_transport(d) for _, d in documents):
        return []
    unknown = [f"{name}.policy" for name, d in documents if _has_unknown(d)]
    if unknown:
        return unknown  # the part not known yet may be the TLS Deny
    report(
        f"bucket '{bucket.name}' has no bucket policy statement denying requests without TLS; add "
        "a BucketPolicy statement {Effect: Deny, Principal: '*', Action: 's3:*', Resource: [bucket "
        "ARN, bucket ARN/*], Condition: {Bool: {'aws:SecureTransport': 'false'}}}",
        bucket.urn,
    )
    return []


def _true_or_unknown(value: Any) -> bool:
    return is_true(value) or is_unknown(value)


def _has_unknown(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_has_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_unknown(v) for v in value)
    return is_unknown(value)


def _denies_insecure_transport(document: Any) -> bool:
    if is_unknown(document):
        return False
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            return False
    for statement in as_list(block(document).get("Statement")):
        statement = block(statement)
        if statement.get("Effect") != "Deny" or not _everyone(statement.get("Principal")):
            continue
        actions = {a.lower() for a in as_list(statement.get("Action")) if isinstance(a, str)}
        if not actions & {"s3:*", "*"}:
            continue
        for operator, conditions in block(statement.get("Condition")).items():
            if operator.lower() != "bool":
                continue
            for key, value in block(conditions).items():
                if key.lower() == SECURE_TRANSPORT and any(is_false(v) for v in as_list(value)):
                    return True
    return False


def _everyone(principal: Any) -> bool:
    return principal == "*" or (
        isinstance(principal, dict) and "*" in as_list(principal.get("AWS"))
    )


S3_BUCKET_VERSIONING = StackValidationPolicy(
    **policy_fields(VERSIONING),
    validate=bucket_policy(VERSIONING_TYPES, judge_versioning, VERSIONING),
)

S3_BUCKET_PUBLIC_ACCESS_BLOCKED = StackValidationPolicy(
    **policy_fields(PUBLIC_ACCESS),
    validate=bucket_policy(PUBLIC_ACCESS_BLOCK_TYPES, judge_public_access, PUBLIC_ACCESS),
)

S3_BUCKET_TLS_ONLY = StackValidationPolicy(
    **policy_fields(TLS_ONLY),
    validate=bucket_policy(BUCKET_POLICY_TYPES, judge_tls_only, TLS_ONLY),
)

POLICIES = [S3_BUCKET_VERSIONING, S3_BUCKET_PUBLIC_ACCESS_BLOCKED, S3_BUCKET_TLS_ONLY]
