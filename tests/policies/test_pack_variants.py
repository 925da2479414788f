"""Variants of the pack's inputs in shapes the other tests do not send, each next to its twin.

Every case runs the whole pack with the dev policy config, as `pulumi preview` would; the refused
shape and its compliant twin differ only in the point under test.
"""

import json
from pathlib import Path

import pytest

from cicd_guardrails.pack import all_policies
from tests.support.analyzer_harness import analyze, assert_no_violations, assert_violation, resource
from tests.support.release_shapes import (
    DOWNSTREAM_ACCOUNT,
    cross_account_stack,
    pipeline,
    signing_key,
    step_projects,
)

POLICIES = all_policies()
DEV_CONFIG = json.loads(
    (Path(__file__).resolve().parents[2] / "policies" / "config" / "dev.json").read_text()
)
LIMITED = "kms-key-cross-account-limited"
SIGNING = "kms-signing-key-restricted"
SOURCE_CREDENTIALS = "codebuild-source-no-credentials"
NATIVE_KEY = "aws-native:kms:Key"
OWN_ACCOUNT = "123456789012"
FOREIGN_ROOT = "arn:aws:iam::999999999999:root"


def judge(resources, **config):
    return analyze(POLICIES, resources, {**DEV_CONFIG, **config})


# --- aws-native:kms:Key carries its policy as `keyPolicy`, an object ------------------------------


def native_key(principal, action="kms:Decrypt", **props):
    statement = {"Effect": "Allow", "Principal": principal, "Action": action, "Resource": "*"}
    return resource(
        NATIVE_KEY,
        "native-key",
        {
            "enableKeyRotation": True,
            "keyPolicy": {"Version": "2012-10-17", "Statement": [statement]},
            **props,
        },
    )


@pytest.mark.parametrize(
    ("principal", "shown"), [({"AWS": FOREIGN_ROOT}, f"'{FOREIGN_ROOT}'"), ("*", '"*"')]
)
def test_an_aws_native_key_letting_another_account_decrypt_is_refused(principal, shown):
    chain = {LIMITED: {"promotionAccounts": [DOWNSTREAM_ACCOUNT]}}
    assert_violation(
        judge([*cross_account_stack(), native_key(principal)], **chain),
        LIMITED,
        f"KMS key 'native-key': policy statement 1 lets {shown} decrypt under this key",
    )
    own = native_key({"AWS": f"arn:aws:iam::{OWN_ACCOUNT}:root"})
    assert_no_violations(judge([*cross_account_stack(), own], **chain), LIMITED)


def test_an_aws_native_signing_key_is_judged_like_its_aws_twin():
    everyone_signs = native_key("*", "kms:Sign", keyUsage="SIGN_VERIFY", keySpec="ECC_NIST_P256")
    assert_violation(
        judge([*step_projects(), pipeline(), everyone_signs]),
        SIGNING,
        "KMS key 'native-key'",
    )
    # The program's own signing key, declared through aws-native with the same document.
    aws_key = signing_key()
    props = aws_key.inputs
    twin = resource(
        NATIVE_KEY,
        "release-signing-key",
        {
            "keyUsage": props["keyUsage"],
            "keySpec": props["customerMasterKeySpec"],
            "keyPolicy": json.loads(props["policy"]),
        },
    )
    assert_no_violations(judge([*step_projects(), pipeline(), twin]), SIGNING)


# --- a credential in a source URL's fragment, after `;`, or recognizable by its value ---------------


def project(location):
    return resource(
        "aws:codebuild/project:Project",
        "build",
        {"source": {"type": "GITHUB", "location": location}},
    )


@pytest.mark.parametrize(
    ("location", "part", "clean"),
    [
        (
            "https://git.example.com/app.git#access_token=gho_abc123",
            "fragment parameter 'access_token'",
            "https://git.example.com/app.git#main",
        ),
        (
            "https://git.example.com/app.git?ref=main;private_token=glpat-abc",
            "query parameter 'private_token'",
            "https://git.example.com/app.git?ref=main;depth=1",
        ),
        (
            "https://git.example.com/app.git?ref=ghp_" + "a" * 36,
            "query parameter 'ref'",
            "https://git.example.com/app.git?ref=main",
        ),
    ],
    ids=["fragment", "semicolon", "token-value"],
)
def test_a_credential_anywhere_in_the_url_parameters_is_refused(location, part, clean):
    assert_violation(
        judge([project(location)]),
        SOURCE_CREDENTIALS,
        f"build project 'build': source.location embeds credentials in the URL ({part})",
    )
    assert_no_violations(judge([project(clean)]), SOURCE_CREDENTIALS)
