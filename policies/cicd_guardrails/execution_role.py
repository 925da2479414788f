"""`execution-role-ip-restricted`: only callers inside the allowed CIDRs may start a pipeline.

Judged per resource, wherever an identity policy can grant `codepipeline:StartPipelineExecution`:
the documents of RolePolicy, UserPolicy, GroupPolicy, Policy and a Role's `inlinePolicies`, and the
AWS-managed policies attached by the attachment resources or a Role's deprecated
`managedPolicyArns`. A customer-managed policy attached by ARN is judged where it is declared.
Not judged: resource-based policies (a pipeline has none), permission boundaries and SCPs (they
only narrow grants), and a Deny in one resource compensating an Allow in another (each document
must be safe on its own, since attachments change independently).

A property that is not known yet during preview is skipped while the other properties of the
resource are judged; afterwards its `UnknownValueError` is re-raised so the SDK reports "can't run
policy during preview" rather than a silent pass.
"""

from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)

from cicd_guardrails.aws_managed_policies import granting_document
from cicd_guardrails.iam_policy_model import (
    PolicyDocument,
    PolicyDocumentError,
    parse_policy_document,
)
from cicd_guardrails.iam_resources import (
    IN_SCOPE_TYPES,
    PropertySite,
    judge_sites,
    resource_subject,
)
from cicd_guardrails.iam_source_ip import (
    SOURCE_IP_KEY,
    AllowedCidrsConfigError,
    AllowedNetworks,
    unrestricted_grants,
)

POLICY_NAME = "execution-role-ip-restricted"
START_PIPELINE = "codepipeline:StartPipelineExecution"
ALLOWED_CIDRS = "allowedCidrs"

REMEDIATIONS: dict[str, str] = {
    POLICY_NAME: (
        f"Give every Allow that can grant {START_PIPELINE} a Condition "
        f'{{"IpAddress": {{"{SOURCE_IP_KEY}": [<CIDRs inside allowedCidrs>]}}}} (not ...IfExists, '
        "not NotIpAddress), or add to the same document a Deny of the action on the same "
        f'resources whose only condition is {{"NotIpAddress": {{"{SOURCE_IP_KEY}": [...]}}}}; '
        "replace AWS-managed policies such as AdministratorAccess, PowerUserAccess or "
        "AWSCodePipeline_FullAccess with a customer-managed policy written that way; fix any "
        "document that is not valid JSON."
    ),
}


def _validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type not in IN_SCOPE_TYPES:
        return
    subject = resource_subject(args.resource_type, args.name)
    try:
        allowed = AllowedNetworks.from_config(args.get_config().get(ALLOWED_CIDRS))
    except AllowedCidrsConfigError as error:
        report_violation(f"{subject}: {error}", None)
        return

    judge_sites(
        args.resource_type,
        args.props,
        lambda message: report_violation(f"{subject} {message}", None),
        documents=lambda site, raw: _document_violations(site, raw, allowed),
        attachments=lambda site, raw: _attachment_violations(site, raw, allowed),
    )


def _document_violations(site: PropertySite, raw: Any, allowed: AllowedNetworks) -> list[str]:
    try:
        document = parse_policy_document(raw)
    except PolicyDocumentError as error:
        return [f"{site.path} {error}; fix the document so that IAM (and this policy) can read it"]
    return [f"{site.path}: {m}" for m in unrestricted_grants(document, START_PIPELINE, allowed)]


def _attachment_violations(site: PropertySite, raw: Any, allowed: AllowedNetworks) -> list[str]:
    if not isinstance(raw, str):
        return []
    known = granting_document(raw)
    if known is None:
        return []
    name, document = known
    if not _grants_unrestricted(document, allowed):
        return []
    return [
        f"{site.path} attaches the AWS-managed policy {name} ({raw}), which allows {START_PIPELINE} "
        f"without an {SOURCE_IP_KEY} condition; attach instead a customer-managed policy that "
        f"allows it only with Condition.IpAddress.{SOURCE_IP_KEY} within {allowed.describe()}"
    ]


def _grants_unrestricted(document: PolicyDocument, allowed: AllowedNetworks) -> bool:
    return bool(unrestricted_grants(document, START_PIPELINE, allowed))


execution_role_ip_restricted = ResourceValidationPolicy(
    name=POLICY_NAME,
    description=(
        "Every identity policy that can grant codepipeline:StartPipelineExecution allows it only "
        "from aws:SourceIp inside the configured allowedCidrs (no Checkov, cdk-nag, Security Hub "
        "or AWS Config rule covers this; nearest are CKV_AWS_1/CKV_AWS_62 and IAM.1)."
    ),
    enforcement_level=EnforcementLevel.MANDATORY,
    config_schema=PolicyConfigSchema(
        properties={
            ALLOWED_CIDRS: {
                "type": "array",
                "items": {"type": "string"},
                "description": "IPv4/IPv6 CIDRs from which pipelines may be started.",
            }
        }
    ),
    remediation_steps=REMEDIATIONS[POLICY_NAME],
    validate=_validate,
)

POLICIES = [execution_role_ip_restricted]
