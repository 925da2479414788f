"""kms-key-rotation and kms-key-deletion-window."""

import pytest

from cicd_guardrails.rules.kms.key_lifecycle import POLICIES
from tests.support.analyzer_harness import (
    UNKNOWN,
    analyze,
    assert_no_violations,
    assert_skipped,
    assert_violation,
    resource,
)

ROTATION = "kms-key-rotation"
WINDOW = "kms-key-deletion-window"
KEY = "aws:kms/key:Key"


def key(**props):
    return resource(KEY, "artifacts", props)


def test_rotating_symmetric_key_passes():
    assert_no_violations(analyze(POLICIES, [key(enableKeyRotation=True, deletionWindowInDays=30)]))


@pytest.mark.parametrize(
    "props",
    [
        {},
        {"enableKeyRotation": False},
        {"customerMasterKeySpec": "SYMMETRIC_DEFAULT", "keyUsage": "ENCRYPT_DECRYPT"},
    ],
)
def test_symmetric_key_without_rotation_is_refused(props):
    result = analyze(POLICIES, [key(**props)])
    assert_violation(
        result,
        ROTATION,
        ["KMS key 'artifacts': enableKeyRotation", "set enableKeyRotation to true"],
        level="mandatory",
    )


@pytest.mark.parametrize(
    "props",
    [
        {"customerMasterKeySpec": "RSA_2048", "keyUsage": "SIGN_VERIFY"},
        {"customerMasterKeySpec": "ECC_NIST_P256", "keyUsage": "SIGN_VERIFY"},
        {"customerMasterKeySpec": "HMAC_256", "keyUsage": "GENERATE_VERIFY_MAC"},
        {"keyUsage": "GENERATE_VERIFY_MAC"},
        {"customerMasterKeySpec": "RSA_4096", "keyUsage": "ENCRYPT_DECRYPT"},
        {"customKeyStoreId": "cks-1234567890abcdef0"},
    ],
)
def test_keys_that_cannot_rotate_are_not_refused(props):
    assert_no_violations(analyze(POLICIES, [key(**props)]), ROTATION)


def test_unknown_rotation_is_cannot_run_not_violation():
    result = analyze(POLICIES, [key(enableKeyRotation=UNKNOWN)])
    assert not result.of(ROTATION)
    assert_skipped(result, ROTATION, "enableKeyRotation")


def test_short_deletion_window_is_refused_against_configured_minimum():
    config = {WINDOW: {"minimumDeletionWindowDays": 14}}
    result = analyze(POLICIES, [key(enableKeyRotation=True, deletionWindowInDays=7)], config)
    assert_violation(
        result, WINDOW, ["deletionWindowInDays is 7,", "at least 14"], level="advisory"
    )


def test_window_at_minimum_and_unset_window_pass():
    config = {WINDOW: {"minimumDeletionWindowDays": 7}}
    result = analyze(
        POLICIES,
        [key(enableKeyRotation=True, deletionWindowInDays=7), key(enableKeyRotation=True)],
        config,
    )
    assert_no_violations(result, WINDOW)


def test_default_minimum_is_thirty_days():
    assert_violation(
        analyze(POLICIES, [key(enableKeyRotation=True, deletionWindowInDays=29)]),
        WINDOW,
        "at least 30",
    )


def test_bad_minimum_config_is_one_line_violation():
    config = {WINDOW: {"minimumDeletionWindowDays": "week"}}
    result = analyze(POLICIES, [key(enableKeyRotation=True)], config)
    violation = assert_violation(
        result, WINDOW, "policy config kms-key-deletion-window.minimumDeletionWindowDays is 'week'"
    )
    assert "\n" not in violation.detail


NATIVE_KEY = "aws-native:kms:Key"


def test_a_key_declared_through_aws_native_is_judged_like_its_aws_twin():
    refused = resource(NATIVE_KEY, "native", {"keyPolicy": {"Version": "2012-10-17"}})
    accepted = resource(NATIVE_KEY, "native", {"enableKeyRotation": True})
    assert_violation(analyze(POLICIES, [refused]), ROTATION, "set enableKeyRotation to true")
    assert_no_violations(analyze(POLICIES, [accepted]))


def test_an_aws_native_deletion_window_is_named_as_aws_native_names_it():
    short = resource(NATIVE_KEY, "native", {"enableKeyRotation": True, "pendingWindowInDays": 7})
    assert_violation(
        analyze(POLICIES, [short]),
        WINDOW,
        ["pendingWindowInDays is 7,", "set pendingWindowInDays to at least 30"],
        level="advisory",
    )
