"""Who a KMS key lets decrypt: the accounts a key policy statement or a grant reaches.

A customer-managed key protects the artifacts only while the principals that can decrypt under it are
the stack's own and those of its promotion chain (the accounts of `promoteFromAccountId` and
`promoteTo[].accountId`, which `tools/generate_config_files.py` copies into the policy config as
`kms-key-cross-account-limited.promotionAccounts`). A statement or grant that lets anyone else
decrypt, re-encrypt, generate data keys or create grants (a grant can hand on those rights) defeats the
encryption, whatever else guards the artifacts.

- `"*"` (`{"AWS": "*"}`) lets every principal of every account in, unless the statement is limited by
  a `StringEquals` on `kms:CallerAccount` or `aws:PrincipalAccount` (IfExists, negated or
  wildcard operators do not limit it): then it reaches exactly the accounts named there. AWS: "do not
  set the Principal to an asterisk (*) in any key policy statement that allows permissions unless you
  use conditions to limit the key policy"
  (https://docs.aws.amazon.com/kms/latest/developerguide/determining-access-key-policy.html);
  kms:CallerAccount is "the AWS account of the caller"
  (https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-caller-account).
  `kms:ViaService` alone limits the service, not the caller, so it does not narrow `"*"`.
- An Allow with `NotPrincipal` reaches every principal but those named.
- A grant (`aws:kms/grant:Grant`) reaches its `granteePrincipal`'s account; its `operations` are KMS
  operation names without the `kms:` prefix (https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateGrant.html).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pulumi_policy import PolicyResource

from cicd_guardrails.support.iam.accounts import (
    ACCOUNT_ID_RE,
    ACCOUNT_OF_ARN_RE,
    PrincipalKind,
    StackAccounts,
    classify_principal,
)
from cicd_guardrails.support.iam.policy_model import Statement
from cicd_guardrails.support.wire import is_unknown, plain

KMS_GRANT = "aws:kms/grant:Grant"
# Every KMS action that decrypts, or hands out a way to: kms:ReEncryptFrom decrypts under this key,
# kms:GenerateDataKey* returns a data key's plaintext, kms:CreateGrant gives any of them to another
# principal (https://docs.aws.amazon.com/kms/latest/developerguide/kms-api-permissions-reference.html).
DECRYPT_ACTIONS = (
    "kms:Decrypt",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:GenerateDataKeyPair",
    "kms:GenerateDataKeyPairWithoutPlaintext",
    "kms:CreateGrant",
)
DECRYPT_OPERATIONS = tuple(action.removeprefix("kms:") for action in DECRYPT_ACTIONS)
ACCOUNT_CONDITION_KEYS = ("kms:CallerAccount", "aws:PrincipalAccount")
ACCOUNT_OPERATOR = "StringEquals"


@dataclass
class Reach:
    """The accounts a statement or grant lets decrypt, split by what the stack makes of them."""

    outside: list[str] = field(default_factory=list)
    """Who is neither the stack's own nor in its promotion chain (as a message names them)."""
    chain: list[str] = field(default_factory=list)
    """Principals of a promotion-chain account (another account the stack may serve)."""
    maybe: list[str] = field(default_factory=list)
    """Principals outside the chain whose account cannot be told from the stack's own yet."""
    chain_maybe: list[str] = field(default_factory=list)
    """Principals of a chain account that may also be the stack's own (not known yet)."""


def decrypt_actions(statement: Statement) -> list[str]:
    """The decrypting actions an Allow statement reaches (through patterns or a NotAction)."""
    return [action for action in DECRYPT_ACTIONS if statement.applies_to_action(action)]


def statement_reach(statement: Statement, accounts: StackAccounts, chain: frozenset[str]) -> Reach:
    """Which accounts the statement's principals belong to, `"*"` narrowed by an account condition."""
    reach = Reach()
    limited = condition_accounts(statement)
    if statement.not_principal:
        if limited is None:
            reach.outside.append("every principal but those its NotPrincipal names")
            return reach
        _sort_accounts(limited, accounts, chain, reach)
        return reach
    for principal_type, value in statement.principals:
        principal = classify_principal(principal_type, value)
        if principal is None:
            continue
        if principal.kind is PrincipalKind.EVERYONE:
            if limited is None:
                reach.outside.append('"*"')
            else:
                _sort_accounts(limited, accounts, chain, reach)
            continue
        account = principal.account
        if limited is not None and account is not None and account not in limited:
            continue  # the condition admits no principal of that account
        _sort_one(account, repr(value), accounts, chain, reach)
    return reach


def condition_accounts(statement: Statement) -> frozenset[str] | None:
    """The accounts a caller-account condition admits; None when no such condition limits it."""
    admitted: frozenset[str] | None = None
    for condition in statement.conditions:
        if condition.operator != ACCOUNT_OPERATOR:
            continue
        if not any(condition.key_is(key) for key in ACCOUNT_CONDITION_KEYS):
            continue
        values = frozenset(v for v in condition.values if isinstance(v, str))
        if not values or len(values) != len(condition.values):
            continue
        # Two such conditions are ANDed: the caller must be in both sets.
        admitted = values if admitted is None else admitted & values
    return admitted


def _sort_accounts(
    admitted: Iterable[str], accounts: StackAccounts, chain: frozenset[str], reach: Reach
) -> None:
    for account in sorted(admitted):
        shown = f"any principal of account {account!r}"
        _sort_one(account if ACCOUNT_ID_RE.match(account) else None, shown, accounts, chain, reach)


def _sort_one(
    account: str | None, shown: str, accounts: StackAccounts, chain: frozenset[str], reach: Reach
) -> None:
    own = accounts.owns(account)
    if own:
        return
    if account is not None and account in chain:
        # A chain account may still turn out to be the stack's own: judged as such until known.
        (reach.chain if own is False else reach.chain_maybe).append(shown)
    elif own is None:
        reach.maybe.append(shown)
    else:
        reach.outside.append(shown)


@dataclass(frozen=True)
class GrantView:
    """One `aws:kms/grant:Grant` as the pack reads it; unknown parts listed in `undecided`."""

    resource: PolicyResource
    grantee: Any
    operations: tuple[str, ...]
    undecided: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"KMS grant '{self.resource.name}'"


def grants(resources: Iterable[PolicyResource]) -> list[GrantView]:
    """Every KMS grant of the stack."""
    views = []
    for resource in resources:
        if resource.resource_type != KMS_GRANT:
            continue
        props = plain(resource.props)
        undecided = []
        grantee = props.get("granteePrincipal")
        if is_unknown(grantee):
            undecided.append(f"{resource.name}.granteePrincipal")
        raw_operations = props.get("operations")
        operations: tuple[str, ...] = ()
        if is_unknown(raw_operations) or (
            isinstance(raw_operations, list) and any(is_unknown(o) for o in raw_operations)
        ):
            undecided.append(f"{resource.name}.operations")
        elif isinstance(raw_operations, list):
            operations = tuple(str(o) for o in raw_operations)
        views.append(GrantView(resource, grantee, operations, tuple(undecided)))
    return views


def grant_decrypt_operations(grant: GrantView) -> list[str]:
    """The decrypting operations of a grant (case-insensitively, as KMS names them)."""
    wanted = {op.lower(): op for op in DECRYPT_OPERATIONS}
    return [wanted[op.lower()] for op in grant.operations if op.lower() in wanted]


def grantee_account(grantee: Any) -> str | None:
    """The account of a grantee principal ARN (or bare account id); None when it names none."""
    if not isinstance(grantee, str):
        return None
    if ACCOUNT_ID_RE.match(grantee):
        return grantee
    match = ACCOUNT_OF_ARN_RE.match(grantee)
    return match.group("account") if match else None
