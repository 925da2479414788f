"""resource-policy-cross-account-exact-principals: another account gets in only as exact role ARNs."""

import pytest

from cicd_guardrails.rules.iam.cross_account_principals import POLICIES
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
    DOWNSTREAM_ROOT,
    KMS_KEY_POLICY,
    PINNED_FORWARDER,
    ROOT_ARN,
    UPSTREAM_FORWARDER_ROLE,
    UPSTREAM_ROOT,
    allow,
    artifact_bucket_policy,
    artifact_key,
    artifact_key_statements,
    cross_account_stack,
    document,
    downstream_bucket_read,
    downstream_decrypt,
    downstream_object_read,
    downstream_pulls,
    forwarder_puts_events,
    pipeline,
    project,
    promotions_bus_policy,
    repository_policy,
    repository_statements,
    step_projects,
    tls_deny,
)

EXACT = "resource-policy-cross-account-exact-principals"
FIX = (
    "name the downstream role ARNs (arn:aws:iam::<account>:role/<name>), derived from names, "
    "never an account root or *"
)
OWN = f"(the stack's own account: {ACCOUNT})"


def judge(**overrides):
    return analyze(POLICIES, cross_account_stack(**overrides))


def bucket_policy(*statements):
    return artifact_bucket_policy(document(tls_deny(), *statements))


def test_the_programs_cross_account_grants_pass():
    # Exact downstream role ARNs in the bucket, artifact key, signing key and repository policies,
    # the own account's root (key administration, AccountPullsThroughIam), Principal "*" in Denies
    # (the TLS deny, the push fence, the signing fence) and the bus's pinned upstream root.
    assert_no_violations(judge())


def test_another_accounts_root_in_a_bucket_policy_is_refused():
    policy = bucket_policy(
        downstream_object_read({"AWS": DOWNSTREAM_ROOT}), downstream_bucket_read()
    )
    violation = assert_violation(
        judge(bucket_policy=policy),
        EXACT,
        "bucket policy 'artifacts-bucket-policy': policy statement 2 (\"ReadpublishedProdEuApi\") "
        f"lets another account in through the account root '{DOWNSTREAM_ROOT}' (any principal of "
        f"account {DOWNSTREAM_ACCOUNT} whose IAM policy allows it), not an exact role ARN {OWN}; "
        f"{FIX}",
        level="mandatory",
    )
    assert violation.urn == policy.urn


def test_a_bare_account_id_is_that_accounts_root():
    key = artifact_key(
        document(*artifact_key_statements()[:-1], downstream_decrypt({"AWS": DOWNSTREAM_ACCOUNT}))
    )
    assert_violation(
        judge(artifact_key=key),
        EXACT,
        "KMS key 'artifacts-key': policy statement 4 "
        '("DownstreamPipelinesDecryptPublishedReleasesThroughS3") lets another account in through '
        f"the account root '{DOWNSTREAM_ACCOUNT}'",
    )


@pytest.mark.parametrize("principal", ["*", {"AWS": "*"}, {"AWS": ["*"]}])
def test_everyone_is_refused_without_a_condition(principal):
    policy = bucket_policy(downstream_object_read(principal))
    assert_violation(
        judge(bucket_policy=policy),
        EXACT,
        "bucket policy 'artifacts-bucket-policy': policy statement 2 "
        f'("ReadpublishedProdEuApi") allows every principal ("*"); {FIX}',
    )


def test_everyone_is_refused_with_a_condition_too():
    statement = downstream_object_read("*")
    statement["Condition"] = {"StringEquals": {"aws:PrincipalAccount": DOWNSTREAM_ACCOUNT}}
    assert_violation(
        judge(bucket_policy=bucket_policy(statement)),
        EXACT,
        'allows every principal ("*"), a Condition narrowing who but naming no one; ',
    )


@pytest.mark.parametrize("key", ["aws:PrincipalAccount", "kms:CallerAccount"])
def test_everyone_narrowed_to_the_own_account_is_the_own_principals(key):
    own = downstream_object_read("*")
    own["Condition"] = {"StringEquals": {key: ACCOUNT}}
    assert_no_violations(judge(bucket_policy=bucket_policy(own)), EXACT)
    if_exists = downstream_object_read("*")
    if_exists["Condition"] = {"StringEqualsIfExists": {key: ACCOUNT}}
    assert_violation(
        judge(bucket_policy=bucket_policy(if_exists)),
        EXACT,
        'allows every principal ("*"), a Condition narrowing who but naming no one; ',
    )
    own_and_other = downstream_object_read("*")
    own_and_other["Condition"] = {"StringEquals": {key: [ACCOUNT, DOWNSTREAM_ACCOUNT]}}
    assert_violation(
        judge(bucket_policy=bucket_policy(own_and_other)),
        EXACT,
        'allows every principal ("*"), a Condition narrowing who but naming no one; ',
    )


@pytest.mark.parametrize(
    "principal",
    [
        f"arn:aws:iam::{DOWNSTREAM_ACCOUNT}:role/guarded-delivery-prod-eu-*",
        f"arn:aws:iam::{DOWNSTREAM_ACCOUNT}:role/${{aws:username}}",
        "arn:aws:iam::*:role/guarded-delivery-prod-eu-api-pipeline",
    ],
)
def test_a_pattern_in_a_principal_arn_is_refused(principal):
    statements = [*repository_statements()[:-1], downstream_pulls({"AWS": [principal]})]
    assert_violation(
        judge(repository_policy=repository_policy(document(*statements))),
        EXACT,
        "ECR repository policy 'api-release-images-policy': policy statement 5 "
        f'("DownstreamTasksPullImages") lets another account in through {principal!r}, a pattern '
        "rather than one named role",
    )


def test_another_accounts_root_pulling_images_is_refused_and_the_own_root_accepted():
    statements = [*repository_statements()[:-1], downstream_pulls({"AWS": [DOWNSTREAM_ROOT]})]
    result = judge(repository_policy=repository_policy(document(*statements)))
    assert_violation(result, EXACT, f"through the account root '{DOWNSTREAM_ROOT}'")
    assert len(result.of(EXACT)) == 1, "AccountPullsThroughIam names the own account's root"


def test_a_session_a_canonical_user_or_a_unique_id_is_no_exact_role():
    principals = [
        {"AWS": f"arn:aws:sts::{DOWNSTREAM_ACCOUNT}:assumed-role/deployer/session"},
        {"CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},
        {"AWS": "AROADBQP57FF2AEXAMPLE"},
    ]
    policy = bucket_policy(*(downstream_object_read(p) for p in principals))
    result = judge(bucket_policy=policy)
    assert_violation(
        result,
        EXACT,
        f"'arn:aws:sts::{DOWNSTREAM_ACCOUNT}:assumed-role/deployer/session', which is not an IAM "
        "role or user ARN",
    )
    assert_violation(result, EXACT, "the CanonicalUser '79a59df9")
    assert_violation(result, EXACT, "'AROADBQP57FF2AEXAMPLE', which is not an IAM role or user ARN")


def test_an_allow_with_not_principal_is_refused():
    statement = downstream_object_read()
    statement["NotPrincipal"] = statement.pop("Principal")
    assert_violation(
        judge(bucket_policy=bucket_policy(statement)),
        EXACT,
        'policy statement 2 ("ReadpublishedProdEuApi") allows every principal but those its '
        f"NotPrincipal names ({DOWNSTREAM_PIPELINE_ROLE}), i.e. every other account; {FIX}",
    )


def test_deny_statements_may_name_everyone_and_exact_users_of_another_account_pass():
    user = f"arn:aws:iam::{DOWNSTREAM_ACCOUNT}:user/release-auditor"
    policy = bucket_policy(downstream_object_read({"AWS": [DOWNSTREAM_PIPELINE_ROLE, user]}))
    assert_no_violations(judge(bucket_policy=policy))


# --- the promotions bus: another account's root only when pinned to exact roles ----------------------


def test_the_bus_admits_the_upstream_root_pinned_to_its_forwarder_role():
    for operator in ("ArnEquals", "StringEquals"):
        pinned = forwarder_puts_events(
            condition={operator: {"aws:PrincipalArn": [UPSTREAM_FORWARDER_ROLE]}}
        )
        assert_no_violations(judge(bus_policy=promotions_bus_policy(document(pinned))))


def test_the_bus_refuses_the_upstream_root_unpinned():
    policy = promotions_bus_policy(document(forwarder_puts_events(condition=None)))
    violation = assert_violation(
        judge(bus_policy=policy),
        EXACT,
        "event bus policy 'promotions-policy': policy statement 1 (\"UpstreamForwarderPutsEvents\") "
        f"lets another account in through the account root '{UPSTREAM_ROOT}' (any principal of "
        "account 111122223333 whose IAM policy allows it), not an exact role ARN "
        f"{OWN} (an event bus policy may name another account's root only with a Condition "
        '{"ArnEquals": {"aws:PrincipalArn": [<the exact role ARNs of that account>]}}); '
        f"{FIX}",
        level="mandatory",
    )
    assert violation.urn == policy.urn


@pytest.mark.parametrize(
    "condition",
    [
        {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/*"}},
        {"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/guarded-*"}},
        {"ArnEqualsIfExists": {"aws:PrincipalArn": UPSTREAM_FORWARDER_ROLE}},
        {"ArnEquals": {"aws:SourceArn": UPSTREAM_FORWARDER_ROLE}},
        {"StringEquals": {"aws:PrincipalAccount": "111122223333"}},
    ],
)
def test_a_pin_that_names_no_exact_role_admits_the_whole_account(condition):
    policy = promotions_bus_policy(document(forwarder_puts_events(condition=condition)))
    assert_violation(judge(bus_policy=policy), EXACT, f"the account root '{UPSTREAM_ROOT}'")


def test_the_pinned_root_exception_holds_for_event_buses_only():
    pinned = downstream_object_read({"AWS": DOWNSTREAM_ROOT})
    pinned["Condition"] = PINNED_FORWARDER
    assert_violation(
        judge(bucket_policy=bucket_policy(pinned)),
        EXACT,
        f"bucket policy 'artifacts-bucket-policy': policy statement 2 (\"ReadpublishedProdEuApi\") "
        f"lets another account in through the account root '{DOWNSTREAM_ROOT}'",
    )


def test_everyone_on_the_bus_is_refused_even_when_pinned():
    policy = promotions_bus_policy(document(forwarder_puts_events(principal="*")))
    assert_violation(
        judge(bus_policy=policy),
        EXACT,
        'allows every principal ("*"), a Condition narrowing who but naming no one',
    )


# --- a separate KeyPolicy resource, unreadable and unknown documents, the own account -------------------


def test_a_separate_key_policy_resource_is_judged_like_the_keys_own():
    statements = [*artifact_key_statements()[:-1], downstream_decrypt({"AWS": DOWNSTREAM_ROOT})]
    key_policy = resource(
        KMS_KEY_POLICY,
        "artifacts-key-policy",
        {"keyId": "artifacts-key-id", "policy": document(*statements)},
    )
    assert_violation(
        analyze(POLICIES, [*cross_account_stack(), key_policy]),
        EXACT,
        "KMS key policy 'artifacts-key-policy': policy statement 4 "
        '("DownstreamPipelinesDecryptPublishedReleasesThroughS3") lets another account in through '
        f"the account root '{DOWNSTREAM_ROOT}'",
    )


def test_a_document_that_is_not_json_is_refused():
    assert_violation(
        judge(bucket_policy=artifact_bucket_policy("{not json")),
        EXACT,
        "bucket policy 'artifacts-bucket-policy': policy is not valid JSON",
    )


def test_an_unknown_document_is_undecided_and_its_known_twin_judged():
    result = judge(bucket_policy=artifact_bucket_policy(UNKNOWN))
    assert not result.of(EXACT)
    assert_skipped(result, EXACT, "artifacts-bucket-policy.policy")
    root = bucket_policy(downstream_object_read({"AWS": DOWNSTREAM_ROOT}))
    assert_violation(judge(bucket_policy=root), EXACT, f"the account root '{DOWNSTREAM_ROOT}'")


def rooted_bucket():
    return bucket_policy(downstream_object_read({"AWS": DOWNSTREAM_ROOT}))


def test_without_a_known_role_the_own_account_is_undecided_not_passed():
    result = analyze(POLICIES, [rooted_bucket()])
    assert not result.of(EXACT)
    assert_skipped(
        result,
        EXACT,
        "whether account 444455556666 is the stack's own: the stack's own account (no pipeline "
        "roleArn or CodeBuild project serviceRole names a known role ARN)",
    )
    # Everyone is everyone's, whichever account is the stack's.
    everyone = bucket_policy(downstream_object_read("*"))
    assert_violation(analyze(POLICIES, [everyone]), EXACT, 'allows every principal ("*")')
    # Known roles of the pipeline make the account another one.
    assert_violation(
        analyze(POLICIES, [pipeline(), rooted_bucket()]), EXACT, "lets another account in"
    )


def test_a_pipeline_role_not_known_yet_leaves_the_foreign_root_undecided():
    result = analyze(POLICIES, [*step_projects(), pipeline(role=UNKNOWN), rooted_bucket()])
    assert not result.of(EXACT)
    assert_skipped(result, EXACT, "api.roleArn")


def test_the_stacks_own_accounts_are_those_of_its_roles():
    # The downstream's account is the stack's own when a project runs with a role of it.
    theirs = project("verify", service_role=DOWNSTREAM_PIPELINE_ROLE)
    assert_no_violations(
        analyze(POLICIES, [*step_projects(verify=theirs), pipeline(), rooted_bucket()])
    )
    # A role named by name (not an ARN) says nothing about the account.
    by_name = [project("verify", service_role="guarded-delivery-prod-api-verifier")]
    assert_skipped(analyze(POLICIES, [*by_name, rooted_bucket()]), EXACT, "stack's own account")


def test_the_own_accounts_root_and_exact_roles_are_not_judged():
    own = bucket_policy(
        allow("OwnAccountReads", {"AWS": [ROOT_ARN, ACCOUNT]}, ["s3:GetObject"], Resource=["*"])
    )
    assert_no_violations(judge(bucket_policy=own))
