"""KMS key lifecycle: symmetric keys rotate, and a deleted key can be recovered for long enough.

Rotation limits how much data one key version protects; AWS only rotates symmetric encryption
keys, so asymmetric, HMAC and custom-key-store keys are not refused. The deletion window is the
only undo for `ScheduleKeyDeletion`: once it expires, every artifact under the key is lost.

A key is exempt from rotation only when it provably cannot rotate: every key spec it declares is an
asymmetric or HMAC one, its usage is not `ENCRYPT_DECRYPT`, or it lives in a custom key store.
Spec and usage are compared case-insensitively, so `symmetric_default` is still symmetric, and a
symmetric spec next to an asymmetric one (the deprecated `customerMasterKeySpec` beside `keySpec`)
keeps the key judged. A `rotationPeriodInDays` outside KMS's 90-2560 days is refused: the key
would not be created with rotation as declared. A key declared through aws-native (`kms.Key`,
`pendingWindowInDays`) is read as its `aws` twin (`support/native_twins.py`).
"""

from typing import Any

from pulumi_policy import (
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)

from cicd_guardrails.support.metadata import policy_fields
from cicd_guardrails.support.native_twins import NATIVE_KMS_KEY, twin_of
from cicd_guardrails.support.policy_config import PolicyConfigError, config_int
from cicd_guardrails.support.wire import fail_undecided, is_true, is_unknown, plain, shown

KMS_KEY = "aws:kms/key:Key"
KEY_TYPES = frozenset({KMS_KEY, NATIVE_KMS_KEY})
ROTATION = "kms-key-rotation"
DELETION_WINDOW = "kms-key-deletion-window"

ENCRYPT_DECRYPT = "ENCRYPT_DECRYPT"
# Key specs AWS cannot rotate automatically (asymmetric, HMAC, post-quantum signing, SM2).
NON_ROTATABLE_SPEC_PREFIXES = ("RSA_", "ECC_", "HMAC_", "ML_DSA_", "SM2")
MIN_ROTATION_PERIOD_DAYS = 90
MAX_ROTATION_PERIOD_DAYS = 2560
SPEC_KEYS = ("customerMasterKeySpec", "keySpec")
# Keys in a custom key store (CloudHSM or external) cannot rotate automatically.
CUSTOM_STORE_KEYS = ("customKeyStoreId", "xksKeyId")

AWS_DEFAULT_DELETION_WINDOW_DAYS = 30
MIN_DELETION_WINDOW_DAYS = 7
MAX_DELETION_WINDOW_DAYS = 30
DEFAULT_MINIMUM_DELETION_WINDOW_DAYS = 30


def validate_key_rotation(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type not in KEY_TYPES:
        return
    twin = twin_of(args.resource_type, plain(args.props))
    props = twin.props
    rotatable = _rotatable(props)
    if rotatable is None:
        fail_undecided(args.name, [*SPEC_KEYS, "keyUsage"])
    if not rotatable:
        return
    undecided = []
    rotation = props.get("enableKeyRotation")
    if is_unknown(rotation):
        undecided.append("enableKeyRotation")
    elif not is_true(rotation):
        # Absent is off for both providers (aws-native's EnableKeyRotation defaults to false:
        # CloudFormation's AWS::KMS::Key reference).
        report(
            f"KMS key '{args.name}': enableKeyRotation is {shown(rotation)} on a symmetric key; "
            "set enableKeyRotation to true"
        )
    period = props.get("rotationPeriodInDays")
    if is_unknown(period):
        undecided.append("rotationPeriodInDays")
    elif period is not None and (
        not isinstance(period, int)
        or not (MIN_ROTATION_PERIOD_DAYS <= period <= MAX_ROTATION_PERIOD_DAYS)
    ):
        report(
            f"KMS key '{args.name}': rotationPeriodInDays is {shown(period)}, outside the "
            f"{MIN_ROTATION_PERIOD_DAYS}-{MAX_ROTATION_PERIOD_DAYS} days KMS accepts; set it within "
            "that range or leave it unset (365 days)"
        )
    if undecided:
        fail_undecided(args.name, undecided)


def _rotatable(props: dict[str, Any]) -> bool | None:
    """Whether AWS can rotate this key; None when the deciding properties are unknown."""
    values = [props.get(k) for k in (*SPEC_KEYS, "keyUsage", *CUSTOM_STORE_KEYS)]
    if any(is_unknown(v) for v in values):
        return None
    if any(props.get(k) for k in CUSTOM_STORE_KEYS):
        return False
    specs = [str(props.get(k)).upper() for k in SPEC_KEYS if props.get(k) is not None]
    usage = str(props.get("keyUsage") or ENCRYPT_DECRYPT).upper()
    cannot_rotate = bool(specs) and all(s.startswith(NON_ROTATABLE_SPEC_PREFIXES) for s in specs)
    return not cannot_rotate and usage == ENCRYPT_DECRYPT


def validate_deletion_window(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type not in KEY_TYPES:
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
    twin = twin_of(args.resource_type, plain(args.props))
    window = twin.props.get("deletionWindowInDays")
    if is_unknown(window):
        fail_undecided(args.name, [twin.say("deletionWindowInDays")])
    # CloudFormation's PendingWindowInDays defaults to 30 days too (AWS::KMS::Key).
    days = AWS_DEFAULT_DELETION_WINDOW_DAYS if window is None else window
    if not isinstance(days, int | float) or days < minimum:
        report(
            twin.say(
                f"KMS key '{args.name}': deletionWindowInDays is {shown(window)}, below the "
                f"minimum of {minimum} days; set deletionWindowInDays to at least {minimum}"
            )
        )


KMS_KEY_ROTATION = ResourceValidationPolicy(
    **policy_fields(ROTATION),
    validate=validate_key_rotation,
)

KMS_KEY_DELETION_WINDOW = ResourceValidationPolicy(
    **policy_fields(DELETION_WINDOW),
    validate=validate_deletion_window,
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
