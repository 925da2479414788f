"""Is a grant limited to allowed VPC endpoints? `aws:SourceVpce` read the way IAM evaluates it.

A request through a VPC endpoint carries `aws:SourceVpce` (the endpoint id) and no `aws:SourceIp`;
a request from the internet carries `aws:SourceIp` and no `aws:SourceVpce` (IAM User Guide, "AWS
global condition context keys": aws:SourceIp "is not present in the request context" for a request
through a VPC endpoint, aws:SourceVpce "is included in the request context only if the request is
made using a VPC endpoint"). IAM evaluates a condition on a key the request lacks as false, except
for negated operators (`StringNotEquals`, `NotIpAddress`, ...), which are then true (IAM User
Guide, "IAM JSON policy elements: Condition operators", the note on missing keys).

So with `allowedVpcEndpoints` configured, the one restriction we accept for callers behind an
endpoint is the one that admits a request from an allowed CIDR or through an allowed endpoint and
nothing else:

- an Allow with `StringEquals aws:SourceVpce` listing only allowed endpoints (`StringLike` matches
  patterns, `...IfExists` is true when the key is missing, a negated operator admits every other
  endpoint: none of them restricts), and
- in the same document, a Deny of the action on every resource the Allow grants whose conditions
  are exactly `NotIpAddress aws:SourceIp` (allowed CIDRs) and `StringNotEquals aws:SourceVpce`
  (allowed endpoints). IAM ANDs them, so the Deny fires unless the request came from an allowed
  CIDR (NotIpAddress false) or through an allowed endpoint (StringNotEquals false); a request from
  the internet lacks aws:SourceVpce, which makes StringNotEquals true, and one through an endpoint
  lacks aws:SourceIp, which makes NotIpAddress true. `StringNotEqualsIfExists` is the same test
  (true when the key is missing) and is credited like `NotIpAddressIfExists`.

A Deny with `NotIpAddress` alone also denies every request through the endpoint, so an endpoint
grant beside it never applies: that document is not the restriction the config declares, and it
is refused rather than silently locking out the automation the endpoint is for.
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
ALLOW_OPERATOR = "StringEquals"
DENY_OPERATORS = frozenset({"StringNotEquals", "StringNotEqualsIfExists"})


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
    restricting = [c for c in vpce if c.operator == ALLOW_OPERATOR]
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
        if condition.operator not in DENY_OPERATORS:
            return (
                f"its {condition.operator} {SOURCE_VPCE_KEY} {_why_deny_misses(condition.operator)}; "
                f"use StringNotEquals {SOURCE_VPCE_KEY}"
            )
    problem = _values_problem(listed, endpoints)
    return f"its StringNotEquals {problem}" if problem else None


def describe_endpoints(endpoints: tuple[str, ...]) -> str:
    return ", ".join(endpoints)


def _values_problem(conditions: list[Condition], endpoints: tuple[str, ...]) -> str | None:
    values = [v for c in conditions for v in c.values]
    if not values:
        return f"{SOURCE_VPCE_KEY} [], which lists no endpoint"
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
