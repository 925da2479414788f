"""`execution-role-ip-restricted` judges an attachment of the stack's own policy from that policy's document."""

import json

from cicd_guardrails.rules.iam.execution_role import POLICIES, POLICY_NAME, START_PIPELINE
from tests.support.analyzer_harness import (
    UNKNOWN,
    analyze,
    assert_no_violations,
    assert_skipped,
    assert_violation,
    resource,
)

ALLOWED = "192.0.2.0/24"
CONFIG = {POLICY_NAME: {"allowedCidrs": [ALLOWED]}}
MANAGED_POLICY = "aws:iam/policy:Policy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
PIPELINE_ARN = "arn:aws:codepipeline:us-east-1:123456789012:web"


def document(condition=None):
    statement = {"Effect": "Allow", "Action": START_PIPELINE, "Resource": PIPELINE_ARN}
    if condition is not None:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


LEAKY = document()
RESTRICTED = document({"IpAddress": {"aws:SourceIp": [ALLOWED]}})
ATTACHED_LEAK = (
    "RolePolicyAttachment 'attach' policyArn attaches Policy 'starters' of this stack, whose policy: "
    f"statement 1 allows {START_PIPELINE} without an aws:SourceIp condition"
)


def policy(doc, name="starters", path=None):
    props = (
        {"name": name, "policy": doc}
        if path is None
        else {"name": name, "path": path, "policy": doc}
    )
    return resource(MANAGED_POLICY, "starters", props)


def attached_by_dependency(managed):
    return resource(
        ATTACHMENT,
        "attach",
        {"role": "deployers", "policyArn": UNKNOWN},
        property_dependencies={"policyArn": [managed]},
    )


def test_an_attachment_whose_arn_comes_from_a_stack_policy_is_judged_from_its_document():
    managed = policy(LEAKY)
    attachment = attached_by_dependency(managed)
    result = analyze(POLICIES, [managed, attachment], CONFIG)
    assert_violation(result, POLICY_NAME, ATTACHED_LEAK, urn=attachment.urn, level="mandatory")
    assert not result.skipped  # judged, not "can't run during preview"
    safe = policy(RESTRICTED)
    assert_no_violations(analyze(POLICIES, [safe, attached_by_dependency(safe)], CONFIG))


def test_an_attachment_naming_a_stack_policy_by_arn_is_judged_from_its_document():
    managed = policy(LEAKY, path="/ci/")
    by_name = resource(
        ATTACHMENT,
        "attach",
        {"role": "deployers", "policyArn": "arn:aws:iam::123456789012:policy/ci/starters"},
    )
    result = analyze(POLICIES, [managed, by_name], CONFIG)
    assert_violation(result, POLICY_NAME, ATTACHED_LEAK, urn=by_name.urn)
    other = resource(
        ATTACHMENT,
        "attach",
        {"role": "deployers", "policyArn": "arn:aws:iam::123456789012:policy/starters"},
    )
    result = analyze(POLICIES, [managed, other], CONFIG)  # path / is not /ci/: another policy
    assert not [v for v in result.of(POLICY_NAME) if v.urn == other.urn]


def test_an_unknown_document_of_the_linked_policy_stays_undecided():
    managed = policy(UNKNOWN)
    result = analyze(POLICIES, [managed, attached_by_dependency(managed)], CONFIG)
    assert not result.of(POLICY_NAME)
    assert_skipped(result, POLICY_NAME, "can't be known during preview")


def test_an_attachment_of_a_stack_policy_to_an_eventbridge_only_role_is_exempt():
    trust = json.dumps(
        {
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "events.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ]
        }
    )
    events = resource(
        "aws:iam/role:Role", "events", {"name": "web-events", "assumeRolePolicy": trust}
    )
    managed = policy(LEAKY)
    attachment = resource(
        ATTACHMENT,
        "attach",
        {"role": "web-events", "policyArn": UNKNOWN},
        property_dependencies={"policyArn": [managed]},
    )
    result = analyze(POLICIES, [events, managed, attachment], CONFIG)
    assert not [v for v in result.of(POLICY_NAME) if v.urn == attachment.urn]
    assert not result.skipped
