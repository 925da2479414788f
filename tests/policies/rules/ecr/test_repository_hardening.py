"""ecr-repository-hardened: immutable tags, scan on push, a customer-managed key."""

import json
from pathlib import Path

import pytest

from cicd_guardrails.rules.ecr.repository_hardening import POLICIES
from tests.support.analyzer_harness import (
    UNKNOWN,
    analyze,
    assert_no_violations,
    assert_skipped,
    assert_violation,
    resource,
)

ECR = "ecr-repository-hardened"
REPOSITORY = "aws:ecr/repository:Repository"
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
PROD_CONFIG = json.loads(
    (Path(__file__).resolve().parents[4] / "policies" / "config" / "prod.json").read_text()
)
HARDENED = {
    "name": "guarded-delivery-prod-api",
    "imageTagMutability": "IMMUTABLE",
    "imageScanningConfiguration": {"scanOnPush": True},
    # What the program passes at preview: the key's ARN, not known until the key exists.
    "encryptionConfigurations": [{"encryptionType": "KMS", "kmsKey": UNKNOWN}],
}


def repository(**changes):
    props = {**HARDENED, **changes}
    return resource(REPOSITORY, "api-images", {k: v for k, v in props.items() if v is not None})


def test_the_programs_repository_passes():
    assert_no_violations(analyze(POLICIES, [repository()]))
    dsse = repository(encryptionConfigurations=[{"encryptionType": "KMS_DSSE", "kmsKey": KEY_ARN}])
    assert_no_violations(analyze(POLICIES, [dsse]))


@pytest.mark.parametrize(
    ("mutability", "shown"),
    [
        (None, "not set (MUTABLE, AWS's default)"),
        ("MUTABLE", "'MUTABLE'"),
        ("IMMUTABLE_WITH_EXCLUSION", "'IMMUTABLE_WITH_EXCLUSION'"),
    ],
)
def test_a_mutable_tag_is_refused(mutability, shown):
    result = analyze(POLICIES, [repository(imageTagMutability=mutability)])
    assert_violation(
        result,
        ECR,
        f"ECR repository 'api-images': imageTagMutability is {shown}, so a push can move a tag to "
        "another image; set imageTagMutability to 'IMMUTABLE'",
        level="advisory",
    )


@pytest.mark.parametrize("scanning", [None, {"scanOnPush": False}])
def test_no_scan_on_push_is_refused(scanning):
    result = analyze(POLICIES, [repository(imageScanningConfiguration=scanning)])
    assert_violation(
        result,
        ECR,
        "ECR repository 'api-images': imageScanningConfiguration.scanOnPush is ",
    )
    assert_violation(result, ECR, "so pushed images are not scanned for vulnerabilities")


@pytest.mark.parametrize(
    ("configurations", "fragment"),
    [
        (None, "encryptionConfigurations is not set, so ECR encrypts images with AES256 (SSE-S3)"),
        (
            [{"encryptionType": "AES256"}],
            "encryptionConfigurations[0].encryptionType is 'AES256', so ECR encrypts images with "
            "AES256 (SSE-S3)",
        ),
        (
            [{"encryptionType": "KMS"}],
            "encryptionConfigurations[0].kmsKey is not set, so ECR uses the AWS-managed key aws/ecr",
        ),
        (
            [{"encryptionType": "KMS", "kmsKey": "alias/aws/ecr"}],
            "encryptionConfigurations[0].kmsKey is the AWS-managed key 'alias/aws/ecr'",
        ),
    ],
)
def test_encryption_without_a_customer_managed_key_is_refused(configurations, fragment):
    result = analyze(POLICIES, [repository(encryptionConfigurations=configurations)])
    violation = assert_violation(result, ECR, f"ECR repository 'api-images': {fragment}")
    assert "encryptionType: 'KMS', kmsKey: <customer-managed key ARN>" in violation.detail


def test_prod_makes_it_mandatory():
    config = {ECR: PROD_CONFIG[ECR]}
    result = analyze(POLICIES, [repository(imageTagMutability="MUTABLE")], config)
    assert_violation(result, ECR, "imageTagMutability is 'MUTABLE'", level="mandatory")


def test_unknown_settings_are_undecided_without_hiding_known_ones():
    result = analyze(
        POLICIES,
        [repository(imageTagMutability=UNKNOWN, imageScanningConfiguration={"scanOnPush": False})],
    )
    assert_violation(result, ECR, "imageScanningConfiguration.scanOnPush is False")
    assert_skipped(result, ECR, "imageTagMutability")
    unknown_encryption = repository(encryptionConfigurations=[{"encryptionType": UNKNOWN}])
    assert_skipped(
        analyze(POLICIES, [unknown_encryption]), ECR, "encryptionConfigurations[0].encryptionType"
    )
