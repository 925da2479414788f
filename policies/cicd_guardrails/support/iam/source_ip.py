"""Is a grant restricted by caller IP? `aws:SourceIp` conditions read the way IAM evaluates them.

An Allow is restricted only by a condition that is *false* when the caller is elsewhere or when the
request carries no source IP at all (calls through a VPC endpoint or an AWS service carry none):

- `IpAddress` restricts: a missing key makes it false.
- `...IfExists` does not: a missing key makes it true, so the Allow also applies without any IP.
- `ForAnyValue:IpAddress` behaves as `IpAddress` on the single-valued `aws:SourceIp` (no value
  matches when the key is missing), so it restricts; `ForAllValues:IpAddress` is vacuously true
  when the key is missing, like `IfExists`, so it does not.
- `NotIpAddress` in an Allow admits every address outside the list: it never restricts.
Operator names are case-sensitive in IAM (`ipaddress` is not an operator); condition keys are not.

A Deny neutralizes an unrestricted Allow only when it fires in every case the Allow must not apply:
it must cover the action, cover every resource ARN the Allow reaches (a `NotResource` Deny only
when none of its patterns can match one of them), and every one of its conditions must be
`NotIpAddress` on `aws:SourceIp` with CIDRs inside the allowed networks. Any
other condition is ANDed and can switch the Deny off: AWS's own example adds
`Bool aws:ViaAWSService=false`, which lets calls made through AWS services bypass the Deny, so we
refuse it. `NotIpAddress` is credited, and so are its `IfExists` and `ForAllValues:` variants,
which only make the Deny fire also when the key is missing. `ForAnyValue:NotIpAddress` is not:
ForAnyValue is false when the key is missing, so that Deny lets every request without a source IP
through, which the plain form (true for a missing key) and the Allow side (`IpAddress`) do not.
An unconditional Deny of the action neutralizes any Allow.

An `aws:SourceIp` condition must list at least one CIDR: what IAM makes of an empty list is not
documented (no match at all, or a condition that is ignored), so it is refused, not guessed at.

Only statements whose resources can match the action's resource ARNs count (`resource_reach`,
with the ARN formats of `arn_formats`): an Allow of `codepipeline:*` on an S3 bucket starts no
pipeline, and a Deny covers an Allow when it covers every ARN the Allow reaches, however written.
With `allowedVpcEndpoints` configured, callers behind those endpoints are admitted by the
restrictions `source_vpce` describes, and by nothing weaker; a Deny's conditions may then also be
`StringNotEquals aws:SourceVpce` within the allowed endpoints.

A document is judged with what its principal also carries (`PrincipalContext`): a Deny in another
policy of the same principal neutralizes an Allow as one in the same document would, and a
permissions boundary that grants the action only where it is restricted (or not at all) leaves
nothing unrestricted to report.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from cicd_guardrails.support.iam.arn_formats import resource_globs
from cicd_guardrails.support.iam.cidrs import (
    CidrError,
    ParsedCidr,
    covers_whole_family,
    is_within,
    parse_cidr,
)
from cicd_guardrails.support.iam.policy_model import ALLOW, DENY, PolicyDocument, Statement
from cicd_guardrails.support.iam.resource_reach import reached_globs, uncovered_by_deny
from cicd_guardrails.support.iam.source_vpce import (
    ALLOWED_VPC_ENDPOINTS,
    SOURCE_VPCE_KEY,
    describe_endpoints,
    endpoint_allow_problem,
    endpoint_deny_problem,
    names_endpoint,
    parse_endpoints,
)
from cicd_guardrails.support.policy_config import PolicyConfigError

SOURCE_IP_KEY = "aws:SourceIp"
RESTRICTING_OPERATORS = frozenset({"IpAddress", "ForAnyValue:IpAddress"})
DENY_OUTSIDE_OPERATORS = frozenset(
    f"{prefix}NotIpAddress{suffix}"
    for prefix in ("", "ForAllValues:")
    for suffix in ("", "IfExists")
)


@dataclass(frozen=True)
class AllowedNetworks:
    """The `allowedCidrs` config (`None`: any CIDR that is not everywhere) and `allowedVpcEndpoints`."""

    cidrs: tuple[ParsedCidr, ...] | None
    endpoints: tuple[str, ...] = ()

    @staticmethod
    def from_config(value: object, endpoints: object = None) -> "AllowedNetworks":
        allowed_endpoints = parse_endpoints(endpoints)
        if value is None:
            return AllowedNetworks(None, allowed_endpoints)
        if not isinstance(value, Sequence) or isinstance(value, str) or not value:
            raise PolicyConfigError(
                f"policy config allowedCidrs must be a non-empty list of CIDR strings, got {value!r}; "
                'set e.g. "allowedCidrs": ["192.0.2.0/24"] or omit the key'
            )
        parsed = []
        for index, item in enumerate(value):
            try:
                parsed.append(parse_cidr(item))
            except CidrError as error:
                raise PolicyConfigError(
                    f"policy config allowedCidrs[{index}] {error}; list only the networks allowed "
                    "to start pipelines, e.g. 192.0.2.0/24"
                ) from None
        return AllowedNetworks(tuple(parsed), allowed_endpoints)

    def describe(self) -> str:
        if self.cidrs is None:
            return "your office/VPN CIDRs (not 0.0.0.0/0 or ::/0)"
        return ", ".join(cidr.text for cidr in self.cidrs)

    def problem_with(self, values: Iterable[object]) -> str | None:
        """Why these condition values fail to pin the caller inside the allowed networks, if they do."""
        networks = []
        values = list(values)
        if not values:
            return f"{SOURCE_IP_KEY} [], which lists no CIDR"
        for value in values:
            try:
                parsed = parse_cidr(value)
            except CidrError as error:
                return f"aws:SourceIp {error.value!r}, which {error.reason}"
            if self.cidrs is not None and not is_within(
                parsed.network, [c.network for c in self.cidrs]
            ):
                return (
                    f"aws:SourceIp {parsed.text}, which is outside allowedCidrs ({self.describe()})"
                )
            networks.append(parsed.network)
        if self.cidrs is None and covers_whole_family(networks):
            return "aws:SourceIp CIDRs that together cover every address"
        return None


def unrestricted_grants(
    document: PolicyDocument,
    action: str,
    allowed: AllowedNetworks,
    *,
    targets: tuple[str, ...] | None = None,
    reachable: Callable[[str], bool] | None = None,
    principal: "PrincipalContext | None" = None,
) -> list[str]:
    """One message per Allow that can grant `action` without a restriction IAM enforces.

    `targets` are the ARN globs the action is authorized against (default: all of its formats),
    `reachable` drops reached globs that name no real resource, and `principal` is what else the
    holder's principal carries: Denies of its other policies and its permissions boundary.
    """
    targets = targets if targets is not None else resource_globs(action)
    context = principal or PrincipalContext()
    if context.boundaries and not any(
        unrestricted_grants(
            b,
            action,
            allowed,
            targets=targets,
            reachable=reachable,
            principal=PrincipalContext(denies=context.denies),
        )
        for b in context.boundaries
    ):
        return []  # the boundary admits the action only where it is restricted, or not at all
    own = [s for s in document.statements if s.effect == DENY and s.applies_to_action(action)]
    others = [s for s in context.denies if s.applies_to_action(action)]
    messages = []
    for statement in document.statements:
        if statement.effect != ALLOW or not statement.applies_to_action(action):
            continue
        granted = reached_globs(statement, targets)
        if reachable is not None:
            granted = tuple(g for g in granted if reachable(g))
        if not granted:
            continue  # its resources match none of the ARNs the action is authorized against
        message = _grant_problem(statement, action, granted, own, others, allowed)
        if message is not None:
            messages.append(message)
    return messages


@dataclass(frozen=True)
class PrincipalContext:
    """What the principal holding a document also carries, as IAM evaluates them together.

    `denies`: Deny statements of its other identity policies and of its boundary (an explicit Deny
    in any of them refuses the request). `boundaries`: its permissions boundary's documents; a
    request is allowed only when the identity policies AND the boundary allow it (IAM User Guide,
    "Policy evaluation logic": https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
    """

    denies: tuple[Statement, ...] = ()
    boundaries: tuple[PolicyDocument, ...] = ()


def _grant_problem(
    statement: Statement,
    action: str,
    granted: tuple[str, ...],
    own_denies: list[Statement],
    other_denies: list[Statement],
    allowed: AllowedNetworks,
) -> str | None:
    problem = allow_problem(statement, allowed)
    if problem is None:
        return None
    if any(deny_problem(d, granted, allowed) is None for d in other_denies):
        return None  # a Deny of another policy of the same principal neutralizes it
    reasons = [(d, deny_problem(d, granted, allowed)) for d in own_denies]
    if any(reason is None for _, reason in reasons):
        return None
    grant = f"{statement.label} allows {statement.describe_action_grant(action)}"
    if allowed.endpoints and names_endpoint(statement):
        message = f"{grant} {problem}; {_endpoint_fix(allowed)}"
    else:
        message = f"{grant} {problem}; add Condition.IpAddress.{SOURCE_IP_KEY} within {allowed.describe()}"
        if names_endpoint(statement):
            message += (
                f" ({SOURCE_VPCE_KEY} counts only for endpoints listed in {ALLOWED_VPC_ENDPOINTS})"
            )
    for deny, reason in reasons:
        message += f" (the Deny in {deny.label} does not count: {reason})"
    return message


def _endpoint_fix(allowed: AllowedNetworks) -> str:
    return (
        f"allow it only with Condition.StringEquals.{SOURCE_VPCE_KEY} within "
        f"{describe_endpoints(allowed.endpoints)}, or with Condition.IpAddress.{SOURCE_IP_KEY} "
        f"within {allowed.describe()}"
    )


def allow_problem(statement: Statement, allowed: AllowedNetworks) -> str | None:
    """Why this Allow is not limited to the allowed networks or endpoints, or None when it is.

    Its conditions are ANDed, so one restricting condition is enough: an IP test within the
    allowed CIDRs, or (with `allowedVpcEndpoints`) an endpoint test within the allowed endpoints.
    """
    endpoint_problem = None
    if allowed.endpoints and names_endpoint(statement):
        endpoint_problem = endpoint_allow_problem(statement, allowed.endpoints)
        if endpoint_problem is None:
            return None
    source_ip = [c for c in statement.conditions if c.key_is(SOURCE_IP_KEY)]
    restricting = [c for c in source_ip if c.operator in RESTRICTING_OPERATORS]
    if restricting:
        problem = allowed.problem_with(v for c in restricting for v in c.values)
        if problem is None:
            return None
        return endpoint_problem or f"with {problem}"
    if endpoint_problem is not None:
        return endpoint_problem
    if not source_ip:
        return f"without an {SOURCE_IP_KEY} condition"
    operator = source_ip[0].operator
    return f"with {SOURCE_IP_KEY} only under {operator}, {_why_not_restricting(operator)}"


def deny_problem(deny: Statement, granted: tuple[str, ...], allowed: AllowedNetworks) -> str | None:
    """Why this Deny (already known to cover the action) may miss a request from outside the
    allowed networks and endpoints to some ARN of `granted`, or None when it fires for all of them.

    Its conditions are ANDed, so each must be true for every such request: `NotIpAddress` within
    the allowed CIDRs, or (with `allowedVpcEndpoints`) `StringNotEquals aws:SourceVpce` within the
    allowed endpoints. An unconditional Deny fires always.
    """
    uncovered = uncovered_by_deny(deny, granted)
    if uncovered is not None:
        return uncovered
    for condition in deny.conditions:
        if condition.key_is(SOURCE_IP_KEY) and condition.operator in DENY_OUTSIDE_OPERATORS:
            problem = allowed.problem_with(condition.values)
            if problem is not None:
                return f"its NotIpAddress {problem}"
            continue
        if condition.key_is(SOURCE_VPCE_KEY) and allowed.endpoints:
            problem = endpoint_deny_problem([condition], allowed.endpoints)
            if problem is not None:
                return problem
            continue
        keep = f"keep only NotIpAddress {SOURCE_IP_KEY}"
        if condition.key_is(SOURCE_VPCE_KEY):
            keep += f", or list the endpoints in {ALLOWED_VPC_ENDPOINTS}"
        elif allowed.endpoints:
            keep += f" and StringNotEquals {SOURCE_VPCE_KEY}"
        return f"its extra condition {condition.operator} {condition.key} can switch it off; {keep}"
    return None


def _why_not_restricting(operator: str) -> str:
    if operator.endswith("IfExists"):
        return "which also matches requests that carry no source IP"
    if operator.startswith("ForAllValues:"):
        return "which is vacuously true when the request carries no source IP"
    if "NotIpAddress" in operator:
        return "which in an Allow admits every address outside the list"
    return "which is not the IpAddress operator (operator names are case-sensitive)"
