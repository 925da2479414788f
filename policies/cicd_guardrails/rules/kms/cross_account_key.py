"""`kms-key-cross-account-limited`: another account may only decrypt through S3, or only verify.

An upstream stack lets its downstreams read what it published: their pipeline roles read the objects
from the artifact bucket, which S3 decrypts with the artifact key on their behalf, and their verifier
roles check the release signatures with the signing key. That is all another account needs, so in a
key policy (`aws:kms/key:Key` `policy`, `aws:kms/keyPolicy:KeyPolicy`) an Allow whose principals
include another account's (any AWS principal outside the stack's own accounts, `*`, or an Allow with
NotPrincipal) may grant:

- on an encryption key (`keyUsage` ENCRYPT_DECRYPT, the default): `kms:Decrypt` and nothing else (no
  wildcard, no NotAction), and only under a `kms:ViaService` condition (`StringEquals` or
  `StringLike`, not `...IfExists`, which also matches direct calls) whose every value is
  `s3.<region>.amazonaws.com`, so the grant decrypts objects read through S3 and no ciphertext handed
  to KMS directly, and never encrypts, re-encrypts, generates data keys or creates grants;
- on a signing key (SIGN_VERIFY): `kms:Verify`, `kms:GetPublicKey` and `kms:DescribeKey`, never
  `kms:Sign`;
- on a key of any other usage (HMAC, key agreement): nothing.

Who is another account is `resource-policy-cross-account-exact-principals`'s reading
(`support/iam/accounts.py`): the stack's own accounts are those of its pipelines' and projects' roles;
a principal whose account cannot be told yet makes the statement undecided if it grants more than the
above, never passed. A `KeyPolicy` takes its key's usage from the `aws:kms/key:Key` its `keyId` was
computed from (the engine's property dependencies); not found, or not known, is undecided. A stack
policy; documents are read with `support/iam/policy_model.py`.
"""

import re
from typing import Any

from pulumi_policy import (
    PolicyConfigSchema,
    ReportViolation,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError

from cicd_guardrails.support.iam.accounts import stack_accounts
from cicd_guardrails.support.iam.allow_statements import Judging, judge_allow_statements
from cicd_guardrails.support.iam.policy_model import Statement
from cicd_guardrails.support.iam.resource_policies import (
    KEY_POLICY_TYPES,
    KMS_KEY_TYPES,
    ResourcePolicy,
)
from cicd_guardrails.support.key_principals import (
    GrantView,
    decrypt_actions,
    grant_decrypt_operations,
    grantee_account,
    grants,
    statement_reach,
)
from cicd_guardrails.support.metadata import policy_fields
from cicd_guardrails.support.policy_config import PolicyConfigError, config_accounts
from cicd_guardrails.support.wire import fail_undecided, is_unknown, plain

NAME = "kms-key-cross-account-limited"
ENCRYPT_DECRYPT = "ENCRYPT_DECRYPT"
SIGN_VERIFY = "SIGN_VERIFY"
DECRYPT = "kms:Decrypt"
VERIFY_ACTIONS = ("kms:Verify", "kms:GetPublicKey", "kms:DescribeKey")
VIA_SERVICE = "kms:ViaService"
VIA_OPERATORS = ("StringEquals", "StringLike")
S3_ENDPOINT_RE = re.compile(r"^s3\.[a-z]{2}(?:-[a-z]+)+-\d+\.amazonaws\.com(?:\.cn)?$")
KEY_ID = "keyId"
DECRYPT_FIX = (
    'grant another account only kms:Decrypt, with {"StringEquals": {"kms:ViaService": '
    '"s3.<region>.amazonaws.com"}}, so it decrypts the published objects through S3 and nothing '
    "else"
)
VERIFY_FIX = "grant another account only kms:Verify, kms:GetPublicKey and kms:DescribeKey"
OTHER_FIX = "grant another account nothing on this key"
CHAIN = "promotionAccounts"
OUTSIDE_FIX = (
    "let only the stack's own roles and its promotion chain's roles (stack config "
    'promoteFromAccountId and promoteTo[].accountId) decrypt under the key; limit a "*" '
    'principal with {"StringEquals": {"kms:CallerAccount": "<the stack\'s account>"}}'
)
GRANT_FIX = (
    "grant decryption only to the stack's own roles, or kms:Decrypt alone to its promotion "
    "chain's roles (stack config promoteFromAccountId and promoteTo[].accountId)"
)


def validate_cross_account_keys(args: StackValidationArgs, report: ReportViolation) -> None:
    try:
        chain = config_accounts(NAME, args.get_config(), CHAIN)
    except PolicyConfigError as error:
        report(str(error))
        return
    undecided = _judge_grants(args, report, chain)
    try:
        judge_allow_statements(
            NAME,
            args,
            report,
            lambda policy, statement, judging: _judge_statement(policy, statement, judging, chain),
            "fix the document so that KMS (and this policy) can read what it grants other accounts",
            KEY_POLICY_TYPES,
        )
    except UnknownValueError as error:
        if not undecided:
            raise
        undecided.append(".".join(error.props))
    if undecided:
        fail_undecided(NAME, undecided)


def _judge_statement(
    policy: ResourcePolicy, statement: Statement, judging: Judging, chain: frozenset[str]
) -> None:
    reach = statement_reach(statement, judging.accounts, chain)
    where = f"{policy.path} {statement.label}"
    decrypting = decrypt_actions(statement)
    if decrypting and reach.outside:
        judging.report(
            f"{policy.label}: policy {statement.label} lets {', '.join(reach.outside)} decrypt "
            f"under this key ({', '.join(decrypting)}), outside the stack's own accounts "
            f"({judging.accounts.shown()}) and its promotion chain "
            f"({_chain_shown(chain)}); {OUTSIDE_FIX}",
            policy.resource.urn,
        )
        return
    if decrypting and reach.maybe:
        reasons = "; ".join(judging.accounts.undecided_paths())
        judging.undecided.append(
            f"{where} ({', '.join(reach.maybe)}: whether of the stack's own account: {reasons})"
        )
        return
    foreign = [*reach.outside, *reach.chain]
    maybe = [*reach.maybe, *reach.chain_maybe]
    if not foreign and not maybe:
        return
    usage = _key_usage(policy)
    if usage is None:
        judging.undecided.append(f"{where} (the key's keyUsage)")
        return
    problems = _problems(statement, usage)
    if not problems:
        return
    if not foreign:
        reasons = "; ".join(judging.accounts.undecided_paths())
        judging.undecided.append(
            f"{where} ({', '.join(maybe)}: whether of the stack's own account: {reasons})"
        )
        return
    fix = {ENCRYPT_DECRYPT: DECRYPT_FIX, SIGN_VERIFY: VERIFY_FIX}.get(usage, OTHER_FIX)
    judging.report(
        f"{policy.label}: policy {statement.label} grants another account "
        f"({', '.join(foreign)}) on this {usage} key {', '.join(problems)}; {fix}",
        policy.resource.urn,
    )


def _chain_shown(chain: frozenset[str]) -> str:
    listed = ", ".join(sorted(chain)) or "none"
    return f"policy config {NAME}.{CHAIN}: {listed}"


def _judge_grants(
    args: StackValidationArgs, report: ReportViolation, chain: frozenset[str]
) -> list[str]:
    """Report every grant that lets another account than the stack's and its chain's decrypt."""
    accounts = stack_accounts(args.resources)
    undecided: list[str] = []
    for grant in grants(args.resources):
        if grant.undecided:
            undecided.extend(grant.undecided)
            continue
        decrypting = grant_decrypt_operations(grant)
        if not decrypting:
            continue
        account = grantee_account(grant.grantee)
        own = accounts.owns(account)
        if own:
            continue
        if account is not None and account in chain:
            beyond = [op for op in decrypting if op != "Decrypt"]
            if beyond:
                report(
                    f"{grant.label}: grants {grant.grantee!r} of the promotion-chain account "
                    f"{account} {', '.join(beyond)}; another account may only decrypt; {GRANT_FIX}",
                    grant.resource.urn,
                )
            continue
        if own is None:
            reasons = "; ".join(accounts.undecided_paths())
            undecided.append(
                f"{grant.resource.name}.granteePrincipal (whether of the stack's own account: "
                f"{reasons})"
            )
            continue
        whose = f"account {account}" if account else "no account the pack can tell"
        report(
            f"{grant.label}: granteePrincipal {grant.grantee!r} ({whose}) may "
            f"{', '.join(decrypting)} under key {_shown_key(grant)}, outside the stack's own "
            f"accounts ({accounts.shown()}) and its promotion chain ({_chain_shown(chain)}); "
            f"{GRANT_FIX}",
            grant.resource.urn,
        )
    return undecided


def _shown_key(grant: GrantView) -> str:
    key = plain(grant.resource.props).get(KEY_ID)
    return "(not known yet)" if is_unknown(key) else repr(key)


def _problems(statement: Statement, usage: str) -> list[str]:
    """What the statement grants beyond what another account may have on a key of `usage`."""
    if usage == ENCRYPT_DECRYPT:
        allowed: tuple[str, ...] = (DECRYPT,)
    elif usage == SIGN_VERIFY:
        allowed = VERIFY_ACTIONS
    else:
        allowed = ()
    if statement.not_action:
        excluded = ", ".join(statement.action_patterns) or "nothing"
        problems = [f"every action but those its NotAction names ({excluded})"]
    else:
        wanted = {action.lower() for action in allowed}
        beyond = [a for a in statement.action_patterns if a.lower() not in wanted]
        problems = [f"the wildcard action {a!r}" if "*" in a or "?" in a else a for a in beyond]
    if usage == ENCRYPT_DECRYPT and not problems:
        via = _via_s3_problem(statement)
        if via:
            problems.append(via)
    return problems


def _via_s3_problem(statement: Statement) -> str:
    """Why the statement's kms:ViaService condition does not limit it to S3 (empty when it does)."""
    conditions = [c for c in statement.conditions if c.key_is(VIA_SERVICE)]
    if any(
        c.operator in VIA_OPERATORS
        and c.values
        and all(isinstance(v, str) and S3_ENDPOINT_RE.match(v) for v in c.values)
        for c in conditions
    ):
        return ""
    if not conditions:
        return (
            f"{DECRYPT} under no {VIA_SERVICE} condition, so it decrypts any ciphertext of this "
            "key handed to KMS directly"
        )
    shown = "; ".join(f"{c.operator} {list(c.values)}" for c in conditions)
    return (
        f"{DECRYPT} under a {VIA_SERVICE} condition ({shown}) that does not limit it to S3 "
        "(StringEquals or StringLike naming only s3.<region>.amazonaws.com)"
    )


def _key_usage(policy: ResourcePolicy) -> str | None:
    """The key's usage (upper case), None when it is not known or the key is not found."""
    if policy.resource.resource_type in KMS_KEY_TYPES:
        return _usage_of(policy.props)
    linked = [
        key
        for key in policy.resource.property_dependencies.get(KEY_ID, [])
        if key.resource_type in KMS_KEY_TYPES
    ]
    if len(linked) != 1:
        return None
    return _usage_of(plain(linked[0].props))


def _usage_of(props: dict[str, Any]) -> str | None:
    usage = props.get("keyUsage")
    if is_unknown(usage):
        return None
    return str(usage or ENCRYPT_DECRYPT).upper()


KMS_KEY_CROSS_ACCOUNT_LIMITED = StackValidationPolicy(
    **policy_fields(NAME),
    validate=validate_cross_account_keys,
    config_schema=PolicyConfigSchema(
        properties={
            CHAIN: {
                "type": "array",
                "items": {"type": "string", "pattern": "^[0-9]{12}$"},
                "uniqueItems": True,
                "default": [],
                "description": (
                    "The other AWS accounts of the stack's promotion chain (stack config "
                    "promoteFromAccountId and promoteTo[].accountId; copied from the stack file by "
                    "tools/generate_config_files.py): the only accounts besides the stack's own "
                    "whose principals a key policy or grant may let decrypt."
                ),
            }
        }
    ),
)

POLICIES = [KMS_KEY_CROSS_ACCOUNT_LIMITED]
