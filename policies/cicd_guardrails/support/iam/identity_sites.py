"""Where a stack declares identity policies, in every resource shape the pack reads, and for whom.

Three providers' shapes grant permissions to principals:

- pulumi-aws `aws:iam/*`: documents are JSON strings (`policy`, a Role's `inlinePolicies[].policy`),
  attachments name a managed policy by ARN (`policyArn`, `policyArns`, a Role's `managedPolicyArns`),
  a Role or User names its permissions boundary by ARN (`permissionsBoundary`).
- pulumi-aws-native `aws-native:iam:*` (CloudFormation's AWS::IAM types, names camel-cased as the
  analyzer receives them; pulumi-aws-native schema): documents are objects (`policyDocument`, a
  Role/User/Group's `policies[].policyDocument`), `managedPolicyArns`, `permissionsBoundary`, and a
  ManagedPolicy attaches itself to the `roles`, `users` and `groups` it lists.
- pulumi-aws `aws:ssoadmin/*` (IAM Identity Center): a permission set's inline policy
  (`inlinePolicy`), AWS-managed attachments (`managedPolicyArn(s)`), customer-managed attachments by
  name and path (`customerManagedPolicyReference(s)`: "You must have an IAM policy that matches the
  name and path in each AWS account where you want to deploy your permission set", IAM Identity
  Center API Reference, CustomerManagedPolicyReference) and its permissions boundary
  (`permissionsBoundary.managedPolicyArn` / `.customerManagedPolicyReference`). Each becomes the
  identity policy of the role the permission set provisions in every assigned account.

A `Shape` says, per type token, which properties hold documents, ARNs or name references, which
of them set a permissions boundary, and whom they apply to: the resource itself (a Role), or the
principals named by other properties (a RolePolicy's `role`). Loading is deferred (`Site.load`):
reading a not-yet-known value raises `UnknownValueError`, caught per site by the caller.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

ROLE_KIND = "role"
USER_KIND = "user"
GROUP_KIND = "group"
PERMISSION_SET_KIND = "permission set"

DOCUMENT = "document"
ARN = "arn"
REFERENCE = "reference"  # {name, path} of a customer-managed policy


@dataclass(frozen=True)
class Slot:
    """A property holding one or many documents, ARNs or references (`field` inside each)."""

    key: str
    kind: str
    many: bool = False
    field: str | None = None
    boundary: bool = False


@dataclass(frozen=True)
class Reference:
    """A property naming the principal(s) a resource's slots apply to."""

    key: str
    kind: str
    many: bool = False


@dataclass(frozen=True)
class Shape:
    slots: tuple[Slot, ...] = ()
    itself: str | None = None
    """The resource is a principal of this kind (its slots apply to it)."""
    name_key: str | None = None
    """Its name property, when it is a principal or a customer-managed policy."""
    references: tuple[Reference, ...] = ()
    trust_key: str | None = None
    """A role's trust policy property."""
    managed_policy: bool = False
    """A customer-managed policy that attachments elsewhere name by ARN or name and path."""
    open_account: bool = False
    """Applies in accounts the stack does not name (a permission set's assigned accounts)."""


def _doc(key: str) -> Slot:
    return Slot(key, DOCUMENT)


def _inline(key: str, field: str) -> Slot:
    return Slot(key, DOCUMENT, many=True, field=field)


_NAMED_BY = {ROLE_KIND: "role", USER_KIND: "user", GROUP_KIND: "group"}
_ROLE_ATTACHING = (
    Reference("roles", ROLE_KIND, True),
    Reference("users", USER_KIND, True),
    Reference("groups", GROUP_KIND, True),
)
_PERMISSION_SET = (Reference("permissionSetArn", PERMISSION_SET_KIND),)

SHAPES: dict[str, Shape] = {
    # pulumi-aws
    "aws:iam/role:Role": Shape(
        (
            _inline("inlinePolicies", "policy"),
            Slot("managedPolicyArns", ARN, many=True),
            Slot("permissionsBoundary", ARN, boundary=True),
        ),
        itself=ROLE_KIND,
        name_key="name",
        trust_key="assumeRolePolicy",
    ),
    "aws:iam/user:User": Shape(
        (Slot("permissionsBoundary", ARN, boundary=True),), itself=USER_KIND, name_key="name"
    ),
    "aws:iam/group:Group": Shape((), itself=GROUP_KIND, name_key="name"),
    "aws:iam/policy:Policy": Shape((_doc("policy"),), name_key="name", managed_policy=True),
    **{
        f"aws:iam/{kind}Policy:{kind.title()}Policy": Shape(
            (_doc("policy"),), references=(Reference(prop, kind),)
        )
        for kind, prop in _NAMED_BY.items()
    },
    **{
        f"aws:iam/{kind}PolicyAttachment:{kind.title()}PolicyAttachment": Shape(
            (Slot("policyArn", ARN),), references=(Reference(prop, kind),)
        )
        for kind, prop in _NAMED_BY.items()
    },
    **{
        f"aws:iam/{kind}PolicyAttachmentsExclusive:{kind.title()}PolicyAttachmentsExclusive": Shape(
            (Slot("policyArns", ARN, many=True),), references=(Reference(f"{kind}Name", kind),)
        )
        for kind in _NAMED_BY
    },
    "aws:iam/policyAttachment:PolicyAttachment": Shape(
        (Slot("policyArn", ARN),), references=_ROLE_ATTACHING
    ),
    # pulumi-aws-native (CloudFormation AWS::IAM::*)
    "aws-native:iam:Role": Shape(
        (
            _inline("policies", "policyDocument"),
            Slot("managedPolicyArns", ARN, many=True),
            Slot("permissionsBoundary", ARN, boundary=True),
        ),
        itself=ROLE_KIND,
        name_key="roleName",
        trust_key="assumeRolePolicyDocument",
    ),
    "aws-native:iam:User": Shape(
        (
            _inline("policies", "policyDocument"),
            Slot("managedPolicyArns", ARN, many=True),
            Slot("permissionsBoundary", ARN, boundary=True),
        ),
        itself=USER_KIND,
        name_key="userName",
    ),
    "aws-native:iam:Group": Shape(
        (_inline("policies", "policyDocument"), Slot("managedPolicyArns", ARN, many=True)),
        itself=GROUP_KIND,
        name_key="groupName",
    ),
    "aws-native:iam:RolePolicy": Shape(
        (_doc("policyDocument"),), references=(Reference("roleName", ROLE_KIND),)
    ),
    "aws-native:iam:UserPolicy": Shape(
        (_doc("policyDocument"),), references=(Reference("userName", USER_KIND),)
    ),
    "aws-native:iam:GroupPolicy": Shape(
        (_doc("policyDocument"),), references=(Reference("groupName", GROUP_KIND),)
    ),
    "aws-native:iam:ManagedPolicy": Shape(
        (_doc("policyDocument"),),
        references=_ROLE_ATTACHING,
        name_key="managedPolicyName",
        managed_policy=True,
    ),
    # pulumi-aws IAM Identity Center
    "aws:ssoadmin/permissionSet:PermissionSet": Shape(
        (), itself=PERMISSION_SET_KIND, open_account=True
    ),
    "aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy": Shape(
        (_doc("inlinePolicy"),), references=_PERMISSION_SET, open_account=True
    ),
    "aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment": Shape(
        (Slot("managedPolicyArn", ARN),), references=_PERMISSION_SET, open_account=True
    ),
    "aws:ssoadmin/managedPolicyAttachmentsExclusive:ManagedPolicyAttachmentsExclusive": Shape(
        (Slot("managedPolicyArns", ARN, many=True),),
        references=_PERMISSION_SET,
        open_account=True,
    ),
    "aws:ssoadmin/customerManagedPolicyAttachment:CustomerManagedPolicyAttachment": Shape(
        (Slot("customerManagedPolicyReference", REFERENCE),),
        references=_PERMISSION_SET,
        open_account=True,
    ),
    "aws:ssoadmin/customerManagedPolicyAttachmentsExclusive:CustomerManagedPolicyAttachmentsExclusive": Shape(
        (Slot("customerManagedPolicyReferences", REFERENCE, many=True),),
        references=_PERMISSION_SET,
        open_account=True,
    ),
    "aws:ssoadmin/permissionsBoundaryAttachment:PermissionsBoundaryAttachment": Shape(
        (
            Slot("permissionsBoundary", ARN, field="managedPolicyArn", boundary=True),
            Slot(
                "permissionsBoundary",
                REFERENCE,
                field="customerManagedPolicyReference",
                boundary=True,
            ),
        ),
        references=_PERMISSION_SET,
        open_account=True,
    ),
}
PRINCIPAL_TYPES: dict[str, tuple[str, ...]] = {
    kind: tuple(t for t, shape in SHAPES.items() if shape.itself == kind)
    for kind in (ROLE_KIND, USER_KIND, GROUP_KIND, PERMISSION_SET_KIND)
}
MANAGED_POLICY_TYPES = frozenset(t for t, shape in SHAPES.items() if shape.managed_policy)


@dataclass(frozen=True)
class Site:
    """One document, ARN or reference of a resource; `load()` may raise UnknownValueError."""

    path: str
    slot: Slot
    load: Callable[[], Any]


def sites(shape: Shape, props: Mapping[str, Any]) -> list[Site]:
    """Every site of a resource; reading a list itself may raise UnknownValueError."""
    found: list[Site] = []
    for slot in shape.slots:
        if not slot.many:
            path = slot.key + (f".{slot.field}" if slot.field else "")
            found.append(Site(path, slot, _single_loader(props, slot)))
            continue
        entries = props.get(slot.key) or []
        for index in range(len(entries)):
            path = f"{slot.key}[{index}]" + (f".{slot.field}" if slot.field else "")
            found.append(Site(path, slot, _entry_loader(entries, index, slot.field)))
    return found


def _single_loader(props: Mapping[str, Any], slot: Slot) -> Callable[[], Any]:
    def load() -> Any:
        value = props.get(slot.key)
        if slot.field is None or value is None:
            return value
        return value.get(slot.field) if hasattr(value, "get") else None

    return load


def _entry_loader(entries: Any, index: int, field: str | None) -> Callable[[], Any]:
    def load() -> Any:
        entry = entries[index]
        if field is None or entry is None:
            return entry
        return entry.get(field) if hasattr(entry, "get") else None

    return load
