"""`resource-policy-cross-account-exact-principals`: another account gets in only as named roles.

Promotion makes stacks grant each other access across accounts: an upstream's artifact bucket, artifact
key, signing key and image repositories let the downstream's roles read, decrypt through S3, verify
and pull. An account root (`arn:aws:iam::X:root`, or the bare id `X`) in such a grant delegates to
every IAM policy of account X, `*` to anyone (a condition narrows it, but names no one), and IAM takes
no wildcard inside a principal ARN; so every **Allow** of these resource policies whose AWS principal
belongs to another account than the stack's own names exact IAM role (or user) ARNs:

- KMS key policies (`aws:kms/key:Key` `policy`, `aws:kms/keyPolicy:KeyPolicy`);
- S3 bucket policies (`aws:s3/bucketPolicy:BucketPolicy`);
- ECR repository policies (`aws:ecr/repositoryPolicy:RepositoryPolicy`);
- EventBridge bus policies (`aws:cloudwatch/eventBusPolicy:EventBusPolicy`).

Refused: `*` and `{"AWS": "*"}` unless a `StringEquals` on `aws:PrincipalAccount` or
`kms:CallerAccount` (no `IfExists`) admits only the stack's own accounts (then it is the stack's own
principals, as in AWS's default key policies), an Allow with NotPrincipal, another
account's root, a principal ARN with a wildcard or policy variable (or a wildcard account), a
CanonicalUser, anything else that is not a role or user ARN of that account. Accepted: any principal
of the stack's own account (its root with `kms:*` keeps a key manageable; the repository's
`AccountPullsThroughIam`), service principals, every Deny (the bucket's TLS deny, the signing key's
fence), and one exception: in an **event bus** policy, another account's root whose statement pins
`aws:PrincipalArn` to exact role ARNs (`ArnEquals` or `StringEquals`, no `IfExists`). A role named as
principal must exist when the policy is saved, and the upstream's forwarder role may not exist yet;
the pin admits that role (and only it) as exactly, whichever stack is created first.

The stack's own accounts come from the role ARNs its pipelines and projects run with
(`support/iam/accounts.py`); a principal whose account cannot be told from them yet is reported as
undecided, never passed. A stack policy, for that reason. Documents are read with
`support/iam/policy_model.py`; a document not known at preview leaves that resource undecided.
"""

from pulumi_policy import ReportViolation, StackValidationArgs, StackValidationPolicy

from cicd_guardrails.support.iam.accounts import (
    ROLE_ARN_RE,
    Principal,
    PrincipalKind,
    classify_principal,
)
from cicd_guardrails.support.iam.allow_statements import Judging, judge_allow_statements
from cicd_guardrails.support.iam.policy_model import Statement
from cicd_guardrails.support.iam.resource_policies import (
    EVENT_BUS_POLICY,
    ResourcePolicy,
)
from cicd_guardrails.support.key_principals import condition_accounts
from cicd_guardrails.support.metadata import policy_fields

NAME = "resource-policy-cross-account-exact-principals"
PRINCIPAL_ARN = "aws:PrincipalArn"
PIN_OPERATORS = ("ArnEquals", "StringEquals")
FIX = (
    "name the downstream role ARNs (arn:aws:iam::<account>:role/<name>), derived from names, "
    "never an account root or *"
)
BUS_HINT = (
    " (an event bus policy may name another account's root only with a Condition "
    '{"ArnEquals": {"aws:PrincipalArn": [<the exact role ARNs of that account>]}})'
)


def validate_cross_account_principals(args: StackValidationArgs, report: ReportViolation) -> None:
    judge_allow_statements(
        NAME,
        args,
        report,
        _judge_statement,
        "fix the document so that AWS (and this policy) can read who it lets in",
    )


def _judge_statement(policy: ResourcePolicy, statement: Statement, judging: Judging) -> None:
    head = f"{policy.label}: policy {statement.label}"
    if statement.not_principal:
        named = ", ".join(value for _, value in statement.principals) or "no one"
        judging.report(
            f"{head} allows every principal but those its NotPrincipal names ({named}), i.e. "
            f"every other account; {FIX}",
            policy.resource.urn,
        )
        return
    for principal_type, value in statement.principals:
        principal = classify_principal(principal_type, value)
        if principal is None or principal.exact:
            continue  # a service principal, or an exact role or user ARN of any account
        if principal.kind is PrincipalKind.EVERYONE:
            if _only_own_accounts(policy, statement, judging):
                continue
            narrowed = (
                ", a Condition narrowing who but naming no one" if statement.conditions else ""
            )
            judging.report(
                f"{head} allows {principal.described()}{narrowed}; {FIX}", policy.resource.urn
            )
            continue
        own = judging.accounts.owns(principal.account)
        if own:
            continue
        if own is None:
            reasons = "; ".join(judging.accounts.undecided_paths())
            judging.undecided.append(
                f"{policy.path} {statement.label} ({principal.value!r}: whether account "
                f"{principal.account} is the stack's own: {reasons})"
            )
            continue
        if _bus_exception(policy, statement, principal):
            continue
        hint = (
            BUS_HINT
            if policy.resource.resource_type == EVENT_BUS_POLICY
            and principal.kind is PrincipalKind.ACCOUNT_ROOT
            else ""
        )
        judging.report(
            f"{head} lets another account in through {principal.described()}, not an exact role "
            f"ARN (the stack's own account: {judging.accounts.shown()}){hint}; {FIX}",
            policy.resource.urn,
        )


def _only_own_accounts(policy: ResourcePolicy, statement: Statement, judging: Judging) -> bool:
    """`*` narrowed by a caller-account condition to the stack's own accounts lets in no other
    account: IAM's StringEquals on aws:PrincipalAccount (any service) or kms:CallerAccount (KMS; a
    request to another service has no such key, so the statement never applies) admits only
    callers of the listed accounts (IAM condition keys reference, "aws:PrincipalAccount"; AWS KMS
    condition keys, "kms:CallerAccount"). An account not yet known to be ours is undecided."""
    admitted = condition_accounts(statement)
    if not admitted:
        return False
    owned = [judging.accounts.owns(account) for account in sorted(admitted)]
    if all(owned):
        return True
    if any(own is None for own in owned) and not any(own is False for own in owned):
        reasons = "; ".join(judging.accounts.undecided_paths())
        judging.undecided.append(
            f"{policy.path} {statement.label} (whether the accounts its caller-account condition "
            f"admits are the stack's own: {reasons})"
        )
        return True
    return False


def _bus_exception(policy: ResourcePolicy, statement: Statement, principal: Principal) -> bool:
    """Another account's root on an event bus, pinned by aws:PrincipalArn to exact role ARNs."""
    if policy.resource.resource_type != EVENT_BUS_POLICY:
        return False
    if principal.kind is not PrincipalKind.ACCOUNT_ROOT:
        return False
    return any(
        condition.operator in PIN_OPERATORS
        and condition.key_is(PRINCIPAL_ARN)
        and condition.values
        and all(isinstance(v, str) and ROLE_ARN_RE.match(v) for v in condition.values)
        for condition in statement.conditions
    )


RESOURCE_POLICY_CROSS_ACCOUNT_EXACT_PRINCIPALS = StackValidationPolicy(
    **policy_fields(NAME),
    validate=validate_cross_account_principals,
)

POLICIES = [RESOURCE_POLICY_CROSS_ACCOUNT_EXACT_PRINCIPALS]
