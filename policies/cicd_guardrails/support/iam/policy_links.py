"""Which customer-managed policy of the stack an attachment attaches, when that can be proven.

An attachment names its policy by ARN. When the program passes `policy.arn`, the ARN is not known at
preview, but the engine's property dependency (`policyArn` -> the `aws:iam/policy:Policy`) says where
it came from; when the program builds the ARN from the policy's name, the name is the link. Either
way the policy's own document then says what the attachment grants, so it is judged instead of
being reported as "can't run during preview".

What IAM attaches is the policy the ARN names (`arn:<partition>:iam::<account>:policy<path><name>`),
and names are unique per account, so a known ARN links by path and name through the same provider;
a property dependency links only while the ARN is unknown, and only to exactly one policy. A policy
whose name is not known yet could be the one named, so it makes a known ARN ambiguous: no link.

The same holds for aws-native's `aws-native:iam:ManagedPolicy` (`managedPolicyName`, `path`), and for
an IAM Identity Center customer-managed reference (`{name, path}`), which names the policy in every
account the permission set is assigned to: there the stack's policy of that name and path is the
one judged, whatever its provider.
"""

import re
from collections.abc import Iterable

from pulumi_policy import PolicyResource
from pulumi_policy.proxy import UnknownValueError

from cicd_guardrails.support.iam.identity_sites import MANAGED_POLICY_TYPES, SHAPES

CUSTOMER_POLICY_ARN = re.compile(
    r"^arn:[a-z-]+:iam::(?P<account>\d{12}):policy(?P<path>/(?:[^/]+/)*)(?P<name>[^/]+)$"
)
DEFAULT_PATH = "/"


class ManagedPolicyIndex:
    """The stack's customer-managed policies, to find the one an attachment attaches."""

    def __init__(self, resources: Iterable[PolicyResource]) -> None:
        self._policies = [r for r in resources if r.resource_type in MANAGED_POLICY_TYPES]

    def by_dependency(self, attachment: PolicyResource, key: str) -> PolicyResource | None:
        """The one policy the unknown ARN under `key` was computed from, if exactly one."""
        linked = [
            r
            for r in attachment.property_dependencies.get(key, [])
            if r.resource_type in MANAGED_POLICY_TYPES
        ]
        if len(linked) != 1 or not _same_provider(attachment, linked[0]):
            return None
        return linked[0]

    def by_arn(self, attachment: PolicyResource, arn: object) -> PolicyResource | None:
        """The one policy of the stack that the customer-managed `arn` names, if provably one."""
        match = CUSTOMER_POLICY_ARN.match(arn) if isinstance(arn, str) else None
        if match is None:
            return None
        same_account = [p for p in self._policies if _same_provider(attachment, p)]
        declared = [(p, _declared(p)) for p in same_account]
        if any(name is None for _, (name, _path) in declared):
            return None  # a policy not named yet could be the one the ARN names
        wanted = (match.group("name"), match.group("path"))
        named = [p for p, identity in declared if identity == wanted]
        return named[0] if len(named) == 1 else None

    def by_reference(self, reference: object) -> PolicyResource | None:
        """The one policy of the stack a customer-managed `{name, path}` reference names, if one."""
        try:
            name = reference.get("name") if hasattr(reference, "get") else None
            path = (reference.get("path") if hasattr(reference, "get") else None) or DEFAULT_PATH
        except UnknownValueError:
            return None
        if not isinstance(name, str) or not isinstance(path, str):
            return None
        declared = [(p, _declared(p)) for p in self._policies]
        if any(identity[0] is None for _, identity in declared):
            return None  # a policy not named yet could be the one the reference names
        named = [p for p, identity in declared if identity == (name, path)]
        return named[0] if len(named) == 1 else None


def policy_document(policy: PolicyResource) -> object:
    """The raw document of a customer-managed policy resource (may raise UnknownValueError)."""
    slot = SHAPES[policy.resource_type].slots[0]
    return policy.props.get(slot.key)


def _declared(policy: PolicyResource) -> tuple[str | None, str]:
    """The policy's (name, path); name None while it could still be any name."""
    try:
        name = policy.props.get(SHAPES[policy.resource_type].name_key or "name")
        path = policy.props.get("path") or DEFAULT_PATH
    except UnknownValueError:
        return None, DEFAULT_PATH
    return (name if isinstance(name, str) else None), (path if isinstance(path, str) else "")


def _same_provider(first: PolicyResource, second: PolicyResource) -> bool:
    return _provider_urn(first) == _provider_urn(second)


def _provider_urn(resource: PolicyResource) -> str | None:
    return resource.provider.urn if resource.provider is not None else None
