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
With `allowedVpcEndpoints` configured, callers behind those endpoints are admitted by the exact
restriction `source_vpce` describes, and by nothing weaker.
"""

from collections.abc import Iterable, Sequence
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
    document: PolicyDocument, action: str, allowed: AllowedNetworks
) -> list[str]:
    """One message per Allow that can grant `action` without an IP restriction the document enforces."""
    targets = resource_globs(action)
    denies = [s for s in document.statements if s.effect == DENY and s.applies_to_action(action)]
    messages = []
    for statement in document.statements:
        if statement.effect != ALLOW or not statement.applies_to_action(action):
            continue
        granted = reached_globs(statement, targets)
        if not granted:
            continue  # its resources match none of the ARNs the action is authorized against
        message = _grant_problem(statement, action, granted, denies, allowed)
        if message is not None:
            messages.append(message)
    return messages


def _grant_problem(
    statement: Statement,
    action: str,
    granted: tuple[str, ...],
    denies: list[Statement],
    allowed: AllowedNetworks,
) -> str | None:
    ip_problem = allow_problem(statement, allowed)
    if ip_problem is None:
        return None
    grant = f"{statement.label} allows {statement.describe_action_grant(action)}"
    endpoint_grant = bool(allowed.endpoints) and names_endpoint(statement)
    if endpoint_grant:
        problem = endpoint_allow_problem(statement, allowed.endpoints)
        if problem is not None:
            return f"{grant} {problem}; {_endpoint_fix(allowed)}"
    reasons = [
        (d, deny_problem(d, granted, allowed, endpoint_grant=endpoint_grant)) for d in denies
    ]
    if any(reason is None for _, reason in reasons):
        return None
    if endpoint_grant:
        message = (
            f"{grant} through {SOURCE_VPCE_KEY} but no Deny in the document refuses requests from "
            f"outside allowedCidrs and outside {ALLOWED_VPC_ENDPOINTS}; add a Deny of {action} on "
            f"the same resources with Condition NotIpAddress {SOURCE_IP_KEY} "
            f"[{allowed.describe()}] and StringNotEquals {SOURCE_VPCE_KEY} "
            f"[{describe_endpoints(allowed.endpoints)}]"
        )
    else:
        message = f"{grant} {ip_problem}; add Condition.IpAddress.{SOURCE_IP_KEY} within {allowed.describe()}"
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


def deny_problem(
    deny: Statement,
    granted: tuple[str, ...],
    allowed: AllowedNetworks,
    *,
    endpoint_grant: bool = False,
) -> str | None:
    """Why this Deny (already known to cover the action) fails to neutralize an Allow reaching
    `granted`, or None. An endpoint grant needs the Deny that pairs both halves; any other grant is
    neutralized by that one too, by a NotIpAddress-only Deny, or by an unconditional one."""
    uncovered = uncovered_by_deny(deny, granted)
    if uncovered is not None:
        return uncovered
    source_ip = [c for c in deny.conditions if c.key_is(SOURCE_IP_KEY)]
    vpce = [c for c in deny.conditions if c.key_is(SOURCE_VPCE_KEY)] if allowed.endpoints else []
    for condition in deny.conditions:
        if condition in vpce:
            continue
        if not condition.key_is(SOURCE_IP_KEY) or condition.operator not in DENY_OUTSIDE_OPERATORS:
            keep = f"keep only NotIpAddress {SOURCE_IP_KEY}"
            if condition.key_is(SOURCE_VPCE_KEY):
                keep += f", or list the endpoints in {ALLOWED_VPC_ENDPOINTS}"
            elif allowed.endpoints:
                keep += f" and StringNotEquals {SOURCE_VPCE_KEY}"
            return f"its extra condition {condition.operator} {condition.key} can switch it off; {keep}"
    if endpoint_grant and not (source_ip and vpce):
        return (
            f"it is not the Deny of requests from outside allowedCidrs and outside "
            f"{ALLOWED_VPC_ENDPOINTS} (NotIpAddress {SOURCE_IP_KEY} and StringNotEquals "
            f"{SOURCE_VPCE_KEY} in one Condition), so it also denies every request through the "
            "endpoint"
        )
    if vpce and not source_ip:
        return (
            f"it has StringNotEquals {SOURCE_VPCE_KEY} without NotIpAddress {SOURCE_IP_KEY}, so it "
            "also denies callers inside allowedCidrs; put both in one Condition"
        )
    if not deny.conditions:
        return None  # an unconditional Deny of the action
    if vpce:
        problem = endpoint_deny_problem(vpce, allowed.endpoints)
        if problem is not None:
            return problem
    problem = allowed.problem_with(v for c in source_ip for v in c.values)
    return f"its NotIpAddress {problem}" if problem else None


def _why_not_restricting(operator: str) -> str:
    if operator.endswith("IfExists"):
        return "which also matches requests that carry no source IP"
    if operator.startswith("ForAllValues:"):
        return "which is vacuously true when the request carries no source IP"
    if "NotIpAddress" in operator:
        return "which in an Allow admits every address outside the list"
    return "which is not the IpAddress operator (operator names are case-sensitive)"
