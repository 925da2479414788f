"""`execution-role-ip-restricted`: which pipeline ARNs a statement reaches, and callers behind VPC endpoints.

Each refused document has a compliant twin differing only in the point under test.
"""

import json

import pytest
from policy_sentry.querying.actions import get_action_data

from cicd_guardrails.rules.iam.execution_role import POLICIES, POLICY_NAME, START_PIPELINE
from cicd_guardrails.support.iam.arn_formats import resource_globs
from cicd_guardrails.support.iam.policy_model import pattern_intersection, shown_glob
from tests.support.analyzer_harness import (
    analyze,
    assert_no_violations,
    assert_violation,
    resource,
)

ALLOWED = "192.0.2.0/24"
ENDPOINT = "vpce-0123456789abcdef0"
OTHER_ENDPOINT = "vpce-0fedcba987654321f"
ACCOUNT_PIPELINES = "arn:aws:codepipeline:us-east-1:123456789012:*"
CONFIG = {POLICY_NAME: {"allowedCidrs": [ALLOWED]}}
WITH_ENDPOINTS = {POLICY_NAME: {"allowedCidrs": [ALLOWED], "allowedVpcEndpoints": [ENDPOINT]}}
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
SUBJECT = "RolePolicy 'starters' policy: "
FROM_IP = {"IpAddress": {"aws:SourceIp": [ALLOWED]}}


def statement(effect, resource="*", condition=None, action=START_PIPELINE, **elements):
    result = {"Effect": effect, "Action": action, "Resource": resource, **elements}
    if elements.get("NotResource"):
        del result["Resource"]
    if condition is not None:
        result["Condition"] = condition
    return result


def judge(*statements, config=CONFIG):
    document = json.dumps({"Version": "2012-10-17", "Statement": list(statements)})
    grant = resource(ROLE_POLICY, "starters", {"role": "exec", "policy": document})
    return analyze(POLICIES, [grant], config)


def refused(result, *fragments):
    return assert_violation(result, POLICY_NAME, [SUBJECT, *fragments], level="mandatory")


# --- the pipeline ARN format, from policy_sentry -----------------------------------------------------


def test_the_pipeline_arn_format_comes_from_policy_sentry():
    (entry,) = get_action_data("codepipeline", "StartPipelineExecution")["codepipeline"]
    assert entry["resource_arn_format"] == (
        "arn:${Partition}:codepipeline:${Region}:${Account}:${PipelineName}"
    )
    assert [shown_glob(g) for g in resource_globs(START_PIPELINE)] == ["arn:*:codepipeline:*:*:*"]
    assert resource_globs("codepipeline:ListPipelines") == ("*",)  # authorized against "*"


def test_an_arn_variable_holds_no_colon_while_a_policy_star_may():
    (pipelines,) = resource_globs(START_PIPELINE)
    assert pattern_intersection("arn:aws:s3:::artifacts/*", pipelines) == ()
    assert [shown_glob(g) for g in pattern_intersection("*", pipelines)] == [
        "arn:*:codepipeline:*:*:*"
    ]
    assert pattern_intersection("*a*", "*b*") == ("*a*b*", "*b*a*")


# --- a statement grants the action only where its resources can match a pipeline ARN -------------


def test_an_allow_on_resources_that_are_no_pipeline_grants_no_start():
    assert_no_violations(
        judge(statement("Allow", "arn:aws:s3:::artifacts/*", None, "codepipeline:*"))
    )
    refused(
        judge(statement("Allow", ACCOUNT_PIPELINES, None, "codepipeline:*")),
        "statement 1 allows codepipeline:* without an aws:SourceIp condition",
    )


def test_a_not_resource_allow_that_excludes_every_pipeline_grants_no_start():
    excluding = statement("Allow", NotResource="arn:*:codepipeline:*")
    assert_no_violations(judge(excluding))
    refused(
        judge(statement("Allow", NotResource="arn:aws:s3:::*")),
        "statement 1 allows codepipeline:StartPipelineExecution without an aws:SourceIp condition",
    )


def outside(*cidrs):
    return {"NotIpAddress": {"aws:SourceIp": list(cidrs or [ALLOWED])}}


def test_a_deny_written_differently_counts_when_it_covers_every_pipeline_the_allow_reaches():
    assert_no_violations(
        judge(
            statement("Allow", ACCOUNT_PIPELINES),
            statement("Deny", "arn:aws:codepipeline:*", outside()),
        )
    )
    # Resource "*" reaches pipelines in every partition; a Deny of arn:*:codepipeline:* covers them.
    assert_no_violations(
        judge(statement("Allow", "*"), statement("Deny", "arn:*:codepipeline:*", outside()))
    )
    result = judge(
        statement("Allow", ACCOUNT_PIPELINES),
        statement("Deny", "arn:aws:codepipeline:us-west-2:*", outside()),
    )
    refused(
        result,
        "statement 1 allows codepipeline:StartPipelineExecution without an aws:SourceIp condition",
        f"(the Deny in statement 2 does not count: it does not cover resource {ACCOUNT_PIPELINES})",
    )


def test_a_not_resource_deny_counts_when_it_excludes_no_pipeline():
    assert_no_violations(
        judge(
            statement("Allow", ACCOUNT_PIPELINES),
            statement("Deny", None, outside(), NotResource="arn:aws:s3:::*"),
        )
    )
    result = judge(
        statement("Allow", ACCOUNT_PIPELINES),
        statement("Deny", None, outside(), NotResource="arn:aws:codepipeline:*:*:release-*"),
    )
    refused(
        result,
        "(the Deny in statement 2 does not count: its NotResource arn:aws:codepipeline:*:*:release-* "
        f"may exclude ARNs the Allow grants ({ACCOUNT_PIPELINES}))",
    )


# --- callers behind VPC endpoints ----------------------------------------------------------------------


def through(*endpoints, operator="StringEquals"):
    return {operator: {"aws:SourceVpce": list(endpoints)}}


def outside_both(cidrs=(ALLOWED,), endpoints=(ENDPOINT,), operator="StringNotEquals"):
    return {**outside(*cidrs), operator: {"aws:SourceVpce": list(endpoints)}}


ALLOW_FROM_IP = statement("Allow", ACCOUNT_PIPELINES, FROM_IP, Sid="FromAllowedNetworks")
ALLOW_THROUGH_ENDPOINT = statement(
    "Allow", ACCOUNT_PIPELINES, through(ENDPOINT), Sid="ThroughEndpoints"
)
DENY_OUTSIDE_BOTH = statement("Deny", ACCOUNT_PIPELINES, outside_both(), Sid="DenyElsewhere")


def test_the_endpoint_restriction_is_accepted_with_the_endpoints_in_the_config():
    assert_no_violations(
        judge(ALLOW_FROM_IP, ALLOW_THROUGH_ENDPOINT, DENY_OUTSIDE_BOTH, config=WITH_ENDPOINTS)
    )
    # The Deny's IfExists form is the same test: true when the request lacks the key.
    if_exists = statement(
        "Deny", ACCOUNT_PIPELINES, outside_both(operator="StringNotEqualsIfExists")
    )
    assert_no_violations(
        judge(ALLOW_FROM_IP, ALLOW_THROUGH_ENDPOINT, if_exists, config=WITH_ENDPOINTS)
    )


def test_without_the_endpoints_in_the_config_the_endpoint_grant_and_its_deny_do_not_count():
    result = judge(ALLOW_FROM_IP, ALLOW_THROUGH_ENDPOINT, DENY_OUTSIDE_BOTH)
    refused(
        result,
        'statement 2 ("ThroughEndpoints") allows codepipeline:StartPipelineExecution without an '
        "aws:SourceIp condition; add Condition.IpAddress.aws:SourceIp within 192.0.2.0/24 "
        "(aws:SourceVpce counts only for endpoints listed in allowedVpcEndpoints) (the Deny in "
        'statement 3 ("DenyElsewhere") does not count: its extra condition StringNotEquals '
        "aws:SourceVpce can switch it off; keep only NotIpAddress aws:SourceIp, or list the "
        "endpoints in allowedVpcEndpoints)",
    )


@pytest.mark.parametrize(
    ("endpoint_allow", "problem"),
    [
        (
            through(OTHER_ENDPOINT),
            f"with aws:SourceVpce '{OTHER_ENDPOINT}', which is not in allowedVpcEndpoints ({ENDPOINT})",
        ),
        (
            through("vpce-*", operator="StringLike"),
            "with aws:SourceVpce under StringLike with a wildcard, which matches by pattern",
        ),
        (
            through(ENDPOINT, operator="StringEqualsIfExists"),
            "with aws:SourceVpce only under StringEqualsIfExists, which also matches requests that "
            "carry no aws:SourceVpce",
        ),
        (
            through(ENDPOINT, operator="StringNotEquals"),
            "with aws:SourceVpce only under StringNotEquals, which in an Allow admits every other endpoint",
        ),
    ],
)
def test_an_endpoint_grant_weaker_than_the_allowed_endpoints_is_refused_unless_a_deny_closes_it(
    endpoint_allow, problem
):
    weaker = statement("Allow", ACCOUNT_PIPELINES, endpoint_allow, Sid="ThroughEndpoints")
    refused(
        judge(ALLOW_FROM_IP, weaker, config=WITH_ENDPOINTS),
        f'statement 2 ("ThroughEndpoints") allows codepipeline:StartPipelineExecution {problem}',
        f"; allow it only with Condition.StringEquals.aws:SourceVpce within {ENDPOINT}",
    )
    # The Deny of requests from outside both makes IAM refuse everything the weak Allow adds.
    assert_no_violations(judge(ALLOW_FROM_IP, weaker, DENY_OUTSIDE_BOTH, config=WITH_ENDPOINTS))


@pytest.mark.parametrize(
    "endpoint_allow",
    [through(ENDPOINT), through(ENDPOINT, operator="StringLike")],
    ids=["StringEquals", "StringLike-exact"],
)
def test_an_allow_limited_to_allowed_endpoints_needs_no_paired_deny(endpoint_allow):
    # IAM applies it only to requests through the endpoint: alone or next to an IP-conditioned Allow.
    only = statement("Allow", ACCOUNT_PIPELINES, endpoint_allow, Sid="ThroughEndpoints")
    assert_no_violations(judge(only, config=WITH_ENDPOINTS))
    assert_no_violations(judge(ALLOW_FROM_IP, only, config=WITH_ENDPOINTS))
    # Its twin naming an endpoint outside the config is refused.
    other = statement("Allow", ACCOUNT_PIPELINES, through(OTHER_ENDPOINT), Sid="ThroughEndpoints")
    refused(
        judge(other, config=WITH_ENDPOINTS),
        f'statement 1 ("ThroughEndpoints") allows codepipeline:StartPipelineExecution with '
        f"aws:SourceVpce '{OTHER_ENDPOINT}', which is not in allowedVpcEndpoints ({ENDPOINT})",
    )


def test_a_loose_allow_is_safe_behind_a_deny_of_every_request_not_through_the_endpoints():
    # It fires for every request from neither an allowed CIDR nor an allowed endpoint (and more).
    loose = statement("Allow", ACCOUNT_PIPELINES, Sid="Loose")
    deny = statement("Deny", ACCOUNT_PIPELINES, through(ENDPOINT, operator="StringNotEquals"))
    assert_no_violations(judge(loose, deny, config=WITH_ENDPOINTS))
    refused(
        judge(loose, config=WITH_ENDPOINTS),
        'statement 1 ("Loose") allows codepipeline:StartPipelineExecution without an aws:SourceIp '
        "condition",
    )


@pytest.mark.parametrize(
    ("deny_condition", "reason"),
    [
        (
            outside_both(endpoints=(ENDPOINT, OTHER_ENDPOINT)),
            f"its StringNotEquals aws:SourceVpce '{OTHER_ENDPOINT}', which is not in allowedVpcEndpoints",
        ),
        (
            outside_both(endpoints=("vpce-*",), operator="StringNotLike"),
            "its StringNotLike aws:SourceVpce matches by pattern, so the Deny lets every endpoint",
        ),
        (
            outside_both(operator="ForAnyValue:StringNotEquals"),
            "its ForAnyValue:StringNotEquals aws:SourceVpce is false when the request carries no "
            "aws:SourceVpce, so the Deny lets internet callers through",
        ),
        (
            outside_both(cidrs=("10.0.0.0/8",)),
            "its NotIpAddress aws:SourceIp 10.0.0.0/8, which is outside allowedCidrs",
        ),
    ],
)
def test_a_deny_that_lets_other_callers_through_does_not_neutralize_a_loose_allow(
    deny_condition, reason
):
    loose = statement("Allow", ACCOUNT_PIPELINES, Sid="Loose")
    weaker = statement("Deny", ACCOUNT_PIPELINES, deny_condition, Sid="DenyElsewhere")
    refused(
        judge(ALLOW_FROM_IP, loose, weaker, config=WITH_ENDPOINTS),
        'statement 2 ("Loose") allows codepipeline:StartPipelineExecution without an aws:SourceIp',
        f'(the Deny in statement 3 ("DenyElsewhere") does not count: {reason}',
    )


def test_an_unrestricted_allow_is_neutralized_by_the_paired_deny_only_with_the_endpoints_configured():
    # Allowed iff from an allowed CIDR or through an allowed endpoint: exactly the declared restriction.
    unrestricted = statement("Allow", ACCOUNT_PIPELINES)
    assert_no_violations(judge(unrestricted, DENY_OUTSIDE_BOTH, config=WITH_ENDPOINTS))
    refused(
        judge(unrestricted, DENY_OUTSIDE_BOTH),
        '(the Deny in statement 2 ("DenyElsewhere") does not count: its extra condition '
        "StringNotEquals aws:SourceVpce can switch it off",
    )


@pytest.mark.parametrize(
    ("endpoints", "message"),
    [
        (
            ["vpce-XYZ"],
            "policy config allowedVpcEndpoints[0] 'vpce-XYZ' is not a VPC endpoint id; list ids of "
            "the form vpce- followed by 8 to 17 lowercase hex digits",
        ),
        (
            [ENDPOINT, "vpce-123"],
            "policy config allowedVpcEndpoints[1] 'vpce-123' is not a VPC endpoint id",
        ),
        (ENDPOINT, "policy config allowedVpcEndpoints must be a list of VPC endpoint ids"),
    ],
)
def test_bad_endpoint_config_is_one_clear_violation(endpoints, message):
    config = {POLICY_NAME: {"allowedCidrs": [ALLOWED], "allowedVpcEndpoints": endpoints}}
    result = judge(ALLOW_FROM_IP, config=config)
    assert_violation(result, POLICY_NAME, message)
    assert len(result.of(POLICY_NAME)) == 1
    assert_no_violations(
        judge(
            ALLOW_FROM_IP,
            config={POLICY_NAME: {"allowedCidrs": [ALLOWED], "allowedVpcEndpoints": []}},
        )
    )
