"""The path around the IP restriction through an exempt EventBridge role: PassRole + PutTargets.

A role that only EventBridge can assume may start pipelines without `aws:SourceIp` (`trust.py`).
But whoever may `iam:PassRole` that role and `events:PutTargets` can point a rule of their own at a
pipeline with that role (PutTargets passes the target's `RoleArn`, which needs iam:PassRole: Amazon
EventBridge API Reference, PutTargets, "RoleArn"), and the rule then starts the pipeline from
anywhere. So that PassRole is judged like a start: it must be limited to the allowed networks or
endpoints (`source_ip.unrestricted_grants`, on the role's ARN rather than a pipeline's), or carry
an `iam:PassedToService` condition that admits no EventBridge (IAM User Guide, "Available keys for
IAM": iam:PassedToService), or be neutralized by a Deny of the principal; else the principal must
not hold events:PutTargets. Without PutTargets no rule can be pointed anywhere (a rule's targets are
set only by PutTargets), so PutRule alone is harmless.
"""

from collections.abc import Iterable

from pulumi_policy import PolicyResource
from pulumi_policy.proxy import UnknownValueError

from cicd_guardrails.support.iam.identity_sites import SHAPES
from cicd_guardrails.support.iam.policy_model import (
    ALLOW,
    SEGMENT,
    PolicyDocument,
    Statement,
    action_pattern_matches,
)
from cicd_guardrails.support.iam.source_ip import (
    AllowedNetworks,
    PrincipalContext,
    unrestricted_grants,
)

PASS_ROLE = "iam:PassRole"
PUT_TARGETS = "events:PutTargets"
PASSED_TO_SERVICE = "iam:PassedToService"
EVENTS_SERVICE = "events.amazonaws.com"
PASSED_TO_OPERATORS = frozenset({"StringEquals", "StringLike"})
DEFAULT_PATH = "/"


def role_arn_globs(role: PolicyResource) -> tuple[str, ...]:
    """`arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}` for this role (Service
    Authorization Reference for IAM); a name not known yet reads as any name."""
    name_key = SHAPES[role.resource_type].name_key or "name"
    try:
        name = role.props.get(name_key)
        path = role.props.get("path") or DEFAULT_PATH
    except UnknownValueError:
        name, path = None, DEFAULT_PATH
    name = name if isinstance(name, str) else "*"
    path = path if isinstance(path, str) else "/*/"
    return (f"arn:{SEGMENT}:iam::{SEGMENT}:role{path}{name}",)


def unrestricted_pass_role(
    document: PolicyDocument,
    role_globs: tuple[str, ...],
    allowed: AllowedNetworks,
    context: PrincipalContext | None,
) -> list[str]:
    """One message per Allow that may pass the role to EventBridge from outside the allowed networks."""
    passing = PolicyDocument(
        tuple(s for s in document.statements if s.effect != ALLOW or _may_pass_to_events(s))
    )
    return unrestricted_grants(passing, PASS_ROLE, allowed, targets=role_globs, principal=context)


def holds_put_targets(documents: Iterable[PolicyDocument]) -> bool:
    """Whether any Allow of the principal's policies reaches events:PutTargets (conditions aside)."""
    return any(
        s.effect == ALLOW and s.applies_to_action(PUT_TARGETS)
        for document in documents
        for s in document.statements
    )


def _may_pass_to_events(statement: Statement) -> bool:
    for condition in statement.conditions:
        if condition.key_is(PASSED_TO_SERVICE) and condition.operator in PASSED_TO_OPERATORS:
            values = [v for v in condition.values if isinstance(v, str)]
            if not any(action_pattern_matches(v, EVENTS_SERVICE) for v in values):
                return False  # ANDed with the rest: this Allow never passes a role to EventBridge
    return True
