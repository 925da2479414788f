"""Where pulumi-aws resources carry IAM identity-policy documents and managed-policy attachments.

Each place is returned with a loader instead of a value: reading a not-yet-known property through
the SDK's proxy raises `UnknownValueError`, and a policy should catch that per place, so that one
unknown inline policy does not hide a violation in the role's second inline policy.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pulumi_policy.proxy import UnknownValueError

ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
USER_POLICY = "aws:iam/userPolicy:UserPolicy"
GROUP_POLICY = "aws:iam/groupPolicy:GroupPolicy"
MANAGED_POLICY = "aws:iam/policy:Policy"

ROLE_POLICY_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
USER_POLICY_ATTACHMENT = "aws:iam/userPolicyAttachment:UserPolicyAttachment"
GROUP_POLICY_ATTACHMENT = "aws:iam/groupPolicyAttachment:GroupPolicyAttachment"
POLICY_ATTACHMENT = "aws:iam/policyAttachment:PolicyAttachment"
ROLE_ATTACHMENTS_EXCLUSIVE = "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive"
USER_ATTACHMENTS_EXCLUSIVE = "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive"
GROUP_ATTACHMENTS_EXCLUSIVE = (
    "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive"
)

DOCUMENT_PROPERTY = "policy"
INLINE_POLICIES = "inlinePolicies"
MANAGED_POLICY_ARNS = "managedPolicyArns"  # deprecated on Role, still attaches policies
SINGLE_ARN_TYPES = frozenset(
    {ROLE_POLICY_ATTACHMENT, USER_POLICY_ATTACHMENT, GROUP_POLICY_ATTACHMENT, POLICY_ATTACHMENT}
)
ARN_LIST_PROPERTIES = {
    ROLE: MANAGED_POLICY_ARNS,
    ROLE_ATTACHMENTS_EXCLUSIVE: "policyArns",
    USER_ATTACHMENTS_EXCLUSIVE: "policyArns",
    GROUP_ATTACHMENTS_EXCLUSIVE: "policyArns",
}
DOCUMENT_TYPES = frozenset({ROLE, ROLE_POLICY, USER_POLICY, GROUP_POLICY, MANAGED_POLICY})
IN_SCOPE_TYPES = DOCUMENT_TYPES | SINGLE_ARN_TYPES | frozenset(ARN_LIST_PROPERTIES)


@dataclass(frozen=True)
class PropertySite:
    """A property that holds a document or a policy ARN; `load()` may raise UnknownValueError."""

    path: str
    load: Callable[[], Any]


def policy_document_sites(resource_type: str, props: Mapping[str, Any]) -> list[PropertySite]:
    """The identity-policy documents a resource declares (the Role's trust policy is not one)."""
    if resource_type in (ROLE_POLICY, USER_POLICY, GROUP_POLICY, MANAGED_POLICY):
        return [PropertySite(DOCUMENT_PROPERTY, lambda: props.get(DOCUMENT_PROPERTY))]
    if resource_type == ROLE:
        return _list_sites(props, INLINE_POLICIES, DOCUMENT_PROPERTY)
    return []


def attached_policy_arn_sites(resource_type: str, props: Mapping[str, Any]) -> list[PropertySite]:
    """The managed-policy ARNs a resource attaches."""
    if resource_type in SINGLE_ARN_TYPES:
        return [PropertySite("policyArn", lambda: props.get("policyArn"))]
    if resource_type in ARN_LIST_PROPERTIES:
        return _list_sites(props, ARN_LIST_PROPERTIES[resource_type], None)
    return []


SiteJudge = Callable[[PropertySite, Any], list[str]]


def judge_sites(
    resource_type: str,
    props: Mapping[str, Any],
    report: Callable[[str], None],
    *,
    documents: SiteJudge | None = None,
    attachments: SiteJudge | None = None,
    unknown_attachment: Callable[[PropertySite], list[str] | None] | None = None,
) -> None:
    """Report every violation found in the known sites, then re-raise the first unknown one.

    Re-raising lets the SDK say "can't run policy during preview" for what we could not read,
    after everything we could read has been judged. `unknown_attachment` may still judge an
    attachment whose ARN is unknown (from what it links to); it returns None when it cannot.
    """
    pending_unknown: UnknownValueError | None = None
    for find_sites, judge in (
        (policy_document_sites, documents),
        (attached_policy_arn_sites, attachments),
    ):
        if judge is None:
            continue
        try:
            sites = find_sites(resource_type, props)
        except UnknownValueError as unknown:
            pending_unknown = pending_unknown or unknown
            continue
        for site in sites:
            try:
                raw = site.load()
            except UnknownValueError as unknown:
                resolve = unknown_attachment if judge is attachments else None
                resolved = resolve(site) if resolve is not None else None
                if resolved is None:
                    pending_unknown = pending_unknown or unknown
                    continue
                messages = resolved
            else:
                try:
                    messages = [] if raw is None else judge(site, raw)
                except UnknownValueError as unknown:
                    pending_unknown = pending_unknown or unknown
                    continue
            for message in messages:
                report(message)
    if pending_unknown is not None:
        raise pending_unknown


def resource_subject(resource_type: str, name: str) -> str:
    """`RolePolicy 'deployers'`: the short type and the name, as people see them in `pulumi preview`."""
    return f"{resource_type.rsplit(':', 1)[-1]} '{name}'"


def _list_sites(props: Mapping[str, Any], key: str, field: str | None) -> list[PropertySite]:
    """One site per list entry; reading the list itself may raise UnknownValueError."""
    entries = props.get(key) or []
    sites = []
    for index in range(len(entries)):
        path = f"{key}[{index}]" + (f".{field}" if field else "")

        def load(index: int = index) -> Any:
            entry = entries[index]
            return entry.get(field) if field is not None else entry

        sites.append(PropertySite(path, load))
    return sites
