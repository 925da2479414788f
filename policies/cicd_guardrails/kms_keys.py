"""KMS key lifecycle: symmetric keys rotate, and a deleted key can be recovered for long enough.

Rotation limits how much data one key version protects; AWS only rotates symmetric encryption
keys, so asymmetric, HMAC and custom-key-store keys are not refused. The deletion window is the
only undo for `ScheduleKeyDeletion`: once it expires, every artifact under the key is lost.
"""

from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)

from cicd_guardrails.policy_config import PolicyConfigError, config_int
from cicd_guardrails.wire import fail_undecided, is_true, is_unknown, plain

KMS_KEY = "aws:kms/key:Key"
ROTATION = "kms-key-rotation"
DELETION_WINDOW = "kms-key-deletion-window"

SYMMETRIC_SPEC = "SYMMETRIC_DEFAULT"
ENCRYPT_DECRYPT = "ENCRYPT_DECRYPT"
SPEC_KEYS = ("customerMasterKeySpec", "keySpec")
# Keys in a custom key store (CloudHSM or external) cannot rotate automatically.
CUSTOM_STORE_KEYS = ("customKeyStoreId", "xksKeyId")

AWS_DEFAULT_DELETION_WINDOW_DAYS = 30
MIN_DELETION_WINDOW_DAYS = 7
MAX_DELETION_WINDOW_DAYS = 30
DEFAULT_MINIMUM_DELETION_WINDOW_DAYS = 30


def validate_key_rotation(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != KMS_KEY:
        return
    props = plain(args.props)
    rotatable = _rotatable(props)
    if rotatable is None:
        fail_undecided(args.name, [*SPEC_KEYS, "keyUsage"])
    if not rotatable:
        return
    rotation = props.get("enableKeyRotation")
    if is_unknown(rotation):
        fail_undecided(args.name, ["enableKeyRotation"])
    if not is_true(rotation):
        report(
            f"KMS key '{args.name}': enableKeyRotation is {rotation!r} on a symmetric key; "
            "set enableKeyRotation to true"
        )


def _rotatable(props: dict[str, Any]) -> bool | None:
    """Whether AWS can rotate this key; None when the deciding properties are unknown."""
    values = [props.get(k) for k in (*SPEC_KEYS, "keyUsage", *CUSTOM_STORE_KEYS)]
    if any(is_unknown(v) for v in values):
        return None
    if any(props.get(k) for k in CUSTOM_STORE_KEYS):
        return False
    specs = [props.get(k) for k in SPEC_KEYS if props.get(k) is not None]
    usage = props.get("keyUsage") or ENCRYPT_DECRYPT
    return all(spec == SYMMETRIC_SPEC for spec in specs) and usage == ENCRYPT_DECRYPT


def validate_deletion_window(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != KMS_KEY:
        return
    try:
        minimum = config_int(
            DELETION_WINDOW,
            args.get_config(),
            "minimumDeletionWindowDays",
            DEFAULT_MINIMUM_DELETION_WINDOW_DAYS,
            MIN_DELETION_WINDOW_DAYS,
            MAX_DELETION_WINDOW_DAYS,
        )
    except PolicyConfigError as error:
        report(str(error))
        return
    window = plain(args.props).get("deletionWindowInDays")
    if is_unknown(window):
        fail_undecided(args.name, ["deletionWindowInDays"])
    days = AWS_DEFAULT_DELETION_WINDOW_DAYS if window is None else window
    if not isinstance(days, int | float) or days < minimum:
        report(
            f"KMS key '{args.name}': deletionWindowInDays is {window!r}, below the minimum of "
            f"{minimum} days; set deletionWindowInDays to at least {minimum}"
        )


KMS_KEY_ROTATION = ResourceValidationPolicy(
    name=ROTATION,
    description=(
        "Every symmetric KMS key has automatic rotation enabled (Checkov CKV_AWS_7, cdk-nag "
        "AwsSolutions-KMS5, Security Hub KMS.4, AWS Config CMK_BACKING_KEY_ROTATION_ENABLED)."
    ),
    validate=validate_key_rotation,
    enforcement_level=EnforcementLevel.MANDATORY,
)

KMS_KEY_DELETION_WINDOW = ResourceValidationPolicy(
    name=DELETION_WINDOW,
    description=(
        "Every KMS key keeps a deletion window of at least the configured minimum so that a "
        "scheduled deletion can be cancelled (Security Hub KMS.3, AWS Config "
        "KMS_CMK_NOT_SCHEDULED_FOR_DELETION)."
    ),
    validate=validate_deletion_window,
    enforcement_level=EnforcementLevel.ADVISORY,
    config_schema=PolicyConfigSchema(
        properties={
            "minimumDeletionWindowDays": {
                "type": "integer",
                "minimum": MIN_DELETION_WINDOW_DAYS,
                "maximum": MAX_DELETION_WINDOW_DAYS,
                "default": DEFAULT_MINIMUM_DELETION_WINDOW_DAYS,
                "description": "Shortest acceptable deletionWindowInDays (AWS allows 7-30).",
            }
        }
    ),
)

POLICIES = [KMS_KEY_ROTATION, KMS_KEY_DELETION_WINDOW]

REMEDIATIONS = {
    ROTATION: (
        "Set enableKeyRotation=true on the aws.kms.Key (optionally rotationPeriodInDays). "
        "Asymmetric, HMAC and custom-key-store keys are exempt because AWS cannot rotate them."
    ),
    DELETION_WINDOW: (
        "Set deletionWindowInDays on the aws.kms.Key to at least the policy's "
        "minimumDeletionWindowDays (leaving it unset means the AWS default of 30 days)."
    ),
}
