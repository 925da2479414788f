"""Meta-tests over the whole pack: names, descriptions, levels, metadata, core guardrails."""

import re

import pytest
from pulumi_policy import EnforcementLevel

from cicd_guardrails.pack import PACK_NAME, all_metadata, all_policies
from cicd_guardrails.support.metadata import Equivalents, pack_metadata

KEBAB_CASE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
CORE_POLICIES = (
    "s3-sse-kms",
    "pipeline-artifacts-kms",
    "kms-key-rotation",
    "logs-and-notifications-kms",
    "execution-role-ip-restricted",
    "codedeploy-auto-rollback",
    "codepipeline-artifact-verification",
    "kms-signing-key-restricted",
    "codepipeline-no-mutable-image-tag",
    "resource-policy-cross-account-exact-principals",
    "kms-key-cross-account-limited",
)
POLICIES = all_policies()
METADATA = all_metadata()
# A rule ID as each tool spells it: CKV_AWS_145, AwsSolutions-S3, S3.17, S3_DEFAULT_ENCRYPTION_KMS.
RULE_ID = {
    "checkov": re.compile(r"^CKV2?_AWS_[0-9]+$"),
    "cdk_nag": re.compile(r"^AwsSolutions-[A-Z0-9]+$"),
    "security_hub": re.compile(r"^[A-Za-z0-9]+\.[0-9]+$"),
    "aws_config": re.compile(r"^[A-Z0-9_]+$"),
}


def test_pack_name():
    assert PACK_NAME == "cicd-guardrails"


def test_names_are_unique():
    names = [p.name for p in POLICIES]
    assert len(names) == len(set(names)), names


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: p.name)
def test_name_is_kebab_case(policy):
    assert KEBAB_CASE.match(policy.name), policy.name


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: p.name)
def test_description_is_one_sentence(policy):
    text = policy.description
    assert text[0].isupper() and text.endswith("."), text
    # A period followed by a space and a capital would start a second sentence.
    assert not re.search(r"\.\s+[A-Z]", text), text


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: p.name)
def test_enforcement_level_is_explicit(policy):
    assert isinstance(policy.enforcement_level, EnforcementLevel)


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: p.name)
def test_every_policy_is_built_from_its_metadata(policy):
    metadata = METADATA[policy.name]
    assert policy.description == metadata.description
    assert policy.enforcement_level == metadata.level
    assert policy.remediation_steps == metadata.remediation
    assert metadata.remediation.strip() and metadata.checks[0].isupper()
    assert not metadata.checks.endswith("."), "the description adds the period"


def test_every_metadata_table_names_a_policy_in_the_pack_order():
    assert list(pack_metadata()) == [p.name for p in POLICIES]


@pytest.mark.parametrize("metadata", METADATA.values(), ids=lambda m: m.name)
def test_equivalent_rule_ids_are_spelled_as_each_tool_spells_them(metadata):
    for equivalents in (metadata.equivalents, metadata.equivalents.nearest or Equivalents()):
        for tool, pattern in RULE_ID.items():
            for rule_id in getattr(equivalents, tool):
                assert pattern.match(rule_id), f"{metadata.name}: {tool} {rule_id!r}"


def test_the_description_renders_the_equivalents_as_data():
    rendered = Equivalents(checkov=("CKV_AWS_1", "CKV_AWS_2"), security_hub=("IAM.1",)).rendered()
    assert rendered == "Checkov CKV_AWS_1 and CKV_AWS_2; Security Hub IAM.1"
    none_found = Equivalents(nearest=Equivalents(aws_config=("X_CHECK",))).rendered()
    assert none_found == (
        "no Checkov, cdk-nag, Security Hub or AWS Config equivalent found; "
        "nearest: AWS Config X_CHECK"
    )


@pytest.mark.parametrize("name", CORE_POLICIES)
def test_core_policy_present_and_mandatory(name):
    by_name = {p.name: p for p in POLICIES}
    assert name in by_name
    assert by_name[name].enforcement_level == EnforcementLevel.MANDATORY
