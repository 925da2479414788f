"""Decide whether a KMS key reference names a customer-managed key.

A customer-managed key is referenced by its key ARN, key id (a UUID or a multi-Region `mrk-` id),
an alias of our own (`alias/...` or its ARN), or a reference not known yet at preview (the
program passes `key.arn`, which only exists after creation). `alias/aws/...` names an AWS-managed
key, which no one can scope with a key policy or audit separately.

The `alias/aws/` prefix is matched case-insensitively: KMS reserves it for AWS-managed keys but does
not document whether `alias/AWS/s3` names the same key, and a customer alias spelled that way is
not worth the doubt. A key in another account (`arn:aws:kms:<region>:<other account>:key/...`) is
accepted: an AWS-managed key's policy cannot be edited to allow another account, so a foreign key
that works at all is a customer-managed one (a central key account, say).
"""

import re
from enum import Enum
from typing import Any

from cicd_guardrails.support.wire import is_unknown

AWS_MANAGED_ALIAS_PREFIX = "alias/aws/"

_PARTITION = r"arn:aws[a-z-]*"
_REGION_ACCOUNT = r"[a-z0-9-]+:\d{12}"
_KEY_ID = r"(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})"
_ALIAS_NAME = r"alias/[A-Za-z0-9/_-]+"

KEY_ID_RE = re.compile(rf"^{_KEY_ID}$", re.IGNORECASE)
KEY_ARN_RE = re.compile(rf"^{_PARTITION}:kms:{_REGION_ACCOUNT}:key/{_KEY_ID}$", re.IGNORECASE)
ALIAS_RE = re.compile(rf"^(?:{_PARTITION}:kms:{_REGION_ACCOUNT}:)?(?P<alias>{_ALIAS_NAME})$")


class KeyKind(Enum):
    CUSTOMER_MANAGED = "customer-managed"
    NOT_YET_KNOWN = "not yet known"
    AWS_MANAGED = "AWS-managed"
    MISSING = "missing"
    MALFORMED = "not a KMS key reference"


def classify_key(reference: Any) -> KeyKind:
    """What kind of key `reference` (a key id/ARN/alias property value) names."""
    if is_unknown(reference):
        return KeyKind.NOT_YET_KNOWN
    if reference is None or reference == "":
        return KeyKind.MISSING
    if not isinstance(reference, str):
        return KeyKind.MALFORMED
    alias = ALIAS_RE.match(reference)
    if alias:
        if alias.group("alias").lower().startswith(AWS_MANAGED_ALIAS_PREFIX):
            return KeyKind.AWS_MANAGED
        return KeyKind.CUSTOMER_MANAGED
    if KEY_ID_RE.match(reference) or KEY_ARN_RE.match(reference):
        return KeyKind.CUSTOMER_MANAGED
    return KeyKind.MALFORMED


MISSING_MEANS_AWS_MANAGED = "is not set, so the AWS-managed key is used"


def key_problem(reference: Any, missing: str = MISSING_MEANS_AWS_MANAGED) -> str:
    """Why `reference` is not acceptable, phrased to follow a property path (empty if it is).

    `missing` says what the service does without a key: most fall back to their AWS-managed key
    (`aws/s3`, `aws/codecommit`), but not all, so the caller states it for its own service.
    """
    kind = classify_key(reference)
    if kind is KeyKind.MISSING:
        return missing
    if kind is KeyKind.AWS_MANAGED:
        return f"is the AWS-managed key {reference!r}"
    if kind is KeyKind.MALFORMED:
        return f"is {reference!r}, which is not a KMS key ARN, key id or alias"
    return ""
