"""Is a grant limited to allowed VPC endpoints? `aws:SourceVpce` read the way IAM evaluates it.

A request through a VPC endpoint carries `aws:SourceVpce` (the endpoint id) and no `aws:SourceIp`;
a request from the internet carries `aws:SourceIp` and no `aws:SourceVpce` (IAM User Guide, "AWS
global condition context keys": aws:SourceIp "is not present in the request context" for a request
through a VPC endpoint, aws:SourceVpce "is included in the request context only if the request is
made using a VPC endpoint"). IAM evaluates a condition on a key the request lacks as false, except
for negated operators (`StringNotEquals`, `NotIpAddress`, ...), which are then true (IAM User
Guide, "IAM JSON policy elements: Condition operators", the note on missing keys).

So with `allowedVpcEndpoints` configured, a grant is limited to the allowed callers when it is:

- an Allow with `StringEquals aws:SourceVpce` listing only allowed endpoints: it applies to nothing
  but requests through them, whatever else the principal holds. `StringLike` with values free of
  `*` and `?` is the same test (IAM User Guide, "Condition operators": StringLike is a
  case-sensitive match with multi- and single-character wildcards). `...IfExists` is true when the
  key is missing and a negated operator admits every other endpoint: neither restricts.
- an unrestricted Allow neutralized by a Deny of the action on every resource it grants whose
  conditions are each `NotIpAddress aws:SourceIp` (allowed CIDRs) or `StringNotEquals
  aws:SourceVpce` (allowed endpoints; `StringNotLike` with exact values and the `IfExists` forms
  are the same test). IAM ANDs them, and each one is true for every request that comes neither
  from an allowed CIDR nor through an allowed endpoint (a missing key makes a negated operator
  true), so the Deny fires for every such request. A Deny with one of the two halves only fires
  more often: it may lock allowed callers out, but lets no other caller in.
"""

import re
from collections.abc import Iterable, Sequence

from cicd_guardrails.support.iam.policy_model import Condition, Statement
from cicd_guardrails.support.policy_config import PolicyConfigError

SOURCE_VPCE_KEY = "aws:SourceVpce"
ALLOWED_VPC_ENDPOINTS = "allowedVpcEndpoints"
# VPC endpoint ids: "vpce-" and 8 (older) or 17 hexadecimal digits (EC2 API reference, VpcEndpoint).
ENDPOINT_ID = re.compile(r"^vpce-[0-9a-f]{8,17}$")
ENDPOINT_ID_PATTERN = ENDPOINT_ID.pattern
ALLOW_OPERATORS = frozenset({"StringEquals", "StringLike"})
DENY_OPERATORS = frozenset(
    {"StringNotEquals", "StringNotEqualsIfExists", "StringNotLike", "StringNotLikeIfExists"}
)
LIKE_WILDCARDS = ("*", "?")


def parse_endpoints(value: object) -> tuple[str, ...]:
    """The `allowedVpcEndpoints` config: absent or [] means no endpoint is allowed."""
    if value is None:
        return ()
    if not isinstance(value, Sequence) or isinstance(value, str):
        raise PolicyConfigError(
            f"policy config {ALLOWED_VPC_ENDPOINTS} must be a list of VPC endpoint ids, got "
            f'{value!r}; set e.g. "{ALLOWED_VPC_ENDPOINTS}": ["vpce-0123456789abcdef0"] or omit it'
        )
    for index, item in enumerate(value):
        if not isinstance(item, str) or not ENDPOINT_ID.match(item):
            raise PolicyConfigError(
                f"policy config {ALLOWED_VPC_ENDPOINTS}[{index}] {item!r} is not a VPC endpoint id; "
                "list ids of the form vpce- followed by 8 to 17 lowercase hex digits, e.g. "
                "vpce-0123456789abcdef0"
            )
    return tuple(value)


def names_endpoint(statement: Statement) -> bool:
    return any(c.key_is(SOURCE_VPCE_KEY) for c in statement.conditions)


def endpoint_allow_problem(statement: Statement, endpoints: tuple[str, ...]) -> str | None:
    """Why this Allow's aws:SourceVpce conditions do not limit it to `endpoints`, or None."""
    vpce = [c for c in statement.conditions if c.key_is(SOURCE_VPCE_KEY)]
    restricting = [c for c in vpce if c.operator in ALLOW_OPERATORS]
    if not restricting:
        operator = vpce[0].operator
        return f"with {SOURCE_VPCE_KEY} only under {operator}, {_why_not_restricting(operator)}"
    problem = _values_problem(restricting, endpoints)
    return f"with {problem}" if problem else None


def endpoint_deny_problem(
    conditions: Iterable[Condition], endpoints: tuple[str, ...]
) -> str | None:
    """Why these aws:SourceVpce conditions of a Deny let other endpoints through, or None."""
    listed = list(conditions)
    for condition in listed:
        if condition.operator not in DENY_OPERATORS or _like_with_wildcards(condition):
            return (
                f"its {condition.operator} {SOURCE_VPCE_KEY} {_why_deny_misses(condition.operator)}; "
                f"use StringNotEquals {SOURCE_VPCE_KEY}"
            )
    problem = _values_problem(listed, endpoints)
    return f"its StringNotEquals {problem}" if problem else None


def describe_endpoints(endpoints: tuple[str, ...]) -> str:
    return ", ".join(endpoints)


def _like_with_wildcards(condition: Condition) -> bool:
    """A `...Like` test whose values hold a wildcard matches more than the endpoints it names."""
    return "Like" in condition.operator and any(
        isinstance(v, str) and any(w in v for w in LIKE_WILDCARDS) for v in condition.values
    )


def _values_problem(conditions: list[Condition], endpoints: tuple[str, ...]) -> str | None:
    values = [v for c in conditions for v in c.values]
    if not values:
        return f"{SOURCE_VPCE_KEY} [], which lists no endpoint"
    for condition in conditions:
        if _like_with_wildcards(condition):
            return (
                f"{SOURCE_VPCE_KEY} under {condition.operator} with a wildcard, which matches by "
                "pattern, not by endpoint id"
            )
    for value in values:
        if value not in endpoints:
            return (
                f"{SOURCE_VPCE_KEY} {value!r}, which is not in {ALLOWED_VPC_ENDPOINTS} "
                f"({describe_endpoints(endpoints)})"
            )
    return None


def _why_not_restricting(operator: str) -> str:
    if operator.endswith("IfExists"):
        return "which also matches requests that carry no aws:SourceVpce (from anywhere)"
    if "Like" in operator:
        return "which matches by pattern, not by endpoint id"
    if "Not" in operator:
        return "which in an Allow admits every other endpoint and requests without one"
    return "which is not the StringEquals operator (operator names are case-sensitive)"


def _why_deny_misses(operator: str) -> str:
    if operator.startswith("ForAnyValue:"):
        return "is false when the request carries no aws:SourceVpce, so the Deny lets internet callers through"
    if "Like" in operator:
        return "matches by pattern, so the Deny lets every endpoint the pattern matches through"
    return "is not a test the Deny can rely on"
