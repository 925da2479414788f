"""`iam-no-admin-statement` and `iam-actions-exist`, through the SDK analyzer, and the IAM policies' levels."""

import json

import pytest
from pulumi_policy import EnforcementLevel

from cicd_guardrails.rules.iam import execution_role, policy_hygiene
from cicd_guardrails.rules.iam.policy_hygiene import ACTIONS_EXIST, NO_ADMIN, POLICIES
from cicd_guardrails.support.iam.action_catalog import unknown_action_problem
from tests.support.analyzer_harness import (
    UNKNOWN,
    analyze,
    assert_no_violations,
    assert_skipped,
    assert_violation,
    resource,
)

ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"


def run(*statements, type_=ROLE_POLICY):
    policy = json.dumps({"Version": "2012-10-17", "Statement": list(statements)})
    return analyze(POLICIES, [resource(type_, "ops", {"role": "r", "policy": policy})])


def allow(action, resource_="*", **extra):
    return {"Effect": "Allow", "Action": action, "Resource": resource_, **extra}


# --- iam-no-admin-statement -------------------------------------------------------------------


@pytest.mark.parametrize("action", ["*", "*:*", ["s3:GetObject", "*"]])
def test_allow_of_every_action_on_every_resource_is_flagged(action):
    result = run(allow(action))
    violation = assert_violation(
        result,
        NO_ADMIN,
        "RolePolicy 'ops' policy: statement 1 allows every action (Action *) on every resource; grant only",
    )
    assert violation.enforcement_level == "advisory"


def test_not_action_on_every_resource_is_flagged():
    statement = {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"}
    assert_violation(
        run(statement),
        NO_ADMIN,
        "statement 1 allows every action except iam:*, organizations:* (NotAction) on every resource",
    )


def test_conditions_do_not_excuse_an_admin_statement():
    statement = allow("*", Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}})
    assert_violation(run(statement), NO_ADMIN, "statement 1 allows every action")


@pytest.mark.parametrize(
    "statement",
    [
        allow("*", "arn:aws:s3:::artifacts/*"),  # every action, but one bucket
        allow("s3:*"),  # one service: wildcard, but not admin
        {"Effect": "Deny", "Action": "*", "Resource": "*"},
        {"Effect": "Allow", "NotAction": "iam:*", "Resource": "arn:aws:s3:::artifacts"},
    ],
)
def test_scoped_statements_are_not_admin(statement):
    assert_no_violations(run(statement), NO_ADMIN)


def test_not_resource_counts_as_every_resource():
    statement = {"Effect": "Allow", "Action": "*", "NotResource": "arn:aws:s3:::audit/*"}
    assert_violation(run(statement), NO_ADMIN, "statement 1 allows every action")


@pytest.mark.parametrize("name", ["AdministratorAccess", "PowerUserAccess"])
def test_attaching_admin_equivalent_managed_policies_is_flagged(name):
    attachment = resource(
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "admin",
        {"role": "r", "policyArn": f"arn:aws:iam::aws:policy/{name}"},
    )
    assert_violation(
        analyze(POLICIES, [attachment]),
        NO_ADMIN,
        f"RolePolicyAttachment 'admin' policyArn attaches the AWS-managed policy {name}, which allows every action",
    )


def test_attaching_a_scoped_managed_policy_is_not_admin():
    attachment = resource(
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "cp",
        {"role": "r", "policyArn": "arn:aws:iam::aws:policy/AWSCodePipeline_FullAccess"},
    )
    assert_no_violations(analyze(POLICIES, [attachment]), NO_ADMIN)


# --- iam-actions-exist ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "problem"),
    [
        (
            "codepipeline:StartPipelineExecutions",
            '"codepipeline:StartPipelineExecutions" is not a known codepipeline action; did you mean "codepipeline:StartPipelineExecution"?',
        ),
        (
            "codepipelin:StartPipelineExecution",
            '"codepipelin:StartPipelineExecution" names unknown service prefix "codepipelin"; did you mean "codepipeline"?',
        ),
        ("codepipeline:Launch*", '"codepipeline:Launch*" matches no codepipeline action'),
        ("nosuchservice*:Get*", '"nosuchservice*:Get*" matches no IAM action of any service'),
        ("StartPipelineExecution", '"StartPipelineExecution" is not of the form service:Action'),
    ],
)
def test_actions_that_do_not_exist_are_flagged(action, problem):
    result = run(allow(action))
    assert_violation(
        result, ACTIONS_EXIST, f"RolePolicy 'ops' policy: statement 1 Action {problem}"
    )


def test_a_misspelled_deny_is_flagged_too():
    deny = {"Effect": "Deny", "NotAction": "codepipeline:GetPipline", "Resource": "*"}
    assert_violation(
        run(deny),
        ACTIONS_EXIST,
        'statement 1 NotAction "codepipeline:GetPipline" is not a known codepipeline action',
    )


@pytest.mark.parametrize(
    "action",
    [
        "codepipeline:StartPipelineExecution",
        "CODEPIPELINE:startpipelineexecution",  # prefix and name are case-insensitive
        "codepipeline:Start*",
        "codepipeline:Start?ipelineExecution",
        "code*:Get*",
        "*",
        "execute-api:Invoke",
    ],
)
def test_real_actions_and_matching_wildcards_pass(action):
    assert unknown_action_problem(action) is None
    assert_no_violations(
        run(allow(action, "arn:aws:codepipeline:us-east-1:123456789012:web")), ACTIONS_EXIST
    )


def test_invalid_json_is_left_to_the_mandatory_policy():
    result = analyze(POLICIES, [resource(ROLE_POLICY, "ops", {"policy": "{oops"})])
    assert_no_violations(result)


def test_unknown_document_is_skipped_by_both():
    result = analyze(POLICIES, [resource(ROLE_POLICY, "ops", {"policy": UNKNOWN})])
    assert_skipped(result, NO_ADMIN, ".policy")
    assert_skipped(result, ACTIONS_EXIST, ".policy")


# --- levels of the IAM policies --------------------------------

OWN_POLICIES = [*execution_role.POLICIES, *policy_hygiene.POLICIES]


def test_levels_are_as_documented():
    levels = {p.name: p.enforcement_level for p in OWN_POLICIES}
    assert levels == {
        "execution-role-ip-restricted": EnforcementLevel.MANDATORY,
        "iam-no-admin-statement": EnforcementLevel.ADVISORY,
        "iam-actions-exist": EnforcementLevel.ADVISORY,
    }
