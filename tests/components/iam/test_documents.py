"""The IAM document builders: stable JSON, and trust policies bound to our account."""

import json

import pytest

from components.iam.documents import policy_document, service_assume_role_policy, statement


def test_documents_are_byte_stable_whatever_the_input_order():
    first = policy_document([statement("Allow", ["s3:PutObject", "s3:GetObject"], ["b", "a"])])
    second = policy_document(
        [statement("Allow", ["s3:GetObject", "s3:PutObject", "s3:GetObject"], ["a", "b"])]
    )
    assert first == second
    (only,) = json.loads(first)["Statement"]
    assert only == {
        "Effect": "Allow",
        "Action": ["s3:GetObject", "s3:PutObject"],
        "Resource": ["a", "b"],
    }


def test_statement_order_is_kept_because_it_carries_the_intent():
    allow = statement("Allow", ["a:B"], ["r"], sid="First")
    deny = statement("Deny", ["a:B"], ["r"], sid="Second")
    assert [s["Sid"] for s in json.loads(policy_document([allow, deny]))["Statement"]] == [
        "First",
        "Second",
    ]


def test_conditions_and_principals_are_normalised():
    built = statement(
        "Deny",
        ["codepipeline:StartPipelineExecution"],
        ["arn:p"],
        conditions={"NotIpAddress": {"aws:SourceIp": ["198.51.100.0/24", "192.0.2.0/24"]}},
        principal={"AWS": ["arn:b", "arn:a"]},
    )
    assert built["Condition"] == {
        "NotIpAddress": {"aws:SourceIp": ["192.0.2.0/24", "198.51.100.0/24"]}
    }
    assert built["Principal"] == {"AWS": ["arn:a", "arn:b"]}


def test_an_empty_action_or_resource_list_is_a_programming_error_not_a_wildcard():
    with pytest.raises(ValueError):
        statement("Allow", [], ["arn:x"])
    with pytest.raises(ValueError):
        statement("Allow", ["s3:GetObject"], [])


def test_service_trust_policy_guards_against_confused_deputies():
    document = json.loads(
        service_assume_role_policy(
            "codebuild.amazonaws.com", "123456789012", "arn:aws:codebuild:*:123456789012:project/x"
        )
    )
    (trust,) = document["Statement"]
    assert trust["Principal"] == {"Service": "codebuild.amazonaws.com"}
    assert trust["Action"] == ["sts:AssumeRole"]
    assert "Resource" not in trust
    assert trust["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "123456789012"},
        "ArnLike": {"aws:SourceArn": "arn:aws:codebuild:*:123456789012:project/x"},
    }


def test_a_service_trust_without_documented_keys_has_no_condition():
    (trust,) = json.loads(service_assume_role_policy("codepipeline.amazonaws.com", None))[
        "Statement"
    ]
    assert trust["Principal"] == {"Service": "codepipeline.amazonaws.com"}
    assert "Condition" not in trust
