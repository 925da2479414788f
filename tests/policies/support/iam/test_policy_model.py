"""The IAM document model: shapes IAM accepts, wildcard matching, and what it refuses to guess."""

import itertools
import json
import random
import re

import pytest
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy
from pulumi_policy.secret import Secret

from cicd_guardrails.support.iam.policy_model import (
    ALLOW,
    DENY,
    SEGMENT,
    PolicyDocumentError,
    action_pattern_matches,
    parse_policy_document,
    pattern_intersection,
    resource_pattern_covers,
)
from tests.support.analyzer_harness import UNKNOWN, secret

START = "codepipeline:StartPipelineExecution"
STATEMENT = {"Sid": "Start", "Effect": "Allow", "Action": START, "Resource": "*"}


def test_document_as_json_string_object_and_statement_object_mean_the_same():
    as_list = {"Version": "2012-10-17", "Statement": [STATEMENT]}
    as_object = {"Version": "2012-10-17", "Statement": STATEMENT}
    parsed = {
        parse_policy_document(json.dumps(as_list)),
        parse_policy_document(as_list),
        parse_policy_document(as_object),
        parse_policy_document(json.dumps(as_object)),
    }
    assert len(parsed) == 1
    (document,) = parsed
    (statement,) = document.statements
    assert (statement.number, statement.sid, statement.effect) == (1, "Start", ALLOW)
    assert statement.action_patterns == (START,)
    assert statement.label == 'statement 1 ("Start")'


def test_secret_wrapped_documents_are_unwrapped():
    text = json.dumps({"Statement": [STATEMENT]})
    assert parse_policy_document(Secret(text)) == parse_policy_document(text)
    assert parse_policy_document(secret(text)) == parse_policy_document(text)


def test_element_names_and_effect_are_read_case_insensitively():
    document = parse_policy_document(
        {"statement": [{"effect": "allow", "action": "codepipeline:*", "resource": "*"}]}
    )
    assert document.statements[0].effect == ALLOW
    assert document.statements[0].applies_to_action(START)


def test_unknown_anywhere_in_the_document_raises_the_sdks_unknown_error():
    props = unknown_checking_proxy({"policy": {"Statement": [{**STATEMENT, "Resource": UNKNOWN}]}})
    with pytest.raises(UnknownValueError) as raised:
        parse_policy_document(props["policy"])
    assert raised.value.props == ["policy", "Statement", "0", "Resource"]
    with pytest.raises(UnknownValueError):
        parse_policy_document(UNKNOWN)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("{not json", "is not valid JSON (Expecting property name"),
        ("", "is not valid JSON"),
        ("[]", "must be a JSON object, got list"),
        ({"Version": "2012-10-17"}, "has no Statement"),
        ({"Statement": "Allow"}, "Statement must be an object or a list of objects"),
        ({"Statement": ["x"]}, "statement 1 must be an object"),
        ({"Statement": {**STATEMENT, "Effect": "Permit"}}, 'statement 1 Effect must be "Allow"'),
        (
            {"Statement": {**STATEMENT, "NotAction": "iam:*"}},
            "statement 1 must have exactly one of Action or NotAction",
        ),
        (
            {"Statement": {"Effect": "Allow", "Action": START}},
            "statement 1 must have exactly one of Resource or NotResource",
        ),
        ({"Statement": {**STATEMENT, "Action": [1]}}, "statement 1 Action must be a string"),
        ({"Statement": {**STATEMENT, "Condition": []}}, "statement 1 Condition must be an object"),
        (
            {"Statement": {**STATEMENT, "action": "iam:*"}},
            "statement 1 has Action spelled several ways: Action, action",
        ),
    ],
)
def test_documents_iam_would_reject_are_reported_not_guessed(raw, message):
    with pytest.raises(PolicyDocumentError) as raised:
        parse_policy_document(raw)
    assert str(raised.value).startswith(message)


@pytest.mark.parametrize(
    ("pattern", "matches"),
    [
        (START, True),
        ("CodePipeline:startpipelineexecution", True),
        ("codepipeline:*", True),
        ("codepipeline:start*", True),
        ("codepipeline:Start?ipelineExecution", True),
        ("*", True),
        ("*:Start*", True),
        ("code*:*Execution", True),
        ("codepipeline:StartPipeline", False),
        ("codepipeline:Start?Execution", False),
        ("codebuild:*", False),
        ("codepipeline:Get*", False),
    ],
)
def test_action_wildcards_and_case(pattern, matches):
    assert action_pattern_matches(pattern, START) is matches


def test_not_action_applies_to_everything_it_does_not_exclude():
    document = parse_policy_document(
        {"Statement": [{"Effect": "Deny", "NotAction": ["iam:*", "codebuild:*"], "Resource": "*"}]}
    )
    (statement,) = document.statements
    assert statement.effect == DENY
    assert statement.applies_to_action(START)
    assert not statement.applies_to_action("IAM:PassRole")


PIPELINE = "arn:aws:codepipeline:us-east-1:123456789012:web"


@pytest.mark.parametrize(
    ("general", "specific", "covered"),
    [
        ("*", PIPELINE, True),
        ("*", "*", True),
        ("arn:aws:codepipeline:*", PIPELINE, True),
        (
            "arn:aws:codepipeline:*:123456789012:*",
            "arn:aws:codepipeline:*:123456789012:web-*",
            True,
        ),
        (PIPELINE, PIPELINE, True),
        ("arn:aws:codepipeline:us-east-1:123456789012:we?", PIPELINE, True),
        ("arn:aws:codepipeline:us-east-1:123456789012:we?", PIPELINE + "?", False),
        (PIPELINE, "*", False),
        ("arn:aws:codepipeline:*:*:web", "arn:aws:codepipeline:*:*:*", False),
        ("arn:aws:codepipeline:*:*:w?", "arn:aws:codepipeline:*:*:w*", False),  # ? is one char
        (PIPELINE.upper(), PIPELINE, False),  # ARNs are case-sensitive
        ("arn:aws:codepipeline:*", "arn:aws:codepipeline:${aws:RequestedRegion}:1:x", True),
        ("arn:aws:codepipeline:${aws:RequestedRegion}:*", PIPELINE, False),  # cannot tell
        (
            "arn:aws:codepipeline:us-east-1:*",
            "arn:aws:codepipeline:${aws:RequestedRegion}:1:x",
            False,
        ),
    ],
)
def test_resource_coverage_is_sound(general, specific, covered):
    assert resource_pattern_covers(general, specific) is covered


def test_conditions_keep_operator_key_and_values():
    document = parse_policy_document(
        {
            "Statement": {
                **STATEMENT,
                "Condition": {
                    "IpAddress": {"AWS:SOURCEIP": ["192.0.2.0/24", "198.51.100.7"]},
                    "Bool": {"aws:MultiFactorAuthPresent": True},
                },
            }
        }
    )
    first, second = document.statements[0].conditions
    assert (first.operator, first.values) == ("IpAddress", ("192.0.2.0/24", "198.51.100.7"))
    assert first.key_is("aws:SourceIp") and not second.key_is("aws:SourceIp")
    assert second.values == (True,)


def test_trust_policies_name_principals_and_may_omit_resource():
    document = parse_policy_document(
        {
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {
                        "Service": ["events.amazonaws.com"],
                        "AWS": "arn:aws:iam::123456789012:root",
                    },
                    "Action": "sts:AssumeRole",
                },
                {"Effect": "Deny", "NotPrincipal": "*", "Action": "sts:AssumeRole"},
            ]
        }
    )
    first, second = document.statements
    assert first.principals == (
        ("Service", "events.amazonaws.com"),
        ("AWS", "arn:aws:iam::123456789012:root"),
    )
    assert first.resource_patterns == () and not first.not_principal
    assert second.principals == (("*", "*"),) and second.not_principal
    with pytest.raises(PolicyDocumentError, match="must not have both Principal and NotPrincipal"):
        parse_policy_document(
            {
                "Statement": {
                    "Effect": "Allow",
                    "Principal": "*",
                    "NotPrincipal": "*",
                    "Action": "s3:*",
                }
            }
        )


# --- glob intersection, checked against brute force on a small alphabet ----------------------------

GLOB_ALPHABET = "ab:"


def _glob_matches(glob: str, text: str) -> bool:
    pattern = "".join(
        ".*" if c == "*" else "[^:]*" if c == SEGMENT else "." if c == "?" else re.escape(c)
        for c in glob
    )
    return re.fullmatch(pattern, text, re.DOTALL) is not None


def _all_texts(max_length: int) -> list[str]:
    texts = [""]
    for length in range(1, max_length + 1):
        texts += ["".join(t) for t in itertools.product(GLOB_ALPHABET, repeat=length)]
    return texts


@pytest.mark.parametrize("seed", range(40))
def test_pattern_intersection_matches_exactly_what_both_globs_match(seed):
    rng = random.Random(seed)
    tokens = ["a", "b", ":", "*", "?"]
    first = "".join(rng.choice(tokens) for _ in range(rng.randint(0, 4)))
    second = "".join(rng.choice([*tokens, SEGMENT]) for _ in range(rng.randint(0, 4)))
    result = pattern_intersection(first, second)
    for text in _all_texts(5):
        both = _glob_matches(first, text) and _glob_matches(second, text)
        either = any(_glob_matches(glob, text) for glob in result)
        assert either or not both, (first, second, result, text)  # never smaller than the truth
        if SEGMENT not in second or "?" not in first:
            assert both or not either, (first, second, result, text)  # and exact where promised
