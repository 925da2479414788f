"""Which reached globs can name a pipeline, and how the stack's accounts narrow the targets."""

import pytest

from cicd_guardrails.support.iam.pipeline_arns import can_name_a_pipeline, start_targets
from cicd_guardrails.support.iam.policy_model import SEGMENT, pattern_intersection


def reached(pattern: str, accounts: frozenset[str] = frozenset()) -> list[str]:
    return [g for t in start_targets(accounts) for g in pattern_intersection(pattern, t)]


@pytest.mark.parametrize(
    ("pattern", "names_one"),
    [
        ("arn:aws:codepipeline:us-east-1:123456789012:web", True),
        ("arn:aws:codepipeline:*:*:web-*", True),
        ("arn:aws:codepipeline:us-east-1:123456789012:we?", True),
        ("*", True),
        ("arn:aws:codepipeline:us-east-1:123456789012:web/Source/Checkout", False),
        ("arn:aws:codepipeline:us-east-1:123456789012:web/*", False),
        ("arn:aws:codepipeline:us-east-1:123456789012:web#1", False),
    ],
)
def test_only_names_of_the_pipeline_alphabet_name_a_pipeline(pattern, names_one):
    assert any(can_name_a_pipeline(g) for g in reached(pattern)) is names_one


def test_known_accounts_narrow_the_account_field_and_no_account_leaves_it_open():
    assert all(f":{SEGMENT}:{SEGMENT}" in t for t in start_targets())
    narrowed = start_targets(frozenset({"111111111111"}))
    assert narrowed and all(":111111111111:" in t for t in narrowed)
    assert not reached("arn:aws:codepipeline:*:222222222222:*", frozenset({"111111111111"}))
    assert reached("arn:aws:codepipeline:*:111111111111:*", frozenset({"111111111111"}))
