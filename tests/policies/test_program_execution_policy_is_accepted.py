"""The execution-role document the program writes is exactly what `execution-role-ip-restricted` accepts.

With VPC endpoints the pack must accept it when the policy config lists the same endpoints, and
refuse it when the config does not (the endpoint Allow and the paired Deny then prove nothing).
"""

from cicd_guardrails.rules.iam.execution_role import POLICIES, POLICY_NAME
from components.iam.execution_role import AllowedNetworks, execution_policy
from tests.support.analyzer_harness import (
    analyze,
    assert_no_violations,
    assert_violation,
    resource,
)

PIPELINE_ARN = "arn:aws:codepipeline:us-east-1:123456789012:guarded-delivery-dev-web"
CIDR = "192.0.2.0/24"
ENDPOINT = "vpce-0123456789abcdef0"


def judge(document, **config):
    grant = resource(
        "aws:iam/rolePolicy:RolePolicy",
        "web-execution-policy",
        {"role": "exec", "policy": document},
    )
    return analyze(POLICIES, [grant], {POLICY_NAME: {"allowedCidrs": [CIDR], **config}})


def test_the_cidr_only_document_passes():
    assert_no_violations(judge(execution_policy(PIPELINE_ARN, AllowedNetworks((CIDR,)))))


def test_the_endpoint_document_passes_only_with_the_same_endpoints_configured():
    document = execution_policy(PIPELINE_ARN, AllowedNetworks((CIDR,), (ENDPOINT,)))
    assert_no_violations(judge(document, allowedVpcEndpoints=[ENDPOINT]))
    assert_violation(
        judge(document),
        POLICY_NAME,
        "(aws:SourceVpce counts only for endpoints listed in allowedVpcEndpoints)",
    )
    assert_violation(
        judge(document, allowedVpcEndpoints=["vpce-0fedcba987654321f"]),
        POLICY_NAME,
        f"with aws:SourceVpce '{ENDPOINT}', which is not in allowedVpcEndpoints",
    )
