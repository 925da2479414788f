"""`execution-role-ip-restricted` judges a principal as a whole, and reasons on which pipelines a pattern names.

Each refused case has its legitimate twin that differs only in the point under test.
"""

import json

import pytest

from cicd_guardrails.rules.iam.execution_role import EXEMPT_SERVICES, POLICIES, POLICY_NAME
from tests.support.analyzer_harness import (
    UNKNOWN,
    analyze,
    assert_no_violations,
    assert_violation,
    resource,
)

ALLOWED = "192.0.2.0/24"
CONFIG = {POLICY_NAME: {"allowedCidrs": [ALLOWED]}}
START = "codepipeline:StartPipelineExecution"
PIPELINE_ARN = "arn:aws:codepipeline:us-east-1:123456789012:web"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
MANAGED_POLICY = "aws:iam/policy:Policy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
POLICY_ATTACHMENT = "aws:iam/policyAttachment:PolicyAttachment"
PIPELINE = "aws:codepipeline/pipeline:Pipeline"
LEAK = f"statement 1 allows {START} without an aws:SourceIp condition"


def document(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(resource_arn=PIPELINE_ARN, condition=None, action=START):
    statement = {"Effect": "Allow", "Action": action, "Resource": resource_arn}
    if condition is not None:
        statement["Condition"] = condition
    return statement


DENY_OUTSIDE = {
    "Effect": "Deny",
    "Action": START,
    "Resource": "*",
    "Condition": {"NotIpAddress": {"aws:SourceIp": [ALLOWED]}},
}
FROM_IP = {"IpAddress": {"aws:SourceIp": [ALLOWED]}}


def trust(service):
    principal = {"Service": service} if "." in service else {"AWS": service}
    return document({"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"})


PEOPLE = "arn:aws:iam::123456789012:root"


def role(name="deployers", assumed_by=PEOPLE, **props):
    return resource(ROLE, name, {"name": name, "assumeRolePolicy": trust(assumed_by), **props})


# --- D: the principal as a whole -------------------------------------------------------------------


def test_a_deny_in_another_policy_of_the_same_role_neutralizes_the_allow():
    grant = resource(ROLE_POLICY, "starters", {"role": "deployers", "policy": document(allow())})
    guard = resource(ROLE_POLICY, "guard", {"role": "deployers", "policy": document(DENY_OUTSIDE)})
    assert_no_violations(analyze(POLICIES, [role(), grant, guard], CONFIG), POLICY_NAME)
    # The same Deny on another role guards nothing of this one.
    elsewhere = resource(ROLE_POLICY, "guard", {"role": "others", "policy": document(DENY_OUTSIDE)})
    assert_violation(
        analyze(POLICIES, [role(), grant, elsewhere], CONFIG),
        POLICY_NAME,
        f"RolePolicy 'starters' policy: {LEAK}",
        urn=grant.urn,
    )


def test_a_deny_in_an_attached_stack_policy_neutralizes_an_inline_allow():
    inline = [{"name": "start", "policy": document(allow())}]
    guard = resource(MANAGED_POLICY, "guard", {"name": "guard", "policy": document(DENY_OUTSIDE)})
    attach = resource(
        ATTACHMENT,
        "attach-guard",
        {"role": "deployers", "policyArn": UNKNOWN},
        property_dependencies={"policyArn": [guard]},
    )
    principal = role(inlinePolicies=inline)
    assert_no_violations(analyze(POLICIES, [principal, guard, attach], CONFIG), POLICY_NAME)
    assert_violation(
        analyze(POLICIES, [principal, guard], CONFIG),  # not attached: guards nothing
        POLICY_NAME,
        f"Role 'deployers' inlinePolicies[0].policy: {LEAK}",
    )


def boundary_policy(*statements):
    return resource(
        MANAGED_POLICY, "boundary", {"name": "boundary", "policy": document(*statements)}
    )


def test_a_permissions_boundary_that_admits_the_start_only_from_the_allowed_networks_limits_the_role():
    boundary_arn = "arn:aws:iam::123456789012:policy/boundary"
    inline = [{"name": "start", "policy": document(allow())}]
    principal = role(inlinePolicies=inline, permissionsBoundary=boundary_arn)
    restrictive = boundary_policy(
        allow("*", FROM_IP), allow("*", action="s3:*")
    )  # other work stays allowed
    assert_no_violations(analyze(POLICIES, [principal, restrictive], CONFIG), POLICY_NAME)
    loose = boundary_policy(allow("*", action="codepipeline:*"))
    result = analyze(POLICIES, [principal, loose], CONFIG)
    assert_violation(result, POLICY_NAME, f"Role 'deployers' inlinePolicies[0].policy: {LEAK}")


def test_a_loose_boundary_over_restricted_policies_grants_nothing_itself():
    restricted = [{"name": "start", "policy": document(allow("*", FROM_IP))}]
    power_user = role(
        inlinePolicies=restricted,
        permissionsBoundary="arn:aws:iam::aws:policy/PowerUserAccess",
    )
    assert_no_violations(analyze(POLICIES, [power_user], CONFIG), POLICY_NAME)
    unrestricted = role(
        inlinePolicies=[{"name": "start", "policy": document(allow())}],
        permissionsBoundary="arn:aws:iam::aws:policy/PowerUserAccess",
    )
    assert_violation(
        analyze(POLICIES, [unrestricted], CONFIG),
        POLICY_NAME,
        f"Role 'deployers' inlinePolicies[0].policy: {LEAK}",
    )


def test_an_aws_managed_boundary_that_grants_no_start_limits_the_role():
    inline = [{"name": "start", "policy": document(allow())}]
    limited = role(
        inlinePolicies=inline,
        permissionsBoundary="arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
    )
    assert_no_violations(analyze(POLICIES, [limited], CONFIG), POLICY_NAME)
    open_boundary = role(
        inlinePolicies=inline, permissionsBoundary="arn:aws:iam::aws:policy/AdministratorAccess"
    )
    assert_violation(
        analyze(POLICIES, [open_boundary], CONFIG),
        POLICY_NAME,
        f"Role 'deployers' inlinePolicies[0].policy: {LEAK}",
    )


# --- G: which pipelines a pattern can name ---------------------------------------------------------


@pytest.mark.parametrize(
    "pattern",
    [
        "arn:aws:codepipeline:us-east-1:123456789012:web/Source/Checkout",  # an action ARN
        "arn:aws:codepipeline:us-east-1:123456789012:web/*",
        "arn:aws:codepipeline:us-east-1:123456789012:*/Deploy",
        "arn:aws:codepipeline:us-east-1:123456789012:web pipeline",
    ],
)
def test_a_pattern_that_cannot_name_a_pipeline_grants_no_start(pattern):
    grant = resource(ROLE_POLICY, "starters", {"role": "r", "policy": document(allow(pattern))})
    assert_no_violations(analyze(POLICIES, [grant], CONFIG), POLICY_NAME)
    twin = resource(
        ROLE_POLICY,
        "starters",
        {
            "role": "r",
            "policy": document(allow("arn:aws:codepipeline:us-east-1:123456789012:web*")),
        },
    )
    assert_violation(analyze(POLICIES, [twin], CONFIG), POLICY_NAME, LEAK)


def test_a_pattern_on_another_account_than_the_stacks_reaches_no_pipeline():
    pipeline = resource(
        PIPELINE, "web", {"name": "web", "roleArn": "arn:aws:iam::111111111111:role/pipeline"}
    )

    def grant(account):
        arn = f"arn:aws:codepipeline:*:{account}:*"
        return resource(ROLE_POLICY, "starters", {"role": "r", "policy": document(allow(arn))})

    assert_no_violations(analyze(POLICIES, [pipeline, grant("222222222222")], CONFIG), POLICY_NAME)
    assert_violation(
        analyze(POLICIES, [pipeline, grant("111111111111")], CONFIG), POLICY_NAME, LEAK
    )


# --- F: roles only a pipeline-starting service can assume, in every shape ---------------------------


def attached_policy(role_name, *, by="dependency"):
    managed = resource(
        MANAGED_POLICY, "starters", {"name": "starters", "policy": document(allow())}
    )
    if by == "dependency":
        link = resource(
            ATTACHMENT,
            "attach",
            {"role": role_name, "policyArn": UNKNOWN},
            property_dependencies={"policyArn": [managed]},
        )
    else:
        link = resource(
            POLICY_ATTACHMENT,
            "attach",
            {"roles": role_name, "policyArn": "arn:aws:iam::123456789012:policy/starters"},
        )
    return managed, link


@pytest.mark.parametrize("by", ["dependency", "policy-attachment"])
def test_an_events_only_role_granted_through_an_attached_stack_policy_is_exempt(by):
    events = role("web-events", "events.amazonaws.com")
    roles = "web-events" if by == "dependency" else ["web-events"]
    managed, link = attached_policy(roles, by=by)
    assert_no_violations(analyze(POLICIES, [events, managed, link], CONFIG), POLICY_NAME)
    people = role("web-events", PEOPLE)
    assert_violation(
        analyze(POLICIES, [people, managed, link], CONFIG),
        POLICY_NAME,
        f"Policy 'starters' policy: {LEAK}",
        urn=managed.urn,
    )
    if by == "policy-attachment":  # attached to the events role and a people role: judged for both
        deployers = role("deployers", PEOPLE)
        _, both = attached_policy(["web-events", "deployers"], by=by)
        assert_violation(
            analyze(POLICIES, [events, deployers, managed, both], CONFIG),
            POLICY_NAME,
            f"Policy 'starters' policy: {LEAK}",
            urn=managed.urn,
        )


def test_a_role_only_codepipeline_assumes_is_exempt_by_default_and_the_list_is_configurable():
    invoker = role(
        "invoker",
        "codepipeline.amazonaws.com",
        inlinePolicies=[{"name": "start", "policy": document(allow())}],
    )
    assert_no_violations(analyze(POLICIES, [invoker], CONFIG), POLICY_NAME)
    events_only = {
        POLICY_NAME: {"allowedCidrs": [ALLOWED], EXEMPT_SERVICES: ["events.amazonaws.com"]}
    }
    assert_violation(
        analyze(POLICIES, [invoker], events_only),
        POLICY_NAME,
        f"Role 'invoker' inlinePolicies[0].policy: {LEAK}",
    )
