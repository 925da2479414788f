"""`execution-role-ip-restricted`: only callers inside the allowed CIDRs (or behind allowed VPC endpoints) may start a pipeline.

Judged wherever an identity policy can grant `codepipeline:StartPipelineExecution` (the sites
`support/iam/identity_sites.py` lists): pulumi-aws IAM documents and attachments, their aws-native
twins, and IAM Identity Center permission sets (inline policy, AWS-managed and customer-managed
attachments). A customer-managed policy of the stack is judged where it is declared, for each
principal the stack attaches it to (on its own when it attaches it to none), and at each attachment.

Each document is judged for the principal that holds it, as IAM evaluates it (`support/iam/
principals.py`): a Deny in another policy of the same role, or a permissions boundary that admits
the start only from the allowed networks, makes an Allow safe. A grant to a role that only exempt
services can assume (EventBridge rules and CodePipeline's invoke action by default; the
`exemptServicePrincipals` config) cannot carry the caller's IP and is exempt, but then whoever may
`iam:PassRole` that role and `events:PutTargets` is judged as if starting the pipeline
(`support/iam/pass_role.py`). Only pipelines a pattern can name count (`support/iam/pipeline_arns.py`).

Not judged, and said so: SCPs and resource control policies (outside the stack), a group's members'
own policies, session policies, and policies attached outside the stack. What depends on a value not
known at preview is reported after everything else through the SDK's "can't run policy during
preview" advisory, so one unknown document never hides another resource's violation; a role whose
trust policy is not known yet is judged like any other role, and says so.
"""

from collections.abc import Callable
from typing import NoReturn

from pulumi_policy import (
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError

from cicd_guardrails.support.iam.accounts import stack_accounts
from cicd_guardrails.support.iam.pass_role import (
    PASS_ROLE,
    PASSED_TO_SERVICE,
    PUT_TARGETS,
    holds_put_targets,
    role_arn_globs,
    unrestricted_pass_role,
)
from cicd_guardrails.support.iam.pipeline_arns import can_name_a_pipeline, start_targets
from cicd_guardrails.support.iam.policy_model import ALLOW, PolicyDocument
from cicd_guardrails.support.iam.principals import (
    AWS_MANAGED,
    STACK,
    Entry,
    PrincipalKey,
    StackIdentity,
)
from cicd_guardrails.support.iam.resources import resource_subject
from cicd_guardrails.support.iam.source_ip import (
    SOURCE_IP_KEY,
    AllowedNetworks,
    PrincipalContext,
    unrestricted_grants,
)
from cicd_guardrails.support.iam.source_vpce import (
    ALLOWED_VPC_ENDPOINTS,
    ENDPOINT_ID_PATTERN,
    SOURCE_VPCE_KEY,
)
from cicd_guardrails.support.metadata import policy_fields
from cicd_guardrails.support.policy_config import (
    PolicyConfigError,
    check_cidr_breadth,
    cidr_schema_pattern,
)

POLICY_NAME = "execution-role-ip-restricted"
START_PIPELINE = "codepipeline:StartPipelineExecution"
ALLOWED_CIDRS = "allowedCidrs"
CIDR_SCHEMA_PATTERN = cidr_schema_pattern()
"""The schema's first line of defence, so the CLI (and the offline preview) refuse the config itself:
an address with a prefix length the stack config also accepts (/8..32 for IPv4, /32..128 for IPv6,
loosely; `support/policy_config.MIN_CIDR_PREFIX_LENGTH`). A /0, a bare address or
text is a bad `--policy-pack-config`; RE2 syntax (the CLI's schema validator is Go's), no lookaround.
What a pattern cannot see (host bits, networks that together cover everything) the rule refuses."""
EXEMPT_SERVICES = "exemptServicePrincipals"
UNREADABLE_FIX = "fix the document so that IAM (and this policy) can read it"
UNKNOWN_TRUST_NOTE = (
    " (its role's trust policy is not known at preview, so the role is not proven to be one "
    "that only exempt services can assume)"
)
# Services that legitimately start pipelines with a role of their own and run no user code with it:
# EventBridge rules (the push-triggered start) and CodePipeline, whose invoke action starts another
# pipeline as the invoking pipeline's role (CodePipeline User Guide, "CodePipeline invoke action
# reference": https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-PipelineInvoke.html).
DEFAULT_EXEMPT_SERVICES = ("events.amazonaws.com", "codepipeline.amazonaws.com")
CANNOT_DECIDE = "cannot decide whether these customer-managed policies allow starting pipelines:"
OUTSIDE_NOTE = (
    " attaches a policy whose document is not in this stack; declare it in the stack, or review "
    "it: it must allow StartPipelineExecution only with Condition.IpAddress.aws:SourceIp"
)
BOUNDARY_NOTE = (
    " (a boundary grants nothing itself, but it is the limit for every policy attached to the "
    "principal, in this stack or in any assigned account, so it must keep the restriction too)"
)


def _validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    config = args.get_config()
    try:
        allowed = AllowedNetworks.from_config(
            config.get(ALLOWED_CIDRS), config.get(ALLOWED_VPC_ENDPOINTS)
        )
        exempt_services = _exempt_services(config.get(EXEMPT_SERVICES, DEFAULT_EXEMPT_SERVICES))
        check_cidr_breadth(POLICY_NAME, ALLOWED_CIDRS, config.get(ALLOWED_CIDRS))
    except PolicyConfigError as error:
        report_violation(str(error), None)
        return
    identity = StackIdentity(args.resources)
    if not identity.entries and identity.pending is None:
        return
    judge = _Judge(identity, allowed, exempt_services, lambda: _own_accounts(args))
    undecided: list[str] = []
    for entry in identity.entries:
        subject = resource_subject(entry.holder.resource_type, entry.holder.name)
        if entry.unreadable is not None:
            report_violation(
                f"{subject} {entry.site.path} {entry.unreadable}; {UNREADABLE_FIX}",
                entry.holder.urn,
            )
        for message in judge.start_violations(entry) + judge.pass_role_violations(entry):
            report_violation(f"{subject} {message}", entry.holder.urn)
        if entry.outside is not None and not entry.site.slot.boundary and judge.judged(entry):
            undecided.append(f"{subject} {entry.site.path} ({entry.outside}){OUTSIDE_NOTE}")
    if identity.pending is not None:
        raise identity.pending
    if undecided:
        _cannot_decide(undecided)


def _role_label(key: PrincipalKey, role: PolicyResource) -> str:
    """The IAM role name, or the resource's name while that is not known."""
    return role.name if key.name.startswith("urn:") else key.name


def _may_allow(document: PolicyDocument, action: str) -> bool:
    """A cheap first look: some Allow of the document names the action at all."""
    return any(s.effect == ALLOW and s.applies_to_action(action) for s in document.statements)


def _own_accounts(args: StackValidationArgs) -> frozenset[str]:
    """The stack's accounts when all are known (read once, and only if a grant needs them)."""
    accounts = stack_accounts(args.resources)
    return accounts.known if not accounts.pending else frozenset()


def _cannot_decide(lines: list[str]) -> NoReturn:
    """Say, through the SDK's advisory "can't run policy" path, what this policy cannot judge.

    Raised after every decidable violation was reported. The SDK shows the error's `message`.
    """
    error = UnknownValueError(UNKNOWN_STRING_VALUE, [])
    error.message = f"{CANNOT_DECIDE} {'; '.join(lines)}"
    raise error


class _Judge:
    """One stack's judgement: which entries grant a start, or a pass of an exempt role, unrestricted."""

    def __init__(
        self,
        identity: StackIdentity,
        allowed: AllowedNetworks,
        exempt_services: frozenset[str],
        own_accounts: Callable[[], frozenset[str]],
    ) -> None:
        self._identity = identity
        self._allowed = allowed
        self._exempt_services = exempt_services
        self._read_accounts = own_accounts
        self._own_accounts: frozenset[str] | None = None
        self._exempt: dict[PrincipalKey, bool | None] = {}
        self._passable: list[tuple[PrincipalKey, PolicyResource]] | None = None

    def start_violations(self, entry: Entry) -> list[str]:
        """Unrestricted starts the entry grants, or (a boundary) lets through, to its principals."""
        source = entry.source
        if source is None or not _may_allow(source.document, START_PIPELINE):
            return []
        boundary = entry.site.slot.boundary
        if boundary and not entry.shape.open_account:
            # A boundary grants nothing by itself: the principal's effective permission is its
            # identity policies within the boundary (IAM User Guide, "Permissions boundaries for
            # IAM entities"), and the stack's policies of this principal are judged with it. Only a
            # permission set's boundary must keep the restriction itself: it limits policies in
            # assigned accounts that the stack does not show.
            return []
        targets = self._targets(entry)
        messages: list[str] = []
        for context, note in self._contexts(entry):
            if boundary and context is not None:
                context = PrincipalContext(denies=context.denies)
            found = unrestricted_grants(
                source.document,
                START_PIPELINE,
                self._allowed,
                targets=targets,
                reachable=can_name_a_pipeline,
                principal=context,
            )
            messages.extend(m + note for m in self._phrased(entry, found, boundary=boundary))
        return list(dict.fromkeys(messages))

    def pass_role_violations(self, entry: Entry) -> list[str]:
        """PassRole of an exempt role that may start pipelines, with events:PutTargets held too."""
        source = entry.source
        if source is None or entry.site.slot.boundary or source.origin == AWS_MANAGED:
            return []
        if not _may_allow(source.document, PASS_ROLE):
            return []
        messages: list[str] = []
        for key, role in self._passable_roles():
            principals = self._identity.principals_of(entry)
            if key in principals:
                continue
            for context, note in self._contexts(entry):
                found = unrestricted_pass_role(
                    source.document, role_arn_globs(role), self._allowed, context
                )
                if not found or not self._holds_put_targets(entry, source.document):
                    continue
                messages.extend(
                    f"{m} (and the principal may {PUT_TARGETS}, so an EventBridge rule it points at "
                    f"a pipeline with role '{_role_label(key, role)}', which only exempt services assume and "
                    f"which may start pipelines, starts it from anywhere; also acceptable: "
                    f"Condition.StringEquals.{PASSED_TO_SERVICE} naming another service, or no "
                    f"{PUT_TARGETS}){note}"
                    for m in self._phrased(entry, found, action=PASS_ROLE)
                )
        return list(dict.fromkeys(messages))

    # --- helpers ------------------------------------------------------------------------------

    def _contexts(self, entry: Entry) -> list[tuple[PrincipalContext | None, str]]:
        """One judging context per principal the entry applies to (exempt roles left out)."""
        principals = self._identity.principals_of(entry)
        if not principals:
            return [(None, "")]
        contexts: list[tuple[PrincipalContext | None, str]] = []
        for key in principals:
            exempt = self._is_exempt(key)
            if exempt:
                continue
            note = UNKNOWN_TRUST_NOTE if exempt is None else ""
            contexts.append((self._identity.context(key), note))
        return contexts

    def judged(self, entry: Entry) -> bool:
        """Whether the entry applies to some principal that is not exempt."""
        return bool(self._contexts(entry))

    def _is_exempt(self, key: PrincipalKey) -> bool | None:
        """True for a role only exempt services assume; None while its trust is unknown."""
        if key not in self._exempt:
            try:
                self._exempt[key] = self._identity.service_only(key, self._exempt_services)
            except UnknownValueError:
                self._exempt[key] = None
        return self._exempt[key]

    def _targets(self, entry: Entry) -> tuple[str, ...]:
        """Pipelines of the stack's accounts, unless the grant may live in another account."""
        provider = entry.holder.provider
        default = provider is None or provider.name.startswith("default")
        if entry.shape.open_account or not default:
            return start_targets()
        if self._own_accounts is None:
            self._own_accounts = self._read_accounts()
        return start_targets(self._own_accounts)

    def _passable_roles(self) -> list[tuple[PrincipalKey, PolicyResource]]:
        """Exempt roles whose own policies may start a pipeline from anywhere."""
        if self._passable is None:
            self._passable = []
            for key, role in self._identity.roles():
                if self._is_exempt(key) is not True:
                    continue
                context = self._identity.context(key)
                if any(
                    unrestricted_grants(
                        document,
                        START_PIPELINE,
                        self._allowed,
                        reachable=can_name_a_pipeline,
                        principal=context,
                    )
                    for document in self._identity.documents_of(key)
                ):
                    self._passable.append((key, role))
        return self._passable

    def _holds_put_targets(self, entry: Entry, document: object) -> bool:
        principals = self._identity.principals_of(entry)
        documents = [d for key in principals for d in self._identity.documents_of(key)]
        return holds_put_targets([*documents, document])  # type: ignore[list-item]

    def _phrased(
        self, entry: Entry, found: list[str], action: str = START_PIPELINE, boundary: bool = False
    ) -> list[str]:
        source = entry.source
        path = entry.site.path
        if source is None or not found:
            return []
        verb, fix = ("sets as permissions boundary", "set") if boundary else ("attaches", "attach")
        if source.origin == AWS_MANAGED:
            return [
                f"{path} {verb} the AWS-managed policy {source.name} ({source.arn}), which "
                f"allows {action} without an {SOURCE_IP_KEY} condition; {fix} instead a "
                f"customer-managed policy that allows it only with Condition.IpAddress."
                f"{SOURCE_IP_KEY} within {self._allowed.describe()}"
                + (BOUNDARY_NOTE if boundary else "")
            ]
        if source.origin == STACK:
            return [
                f"{path} {verb} Policy '{source.name}' of this stack, whose policy: {m}"
                + (BOUNDARY_NOTE if boundary else "")
                for m in found
            ]
        return [f"{path}: {m}" for m in found]


def _exempt_services(value: object) -> frozenset[str]:
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise PolicyConfigError(
            f"policy config {EXEMPT_SERVICES} must be a list of service principals, got {value!r}; "
            'set e.g. ["events.amazonaws.com"], or [] to exempt no role'
        )
    return frozenset(v.lower() for v in value)


execution_role_ip_restricted = StackValidationPolicy(
    **policy_fields(POLICY_NAME),
    config_schema=PolicyConfigSchema(
        properties={
            ALLOWED_CIDRS: {
                "type": "array",
                "minItems": 1,
                "items": {"type": "string", "pattern": CIDR_SCHEMA_PATTERN},
                "description": (
                    "IPv4/IPv6 CIDRs from which pipelines may be started (never a /0 network)."
                ),
            },
            ALLOWED_VPC_ENDPOINTS: {
                "type": "array",
                "items": {"type": "string", "pattern": ENDPOINT_ID_PATTERN},
                "description": (
                    "VPC endpoint ids (vpce-...) through which pipelines may be started: an Allow "
                    f"with StringEquals {SOURCE_VPCE_KEY} listing only these is restricted."
                ),
            },
            EXEMPT_SERVICES: {
                "type": "array",
                "items": {"type": "string"},
                "default": list(DEFAULT_EXEMPT_SERVICES),
                "description": (
                    "Service principals whose roles need no aws:SourceIp: a role that only these "
                    "can assume may start pipelines from anywhere (default: EventBridge and "
                    "CodePipeline's invoke action)."
                ),
            },
        }
    ),
    validate=_validate,
)

POLICIES = [execution_role_ip_restricted]
