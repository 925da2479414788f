"""kms-key-cross-account-limited: the artifact key lets decrypt only our principals and the chain's.

Each refused key policy or grant has a legitimate twin that passes; the chain comes from the policy
config's `promotionAccounts`, as tools/generate_config_files.py copies it from the stack file.
"""

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
    ACCOUNT,
    DOWNSTREAM_ACCOUNT,
    DOWNSTREAM_PIPELINE_ROLE,
    VIA_S3,
    allow,
    artifact_key,
    artifact_key_statements,
    cross_account_stack,
    document,
    downstream_decrypt,
)

LIMITED = "kms-key-cross-account-limited"
CHAIN = {LIMITED: {"promotionAccounts": [DOWNSTREAM_ACCOUNT]}}
FOREIGN_ACCOUNT = "999988887777"
FOREIGN_ROLE = f"arn:aws:iam::{FOREIGN_ACCOUNT}:role/someone-elses-pipeline"
GRANT = "aws:kms/grant:Grant"
OUTSIDE = (
    "outside the stack's own accounts (123456789012) and its promotion chain (policy config "
    f"kms-key-cross-account-limited.promotionAccounts: {DOWNSTREAM_ACCOUNT})"
)


def key_with(*extra):
    return artifact_key(document(*artifact_key_statements(), *extra))


def judge(config=CHAIN, **overrides):
    return analyze(POLICIES, cross_account_stack(**overrides), config)


def everyone_decrypts(condition=None):
    return allow("EveryoneDecrypts", {"AWS": "*"}, ["kms:Decrypt"], condition, Resource=["*"])


def test_everyone_may_not_decrypt_but_everyone_of_the_own_account_may():
    result = judge(artifact_key=key_with(everyone_decrypts()))
    assert_violation(
        result,
        LIMITED,
        'KMS key \'artifacts-key\': policy statement 5 ("EveryoneDecrypts") lets "*" decrypt '
        f"under this key (kms:Decrypt), {OUTSIDE}",
    )
    own = everyone_decrypts({"StringEquals": {"kms:CallerAccount": ACCOUNT}})
    assert_no_violations(judge(artifact_key=key_with(own)), LIMITED)


def test_via_service_or_an_ifexists_condition_does_not_limit_everyone():
    through_s3 = everyone_decrypts(VIA_S3)
    assert_violation(judge(artifact_key=key_with(through_s3)), LIMITED, 'lets "*" decrypt')
    if_exists = everyone_decrypts({"StringEqualsIfExists": {"kms:CallerAccount": ACCOUNT}})
    assert_violation(judge(artifact_key=key_with(if_exists)), LIMITED, 'lets "*" decrypt')


def test_everyone_limited_to_a_foreign_account_is_refused():
    foreign = everyone_decrypts({"StringEquals": {"aws:PrincipalAccount": FOREIGN_ACCOUNT}})
    assert_violation(
        judge(artifact_key=key_with(foreign)),
        LIMITED,
        f"lets any principal of account '{FOREIGN_ACCOUNT}' decrypt under this key",
    )


def test_every_decrypting_action_counts():
    for action in ("kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant", "kms:*"):
        statement = allow("Wide", {"AWS": "*"}, [action], Resource=["*"])
        assert_violation(judge(artifact_key=key_with(statement)), LIMITED, 'lets "*" decrypt')


def test_a_foreign_account_outside_the_chain_may_not_decrypt_even_through_s3():
    statements = [*artifact_key_statements()[:-1], downstream_decrypt()]
    key = artifact_key(document(*statements))
    assert_violation(
        judge(config={LIMITED: {"promotionAccounts": []}}, artifact_key=key),
        LIMITED,
        f"lets '{DOWNSTREAM_PIPELINE_ROLE}' decrypt under this key (kms:Decrypt)",
    )
    # The same statement when the downstream's account is in the chain (the generated config).
    assert_no_violations(judge(artifact_key=key), LIMITED)
    stranger = downstream_decrypt(principal={"AWS": [FOREIGN_ROLE]})
    assert_violation(judge(artifact_key=key_with(stranger)), LIMITED, f"lets '{FOREIGN_ROLE}'")


def grant(grantee, operations=("Decrypt",), name="artifacts-grant"):
    return resource(
        GRANT,
        name,
        {"keyId": UNKNOWN, "granteePrincipal": grantee, "operations": list(operations)},
    )


def analyze_with_grant(granted, config=CHAIN):
    return analyze(POLICIES, [*cross_account_stack(), granted], config)


def test_a_grant_to_a_foreign_account_is_refused_and_to_a_chain_role_passes():
    result = analyze_with_grant(grant(FOREIGN_ROLE, ("Decrypt", "GenerateDataKey")))
    assert_violation(
        result,
        LIMITED,
        f"KMS grant 'artifacts-grant': granteePrincipal '{FOREIGN_ROLE}' (account "
        f"{FOREIGN_ACCOUNT}) may Decrypt, GenerateDataKey under key (not known yet), {OUTSIDE}",
    )
    assert_no_violations(analyze_with_grant(grant(DOWNSTREAM_PIPELINE_ROLE)), LIMITED)
    own_role = f"arn:aws:iam::{ACCOUNT}:role/guarded-delivery-prod-api-build"
    assert_no_violations(analyze_with_grant(grant(own_role, ("Decrypt", "Encrypt"))), LIMITED)


def test_a_grant_gives_a_chain_role_only_decrypt():
    result = analyze_with_grant(grant(DOWNSTREAM_PIPELINE_ROLE, ("Decrypt", "CreateGrant")))
    assert_violation(
        result,
        LIMITED,
        f"of the promotion-chain account {DOWNSTREAM_ACCOUNT} CreateGrant; another account may "
        "only decrypt",
    )


def test_a_grant_that_decrypts_nothing_is_not_judged_and_an_unknown_one_is_undecided():
    assert_no_violations(analyze_with_grant(grant(FOREIGN_ROLE, ("DescribeKey",))), LIMITED)
    result = analyze_with_grant(grant(UNKNOWN))
    assert not result.of(LIMITED)
    assert_skipped(result, LIMITED, "artifacts-grant.granteePrincipal")


def test_a_bad_chain_in_the_policy_config_is_one_line():
    result = judge(config={LIMITED: {"promotionAccounts": "444455556666"}})
    assert_violation(
        result,
        LIMITED,
        "policy config kms-key-cross-account-limited.promotionAccounts is '444455556666'; set it "
        'to a list of 12-digit AWS account ids, e.g. ["111122223333"]',
    )
