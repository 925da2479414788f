"""`execution-role-ip-restricted` on IAM Identity Center permission sets and on aws-native IAM resources.

Permission-set policies become identity policies in every assigned account; aws-native resources
are the same IAM objects declared through CloudFormation's shapes (documents as objects).
Each refused case has its legitimate twin.
"""

import json

import pytest

from cicd_guardrails.rules.iam.execution_role import POLICIES, POLICY_NAME
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
LEAK = f"statement 1 allows {START} without an aws:SourceIp condition"
FROM_IP = {"IpAddress": {"aws:SourceIp": [ALLOWED]}}
PERMISSION_SET = "aws:ssoadmin/permissionSet:PermissionSet"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
S3_READ = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"


def statement(condition=None):
    result = {"Effect": "Allow", "Action": START, "Resource": "*"}
    if condition is not None:
        result["Condition"] = condition
    return result


def document(condition=None):
    return {"Version": "2012-10-17", "Statement": [statement(condition)]}


def permission_set():
    return resource(PERMISSION_SET, "deployers", {"name": "Deployers", "instanceArn": UNKNOWN})


def on_permission_set(type_, name, props, ps):
    return resource(
        f"aws:ssoadmin/{type_[0].lower()}{type_[1:]}:{type_}",
        name,
        {"instanceArn": UNKNOWN, "permissionSetArn": UNKNOWN, **props},
        property_dependencies={"permissionSetArn": [ps]},
    )


def stack_policy(name, condition=None):
    return resource(
        "aws:iam/policy:Policy", name, {"name": name, "policy": json.dumps(document(condition))}
    )


# --- A: IAM Identity Center -------------------------------------------------------------------------


def test_a_permission_set_inline_policy_is_an_identity_policy():
    ps = permission_set()

    def inline(condition):
        return on_permission_set(
            "PermissionSetInlinePolicy",
            "inline",
            {"inlinePolicy": json.dumps(document(condition))},
            ps,
        )

    assert_violation(
        analyze(POLICIES, [ps, inline(None)], CONFIG),
        POLICY_NAME,
        f"PermissionSetInlinePolicy 'inline' inlinePolicy: {LEAK}",
    )
    assert_no_violations(analyze(POLICIES, [ps, inline(FROM_IP)], CONFIG), POLICY_NAME)


@pytest.mark.parametrize(
    ("type_", "key", "path", "many"),
    [
        ("ManagedPolicyAttachment", "managedPolicyArn", "managedPolicyArn", False),
        ("ManagedPolicyAttachmentsExclusive", "managedPolicyArns", "managedPolicyArns[0]", True),
    ],
)
def test_an_aws_managed_policy_attached_to_a_permission_set_is_judged(type_, key, path, many):
    ps = permission_set()

    def attachment(arn):
        return on_permission_set(type_, "managed", {key: [arn] if many else arn}, ps)

    assert_violation(
        analyze(POLICIES, [ps, attachment(ADMIN)], CONFIG),
        POLICY_NAME,
        f"{type_} 'managed' {path} attaches the AWS-managed policy AdministratorAccess",
    )
    assert_no_violations(analyze(POLICIES, [ps, attachment(S3_READ)], CONFIG), POLICY_NAME)


@pytest.mark.parametrize(
    ("type_", "key", "path", "many"),
    [
        (
            "CustomerManagedPolicyAttachment",
            "customerManagedPolicyReference",
            "customerManagedPolicyReference",
            False,
        ),
        (
            "CustomerManagedPolicyAttachmentsExclusive",
            "customerManagedPolicyReferences",
            "customerManagedPolicyReferences[0]",
            True,
        ),
    ],
)
def test_a_stack_policy_attached_to_a_permission_set_by_name_is_judged(type_, key, path, many):
    ps = permission_set()
    reference = {"name": "starters", "path": "/"}
    attachment = on_permission_set(type_, "customer", {key: [reference] if many else reference}, ps)
    assert_violation(
        analyze(POLICIES, [ps, stack_policy("starters"), attachment], CONFIG),
        POLICY_NAME,
        f"{type_} 'customer' {path} attaches Policy 'starters' of this stack, whose policy: {LEAK}",
        urn=attachment.urn,
    )
    restricted = stack_policy("starters", FROM_IP)
    assert_no_violations(analyze(POLICIES, [ps, restricted, attachment], CONFIG), POLICY_NAME)


def test_a_permission_set_boundary_must_keep_the_restriction_and_limits_the_permission_set():
    ps = permission_set()
    inline = on_permission_set(
        "PermissionSetInlinePolicy", "inline", {"inlinePolicy": json.dumps(document())}, ps
    )

    def boundary(arn):
        return on_permission_set(
            "PermissionsBoundaryAttachment",
            "boundary",
            {"permissionsBoundary": {"managedPolicyArn": arn}},
            ps,
        )

    result = analyze(POLICIES, [ps, inline, boundary(ADMIN)], CONFIG)
    assert_violation(
        result,
        POLICY_NAME,
        "PermissionsBoundaryAttachment 'boundary' permissionsBoundary.managedPolicyArn sets as "
        "permissions boundary the AWS-managed policy AdministratorAccess",
    )
    assert_violation(
        result, POLICY_NAME, f"PermissionSetInlinePolicy 'inline' inlinePolicy: {LEAK}"
    )
    assert_no_violations(analyze(POLICIES, [ps, inline, boundary(S3_READ)], CONFIG), POLICY_NAME)


# --- B: aws-native IAM ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_", "props", "path"),
    [
        (
            "aws-native:iam:RolePolicy",
            {"roleName": "deployers", "policyName": "p"},
            "policyDocument",
        ),
        ("aws-native:iam:UserPolicy", {"userName": "dev", "policyName": "p"}, "policyDocument"),
        ("aws-native:iam:GroupPolicy", {"groupName": "devs", "policyName": "p"}, "policyDocument"),
        ("aws-native:iam:ManagedPolicy", {"managedPolicyName": "p"}, "policyDocument"),
    ],
)
def test_aws_native_policy_documents_are_judged_as_objects(type_, props, path):
    def grant(condition):
        return resource(type_, "grant", {**props, "policyDocument": document(condition)})

    short = type_.rsplit(":", 1)[-1]
    assert_violation(
        analyze(POLICIES, [grant(None)], CONFIG), POLICY_NAME, f"{short} 'grant' {path}: {LEAK}"
    )
    assert_no_violations(analyze(POLICIES, [grant(FROM_IP)], CONFIG), POLICY_NAME)


@pytest.mark.parametrize(
    ("type_", "name_key"),
    [
        ("aws-native:iam:Role", "roleName"),
        ("aws-native:iam:User", "userName"),
        ("aws-native:iam:Group", "groupName"),
    ],
)
def test_aws_native_principals_inline_policies_and_managed_arns_are_judged(type_, name_key):
    def principal(condition, arns=()):
        return resource(
            type_,
            "principal",
            {
                name_key: "p",
                "policies": [{"policyName": "start", "policyDocument": document(condition)}],
                "managedPolicyArns": list(arns),
            },
        )

    short = type_.rsplit(":", 1)[-1]
    assert_violation(
        analyze(POLICIES, [principal(None)], CONFIG),
        POLICY_NAME,
        f"{short} 'principal' policies[0].policyDocument: {LEAK}",
    )
    assert_violation(
        analyze(POLICIES, [principal(FROM_IP, [ADMIN])], CONFIG),
        POLICY_NAME,
        f"{short} 'principal' managedPolicyArns[0] attaches the AWS-managed policy AdministratorAccess",
    )
    assert_no_violations(analyze(POLICIES, [principal(FROM_IP, [S3_READ])], CONFIG), POLICY_NAME)


def test_an_aws_native_role_only_eventbridge_assumes_is_exempt():
    def native_role(service):
        return resource(
            "aws-native:iam:Role",
            "events",
            {
                "roleName": "web-events",
                "assumeRolePolicyDocument": {
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": service},
                            "Action": "sts:AssumeRole",
                        }
                    ]
                },
            },
        )

    grant = resource(
        "aws-native:iam:RolePolicy",
        "start",
        {"roleName": "web-events", "policyName": "start", "policyDocument": document()},
    )
    assert_no_violations(
        analyze(POLICIES, [native_role("events.amazonaws.com"), grant], CONFIG), POLICY_NAME
    )
    assert_violation(
        analyze(POLICIES, [native_role("codebuild.amazonaws.com"), grant], CONFIG),
        POLICY_NAME,
        f"RolePolicy 'start' policyDocument: {LEAK}",
    )
