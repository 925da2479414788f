"""The pack's metadata file: read into data the pack renders, and refused in one line when it is bad."""

import pytest
from pulumi_policy import EnforcementLevel

from cicd_guardrails.support.metadata import (
    Equivalents,
    PolicyMetadataError,
    metadata_of,
    read_metadata,
)

GOOD = """
["demo-rule"]
checks = "Every demo resource is compliant"
level = "advisory"
remediation = "Make it compliant."
checkov = ["CKV_AWS_1", "CKV_AWS_2"]
other_tools = { "Parliament" = ["UNKNOWN_ACTION"] }
nearest = { security_hub = ["IAM.1"] }
"""


def read(tmp_path, text):
    path = tmp_path / "policy_metadata.toml"
    path.write_text(text)
    return read_metadata(path)


def test_a_table_becomes_metadata_and_its_description(tmp_path):
    metadata = read(tmp_path, GOOD)["demo-rule"]
    assert metadata.level is EnforcementLevel.ADVISORY
    assert metadata.equivalents == Equivalents(
        checkov=("CKV_AWS_1", "CKV_AWS_2"),
        other_tools={"Parliament": ("UNKNOWN_ACTION",)},
        nearest=Equivalents(security_hub=("IAM.1",)),
    )
    assert metadata.description == (
        "Every demo resource is compliant (Checkov CKV_AWS_1 and CKV_AWS_2; Parliament "
        "UNKNOWN_ACTION; nearest: Security Hub IAM.1)."
    )
    assert metadata.policy_fields()["remediation_steps"] == "Make it compliant."


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ('level = "advisory"', 'level = "strict"'),
            "[\"demo-rule\"].level is 'strict'; use one of",
        ),
        (('level = "advisory"\n', ""), "level is missing or not text"),
        (
            ('checkov = ["CKV_AWS_1", "CKV_AWS_2"]', "checkov = 'CKV_AWS_1'"),
            ".checkov is 'CKV_AWS_1'",
        ),
        (("checkov =", "chekov ="), "unknown key chekov; use checks, level, remediation"),
        (
            ("nearest = { security_hub", "nearest = { hub"),
            ".nearest is {'hub': ['IAM.1']}; use a table",
        ),
        (('["demo-rule"]', '["demo-rule"'), "policy_metadata.toml: "),
    ],
)
def test_a_bad_table_is_refused_in_one_line_naming_the_key(tmp_path, change, message):
    with pytest.raises(PolicyMetadataError) as refused:
        read(tmp_path, GOOD.replace(*change))
    assert message in str(refused.value)
    assert "\n" not in str(refused.value)


def test_a_policy_without_a_table_is_named_with_the_fix():
    with pytest.raises(PolicyMetadataError, match=r'no \["no-such-policy"\] table; add one with'):
        metadata_of("no-such-policy")


def test_the_pack_metadata_knows_a_policy():
    assert metadata_of("s3-sse-kms").level is EnforcementLevel.MANDATORY
