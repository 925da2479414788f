"""Which role does a grant belong to, and can only an event-dispatch AWS service assume it?

Why this exists: an EventBridge rule that starts a pipeline on a push needs a role allowing
`codepipeline:StartPipelineExecution`, and EventBridge's call never carries the pusher's address in
`aws:SourceIp`, so that role cannot be IP-restricted. It is also not a path for a person: the role's
trust policy admits only `events.amazonaws.com`, which runs no user code and only invokes the targets
configured on rules. Services that run user code with the role's credentials (CodeBuild, Lambda,
EC2, ...) are not exempt: a pushed buildspec would otherwise start pipelines from anywhere.

The exemption is granted only when it can be proven from the stack: the grant is linked to exactly
one `aws:iam/role:Role` (itself, by property dependency, or by role name/ARN), and every Allow of that
role's trust policy names only `Service` principals from the configured list, with no `NotPrincipal`.

What links a grant to its role is what IAM uses: the role *name* the grant sends. A property
dependency only says which resources the value was computed from (`events_role.name.apply(lambda
_: "deployers")` depends on the EventBridge role but names another one), so it links only while
the name is not known yet. IAM role names are unique per account, not across accounts, so the
grant and the role must also go through the same provider; a role whose name is not known yet
might be the one named, so it makes the name ambiguous. A link we cannot prove is no exemption.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from pulumi_policy import PolicyResource
from pulumi_policy.proxy import UnknownValueError

from cicd_guardrails.support.iam.policy_model import (
    ALLOW,
    PolicyDocumentError,
    parse_policy_document,
)
from cicd_guardrails.support.iam.resources import (
    ROLE,
    ROLE_ATTACHMENTS_EXCLUSIVE,
    ROLE_POLICY,
    ROLE_POLICY_ATTACHMENT,
)

SERVICE_PRINCIPAL_KIND = "Service"
ASSUME_ROLE_POLICY = "assumeRolePolicy"
ROLE_ARN_MARKER = ":role/"
# Which property of a grant names its role.
ROLE_REFERENCE = {
    ROLE_POLICY: "role",
    ROLE_POLICY_ATTACHMENT: "role",
    ROLE_ATTACHMENTS_EXCLUSIVE: "roleName",
}


class RoleIndex:
    """The stack's roles by name, to link a grant to the role whose trust policy decides who uses it."""

    def __init__(self, resources: Iterable[PolicyResource]) -> None:
        self._roles = [r for r in resources if r.resource_type == ROLE]

    def service_only_role(
        self, grant: PolicyResource, exempt_services: frozenset[str]
    ) -> str | None:
        """The name of the grant's role if only `exempt_services` can assume it, else None.

        May raise UnknownValueError when the linked role's trust policy is not known yet.
        """
        role = self._role_of(grant)
        if role is None or not _trusts_only(role.props, exempt_services):
            return None
        return role.name

    def _role_of(self, grant: PolicyResource) -> PolicyResource | None:
        """The one role the grant provably goes to, or None."""
        if grant.resource_type == ROLE:
            return grant
        key = ROLE_REFERENCE.get(grant.resource_type)
        if key is None:
            return None
        try:
            reference = grant.props.get(key)
        except UnknownValueError:
            linked = [
                r for r in grant.property_dependencies.get(key, []) if r.resource_type == ROLE
            ]
            return linked[0] if len(linked) == 1 and _same_provider(grant, linked[0]) else None
        if not isinstance(reference, str):
            return None
        name = reference.rsplit("/", 1)[-1] if ROLE_ARN_MARKER in reference else reference
        candidates = [r for r in self._roles if _declared_name(r) in (name, None)]
        if len(candidates) != 1 or _declared_name(candidates[0]) != name:
            return None
        return candidates[0] if _same_provider(grant, candidates[0]) else None


def _declared_name(role: PolicyResource) -> str | None:
    """The role's name, or None when it could still be any name (unknown, or left to `namePrefix`)."""
    try:
        name = role.props.get("name")
    except UnknownValueError:
        return None
    return name if isinstance(name, str) else None


def _same_provider(grant: PolicyResource, role: PolicyResource) -> bool:
    """Both go to the same account: IAM role names are unique only within one."""
    return _provider_urn(grant) == _provider_urn(role)


def _provider_urn(resource: PolicyResource) -> str | None:
    return resource.provider.urn if resource.provider is not None else None


def _trusts_only(props: Mapping[str, Any], exempt_services: frozenset[str]) -> bool:
    raw = props.get(ASSUME_ROLE_POLICY)
    if raw is None:
        return False
    try:
        document = parse_policy_document(raw)
    except PolicyDocumentError:
        return False
    allows = [s for s in document.statements if s.effect == ALLOW]
    return bool(allows) and all(
        not s.not_principal
        and s.principals
        and all(
            kind == SERVICE_PRINCIPAL_KIND and name.lower() in exempt_services
            for kind, name in s.principals
        )
        for s in allows
    )
