"""Meta-tests over the whole pack: names, descriptions, levels, remediations, mission policies."""

import re

import pytest
from pulumi_policy import EnforcementLevel

from cicd_guardrails.pack import PACK_NAME, all_policies, all_remediations

KEBAB_CASE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
MISSION_POLICIES = (
    "s3-sse-kms",
    "pipeline-artifacts-kms",
    "kms-key-rotation",
    "logs-and-notifications-kms",
    "execution-role-ip-restricted",
    "codedeploy-auto-rollback",
)
POLICIES = all_policies()


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
def test_remediation_steps_exist(policy):
    assert all_remediations().get(policy.name, "").strip(), (
        f"no REMEDIATIONS entry for {policy.name}"
    )
    assert policy.remediation_steps == all_remediations()[policy.name]


def test_every_remediation_names_a_policy():
    assert set(all_remediations()) <= {p.name for p in POLICIES}


@pytest.mark.parametrize("name", MISSION_POLICIES)
def test_mission_policy_present_and_mandatory(name):
    by_name = {p.name: p for p in POLICIES}
    assert name in by_name
    assert by_name[name].enforcement_level == EnforcementLevel.MANDATORY
