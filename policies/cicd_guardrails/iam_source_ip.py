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
it must cover the action, cover every resource the Allow grants (a `NotResource` Deny is not
credited: proving two wildcard sets disjoint is not worth the risk), and every one of its
conditions must be `NotIpAddress` on `aws:SourceIp` with CIDRs inside the allowed networks. Any
other condition is ANDed and can switch the Deny off: AWS's own example adds
`Bool aws:ViaAWSService=false`, which lets calls made through AWS services bypass the Deny, so we
refuse it. `NotIpAddress` is credited, and so are its `IfExists` and `ForAllValues:` variants,
which only make the Deny fire also when the key is missing. `ForAnyValue:NotIpAddress` is not:
ForAnyValue is false when the key is missing, so that Deny lets every request without a source IP
through, which the plain form (true for a missing key) and the Allow side (`IpAddress`) do not.
An unconditional Deny of the action neutralizes any Allow.

An `aws:SourceIp` condition must list at least one CIDR: what IAM makes of an empty list is not
documented (no match at all, or a condition that is ignored), so it is refused, not guessed at.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cicd_guardrails.cidrs import CidrError, ParsedCidr, covers_whole_family, is_within, parse_cidr
from cicd_guardrails.iam_policy_model import ALLOW, DENY, WILDCARD, PolicyDocument, Statement
from cicd_guardrails.iam_policy_model import resource_pattern_covers as covers
from cicd_guardrails.policy_config import PolicyConfigError

SOURCE_IP_KEY = "aws:SourceIp"
RESTRICTING_OPERATORS = frozenset({"IpAddress", "ForAnyValue:IpAddress"})
DENY_OUTSIDE_OPERATORS = frozenset(
    f"{prefix}NotIpAddress{suffix}"
    for prefix in ("", "ForAllValues:")
    for suffix in ("", "IfExists")
)


@dataclass(frozen=True)
class AllowedNetworks:
    """The `allowedCidrs` config; `None` means "any CIDR that is not everywhere" (issue 3, item 5)."""

    cidrs: tuple[ParsedCidr, ...] | None

    @staticmethod
    def from_config(value: object) -> "AllowedNetworks":
        if value is None:
            return AllowedNetworks(None)
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
        return AllowedNetworks(tuple(parsed))

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
    document: PolicyDocument, action: str, allowed: AllowedNetworks
) -> list[str]:
    """One message per Allow that can grant `action` without an IP restriction the document enforces."""
    denies = [s for s in document.statements if s.effect == DENY and s.applies_to_action(action)]
    messages = []
    for statement in document.statements:
        if statement.effect != ALLOW or not statement.applies_to_action(action):
            continue
        problem = allow_problem(statement, allowed)
        if problem is None:
            continue
        deny_problems = [(deny, deny_problem(deny, statement, allowed)) for deny in denies]
        if any(reason is None for _, reason in deny_problems):
            continue
        message = (
            f"{statement.label} allows {statement.describe_action_grant(action)} {problem}; "
            f"add Condition.IpAddress.{SOURCE_IP_KEY} within {allowed.describe()}"
        )
        for deny, reason in deny_problems:
            message += f" (the Deny in {deny.label} does not count: {reason})"
        messages.append(message)
    return messages


def allow_problem(statement: Statement, allowed: AllowedNetworks) -> str | None:
    """Why this Allow is not limited to the allowed networks, or None when it is."""
    source_ip = [c for c in statement.conditions if c.key_is(SOURCE_IP_KEY)]
    restricting = [c for c in source_ip if c.operator in RESTRICTING_OPERATORS]
    if not restricting:
        if not source_ip:
            return f"without an {SOURCE_IP_KEY} condition"
        operator = source_ip[0].operator
        return f"with {SOURCE_IP_KEY} only under {operator}, {_why_not_restricting(operator)}"
    problem = allowed.problem_with(v for c in restricting for v in c.values)
    return f"with {problem}" if problem else None


def deny_problem(deny: Statement, allow: Statement, allowed: AllowedNetworks) -> str | None:
    """Why this Deny (already known to cover the action) fails to neutralize the Allow, or None."""
    if deny.not_resource:
        return "a NotResource Deny is not credited; list the resources in Resource"
    granted = (WILDCARD,) if allow.not_resource else allow.resource_patterns
    for resource in granted:
        if not any(covers(pattern, resource) for pattern in deny.resource_patterns):
            return f"it does not cover resource {resource}"
    for condition in deny.conditions:
        if not condition.key_is(SOURCE_IP_KEY) or condition.operator not in DENY_OUTSIDE_OPERATORS:
            return (
                f"its extra condition {condition.operator} {condition.key} can switch it off; "
                f"keep only NotIpAddress {SOURCE_IP_KEY}"
            )
    if not deny.conditions:
        return None  # an unconditional Deny of the action
    problem = allowed.problem_with(v for c in deny.conditions for v in c.values)
    return f"its NotIpAddress {problem}" if problem else None


def _why_not_restricting(operator: str) -> str:
    if operator.endswith("IfExists"):
        return "which also matches requests that carry no source IP"
    if operator.startswith("ForAllValues:"):
        return "which is vacuously true when the request carries no source IP"
    if "NotIpAddress" in operator:
        return "which in an Allow admits every address outside the list"
    return "which is not the IpAddress operator (operator names are case-sensitive)"
