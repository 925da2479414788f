"""kms-signing-key-restricted: only the signing step's role signs, with one algorithm, and no grant."""

import json

import pytest

from cicd_guardrails.rules.kms.signing_key import POLICIES
from tests.support.analyzer_harness import (
    UNKNOWN,
    analyze,
    assert_no_violations,
    assert_skipped,
    assert_violation,
    resource,
)
from tests.support.release_shapes import (
    KMS_GRANT,
    PIPELINE_ROLE,
    ROOT_ARN,
    SIGNERS,
    algorithm_pin,
    inline_buildspec,
    pipeline,
    project,
    role_arn,
    root_statement,
    signer_allow,
    signer_fence,
    signing_key,
    signing_policy,
    step_command,
    step_projects,
    verifier_allow,
)

SIGNING = "kms-signing-key-restricted"
SIGNER = role_arn("signer")
KEY_LABEL = "KMS key 'release-signing-key'"
SIGNER_FIX = (
    "grant kms:Sign only to the signer role ARNs (arn:aws:iam::<account>:role/<name>), or add a "
    'Deny of kms:Sign to Principal "*" whose only condition is {"ArnNotEquals": '
    '{"aws:PrincipalArn": [<signer role ARNs>]}}'
)


def judge(key=None, projects=None, *others):
    resources = [
        *(step_projects() if projects is None else projects),
        pipeline(),
        signing_key() if key is None else key,
        *others,
    ]
    return analyze(POLICIES, resources)


def test_the_programs_signing_key_passes():
    assert_no_violations(judge())


def test_the_artifact_keys_root_kms_star_makes_no_signing_key():
    # An encryption key cannot sign whatever its policy says: the root's kms:* is administration.
    artifacts = signing_key(
        signing_policy(root_statement()),
        key_usage="ENCRYPT_DECRYPT",
        spec="SYMMETRIC_DEFAULT",
        name="artifacts-key",
    )
    assert_no_violations(judge(signing_key(), None, artifacts))


def test_the_account_root_without_the_signer_fence_is_refused():
    policy = signing_policy(root_statement(), algorithm_pin(), signer_allow(), verifier_allow())
    assert_violation(
        judge(signing_key(policy)),
        SIGNING,
        f'{KEY_LABEL}: policy statement 1 ("AccountRootAdministersKey") grants kms:Sign (through '
        f"kms:*) to the account root '{ROOT_ARN}', i.e. any principal of that account whose IAM "
        'policy allows kms:Sign, and no Deny of kms:Sign to Principal "*" on aws:PrincipalArn '
        f"limits signing to named roles; {SIGNER_FIX}",
        level="mandatory",
    )


def test_an_account_id_principal_is_the_root_too():
    policy = signing_policy(algorithm_pin(), signer_allow({"AWS": "123456789012"}))
    assert_violation(
        judge(signing_key(policy)),
        SIGNING,
        "grants kms:Sign (through kms:Sign) to the account root '123456789012'",
    )


def test_a_star_principal_is_refused_without_the_fence():
    policy = signing_policy(root_statement(), algorithm_pin(), signer_allow("*"))
    result = judge(signing_key(policy))
    assert_violation(
        result,
        SIGNING,
        f'{KEY_LABEL}: policy statement 3 ("SignerRolesSignReleases") grants kms:Sign (through '
        'kms:Sign) to every principal ("*"), and no Deny',
    )


@pytest.mark.parametrize(
    ("principal", "reason"),
    [
        ({"AWS": "arn:aws:iam::123456789012:role/*"}, "a pattern rather than one role"),
        ({"AWS": "arn:aws:iam::123456789012:user/release"}, "the IAM user"),
        ({"Service": "codebuild.amazonaws.com"}, "the Service principal 'codebuild.amazonaws.com'"),
        (
            {"AWS": "arn:aws:sts::123456789012:assumed-role/signer/session"},
            "which is not an IAM role ARN",
        ),
    ],
)
def test_a_signer_that_is_not_one_exact_role_is_refused(principal, reason):
    policy = signing_policy(algorithm_pin(), signer_allow(principal))
    assert_violation(judge(signing_key(policy)), SIGNING, reason)


def test_the_fence_makes_the_roots_kms_star_acceptable_but_a_fence_with_a_pattern_does_not():
    assert_no_violations(judge())
    loose = signing_policy(
        root_statement(),
        signer_fence(["arn:aws:iam::123456789012:role/*"]),
        algorithm_pin(),
        signer_allow(),
    )
    assert_violation(
        judge(signing_key(loose)), SIGNING, "grants kms:Sign (through kms:*) to the account root"
    )


def test_a_fence_narrowed_by_another_condition_is_no_fence():
    fence = signer_fence()
    fence["Condition"]["Bool"] = {"aws:ViaAWSService": "false"}
    policy = signing_policy(root_statement(), fence, algorithm_pin(), signer_allow())
    assert_violation(
        judge(signing_key(policy)), SIGNING, "grants kms:Sign (through kms:*) to the account root"
    )


def test_a_signer_that_is_also_the_build_projects_role_is_refused():
    projects = step_projects(build=project("build", service_role=SIGNER))
    assert_violation(
        judge(None, projects),
        SIGNING,
        f"{KEY_LABEL}: signer role '{SIGNER}' is also the serviceRole of build project 'api-build', "
        "whose buildspec does not run `python3 -m release_steps.sign` or `python3 -m "
        "release_steps.publish` (the build cannot sign); give the signing step a role of its own "
        "and let no other project use it",
    )


def test_a_signer_that_is_also_the_pipelines_role_is_refused():
    key = signing_key(
        signing_policy(
            root_statement(),
            signer_fence([SIGNER, PIPELINE_ROLE]),
            algorithm_pin(),
            signer_allow({"AWS": [SIGNER, PIPELINE_ROLE]}),
        )
    )
    assert_violation(
        judge(key),
        SIGNING,
        f"{KEY_LABEL}: signer role '{PIPELINE_ROLE}' is also the roleArn of pipeline 'api' (the "
        "signer cannot deploy)",
    )


def test_a_signer_role_no_signing_project_holds_is_refused():
    projects = step_projects(sign=project("sign", service_role=role_arn("other")))
    assert_violation(
        judge(None, projects),
        SIGNING,
        f"{KEY_LABEL}: signer role '{SIGNER}' is not the serviceRole of any CodeBuild project of "
        "the stack whose stack-owned (inline) buildspec runs `python3 -m release_steps.sign` or "
        "`python3 -m release_steps.publish`",
    )


def test_the_publishing_step_signs_deployment_records_as_the_signer():
    publish = project(
        "sign",
        inline_buildspec(step_command("publish")),
        name="guarded-delivery-prod-api-publish",
    )
    # The signer role is held by the publishing step alone: it is a signing step of the stack.
    assert_no_violations(judge(None, step_projects(sign=publish)))


def test_a_signing_project_reading_the_repository_buildspec_does_not_count():
    projects = step_projects(sign=project("sign", buildspec="buildspec-sign.yml"))
    result = judge(None, projects)
    assert_violation(result, SIGNING, "is also the serviceRole of build project 'api-sign'")
    assert_violation(result, SIGNING, "is not the serviceRole of any CodeBuild project")


def test_an_unpinned_algorithm_is_refused():
    policy = signing_policy(root_statement(), signer_fence(), signer_allow(pinned=False))
    assert_violation(
        judge(signing_key(policy)),
        SIGNING,
        f'{KEY_LABEL}: policy statement 1 ("AccountRootAdministersKey"), statement 3 '
        '("SignerRolesSignReleases") allow kms:Sign without a StringEquals condition on '
        "kms:SigningAlgorithm, and no Deny pins the algorithm",
    )


def test_an_algorithm_pinned_in_every_allow_passes():
    policy = signing_policy(signer_allow(), verifier_allow())
    assert_no_violations(judge(signing_key(policy)))


def test_a_symmetric_key_granting_sign_is_refused():
    key = signing_key(
        signing_policy(root_statement(), signer_allow()),
        key_usage="ENCRYPT_DECRYPT",
        spec="SYMMETRIC_DEFAULT",
    )
    assert_violation(
        judge(key),
        SIGNING,
        f"{KEY_LABEL}: keyUsage is 'ENCRYPT_DECRYPT' but its policy grants kms:Sign (statement 2 "
        '("SignerRolesSignReleases")), and KMS signs only with SIGN_VERIFY keys; declare the '
        "signing key with keyUsage SIGN_VERIFY and an asymmetric signing spec",
    )


def test_a_sig_wildcard_aims_at_signing_too():
    allow = {**signer_allow(), "Action": ["kms:Sig*"]}
    key = signing_key(signing_policy(root_statement(), allow), key_usage=None, spec=None)
    assert_violation(
        judge(key), SIGNING, "keyUsage is not set (ENCRYPT_DECRYPT) but its policy grants kms:Sign"
    )


@pytest.mark.parametrize(
    ("spec", "fragment"),
    [
        ("HMAC_256", "customerMasterKeySpec is 'HMAC_256', not an asymmetric signing key spec"),
        (
            None,
            "neither customerMasterKeySpec nor keySpec is set, so the key spec is SYMMETRIC_DEFAULT",
        ),
    ],
)
def test_a_sign_verify_key_without_a_signing_spec_is_refused(spec, fragment):
    assert_violation(judge(signing_key(spec=spec)), SIGNING, fragment)


@pytest.mark.parametrize("spec", ["RSA_2048", "ECC_SECG_P256K1", "ML_DSA_65", "SM2"])
def test_every_asymmetric_signing_spec_passes(spec):
    assert_no_violations(judge(signing_key(spec=spec)))


def test_a_signing_key_without_a_policy_gets_the_default_and_is_refused():
    assert_violation(
        judge(signing_key(False)),
        SIGNING,
        f"{KEY_LABEL}: has no policy, so KMS's default key policy applies",
    )


def test_a_grant_with_sign_is_refused_and_one_without_passes():
    grant = resource(
        KMS_GRANT,
        "signer-grant",
        {"keyId": UNKNOWN, "granteePrincipal": role_arn("build"), "operations": ["Sign", "Verify"]},
    )
    assert_violation(
        judge(None, None, grant),
        SIGNING,
        "KMS grant 'signer-grant': operations include Sign, which gives "
        f"'{role_arn('build')}' kms:Sign outside the key policy's list of signers; remove Sign",
        urn=grant.urn,
    )
    verify_only = resource(
        KMS_GRANT,
        "verify-grant",
        {"granteePrincipal": role_arn("verifier"), "operations": ["Verify"]},
    )
    assert_no_violations(judge(None, None, verify_only))


def test_an_unreadable_policy_is_refused():
    assert_violation(judge(signing_key('{"Statement": [')), SIGNING, "policy is not valid JSON")


# --- what is not known at preview is undecided, never passed ------------------------------------


def test_an_unknown_policy_is_undecided_while_a_known_bad_spec_is_refused():
    result = judge(signing_key(UNKNOWN, spec="HMAC_256"))
    assert_violation(result, SIGNING, "customerMasterKeySpec is 'HMAC_256'")
    assert_skipped(result, SIGNING, "release-signing-key.policy")
    assert_no_violations(judge(signing_key()))


def test_an_unknown_service_role_may_be_the_signers():
    projects = step_projects(sign=project("sign", service_role=UNKNOWN))
    result = judge(None, projects)
    assert not result.of(SIGNING)
    assert_skipped(result, SIGNING, "api-sign.serviceRole or source.buildspec")


def test_a_project_whose_role_is_unknown_may_hold_the_signers_role():
    projects = step_projects(build=project("build", service_role=UNKNOWN))
    result = judge(None, projects)
    assert not result.of(SIGNING)
    assert_skipped(result, SIGNING, "api-build.serviceRole or source.buildspec")


def test_unknown_grant_operations_are_undecided():
    grant = resource(KMS_GRANT, "grant", {"granteePrincipal": SIGNERS[0], "operations": UNKNOWN})
    assert_skipped(judge(None, None, grant), SIGNING, "grant.operations")


def test_an_unknown_key_usage_with_only_the_roots_kms_star_is_undecided():
    key = signing_key(json.dumps({"Statement": [root_statement()]}), key_usage=UNKNOWN)
    result = judge(key)
    assert not result.of(SIGNING)
    assert_skipped(result, SIGNING, "release-signing-key.keyUsage")
