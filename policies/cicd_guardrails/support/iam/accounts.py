"""Which AWS accounts are the stack's own, and which account a resource-policy principal belongs to.

A stack's own account is not a property of any one resource: the pack learns it from the IAM roles the
stack runs with, the `roleArn` of each CodePipeline pipeline and the `serviceRole` of each CodeBuild
project (`arn:aws:iam::<account>:role/<name>`; the program derives them from names, so they are known
at the first preview). A role ARN of another account there is unusual (a pipeline assumes its own
account's role), so every account named that way counts as the stack's own. A project that names its
role by name rather than ARN says nothing about the account and is passed over. Action-level
`roleArn`s are not counted: a cross-account action assumes a role of *another* account.

When no such ARN is known, or some are not known yet, an account outside the known ones may still be
the stack's own: `StackAccounts.owns` answers None, and the policies report that principal as
undecided ("can't run during preview") rather than passing or refusing it.

A principal (`Principal` of a resource policy, after `policy_model` parsed it into `(type, value)`
pairs) is classified by what it lets in: everyone (`"*"`, `{"AWS": "*"}`), an account root (the bare
12-digit id or `arn:<partition>:iam::<id>:root`, which delegates to every IAM policy of that account),
an exact IAM role or user ARN, a pattern (`*`, `?` or a policy variable anywhere: IAM accepts no
wildcard inside a principal ARN, so such a value is either refused by the service or means more than
one principal), a `CanonicalUser` (an S3 account or CloudFront identity whose account the document
does not say), or something else (an STS session, a group, a unique id). Service and federated
principals are not an account's principals and are not classified.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from pulumi_policy import PolicyResource
from pulumi_policy.proxy import UnknownValueError

from cicd_guardrails.support.buildspecs import BUILD_PROJECT
from cicd_guardrails.support.iam.policy_model import WILDCARD
from cicd_guardrails.support.pipeline_actions import PIPELINE
from cicd_guardrails.support.wire import is_unknown, plain

AWS_PRINCIPAL = "AWS"
CANONICAL_USER = "CanonicalUser"
ACCOUNT_ID_RE = re.compile(r"^\d{12}$")
ROLE_ARN_RE = re.compile(r"^arn:aws[a-z-]*:iam::(?P<account>\d{12}):role/[A-Za-z0-9_+=,.@/-]+$")
USER_ARN_RE = re.compile(r"^arn:aws[a-z-]*:iam::(?P<account>\d{12}):user/[A-Za-z0-9_+=,.@/-]+$")
ROOT_ARN_RE = re.compile(r"^arn:aws[a-z-]*:iam::(?P<account>\d{12}):root$")
ACCOUNT_OF_ARN_RE = re.compile(r"^arn:[^:]*:(?:iam|sts)::(?P<account>\d{12}):")
PATTERN_MARKS = ("*", "?", "${")
# What each of the stack's resources names its role with, for the own-account derivation.
ROLE_PROPERTIES = {PIPELINE: "roleArn", BUILD_PROJECT: "serviceRole"}


class PrincipalKind(Enum):
    EVERYONE = "everyone"
    ACCOUNT_ROOT = "account root"
    ROLE = "role"
    USER = "user"
    PATTERN = "pattern"
    CANONICAL_USER = "canonical user"
    OTHER = "other"


@dataclass(frozen=True)
class Principal:
    """One principal of a statement, with the account it belongs to where the value says so."""

    type: str
    value: str
    kind: PrincipalKind
    account: str | None = None

    @property
    def exact(self) -> bool:
        """An exact IAM role or user ARN: one principal, named."""
        return self.kind in (PrincipalKind.ROLE, PrincipalKind.USER)

    def described(self) -> str:
        """The principal as a message names it."""
        if self.kind is PrincipalKind.EVERYONE:
            return 'every principal ("*")'
        if self.kind is PrincipalKind.ACCOUNT_ROOT:
            return (
                f"the account root {self.value!r} (any principal of account {self.account} "
                "whose IAM policy allows it)"
            )
        if self.kind is PrincipalKind.PATTERN:
            return f"{self.value!r}, a pattern rather than one named role"
        if self.kind is PrincipalKind.CANONICAL_USER:
            return (
                f"the CanonicalUser {self.value!r}, an account (or CloudFront identity) this policy "
                "cannot tell from the stack's own"
            )
        if self.kind is PrincipalKind.OTHER:
            return f"{self.value!r}, which is not an IAM role or user ARN"
        return f"the IAM {self.kind.value} {self.value!r}"


def classify_principal(principal_type: str, value: str) -> Principal | None:
    """What a `(type, value)` principal lets in; None for Service and Federated principals."""
    if principal_type == WILDCARD or (
        principal_type.upper() == AWS_PRINCIPAL and value == WILDCARD
    ):
        return Principal(principal_type, value, PrincipalKind.EVERYONE)
    if principal_type == CANONICAL_USER:
        return Principal(principal_type, value, PrincipalKind.CANONICAL_USER)
    if principal_type.upper() != AWS_PRINCIPAL:
        return None
    for pattern, kind in (
        (ROLE_ARN_RE, PrincipalKind.ROLE),
        (USER_ARN_RE, PrincipalKind.USER),
        (ROOT_ARN_RE, PrincipalKind.ACCOUNT_ROOT),
    ):
        match = pattern.match(value)
        if match:
            return Principal(principal_type, value, kind, match.group("account"))
    if ACCOUNT_ID_RE.match(value):
        return Principal(principal_type, value, PrincipalKind.ACCOUNT_ROOT, value)
    account = ACCOUNT_OF_ARN_RE.match(value)
    kind = (
        PrincipalKind.PATTERN
        if any(mark in value for mark in PATTERN_MARKS)
        else PrincipalKind.OTHER
    )
    return Principal(principal_type, value, kind, account.group("account") if account else None)


@dataclass(frozen=True)
class StackAccounts:
    """The accounts of the roles the stack runs with, and the role references not known yet."""

    known: frozenset[str]
    pending: tuple[str, ...] = ()

    def owns(self, account: str | None) -> bool | None:
        """True for one of the stack's accounts, False for another, None when it cannot be told.

        A principal that names no account (`*`, `arn:aws:iam::*:role/x`) is not provably the stack's:
        False, since it may be anyone's.
        """
        if account is None:
            return False
        if account in self.known:
            return True
        return None if self.pending or not self.known else False

    def undecided_paths(self) -> list[str]:
        """What must become known to decide: the pending role references, or what names none."""
        if self.pending:
            return list(self.pending)
        return [
            "the stack's own account (no pipeline roleArn or CodeBuild project serviceRole names "
            "a known role ARN)"
        ]

    def shown(self) -> str:
        return ", ".join(sorted(self.known)) or "none known"


def stack_accounts(resources: Iterable[PolicyResource]) -> StackAccounts:
    """The stack's own accounts, from its pipelines' `roleArn` and projects' `serviceRole`."""
    known: set[str] = set()
    pending: list[str] = []
    for resource in resources:
        key = ROLE_PROPERTIES.get(resource.resource_type)
        if key is None:
            continue
        try:  # read the one property, not a plain copy of the whole (large) pipeline
            role: Any = plain(resource.props.get(key))
        except UnknownValueError:
            pending.append(f"{resource.name}.{key}")
            continue
        if is_unknown(role):
            pending.append(f"{resource.name}.{key}")
            continue
        match = ROLE_ARN_RE.match(role) if isinstance(role, str) else None
        if match:
            known.add(match.group("account"))
    return StackAccounts(frozenset(known), tuple(pending))
