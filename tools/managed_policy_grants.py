"""Which statements of a managed policy can grant an action, judged by the pack's own IAM model.

Used when refreshing the pack's table of AWS-managed policies (`refresh_managed_policies.py`), never
by the pack at run time. Every question is answered by the modules the pack judges inline documents
with (`policy_model`, `arn_formats`, `resource_reach`), so the table and the pack cannot
disagree on `Action`/`NotAction`, wildcards, case, or which resources can be a pipeline.

A statement is kept when it applies to the action and its `Resource`/`NotResource` can match an ARN
the action is authorized against (a pipeline ARN for `codepipeline:StartPipelineExecution`).
Conditions never drop a statement here: they are kept, and the pack judges them at run time against
its configuration (an `aws:SourceIp` condition may or may not be inside the configured CIDRs). A
policy can grant the action when a kept Allow is not switched off by an unconditional Deny that
covers every ARN the Allow reaches.
"""

from dataclasses import replace

from cicd_guardrails.support.iam.arn_formats import resource_globs
from cicd_guardrails.support.iam.policy_model import (
    ALLOW,
    DENY,
    PolicyDocument,
    Statement,
    action_pattern_matches,
    pattern_intersection,
    without_policy_variables,
)
from cicd_guardrails.support.iam.resource_reach import reached_globs, uncovered_by_deny


def granting_statements(document: PolicyDocument, action: str) -> list[Statement] | None:
    """The statements the pack must see to judge `action` for this policy, or None if none grants it.

    Allows keep only the action patterns that match the action and the resource patterns that can
    match its ARNs; Denies of the action are kept whole, since they may compensate an Allow.
    """
    targets = resource_globs(action)
    allows = [
        _narrowed_allow(statement, action, targets)
        for statement in document.statements
        if statement.effect == ALLOW
        and statement.applies_to_action(action)
        and reached_globs(statement, targets)
    ]
    denies = [
        _narrowed_actions(statement, action)
        for statement in document.statements
        if statement.effect == DENY and statement.applies_to_action(action)
    ]
    if not any(_survives(allow, denies, targets) for allow in allows):
        return None
    return sorted([*allows, *denies], key=lambda statement: statement.number)


def _narrowed_allow(statement: Statement, action: str, targets: tuple[str, ...]) -> Statement:
    narrowed = _narrowed_actions(statement, action)
    if statement.not_resource:
        return narrowed
    reaching = tuple(
        pattern
        for pattern in statement.resource_patterns
        if any(pattern_intersection(without_policy_variables(pattern), t) for t in targets)
    )
    return replace(narrowed, resource_patterns=reaching)


def _narrowed_actions(statement: Statement, action: str) -> Statement:
    """Only the Action patterns that match `action`; a NotAction list stays as written."""
    if statement.not_action:
        return statement
    matching = tuple(p for p in statement.action_patterns if action_pattern_matches(p, action))
    return replace(statement, action_patterns=matching)


def _survives(allow: Statement, denies: list[Statement], targets: tuple[str, ...]) -> bool:
    """Whether no unconditional Deny covers every ARN the Allow reaches."""
    granted = reached_globs(allow, targets)
    return not any(
        not deny.conditions and uncovered_by_deny(deny, granted) is None for deny in denies
    )
