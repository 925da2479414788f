"""kms-key-cross-account-limited: another account only decrypts through S3, or only verifies."""

import pytest

from cicd_guardrails.rules.kms.cross_account_key import POLICIES
from tests.support.analyzer_harness import (
    UNKNOWN,
    analyze,
    assert_no_violations,
    assert_skipped,
    assert_violation,
    resource,
)
from tests.support.release_shapes import (
    DOWNSTREAM_ACCOUNT,
    DOWNSTREAM_PIPELINE_ROLE,
    DOWNSTREAM_ROOT,
    DOWNSTREAM_VERIFIER_ROLE,
    KMS_KEY_POLICY,
    REGION,
    VIA_S3,
    artifact_key,
    artifact_key_statements,
    cross_account_stack,
    document,
    downstream_decrypt,
    downstream_verify,
    pipeline,
    publishing_signing_key,
    signing_key,
    step_projects,
)

LIMITED = "kms-key-cross-account-limited"
# The downstream is in this stack's promotion chain, as the generated policy config says.
CHAIN = {LIMITED: {"promotionAccounts": [DOWNSTREAM_ACCOUNT]}}
DECRYPT_FIX = (
    'grant another account only kms:Decrypt, with {"StringEquals": {"kms:ViaService": '
    '"s3.<region>.amazonaws.com"}}, so it decrypts the published objects through S3 and nothing '
    "else"
)
VERIFY_FIX = "grant another account only kms:Verify, kms:GetPublicKey and kms:DescribeKey"
DOWNSTREAM = f"('{DOWNSTREAM_PIPELINE_ROLE}')"
HEAD = (
    "KMS key 'artifacts-key': policy statement 4 "
    '("DownstreamPipelinesDecryptPublishedReleasesThroughS3") grants another account '
    f"{DOWNSTREAM} on this ENCRYPT_DECRYPT key"
)


def judge(**overrides):
    return analyze(POLICIES, cross_account_stack(**overrides), CHAIN)


def key_granting(**decrypt):
    """The artifact key whose downstream statement is replaced by `downstream_decrypt(**decrypt)`."""
    return artifact_key(document(*artifact_key_statements()[:-1], downstream_decrypt(**decrypt)))


def test_the_programs_keys_pass():
    # The artifact key: the own account's root and roles use it, the downstream pipeline role only
    # decrypts through S3; the signing key: the downstream verifier role only verifies.
    assert_no_violations(judge())


@pytest.mark.parametrize(
    ("actions", "shown"),
    [
        (["kms:Decrypt", "kms:Encrypt"], "kms:Encrypt"),
        (["kms:*"], "the wildcard action 'kms:*'"),
        (["kms:Decrypt", "kms:ReEncrypt*"], "the wildcard action 'kms:ReEncrypt*'"),
        (["kms:Decrypt", "kms:CreateGrant"], "kms:CreateGrant"),
        (["kms:Decrypt", "kms:GenerateDataKey"], "kms:GenerateDataKey"),
    ],
)
def test_more_than_decrypt_on_the_artifact_key_is_refused(actions, shown):
    key = key_granting(actions=actions)
    violation = assert_violation(
        judge(artifact_key=key), LIMITED, f"{HEAD} {shown}; {DECRYPT_FIX}", level="mandatory"
    )
    assert violation.urn == key.urn


def test_decrypt_without_via_service_is_refused():
    assert_violation(
        judge(artifact_key=key_granting(condition=None)),
        LIMITED,
        f"{HEAD} kms:Decrypt under no kms:ViaService condition, so it decrypts any ciphertext of "
        f"this key handed to KMS directly; {DECRYPT_FIX}",
    )


@pytest.mark.parametrize(
    ("condition", "shown"),
    [
        (
            {"StringEquals": {"kms:ViaService": f"ecr.{REGION}.amazonaws.com"}},
            f"StringEquals ['ecr.{REGION}.amazonaws.com']",
        ),
        (
            {"StringEqualsIfExists": {"kms:ViaService": f"s3.{REGION}.amazonaws.com"}},
            f"StringEqualsIfExists ['s3.{REGION}.amazonaws.com']",
        ),
        (
            {
                "StringEquals": {
                    "kms:ViaService": [f"s3.{REGION}.amazonaws.com", f"ecr.{REGION}.amazonaws.com"]
                }
            },
            f"StringEquals ['s3.{REGION}.amazonaws.com', 'ecr.{REGION}.amazonaws.com']",
        ),
        ({"StringLike": {"kms:ViaService": "*.amazonaws.com"}}, "StringLike ['*.amazonaws.com']"),
        (
            {"StringNotEquals": {"kms:ViaService": f"s3.{REGION}.amazonaws.com"}},
            f"StringNotEquals ['s3.{REGION}.amazonaws.com']",
        ),
    ],
)
def test_decrypt_through_another_service_or_any_path_is_refused(condition, shown):
    assert_violation(
        judge(artifact_key=key_granting(condition=condition)),
        LIMITED,
        f"{HEAD} kms:Decrypt under a kms:ViaService condition ({shown}) that does not limit it to "
        "S3 (StringEquals or StringLike naming only s3.<region>.amazonaws.com)",
    )


def test_decrypt_through_s3_with_string_like_and_further_conditions_passes():
    narrowed = {
        "StringLike": {"kms:ViaService": f"s3.{REGION}.amazonaws.com"},
        "StringEquals": {"kms:CallerAccount": "444455556666"},
    }
    assert_no_violations(judge(artifact_key=key_granting(condition=narrowed)))


def test_not_action_grants_everything_else():
    statement = downstream_decrypt()
    statement["NotAction"] = ["kms:ScheduleKeyDeletion"]
    del statement["Action"]
    key = artifact_key(document(*artifact_key_statements()[:-1], statement))
    assert_violation(
        judge(artifact_key=key),
        LIMITED,
        f"{HEAD} every action but those its NotAction names (kms:ScheduleKeyDeletion)",
    )


def test_the_own_accounts_encrypt_is_not_judged_but_everyones_is():
    # PipelineRolesUseKey grants the own roles kms:Encrypt: not another account's.
    assert_no_violations(judge(artifact_key=key_granting(principal={"AWS": DOWNSTREAM_ROOT})))
    everyone = key_granting(principal="*", actions=["kms:Encrypt"], condition=VIA_S3)
    assert_violation(
        judge(artifact_key=everyone),
        LIMITED,
        'grants another account ("*") on this ENCRYPT_DECRYPT key kms:Encrypt',
    )


# --- the signing key: verify only ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actions", "shown"),
    [
        (["kms:Verify", "kms:Sign"], "kms:Sign"),
        (["kms:*"], "the wildcard action 'kms:*'"),
        (["kms:Verify", "kms:Decrypt"], "kms:Decrypt"),
    ],
)
def test_more_than_verify_on_the_signing_key_is_refused(actions, shown):
    key = publishing_signing_key(downstream_verify(actions=actions))
    violation = assert_violation(
        judge(signing_key=key),
        LIMITED,
        "KMS key 'release-signing-key': policy statement 6 (\"DownstreamVerifiersVerifyReleases\") "
        f"grants another account ('{DOWNSTREAM_VERIFIER_ROLE}') on this SIGN_VERIFY key {shown}; "
        f"{VERIFY_FIX}",
        level="mandatory",
    )
    assert violation.urn == key.urn


def test_a_key_of_another_usage_grants_another_account_nothing():
    mac = artifact_key(
        document(downstream_decrypt(actions=["kms:VerifyMac"], condition=None)),
        key_usage="GENERATE_VERIFY_MAC",
    )
    assert_violation(
        judge(artifact_key=mac),
        LIMITED,
        "on this GENERATE_VERIFY_MAC key kms:VerifyMac; grant another account nothing on this key",
    )


# --- a separate KeyPolicy, unknowns and the own account ----------------------------------------------


def key_policy(key, statements):
    return resource(
        KMS_KEY_POLICY,
        "signing-key-policy",
        {"keyId": UNKNOWN, "policy": document(*statements)},
        property_dependencies={"keyId": [key]} if key is not None else None,
    )


def test_a_key_policy_takes_the_usage_of_the_key_it_was_computed_from():
    signing = signing_key(False)
    stack = [*step_projects(), pipeline(), signing]
    verify = downstream_verify()
    assert_no_violations(analyze(POLICIES, [*stack, key_policy(signing, [verify])], CHAIN))
    sign = downstream_verify(actions=["kms:Sign"])
    assert_violation(
        analyze(POLICIES, [*stack, key_policy(signing, [sign])], CHAIN),
        LIMITED,
        "KMS key policy 'signing-key-policy': policy statement 1 "
        '("DownstreamVerifiersVerifyReleases") grants another account '
        f"('{DOWNSTREAM_VERIFIER_ROLE}') on this SIGN_VERIFY key kms:Sign",
    )
    unlinked = analyze(POLICIES, [*stack, key_policy(None, [verify])], CHAIN)
    assert not unlinked.of(LIMITED)
    assert_skipped(unlinked, LIMITED, "signing-key-policy.policy statement 1")


def test_an_unknown_usage_or_document_is_undecided_and_the_known_twin_judged():
    unknown_usage = key_granting(actions=["kms:Encrypt"])
    unknown_usage.inputs["keyUsage"] = UNKNOWN
    result = judge(artifact_key=unknown_usage)
    assert not result.of(LIMITED)
    assert_skipped(result, LIMITED, "(the key's keyUsage)")
    result = judge(artifact_key=artifact_key(UNKNOWN))
    assert_skipped(result, LIMITED, "artifacts-key.policy")
    assert_violation(judge(artifact_key=key_granting(actions=["kms:Encrypt"])), LIMITED, "Encrypt")


def test_without_a_known_role_a_wide_grant_is_undecided_and_a_narrow_one_passes():
    wide = key_granting(actions=["kms:Encrypt"])
    result = analyze(POLICIES, [wide], CHAIN)
    assert not result.of(LIMITED)
    assert_skipped(result, LIMITED, "whether of the stack's own account")
    # Decrypt through S3 is all any account may have, so its principals need no account.
    assert_no_violations(analyze(POLICIES, [artifact_key(document(downstream_decrypt()))], CHAIN))
    # The own account's root with kms:* is undecided until a role tells the own account.
    assert_skipped(
        analyze(POLICIES, [artifact_key()], CHAIN),
        LIMITED,
        'statement 1 ("AccountRootDelegatesToIam")',
    )
