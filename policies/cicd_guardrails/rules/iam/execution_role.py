"""`execution-role-ip-restricted`: only callers inside the allowed CIDRs (or behind allowed VPC endpoints) may start a pipeline.

Judged wherever an identity policy can grant `codepipeline:StartPipelineExecution`: the documents of
RolePolicy, UserPolicy, GroupPolicy, Policy and a Role's `inlinePolicies`, and the AWS-managed
policies attached by the attachment resources or a Role's deprecated `managedPolicyArns`. A
customer-managed policy attached by ARN is judged where it is declared. Not judged: resource-based
policies (a pipeline has none), permission boundaries and SCPs (they only narrow grants), and a Deny
in one resource compensating an Allow in another (each document must be safe on its own, since
attachments change independently).

It is a stack policy for one reason: a grant to a role that only EventBridge can assume (the
push-triggered start) cannot carry the pusher's IP, and proving "only EventBridge" needs the role's
trust policy, which lives on another resource (see `support/iam/trust.py`). Violations are still reported
against the resource that holds the grant.

A role whose trust policy is not known yet is not proven to be EventBridge's: its grants are judged
like any other role's. Callers behind VPC endpoints are admitted only by the restriction
`support/iam/source_vpce.py` describes, for the endpoints in `allowedVpcEndpoints`.

A value that is not known yet during preview is skipped while everything else is judged; afterwards
the first `UnknownValueError` is re-raised so the SDK reports "can't run policy during preview"
instead of passing silently, and one unknown document never hides another resource's violation.
"""

from typing import Any

from pulumi_policy import (
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError

from cicd_guardrails.support.iam.managed_policies import granting_document
from cicd_guardrails.support.iam.policy_links import ManagedPolicyIndex
from cicd_guardrails.support.iam.policy_model import (
    PolicyDocument,
    PolicyDocumentError,
    parse_policy_document,
)
from cicd_guardrails.support.iam.resources import (
    DOCUMENT_PROPERTY,
    IN_SCOPE_TYPES,
    PropertySite,
    judge_sites,
    resource_subject,
)
from cicd_guardrails.support.iam.source_ip import (
    SOURCE_IP_KEY,
    AllowedNetworks,
    unrestricted_grants,
)
from cicd_guardrails.support.iam.source_vpce import (
    ALLOWED_VPC_ENDPOINTS,
    ENDPOINT_ID_PATTERN,
    SOURCE_VPCE_KEY,
)
from cicd_guardrails.support.iam.trust import RoleIndex
from cicd_guardrails.support.metadata import policy_fields
from cicd_guardrails.support.policy_config import PolicyConfigError
from cicd_guardrails.support.wire import is_unknown, plain

POLICY_NAME = "execution-role-ip-restricted"
START_PIPELINE = "codepipeline:StartPipelineExecution"
ALLOWED_CIDRS = "allowedCidrs"
IPV4_OCTET = r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
CIDR_SCHEMA_PATTERN = (
    rf"^(({IPV4_OCTET}\.){{3}}{IPV4_OCTET}/([1-9]|[12][0-9]|3[0-2])"
    r"|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*/([1-9]|[1-9][0-9]|1[01][0-9]|12[0-8]))$"
)
"""The schema's first line of defence, so the CLI (and the offline preview) refuse the config itself:
an address with a prefix length of 1..32 (IPv4) or 1..128 (IPv6, loosely). A /0, a bare address or
text is a bad `--policy-pack-config`; RE2 syntax (the CLI's schema validator is Go's), no lookaround.
What a pattern cannot see (host bits, networks that together cover everything) the rule refuses."""
EXEMPT_SERVICES = "exemptServicePrincipals"
UNREADABLE_FIX = "fix the document so that IAM (and this policy) can read it"
UNKNOWN_TRUST_NOTE = (
    " (its role's trust policy is not known at preview, so the role is not proven to be one "
    "that only exempt services can assume)"
)
# Event-dispatch services that run no user code (EventBridge rules, EventBridge Scheduler).
DEFAULT_EXEMPT_SERVICES = ("events.amazonaws.com", "scheduler.amazonaws.com")


def _validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    config = args.get_config()
    try:
        allowed = AllowedNetworks.from_config(
            config.get(ALLOWED_CIDRS), config.get(ALLOWED_VPC_ENDPOINTS)
        )
        exempt_services = _exempt_services(config.get(EXEMPT_SERVICES, DEFAULT_EXEMPT_SERVICES))
    except PolicyConfigError as error:
        report_violation(str(error), None)
        return
    roles = RoleIndex(args.resources)
    policies = ManagedPolicyIndex(args.resources)
    pending_unknown: UnknownValueError | None = None
    for grant in args.resources:
        if grant.resource_type not in IN_SCOPE_TYPES:
            continue
        subject = resource_subject(grant.resource_type, grant.name)
        unreadable, grants, unknown = _findings(grant, allowed, policies)
        pending_unknown = pending_unknown or unknown
        for message in unreadable:
            report_violation(f"{subject} {message}", grant.urn)
        unproven = ""
        try:
            if grants and roles.service_only_role(grant, exempt_services) is not None:
                continue
        except UnknownValueError:
            # Not proven assumable only by EventBridge, so judged like any other role's grant.
            unproven = UNKNOWN_TRUST_NOTE
        for message in grants:
            report_violation(f"{subject} {message}{unproven}", grant.urn)
    if pending_unknown is not None:
        raise pending_unknown


def _findings(
    grant: PolicyResource, allowed: AllowedNetworks, policies: ManagedPolicyIndex
) -> tuple[list[str], list[str], UnknownValueError | None]:
    """Unreadable documents (refused whoever holds them), unrestricted grants, and the first unknown."""
    unreadable: list[str] = []
    grants: list[str] = []

    def judge_document(site: PropertySite, raw: Any) -> list[str]:
        try:
            document = parse_policy_document(raw)
        except PolicyDocumentError as error:
            unreadable.append(f"{site.path} {error}; {UNREADABLE_FIX}")
            return []
        return [f"{site.path}: {m}" for m in unrestricted_grants(document, START_PIPELINE, allowed)]

    try:
        judge_sites(
            grant.resource_type,
            grant.props,
            grants.append,
            documents=judge_document,
            attachments=lambda site, raw: (
                _attachment_violations(site, raw, allowed)
                + _in_stack_violations(site, policies.by_arn(grant, raw), allowed)
            ),
            unknown_attachment=lambda site: _unknown_attachment(grant, site, policies, allowed),
        )
    except UnknownValueError as unknown:
        return unreadable, grants, unknown
    return unreadable, grants, None


def _exempt_services(value: object) -> frozenset[str]:
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise PolicyConfigError(
            f"policy config {EXEMPT_SERVICES} must be a list of service principals, got {value!r}; "
            'set e.g. ["events.amazonaws.com"], or [] to exempt no role'
        )
    return frozenset(v.lower() for v in value)


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


def _unknown_attachment(
    grant: PolicyResource,
    site: PropertySite,
    policies: ManagedPolicyIndex,
    allowed: AllowedNetworks,
) -> list[str] | None:
    """Judge an attachment whose ARN is unknown from the stack's policy it was computed from."""
    key = site.path.split("[", 1)[0]
    if key != site.path and _unknown_entries(grant, key) != 1:
        return None  # several entries not known yet: which one is the linked policy's is unclear
    linked = policies.by_dependency(grant, key)
    if linked is None:
        return None
    try:
        return _in_stack_violations(site, linked, allowed)
    except UnknownValueError:
        return None  # the linked policy's document is not known yet either


def _unknown_entries(grant: PolicyResource, key: str) -> int:
    entries = plain(grant.props).get(key)
    return sum(1 for entry in entries if is_unknown(entry)) if isinstance(entries, list) else 0


def _in_stack_violations(
    site: PropertySite, policy: PolicyResource | None, allowed: AllowedNetworks
) -> list[str]:
    """What attaching the stack's `policy` grants, judged from its document (may raise unknown)."""
    if policy is None:
        return []
    raw = policy.props.get(DOCUMENT_PROPERTY)
    if raw is None:
        return []
    try:
        document = parse_policy_document(raw)
    except PolicyDocumentError:
        return []  # refused where it is declared
    return [
        f"{site.path} attaches Policy '{policy.name}' of this stack, whose policy: {message}"
        for message in unrestricted_grants(document, START_PIPELINE, allowed)
    ]


def _grants_unrestricted(document: PolicyDocument, allowed: AllowedNetworks) -> bool:
    return bool(unrestricted_grants(document, START_PIPELINE, allowed))


execution_role_ip_restricted = StackValidationPolicy(
    **policy_fields(POLICY_NAME),
    config_schema=PolicyConfigSchema(
        properties={
            ALLOWED_CIDRS: {
                "type": "array",
                "minItems": 1,
                "items": {"type": "string", "pattern": CIDR_SCHEMA_PATTERN},
                "description": (
                    "IPv4/IPv6 CIDRs from which pipelines may be started (never a /0 network)."
                ),
            },
            ALLOWED_VPC_ENDPOINTS: {
                "type": "array",
                "items": {"type": "string", "pattern": ENDPOINT_ID_PATTERN},
                "description": (
                    "VPC endpoint ids (vpce-...) through which pipelines may be started; each "
                    f"needs {SOURCE_VPCE_KEY} in an Allow and in the NotIpAddress Deny."
                ),
            },
            EXEMPT_SERVICES: {
                "type": "array",
                "items": {"type": "string"},
                "default": list(DEFAULT_EXEMPT_SERVICES),
                "description": "Service principals whose roles need no aws:SourceIp (EventBridge).",
            },
        }
    ),
    validate=_validate,
)

POLICIES = [execution_role_ip_restricted]
