"""Who holds each identity policy of the stack, and what else that principal carries.

IAM decides a request on the principal as a whole: every identity policy attached to it (inline or
managed), its permissions boundary, and any explicit Deny among them (IAM User Guide, "Policy
evaluation logic": https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
So an Allow in one policy and a Deny in another policy of the same role are as safe as one
document with both. `StackIdentity` reads every site of `identity_sites` once, resolves what it
attaches (an AWS-managed policy from the pack's table, the stack's own policy by ARN, property
dependency or name and path), and groups the documents by principal.

A principal is keyed by kind, name and provider (IAM names are unique per account, and a provider
is an account): a Role's `name`, a RolePolicy's `role` (a name or an ARN), or, while the name is not
known, the URN of the resource the value was computed from (its property dependency). What cannot be
tied to a principal is judged on its own, as one document, which can only refuse more. A principal
whose other policies are not known yet simply lends no Deny: that, too, can only refuse more.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from pulumi_policy import PolicyResource
from pulumi_policy.proxy import UnknownValueError

from cicd_guardrails.support.iam.identity_sites import (
    ARN,
    DOCUMENT,
    PERMISSION_SET_KIND,
    PRINCIPAL_TYPES,
    REFERENCE,
    SHAPES,
    Shape,
    Site,
    sites,
)
from cicd_guardrails.support.iam.managed_policies import (
    aws_managed_policy_name,
    granting_document,
)
from cicd_guardrails.support.iam.policy_links import ManagedPolicyIndex, policy_document
from cicd_guardrails.support.iam.policy_model import (
    DENY,
    PolicyDocument,
    PolicyDocumentError,
    Statement,
    parse_policy_document,
)
from cicd_guardrails.support.iam.source_ip import PrincipalContext
from cicd_guardrails.support.iam.trust import trusts_only
from cicd_guardrails.support.wire import is_unknown, plain

OWN = "own"
AWS_MANAGED = "aws-managed"
STACK = "stack"
URN_NAME = "urn:"
NO_GRANT = PolicyDocument(())


@dataclass(frozen=True)
class PrincipalKey:
    kind: str
    name: str
    """Its name, or `urn:<urn>` of the resource it is while that name is not known."""
    provider: str | None


@dataclass(frozen=True)
class Source:
    """What a site contributes: its own document, an AWS-managed one, or the stack's policy's."""

    document: PolicyDocument
    origin: str
    name: str = ""
    arn: str = ""
    policy: PolicyResource | None = None


@dataclass
class Entry:
    """One site of one resource, read."""

    holder: PolicyResource
    shape: Shape
    site: Site
    source: Source | None = None
    unreadable: str | None = None
    unknown: UnknownValueError | None = None
    principals: tuple[PrincipalKey, ...] = ()
    outside: str | None = None
    """The customer-managed policy it attaches, when its document is not in the stack."""


@dataclass
class Held:
    documents: list[PolicyDocument] = field(default_factory=list)
    boundaries: list[PolicyDocument] = field(default_factory=list)


class StackIdentity:
    """Every identity-policy site of the stack, read once, grouped by principal."""

    def __init__(self, resources: Iterable[PolicyResource]) -> None:
        relevant = [r for r in resources if r.resource_type in SHAPES]
        self._policies = ManagedPolicyIndex(relevant)
        self._selves: dict[PrincipalKey, list[PolicyResource]] = defaultdict(list)
        self._unnamed: set[tuple[str, str | None]] = set()
        self._held: dict[PrincipalKey, Held] = defaultdict(Held)
        self._attached: dict[str, list[PrincipalKey]] = defaultdict(list)
        self._contexts: dict[PrincipalKey, PrincipalContext] = {}
        self.entries: list[Entry] = []
        self.pending: UnknownValueError | None = None
        for resource in relevant:
            shape = SHAPES[resource.resource_type]
            if shape.itself is not None:
                key = self_key(resource)
                self._selves[key].append(resource)
                if key.name.startswith(URN_NAME):
                    self._unnamed.add((key.kind, key.provider))
        for resource in relevant:
            self._read(resource, SHAPES[resource.resource_type])

    # --- what the rule asks ------------------------------------------------------------------

    def principals_of(self, entry: Entry) -> tuple[PrincipalKey, ...]:
        """The principals the entry's site applies to; () when none can be told."""
        if entry.shape.managed_policy:
            own = entry.principals
            return tuple(dict.fromkeys((*own, *self._attached.get(entry.holder.urn, ()))))
        return entry.principals

    def context(self, key: PrincipalKey) -> PrincipalContext:
        """The Denies and boundary the principal carries besides any one of its documents."""
        known = self._contexts.get(key)
        if known is None:
            held = self._held.get(key) or Held()
            denies: list[Statement] = [
                s
                for document in (*held.documents, *held.boundaries)
                for s in document.statements
                if s.effect == DENY
            ]
            known = PrincipalContext(tuple(denies), tuple(held.boundaries))
            self._contexts[key] = known
        return known

    def documents_of(self, key: PrincipalKey) -> list[PolicyDocument]:
        return list((self._held.get(key) or Held()).documents)

    def principal_resource(self, key: PrincipalKey) -> PolicyResource | None:
        """The one resource of the stack that is this principal, when that is provable."""
        selves = self._selves.get(key, [])
        if len(selves) != 1:
            return None
        if not key.name.startswith(URN_NAME) and (key.kind, key.provider) in self._unnamed:
            return None  # a principal whose name is not known yet could be the one named
        return selves[0]

    def service_only(self, key: PrincipalKey, exempt_services: frozenset[str]) -> bool:
        """Whether only `exempt_services` can assume this role (may raise UnknownValueError)."""
        resource = self.principal_resource(key)
        if resource is None:
            return False
        trust_key = SHAPES[resource.resource_type].trust_key
        return trust_key is not None and trusts_only(resource.props, exempt_services, trust_key)

    def roles(self) -> list[tuple[PrincipalKey, PolicyResource]]:
        return [
            (key, selves[0])
            for key, selves in self._selves.items()
            if len(selves) == 1 and SHAPES[selves[0].resource_type].trust_key is not None
        ]

    # --- reading --------------------------------------------------------------------------------

    def _read(self, resource: PolicyResource, shape: Shape) -> None:
        principals = self._principals(resource, shape)
        try:
            found = sites(shape, resource.props)
        except UnknownValueError as unknown:
            self.pending = self.pending or unknown
            return
        for site in found:
            entry = Entry(resource, shape, site, principals=principals)
            self._resolve(entry)
            if entry.unknown is not None:
                self.pending = self.pending or entry.unknown
            self.entries.append(entry)
            source = entry.source
            if source is None:
                continue
            for key in principals:
                held = self._held[key]
                (held.boundaries if site.slot.boundary else held.documents).append(source.document)
            if source.policy is not None and not site.slot.boundary:
                self._attached[source.policy.urn].extend(principals)

    def _resolve(self, entry: Entry) -> None:
        site = entry.site
        try:
            raw = site.load()
        except UnknownValueError as unknown:
            entry.source = self._by_dependency(entry)
            if entry.source is None:
                entry.unknown = unknown
            return
        except (AttributeError, TypeError, IndexError):
            return  # not the shape the provider accepts; other policies report that
        if raw is None:
            return
        try:
            if site.slot.kind == DOCUMENT:
                entry.source = Source(parse_policy_document(raw), OWN)
            elif site.slot.kind == ARN:
                entry.source = self._by_arn(entry, raw)
            elif site.slot.kind == REFERENCE:
                entry.source = self._stack_source(self._policies.by_reference(raw))
                if entry.source is None and self._policies.by_reference(raw) is None:
                    entry.outside = _shown_reference(raw)
        except PolicyDocumentError as error:
            entry.unreadable = str(error)
        except UnknownValueError as unknown:
            entry.unknown = unknown

    def _by_arn(self, entry: Entry, raw: object) -> Source | None:
        if not isinstance(raw, str):
            return None
        known = granting_document(raw)
        if known is not None:
            return Source(known[1], AWS_MANAGED, name=known[0], arn=raw)
        managed = aws_managed_policy_name(raw)
        if managed is not None:
            # Absent from the table: that AWS-managed policy grants no start. As a boundary it
            # therefore admits none; attached, it adds nothing.
            return Source(NO_GRANT, AWS_MANAGED, name=managed, arn=raw)
        linked = self._policies.by_arn(entry.holder, raw)
        if linked is None:
            entry.outside = raw
        return self._stack_source(linked)

    def _by_dependency(self, entry: Entry) -> Source | None:
        """An attachment whose ARN is unknown, judged from the stack's policy it was computed from."""
        site = entry.site
        if site.slot.kind != ARN:
            return None
        if site.slot.many and _unknown_entries(entry.holder, site.slot.key) != 1:
            return (
                None  # several entries not known yet: which one is the linked policy's is unclear
            )
        linked = self._policies.by_dependency(entry.holder, site.slot.key)
        try:
            return self._stack_source(linked)
        except (UnknownValueError, PolicyDocumentError):
            return None

    def _stack_source(self, policy: PolicyResource | None) -> Source | None:
        """The stack's policy as a source; its unreadable document is refused where declared."""
        if policy is None:
            return None
        raw = policy_document(policy)
        if raw is None:
            return None
        try:
            document = parse_policy_document(raw)
        except PolicyDocumentError:
            return None
        return Source(document, STACK, name=policy.name, policy=policy)

    def _principals(self, resource: PolicyResource, shape: Shape) -> tuple[PrincipalKey, ...]:
        if shape.itself is not None:
            return (self_key(resource),)
        keys: list[PrincipalKey] = []
        for reference in shape.references:
            try:
                value = resource.props.get(reference.key)
            except UnknownValueError:
                linked = self._linked(resource, reference.key, reference.kind)
                if not linked:
                    return ()
                keys.extend(linked)
                continue
            values = plain(value)
            for item in values if reference.many and isinstance(values, list) else [values]:
                if is_unknown(item):
                    keys.extend(self._linked(resource, reference.key, reference.kind))
                elif isinstance(item, str):
                    keys.append(_named_key(reference.kind, item, resource))
        return tuple(dict.fromkeys(keys))

    def _linked(self, resource: PolicyResource, key: str, kind: str) -> list[PrincipalKey]:
        return [
            self_key(r)
            for r in resource.property_dependencies.get(key, [])
            if r.resource_type in PRINCIPAL_TYPES[kind] and _provider(r) == _provider(resource)
        ]


def self_key(resource: PolicyResource) -> PrincipalKey:
    """The key of a resource that is itself a principal."""
    shape = SHAPES[resource.resource_type]
    name = None
    if shape.name_key is not None:
        try:
            name = resource.props.get(shape.name_key)
        except UnknownValueError:
            name = None
    if not isinstance(name, str):
        name = URN_NAME + resource.urn
    return PrincipalKey(shape.itself or "", name, _provider(resource))


def _named_key(kind: str, value: str, resource: PolicyResource) -> PrincipalKey:
    """A role/user/group named by name or ARN (`arn:...:role/path/name` names `name`)."""
    name = value.rsplit("/", 1)[-1] if kind != PERMISSION_SET_KIND and ":" in value else value
    return PrincipalKey(kind, name, _provider(resource))


def _shown_reference(reference: object) -> str:
    value = plain(reference)
    if isinstance(value, dict):
        return f"{value.get('path') or '/'}{value.get('name')}"
    return repr(value)


def _provider(resource: PolicyResource) -> str | None:
    return resource.provider.urn if resource.provider is not None else None


def _unknown_entries(resource: PolicyResource, key: str) -> int:
    entries = plain(resource.props).get(key)
    return sum(1 for entry in entries if is_unknown(entry)) if isinstance(entries, list) else 0
