"""`execution-role-ip-restricted`: passing the exempt EventBridge role to a rule of one's own is a start.

Whoever may `iam:PassRole` a role that only EventBridge assumes (and that may start pipelines) and
`events:PutTargets` can make a rule start a pipeline from anywhere. Each refused case has its
legitimate twins: the PassRole restricted by IP, conditioned on another service, or no PutTargets.
"""

import json

import pytest

from cicd_guardrails.rules.iam.execution_role import POLICIES, POLICY_NAME
from tests.support.analyzer_harness import analyze, assert_no_violations, assert_violation, resource

ALLOWED = "192.0.2.0/24"
CONFIG = {POLICY_NAME: {"allowedCidrs": [ALLOWED]}}
START = "codepipeline:StartPipelineExecution"
EVENTS_ROLE_ARN = "arn:aws:iam::123456789012:role/web-events"
FROM_IP = {"IpAddress": {"aws:SourceIp": [ALLOWED]}}


def document(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def events_role():
    trust = document(
        {
            "Effect": "Allow",
            "Principal": {"Service": "events.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    )
    start = document({"Effect": "Allow", "Action": START, "Resource": "*"})
    return resource(
        "aws:iam/role:Role",
        "events",
        {
            "name": "web-events",
            "assumeRolePolicy": trust,
            "inlinePolicies": [{"name": "start", "policy": start}],
        },
    )


def pass_role(condition=None, resource_arn=EVENTS_ROLE_ARN):
    statement = {"Effect": "Allow", "Action": "iam:PassRole", "Resource": resource_arn}
    if condition is not None:
        statement["Condition"] = condition
    return statement


PUT_TARGETS = {
    "Effect": "Allow",
    "Action": ["events:PutRule", "events:PutTargets"],
    "Resource": "*",
}
PUT_RULE_ONLY = {"Effect": "Allow", "Action": "events:PutRule", "Resource": "*"}


def developer(*statements):
    return resource(
        "aws:iam/userPolicy:UserPolicy", "dev", {"user": "dev", "policy": document(*statements)}
    )


def judged(*statements):
    return analyze(POLICIES, [events_role(), developer(*statements)], CONFIG)


@pytest.mark.parametrize("resource_arn", [EVENTS_ROLE_ARN, "*", "arn:aws:iam::*:role/web-*"])
def test_passing_the_events_role_with_put_targets_is_refused(resource_arn):
    assert_violation(
        judged(pass_role(resource_arn=resource_arn), PUT_TARGETS),
        POLICY_NAME,
        [
            "UserPolicy 'dev' policy: statement 1 allows iam:PassRole without an aws:SourceIp "
            "condition",
            "and the principal may events:PutTargets, so an EventBridge rule it points at a "
            "pipeline with role 'web-events'",
        ],
    )


@pytest.mark.parametrize(
    "statements",
    [
        (pass_role(FROM_IP), PUT_TARGETS),
        (pass_role({"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}), PUT_TARGETS),
        (pass_role(), PUT_RULE_ONLY),
        (pass_role(resource_arn="arn:aws:iam::123456789012:role/builders"), PUT_TARGETS),
    ],
    ids=["ip-restricted", "passed-to-another-service", "no-put-targets", "another-role"],
)
def test_a_pass_role_that_cannot_reach_eventbridge_from_anywhere_passes(statements):
    assert_no_violations(judged(*statements), POLICY_NAME)
    # ... and its twin, unrestricted and with PutTargets, is refused.
    assert_violation(
        judged(pass_role(), PUT_TARGETS), POLICY_NAME, "statement 1 allows iam:PassRole"
    )


def test_a_pass_role_denied_outside_the_allowed_networks_by_another_policy_passes():
    deny = {
        "Effect": "Deny",
        "Action": "iam:PassRole",
        "Resource": "*",
        "Condition": {"NotIpAddress": {"aws:SourceIp": [ALLOWED]}},
    }
    guard = resource(
        "aws:iam/userPolicy:UserPolicy", "guard", {"user": "dev", "policy": document(deny)}
    )
    grant = developer(pass_role(), PUT_TARGETS)
    assert_no_violations(analyze(POLICIES, [events_role(), grant, guard], CONFIG), POLICY_NAME)
    assert_violation(
        analyze(POLICIES, [events_role(), grant], CONFIG),
        POLICY_NAME,
        "UserPolicy 'dev' policy: statement 1 allows iam:PassRole",
    )
