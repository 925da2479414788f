"""The release-signing key: asymmetric, only the signer roles sign (one algorithm), verifiers verify."""

import pytest

from components.release.release_names import ReleaseNames, StackReleaseNames
from components.release.signing_key import ReleaseSigning, ReleaseSigningArgs, signing_key_policy
from components.shared.tagging import resource_tags
from tests.support.mocked_program import declare
from tests.support.resource_policy_eval import (
    ACCOUNT_DELEGATES,
    ALLOW,
    DENY,
    NOT_ALLOWED,
    Caller,
    evaluate,
)
from tests.support.service_fixtures import names_of, platform_names, service_of

PLATFORM = platform_names("prod")
NAMES = StackReleaseNames(PLATFORM)
WEB = ReleaseNames(names_of(service_of("Server")))
API = ReleaseNames(names_of(service_of("ECS")))
SIGNERS = [WEB.signer_role_arn, API.signer_role_arn]
VERIFIERS = [WEB.verifier_role_arn, API.verifier_role_arn]
POLICY = signing_key_policy(NAMES, SIGNERS, VERIFIERS)
PINNED = {"kms:SigningAlgorithm": "ECDSA_SHA_256"}


@pytest.fixture(scope="module")
def declared():
    def build() -> None:
        ReleaseSigning(
            "release-signing",
            ReleaseSigningArgs(
                names=NAMES,
                signer_role_arns=SIGNERS,
                verifier_role_arns=VERIFIERS,
                artifact_key_arn="arn:aws:kms:us-east-1:123456789012:key/artifacts",
                log_retention_days=365,
                tags=resource_tags("guarded-delivery", "prod"),
                deletion_window_days=30,
                protect=True,
            ),
        )

    return declare(build, stack="prod")


def test_the_key_is_asymmetric_for_signing_and_its_alias_is_the_derived_one(declared):
    [key] = declared.of_type("aws:kms/key:Key")
    assert key.inputs["keyUsage"] == "SIGN_VERIFY"
    assert key.inputs["customerMasterKeySpec"] == "ECC_NIST_P256"
    assert key.inputs["policy"] == POLICY, "the policy must be known at preview"
    [alias] = declared.of_type("aws:kms/alias:Alias")
    assert alias.inputs["name"] == "alias/guarded-delivery-prod-release-signing"
    [logs] = declared.of_type("aws:cloudwatch/logGroup:LogGroup")
    assert logs.inputs["name"] == "/aws/codebuild/guarded-delivery-prod-release-steps"
    assert logs.inputs["retentionInDays"] == 365 and "kmsKeyId" in logs.inputs


@pytest.mark.parametrize("signer", SIGNERS)
def test_a_signer_role_signs_with_the_pinned_algorithm_only(signer):
    assert evaluate(POLICY, Caller(signer, PINNED), "kms:Sign") == ALLOW
    other_algorithm = {"kms:SigningAlgorithm": "ECDSA_SHA_384"}
    assert evaluate(POLICY, Caller(signer, other_algorithm), "kms:Sign") == DENY


@pytest.mark.parametrize(
    "principal",
    [
        names_of(service_of("Server")).build_role.arn,  # the repository's buildspec runs as it
        names_of(service_of("Server")).pipeline_role.arn,
        WEB.verifier_role_arn,
        PLATFORM.account_root_arn,
        "arn:aws:iam::123456789012:role/Admin",  # an admin with kms:* in IAM
        "arn:aws:iam::210987654321:role/guarded-delivery-prod-web-signer",  # same name, other account
    ],
)
def test_nobody_else_signs_even_with_an_iam_grant(principal):
    assert evaluate(POLICY, Caller(principal, PINNED), "kms:Sign") == DENY


@pytest.mark.parametrize("verifier", VERIFIERS)
def test_verifiers_verify_and_read_the_public_key(verifier):
    for action in ("kms:Verify", "kms:GetPublicKey", "kms:DescribeKey"):
        assert evaluate(POLICY, Caller(verifier), action) == ALLOW
    assert evaluate(POLICY, Caller(verifier, PINNED), "kms:Sign") == DENY


def test_the_account_keeps_administration_through_iam_but_no_direct_grant_to_others():
    admin = Caller("arn:aws:iam::123456789012:role/Admin")
    assert evaluate(POLICY, admin, "kms:PutKeyPolicy") == ACCOUNT_DELEGATES
    stranger = Caller("arn:aws:iam::210987654321:role/Admin")
    assert evaluate(POLICY, stranger, "kms:Verify") == NOT_ALLOWED
