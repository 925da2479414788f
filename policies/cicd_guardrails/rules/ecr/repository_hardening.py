"""`ecr-repository-hardened`: images cannot be replaced under their tag, are scanned, and use our key.

An ECR repository holds what the pipeline deploys, so:

- `imageTagMutability` is `IMMUTABLE`: a tag, once pushed, names one image forever. Absent means
  `MUTABLE` (AWS's default), and `IMMUTABLE_WITH_EXCLUSION` lets the excluded tags move, so both are
  refused (Security Hub ECR.2 passes only IMMUTABLE);
- `imageScanningConfiguration.scanOnPush` is true (absent means false): every pushed image is
  scanned, and the signing step reads that scan before it signs;
- `encryptionConfigurations` uses `KMS` (or `KMS_DSSE`) with a customer-managed key. Absent means
  AES256 (SSE-S3); `KMS` without `kmsKey` means the AWS-managed `aws/ecr` key, which no key policy of
  ours scopes. A reference not known yet at preview (the program passes `key.arn`) counts as
  customer-managed, as in the pack's other encryption policies (`support/key_references.py`).

Advisory by default, mandatory in prod through `policies/config/prod.json`. ECR cannot change a
repository's encryption after creation: the fix replaces the repository.
"""

from typing import Any

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy

from cicd_guardrails.support.key_references import key_problem
from cicd_guardrails.support.metadata import policy_fields
from cicd_guardrails.support.wire import (
    as_list,
    block,
    fail_undecided,
    is_true,
    is_unknown,
    nested,
    plain,
    shown,
)

NAME = "ecr-repository-hardened"
ECR_REPOSITORY = "aws:ecr/repository:Repository"
IMMUTABLE = "IMMUTABLE"
AWS_DEFAULT_MUTABILITY = "MUTABLE"
KMS_TYPES = ("KMS", "KMS_DSSE")
AWS_DEFAULT_ENCRYPTION = "AES256"
MISSING_KEY = "is not set, so ECR uses the AWS-managed key aws/ecr"
KEY_FIX = (
    "set encryptionConfigurations [{encryptionType: 'KMS', kmsKey: <customer-managed key ARN>}] "
    "(ECR sets encryption only at creation, so this replaces the repository)"
)


def validate_repository(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != ECR_REPOSITORY:
        return
    props = plain(args.props)
    label = f"ECR repository '{args.name}'"
    undecided: list[str] = []
    _judge_mutability(label, props, report, undecided)
    _judge_scanning(label, props, report, undecided)
    _judge_encryption(label, props, report, undecided)
    if undecided:
        fail_undecided(args.name, undecided)


def _judge_mutability(
    label: str, props: dict[str, Any], report: ReportViolation, undecided: list[str]
) -> None:
    mutability = props.get("imageTagMutability")
    if is_unknown(mutability):
        undecided.append("imageTagMutability")
    elif mutability != IMMUTABLE:
        means = f" ({AWS_DEFAULT_MUTABILITY}, AWS's default)" if mutability is None else ""
        report(
            f"{label}: imageTagMutability is {shown(mutability)}{means}, so a push can move a tag "
            f"to another image; set imageTagMutability to '{IMMUTABLE}'"
        )


def _judge_scanning(
    label: str, props: dict[str, Any], report: ReportViolation, undecided: list[str]
) -> None:
    scan_on_push = nested(props, "imageScanningConfiguration", "scanOnPush")
    if is_unknown(scan_on_push):
        undecided.append("imageScanningConfiguration.scanOnPush")
    elif not is_true(scan_on_push):
        report(
            f"{label}: imageScanningConfiguration.scanOnPush is {shown(scan_on_push)}, so pushed "
            "images are not scanned for vulnerabilities; set imageScanningConfiguration "
            "{scanOnPush: true}"
        )


def _judge_encryption(
    label: str, props: dict[str, Any], report: ReportViolation, undecided: list[str]
) -> None:
    configurations = props.get("encryptionConfigurations")
    if is_unknown(configurations):
        undecided.append("encryptionConfigurations")
        return
    listed = as_list(configurations)
    if not listed:
        report(
            f"{label}: encryptionConfigurations is {shown(configurations)}, so ECR encrypts "
            f"images with {AWS_DEFAULT_ENCRYPTION} (SSE-S3), not a customer-managed KMS key; "
            f"{KEY_FIX}"
        )
        return
    for index, configuration in enumerate(listed):
        path = f"encryptionConfigurations[{index}]"
        if is_unknown(configuration):
            undecided.append(path)
            continue
        kind = block(configuration).get("encryptionType")
        if is_unknown(kind):
            undecided.append(f"{path}.encryptionType")
            continue
        if (kind or AWS_DEFAULT_ENCRYPTION) not in KMS_TYPES:
            report(
                f"{label}: {path}.encryptionType is {shown(kind)}, so ECR encrypts images with "
                f"{AWS_DEFAULT_ENCRYPTION} (SSE-S3), not a customer-managed KMS key; {KEY_FIX}"
            )
            continue
        problem = key_problem(block(configuration).get("kmsKey"), missing=MISSING_KEY)
        if problem:
            report(f"{label}: {path}.kmsKey {problem}; {KEY_FIX}")


ECR_REPOSITORY_HARDENED = ResourceValidationPolicy(
    **policy_fields(NAME),
    validate=validate_repository,
)

POLICIES = [ECR_REPOSITORY_HARDENED]
