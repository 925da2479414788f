"""`aws:iam/getPolicyDocument` answered offline exactly as the provider composes it.

Expected documents are derived from terraform-provider-aws (internal/service/iam/
policy_document_data_source.go, policy_model.go), which pulumi-aws bridges: the first case is that
provider's own acceptance-test configuration, with the current model (an empty Sid is omitted).
"""

import json
import zlib

import pytest

from offline_preview.lookups.policy_document import PolicyDocumentError, get_policy_document

PROVIDER_TEST_STATEMENTS = [
    {
        "sid": "1",
        "actions": ["s3:ListAllMyBuckets", "s3:GetBucketLocation"],
        "resources": ["arn:aws:s3:::*"],
    },
    {
        "actions": ["s3:ListBucket"],
        "resources": ["arn:aws:s3:::foo"],
        "conditions": [
            {
                "test": "StringLike",
                "variable": "s3:prefix",
                "values": ["home/", "", "home/&{aws:username}/"],
            }
        ],
        "notPrincipals": [{"type": "AWS", "identifiers": ["arn:blahblah:example"]}],
    },
    {
        "actions": ["s3:*"],
        "resources": [
            "arn:aws:s3:::foo/home/&{aws:username}",
            "arn:aws:s3:::foo/home/&{aws:username}/*",
        ],
        "principals": [{"type": "AWS", "identifiers": ["arn:blahblah:example"]}],
    },
    {"effect": "Deny", "notActions": ["s3:*"], "notResources": ["arn:aws:s3:::*"]},
    {
        "effect": "Allow",
        "actions": ["kinesis:*"],
        "principals": [{"type": "AWS", "identifiers": ["*"]}],
    },
    {
        "effect": "Allow",
        "actions": ["firehose:*"],
        "principals": [{"type": "*", "identifiers": ["*"]}],
    },
]

PROVIDER_TEST_JSON = """{
  "Version": "2012-10-17",
  "Id": "policy_id",
  "Statement": [
    {
      "Sid": "1",
      "Effect": "Allow",
      "Action": [
        "s3:ListAllMyBuckets",
        "s3:GetBucketLocation"
      ],
      "Resource": "arn:aws:s3:::*"
    },
    {
      "Effect": "Allow",
      "Action": "s3:ListBucket",
      "Resource": "arn:aws:s3:::foo",
      "NotPrincipal": {
        "AWS": "arn:blahblah:example"
      },
      "Condition": {
        "StringLike": {
          "s3:prefix": [
            "home/",
            "",
            "home/${aws:username}/"
          ]
        }
      }
    },
    {
      "Effect": "Allow",
      "Action": "s3:*",
      "Resource": [
        "arn:aws:s3:::foo/home/${aws:username}/*",
        "arn:aws:s3:::foo/home/${aws:username}"
      ],
      "Principal": {
        "AWS": "arn:blahblah:example"
      }
    },
    {
      "Effect": "Deny",
      "NotAction": "s3:*",
      "NotResource": "arn:aws:s3:::*"
    },
    {
      "Effect": "Allow",
      "Action": "kinesis:*",
      "Principal": {
        "AWS": "*"
      }
    },
    {
      "Effect": "Allow",
      "Action": "firehose:*",
      "Principal": "*"
    }
  ]
}"""


def compose(**args):
    return get_policy_document(args)


def statements_of(result) -> list:
    return json.loads(result["json"])["Statement"]


def test_the_providers_own_example_composes_byte_for_byte():
    result = compose(policyId="policy_id", statements=PROVIDER_TEST_STATEMENTS)
    assert result["json"] == PROVIDER_TEST_JSON
    assert result["minifiedJson"] == json.dumps(
        json.loads(PROVIDER_TEST_JSON), separators=(",", ":")
    )
    assert result["id"] == str(zlib.crc32(PROVIDER_TEST_JSON.encode()))


def test_an_empty_call_is_a_version_only_document():
    assert compose()["json"] == '{\n  "Version": "2012-10-17"\n}'


def test_principals_of_one_type_merge_under_that_type_in_reverse_order():
    result = compose(
        statements=[
            {
                "actions": ["sts:AssumeRole"],
                "principals": [
                    {"type": "AWS", "identifiers": ["arn:aws:iam::111111111111:root"]},
                    {"type": "Service", "identifiers": ["codebuild.amazonaws.com"]},
                    {
                        "type": "AWS",
                        "identifiers": [
                            "arn:aws:iam::222222222222:root",
                            "arn:aws:iam::333333333333:root",
                        ],
                    },
                ],
            }
        ]
    )
    assert statements_of(result)[0]["Principal"] == {
        "AWS": [
            "arn:aws:iam::111111111111:root",
            "arn:aws:iam::333333333333:root",
            "arn:aws:iam::222222222222:root",
        ],
        "Service": "codebuild.amazonaws.com",
    }


def test_conditions_group_by_test_then_variable_and_duplicates_of_a_set_collapse():
    result = compose(
        statements=[
            {
                "actions": ["s3:GetObject", "s3:GetObject"],
                "conditions": [
                    {"test": "StringEquals", "variable": "aws:SourceAccount", "values": ["123"]},
                    {"test": "IpAddress", "variable": "aws:SourceIp", "values": ["192.0.2.0/24"]},
                    {
                        "test": "StringEquals",
                        "variable": "aws:PrincipalTag/team",
                        "values": ["a", "b"],
                    },
                ],
            }
        ]
    )
    statement = statements_of(result)[0]
    assert statement["Action"] == "s3:GetObject"
    assert list(statement["Condition"]) == ["IpAddress", "StringEquals"]
    assert statement["Condition"]["StringEquals"] == {
        "aws:PrincipalTag/team": ["a", "b"],
        "aws:SourceAccount": "123",
    }


def test_sources_merge_first_then_statements_replace_by_sid_then_overrides():
    source = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
                {"Sid": "Keep", "Effect": "Allow", "Action": ["b:x", "a:y"], "Resource": "*"},
            ],
        }
    )
    override = json.dumps(
        {"Statement": [{"Sid": "Keep", "Effect": "Deny", "Action": "a:y", "Resource": "*"}]}
    )
    result = compose(
        sourcePolicyDocuments=[source],
        overridePolicyDocuments=[override],
        statements=[
            {"sid": "Read", "actions": ["s3:GetObject", "s3:ListBucket"], "resources": ["*"]},
            {"actions": ["c:z"]},
        ],
    )
    assert statements_of(result) == [
        {
            "Sid": "Read",
            "Effect": "Allow",
            "Action": ["s3:ListBucket", "s3:GetObject"],
            "Resource": "*",
        },
        {"Sid": "Keep", "Effect": "Deny", "Action": "a:y", "Resource": "*"},
        {"Effect": "Allow", "Action": "c:z"},
    ]


def test_a_source_documents_principals_are_written_in_reverse_order_and_star_stays_star():
    source = json.dumps(
        {
            "Statement": [
                {"Effect": "Allow", "Action": "s3:*", "Principal": {"AWS": ["b", "a", "c"]}},
                {"Effect": "Allow", "Action": "s3:*", "Principal": "*"},
            ]
        }
    )
    statements = statements_of(compose(sourcePolicyDocuments=[source]))
    assert statements[0]["Principal"] == {"AWS": ["c", "b", "a"]}
    assert statements[1]["Principal"] == "*"


def test_a_source_condition_keeps_strings_and_booleans_and_drops_numbers():
    source = json.dumps(
        {
            "Statement": [
                {
                    "Effect": "Deny",
                    "Action": "s3:*",
                    "Condition": {
                        "Bool": {"aws:SecureTransport": False},
                        "NumericLessThan": {"s3:max-keys": 10},
                    },
                }
            ]
        }
    )
    assert statements_of(compose(sourcePolicyDocuments=[source]))[0]["Condition"] == {
        "Bool": {"aws:SecureTransport": "false"}
    }


def test_go_escapes_html_characters_in_the_json():
    result = compose(
        statements=[
            {
                "actions": ["s3:GetObject"],
                "conditions": [
                    {"test": "StringLike", "variable": "s3:prefix", "values": ["a&b<c>"]}
                ],
            }
        ]
    )
    assert "a\\u0026b\\u003cc\\u003e" in result["json"]
    assert (
        json.loads(result["json"])["Statement"][0]["Condition"]["StringLike"]["s3:prefix"]
        == "a&b<c>"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            {"statements": [{"sid": "A", "actions": ["a:b"]}, {"sid": "A", "actions": ["c:d"]}]},
            "duplicate Sid (A)",
        ),
        (
            {"statements": [{"sid": "not-alnum", "actions": ["a:b"]}]},
            "must only include alphanumeric",
        ),
        ({"statements": [{"effect": "Permit", "actions": ["a:b"]}]}, "must be Allow or Deny"),
        (
            {
                "version": "2008-10-17",
                "statements": [{"resources": ["arn:aws:s3:::b/&{aws:username}"]}],
            },
            "not supported in document version 2008-10-17",
        ),
        ({"version": "2020-01-01"}, "version '2020-01-01' must be one of"),
        ({"sourcePolicyDocuments": ["{not json"]}, "merging source document 0"),
        (
            {
                "sourcePolicyDocuments": [
                    '{"Statement": [{"Sid": "X"}]}',
                    '{"Statement": [{"Sid": "X"}]}',
                ]
            },
            "duplicate Sid (X) in source_policy_documents",
        ),
    ],
)
def test_arguments_the_provider_refuses(args, message):
    with pytest.raises(PolicyDocumentError, match=message.replace("(", r"\(").replace(")", r"\)")):
        get_policy_document(args)
