"""`kms-signing-key-restricted`: only the stack's signing step can sign a release, with one algorithm.

A release signature proves something only if the key that made it can be used by nothing but the
signing step. So every KMS key meant to sign is judged:

- it is a signing key: `keyUsage` SIGN_VERIFY with an asymmetric signing spec (`RSA_*`, `ECC_*`,
  `ML_DSA_*`, `SM2`) under `customerMasterKeySpec` or `keySpec`;
- every principal that an Allow of its policy grants `kms:Sign` to (through `kms:Sign` itself, a
  wildcard such as `kms:Sig*` or `kms:*`, or a NotAction) is an exact IAM role ARN
  (`arn:aws:iam::<account>:role/<name>`): not `*`, not a pattern, not the account root or an account
  id (which delegates to every IAM policy of the account), not a user, not a service. The exception
  is a fence: a Deny of `kms:Sign` to Principal `*` whose only condition is `ArnNotEquals` or
  `StringNotEquals` on `aws:PrincipalArn` listing exact role ARNs refuses signing to every other
  principal, whatever IAM says (`aws:PrincipalArn` is the role's ARN for its sessions), so with it the
  account root's `kms:*` (which keeps the key manageable) is acceptable;
- the signing algorithm is pinned: a Deny of `kms:Sign` to `*` whose only condition is
  `StringNotEquals` on `kms:SigningAlgorithm`, or a `StringEquals` condition on it in every Allow
  that grants `kms:Sign`;
- each role allowed to sign (the fence's roles, else the exact roles granted `kms:Sign`) is the
  `serviceRole` of a CodeBuild project of the stack whose stack-owned buildspec runs
  `python -m release_steps.sign`, and is neither the service role of any other project nor the
  `roleArn` of a pipeline or pipeline action: the build cannot sign, the signer cannot deploy.

Which keys are meant to sign: those with `keyUsage` SIGN_VERIFY, and those whose policy aims an Allow
at `kms:Sign` (an action pattern that matches `kms:Sign` but not `kms:Encrypt`, such as `kms:Sign` or
`kms:Sig*`); the latter, when not SIGN_VERIFY, are refused for their usage. KMS performs `Sign` only
with a SIGN_VERIFY key (KMS API reference, `Sign`), so the account root's `kms:*` on an encryption
key (every key policy has one) grants no signing and does not make it a signing key.

A grant bypasses the key policy's list of signers, so an `aws:kms/grant:Grant` whose `operations`
include `Sign` is refused, whichever key it names. A key without a `policy` gets KMS's default key
policy (the account root `kms:*`, no fence, no pinned algorithm). A stack policy, because the signer
roles are judged against the projects and pipelines of the stack. Documents are read with
`support/iam/policy_model.py`; any part not known at preview leaves that key undecided.
"""

import re
from dataclasses import dataclass
from typing import Any

from pulumi_policy import (
    PolicyResource,
    ReportViolation,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError

from cicd_guardrails.support.buildspecs import SIGNING_MODULES, BuildProject, build_projects
from cicd_guardrails.support.iam.policy_model import (
    ALLOW,
    DENY,
    WILDCARD,
    PolicyDocument,
    PolicyDocumentError,
    Statement,
    action_pattern_matches,
    parse_policy_document,
)
from cicd_guardrails.support.metadata import policy_fields
from cicd_guardrails.support.native_twins import NATIVE_KMS_KEY, twin_of
from cicd_guardrails.support.pipeline_actions import PIPELINE
from cicd_guardrails.support.wire import as_list, block, fail_undecided, is_unknown, plain, shown

NAME = "kms-signing-key-restricted"
SIGNING_STEPS = " or ".join(f"`python3 -m {module}`" for module in SIGNING_MODULES)
KMS_KEY = "aws:kms/key:Key"
# An aws-native key (keyPolicy as an object) is read as its `aws` twin.
KEY_TYPES = frozenset({KMS_KEY, NATIVE_KMS_KEY})
KMS_GRANT = "aws:kms/grant:Grant"
SIGN = "kms:Sign"
ENCRYPT = "kms:Encrypt"
SIGN_OPERATION = "Sign"
SIGN_VERIFY = "SIGN_VERIFY"
DEFAULT_USAGE = "ENCRYPT_DECRYPT"
DEFAULT_SPEC = "SYMMETRIC_DEFAULT"
SPEC_KEYS = ("customerMasterKeySpec", "keySpec")
SIGNING_SPEC_PREFIXES = ("RSA_", "ECC_", "ML_DSA_", "SM2")
PRINCIPAL_ARN = "aws:PrincipalArn"
SIGNING_ALGORITHM = "kms:SigningAlgorithm"
FENCE_OPERATORS = ("ArnNotEquals", "StringNotEquals")
PIN_ALLOW_OPERATOR = "StringEquals"
PIN_DENY_OPERATOR = "StringNotEquals"
AWS_PRINCIPAL = "AWS"
ROLE_ARN_RE = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[A-Za-z0-9_+=,.@/-]+$")
ACCOUNT_ID_RE = re.compile(r"^\d{12}$")

SIGNER_FIX = (
    "grant kms:Sign only to the signer role ARNs (arn:aws:iam::<account>:role/<name>), or add a "
    'Deny of kms:Sign to Principal "*" whose only condition is {"ArnNotEquals": '
    '{"aws:PrincipalArn": [<signer role ARNs>]}}'
)
PIN_FIX = (
    'add a Deny of kms:Sign to Principal "*" whose only condition is {"StringNotEquals": '
    '{"kms:SigningAlgorithm": "ECDSA_SHA_256"}} (or condition every Allow of kms:Sign on '
    '{"StringEquals": {"kms:SigningAlgorithm": ...}})'
)
SPEC_FIX = (
    "declare the signing key with keyUsage SIGN_VERIFY and an asymmetric signing spec "
    "(customerMasterKeySpec or keySpec ECC_NIST_P256; RSA_*, ECC_*, ML_DSA_* and SM2 also sign)"
)


@dataclass(frozen=True)
class StackRoles:
    """Who in the stack holds which role: build projects, pipelines and their actions."""

    projects: list[BuildProject]
    pipelines: list[tuple[PolicyResource, list[tuple[str, Any]]]]  # (pipeline, [(path, role)])


def validate_signing_keys(args: StackValidationArgs, report: ReportViolation) -> None:
    roles = StackRoles(build_projects(args.resources), _pipeline_roles(args.resources))
    undecided: list[str] = []
    for resource in args.resources:
        if resource.resource_type in KEY_TYPES:
            _judge_key(resource, roles, report, undecided)
        elif resource.resource_type == KMS_GRANT:
            _judge_grant(resource, report, undecided)
    if undecided:
        fail_undecided(NAME, list(dict.fromkeys(undecided)))


def _judge_key(
    key: PolicyResource, roles: StackRoles, report: ReportViolation, undecided: list[str]
) -> None:
    props = twin_of(key.resource_type, plain(key.props)).props
    label = f"KMS key '{key.name}'"
    usage = props.get("keyUsage")
    signs = None if is_unknown(usage) else str(usage or DEFAULT_USAGE).upper() == SIGN_VERIFY
    raw_policy = props.get("policy")
    try:
        document = None if raw_policy is None else parse_policy_document(raw_policy)
    except UnknownValueError:
        # Even an encryption key's policy, not known yet, may aim kms:Sign at someone.
        undecided.append(f"{key.name}.policy")
        if signs:
            _judge_spec(label, key, props, [], report, undecided)
        return
    except PolicyDocumentError as error:
        if signs is not False:
            report(
                f"{label}: policy {error}; fix the document so that KMS (and this policy) can read it",
                key.urn,
            )
        return
    aimed = [s for s in (document.statements if document else ()) if _aims_at_signing(s)]
    if signs is None:
        undecided.append(f"{key.name}.keyUsage")
    if not signs and not aimed:
        return  # an encryption or MAC key (KMS signs with SIGN_VERIFY keys only), or undecided
    _judge_spec(label, key, props, aimed, report, undecided)
    if document is None:
        report(
            f"{label}: has no policy, so KMS's default key policy applies: the account root gets "
            "kms:*, so any principal of the account whose IAM policy allows kms:Sign can sign, "
            f"with any algorithm; give it a policy: {SIGNER_FIX}; and {PIN_FIX}",
            key.urn,
        )
        return
    signers = _judge_principals(label, key, document, report)
    _judge_algorithm(label, key, document, report)
    for role in sorted(signers):
        _judge_signer_role(label, key, role, roles, report, undecided)


def _aims_at_signing(statement: Statement) -> bool:
    """An Allow that names kms:Sign itself or a pattern aimed at it, not a service-wide wildcard."""
    return (
        statement.effect == ALLOW
        and not statement.not_action
        and any(
            action_pattern_matches(p, SIGN) and not action_pattern_matches(p, ENCRYPT)
            for p in statement.action_patterns
        )
    )


def _judge_spec(
    label: str,
    key: PolicyResource,
    props: dict[str, Any],
    aimed: list[Statement],
    report: ReportViolation,
    undecided: list[str],
) -> None:
    usage = props.get("keyUsage")
    specs = {k: props.get(k) for k in SPEC_KEYS if props.get(k) is not None}
    unknown = [k for k, v in specs.items() if is_unknown(v)]
    if unknown:
        undecided.extend(f"{key.name}.{k}" for k in unknown)
    why = f" but its policy grants kms:Sign ({aimed[0].label})" if aimed else ""
    if not is_unknown(usage) and str(usage or DEFAULT_USAGE).upper() != SIGN_VERIFY:
        report(
            f"{label}: keyUsage is {shown(usage)}{' (ENCRYPT_DECRYPT)' if usage is None else ''}"
            f"{why}, and KMS signs only with SIGN_VERIFY keys; {SPEC_FIX}",
            key.urn,
        )
        return
    known = {k: str(v) for k, v in specs.items() if not is_unknown(v)}
    if not specs:
        report(
            f"{label}: neither {' nor '.join(SPEC_KEYS)} is set, so the key spec is "
            f"{DEFAULT_SPEC}, which cannot sign; {SPEC_FIX}",
            key.urn,
        )
        return
    for spec_key, spec in known.items():
        if not spec.upper().startswith(SIGNING_SPEC_PREFIXES):
            report(
                f"{label}: {spec_key} is {spec!r}, not an asymmetric signing key spec; {SPEC_FIX}",
                key.urn,
            )


def _judge_principals(
    label: str, key: PolicyResource, document: PolicyDocument, report: ReportViolation
) -> set[str]:
    """Report signing grants to anything but exact roles (unless fenced); return who may sign."""
    fence = _signer_fence(document)
    exact: set[str] = set()
    for statement in document.statements:
        if statement.effect != ALLOW or not statement.applies_to_action(SIGN):
            continue
        grant = statement.describe_action_grant(SIGN)
        if statement.not_principal:
            reasons = ["every principal but those its NotPrincipal names"]
        else:
            reasons = []
            for kind, value in statement.principals:
                reason = _principal_problem(kind, value)
                if reason:
                    reasons.append(reason)
                else:
                    exact.add(value)
        if reasons and fence is None:
            report(
                f"{label}: policy {statement.label} grants kms:Sign (through {grant}) to "
                f'{"; and to ".join(reasons)}, and no Deny of kms:Sign to Principal "*" on '
                f"{PRINCIPAL_ARN} limits signing to named roles; {SIGNER_FIX}",
                key.urn,
            )
    return set(fence) if fence is not None else exact


def _principal_problem(kind: str, value: str) -> str:
    """Why a principal is not one exact IAM role (empty when it is)."""
    if kind == WILDCARD or value == WILDCARD:
        return 'every principal ("*")'
    if kind.upper() != AWS_PRINCIPAL:
        return f"the {kind} principal {value!r}"
    if ROLE_ARN_RE.match(value):
        return ""
    if "*" in value or "?" in value or "${" in value:
        return f"{value!r}, a pattern rather than one role"
    if ACCOUNT_ID_RE.match(value) or value.endswith(":root"):
        return (
            f"the account root {value!r}, i.e. any principal of that account whose IAM policy "
            "allows kms:Sign"
        )
    if ":user/" in value:
        return f"the IAM user {value!r}"
    return f"{value!r}, which is not an IAM role ARN"


def _signer_fence(document: PolicyDocument) -> frozenset[str] | None:
    """The roles a Deny of kms:Sign to everyone else leaves able to sign; None without one.

    Several fences leave only the roles every one of them lists.
    """
    fences = []
    for statement in document.statements:
        condition = _sole_condition_of_deny_to_all(statement)
        if (
            condition is not None
            and condition.operator in FENCE_OPERATORS
            and condition.key_is(PRINCIPAL_ARN)
            and condition.values
            and all(isinstance(v, str) and ROLE_ARN_RE.match(v) for v in condition.values)
        ):
            fences.append(frozenset(str(v) for v in condition.values))
    return frozenset.intersection(*fences) if fences else None


def _sole_condition_of_deny_to_all(statement: Statement) -> Any:
    """The one condition of a Deny of kms:Sign to Principal "*" on this key, else None."""
    to_everyone = not statement.not_principal and any(
        kind == WILDCARD or (kind.upper() == AWS_PRINCIPAL and value == WILDCARD)
        for kind, value in statement.principals
    )
    on_this_key = not statement.not_resource and WILDCARD in statement.resource_patterns
    if (
        statement.effect == DENY
        and statement.applies_to_action(SIGN)
        and to_everyone
        and on_this_key
        and len(statement.conditions) == 1
    ):
        return statement.conditions[0]
    return None


def _judge_algorithm(
    label: str, key: PolicyResource, document: PolicyDocument, report: ReportViolation
) -> None:
    for statement in document.statements:
        condition = _sole_condition_of_deny_to_all(statement)
        if (
            condition is not None
            and condition.operator == PIN_DENY_OPERATOR
            and condition.key_is(SIGNING_ALGORITHM)
            and condition.values
        ):
            return
    unpinned = [
        s
        for s in document.statements
        if s.effect == ALLOW
        and s.applies_to_action(SIGN)
        and not any(
            c.operator == PIN_ALLOW_OPERATOR and c.key_is(SIGNING_ALGORITHM) and c.values
            for c in s.conditions
        )
    ]
    if unpinned:
        report(
            f"{label}: policy {', '.join(s.label for s in unpinned)} allow"
            f"{'s' if len(unpinned) == 1 else ''} kms:Sign without a StringEquals condition on "
            f"{SIGNING_ALGORITHM}, and no Deny pins the algorithm, so a signer may choose a weaker "
            f"one; {PIN_FIX}",
            key.urn,
        )


def _judge_signer_role(
    label: str,
    key: PolicyResource,
    role: str,
    roles: StackRoles,
    report: ReportViolation,
    undecided: list[str],
) -> None:
    holding = [p for p in roles.projects if p.service_role == role]
    unknown_role = [p for p in roles.projects if is_unknown(p.service_role)]
    signing = [p for p in holding if _signs(p)]
    others = [p for p in holding if _signs(p) is False]
    unknown_step = [p for p in holding if _signs(p) is None]
    # A project whose role or buildspec is not known yet may be another project holding the role,
    # or the signing step that holds it.
    maybe_other = unknown_step + [p for p in unknown_role if _signs(p) is not True]
    maybe_signing = unknown_step + [p for p in unknown_role if _signs(p) is not False]
    for project in others:
        report(
            f"{label}: signer role {role!r} is also the serviceRole of build project "
            f"'{project.resource.name}', whose buildspec does not run {SIGNING_STEPS} "
            "(the build cannot sign); give the signing step a role of its own and let no other "
            "project use it",
            key.urn,
        )
    for pipeline, held in roles.pipelines:
        for path, arn in held:
            if is_unknown(arn):
                undecided.append(f"{pipeline.name}.{path}")
            elif arn == role:
                report(
                    f"{label}: signer role {role!r} is also the {path} of pipeline "
                    f"'{pipeline.name}' (the signer cannot deploy); give the pipeline and its "
                    "actions roles that cannot sign",
                    key.urn,
                )
    undecided.extend(f"{p.resource.name}.serviceRole or source.buildspec" for p in maybe_other)
    if signing:
        return
    if maybe_signing:
        undecided.extend(
            f"{p.resource.name}.serviceRole or source.buildspec" for p in maybe_signing
        )
        return
    report(
        f"{label}: signer role {role!r} is not the serviceRole of any CodeBuild project of the "
        f"stack whose stack-owned (inline) buildspec runs {SIGNING_STEPS}; let only "
        "the signing step's role sign",
        key.urn,
    )


def _signs(project: BuildProject) -> bool | None:
    """Whether the project is a signing step: True, False, or None while its buildspec is unknown."""
    verdicts = [project.runs(module) for module in SIGNING_MODULES]
    if any(verdict is True for verdict in verdicts):
        return True
    return False if all(verdict is False for verdict in verdicts) else None


def _pipeline_roles(resources: list[PolicyResource]) -> list[tuple[PolicyResource, list]]:
    """Each pipeline's `roleArn` and its actions' `roleArn`, with their property paths."""
    found = []
    for pipeline in (r for r in resources if r.resource_type == PIPELINE):
        props = plain(pipeline.props)
        held: list[tuple[str, Any]] = [("roleArn", props.get("roleArn"))]
        stages = props.get("stages")
        for s, stage in enumerate(as_list(stages) if not is_unknown(stages) else []):
            actions = stage if is_unknown(stage) else block(stage).get("actions")
            for a, action in enumerate(as_list(actions) if not is_unknown(actions) else []):
                role = action if is_unknown(action) else block(action).get("roleArn")
                held.append((f"stages[{s}].actions[{a}].roleArn", role))
        found.append((pipeline, [(path, role) for path, role in held if role is not None]))
    return found


def _judge_grant(grant: PolicyResource, report: ReportViolation, undecided: list[str]) -> None:
    props = plain(grant.props)
    operations = props.get("operations")
    if is_unknown(operations):
        undecided.append(f"{grant.name}.operations")
        return
    listed = as_list(operations)
    if SIGN_OPERATION in listed:
        grantee = props.get("granteePrincipal")
        report(
            f"KMS grant '{grant.name}': operations include {SIGN_OPERATION}, which gives "
            f"{shown(grantee) if not is_unknown(grantee) else 'its grantee'} kms:Sign outside "
            "the key policy's list of signers; remove Sign from operations and let only the "
            "signer roles sign, through the key policy",
            grant.urn,
        )
    elif any(is_unknown(op) for op in listed):
        undecided.append(f"{grant.name}.operations")


KMS_SIGNING_KEY_RESTRICTED = StackValidationPolicy(
    **policy_fields(NAME),
    validate=validate_signing_keys,
)

POLICIES = [KMS_SIGNING_KEY_RESTRICTED]
