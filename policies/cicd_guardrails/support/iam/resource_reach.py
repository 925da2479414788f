"""Which of an action's resource ARNs a statement applies to, and whether a Deny covers them all.

IAM applies a statement to a request only when its `Resource` matches the ARN the action is
authorized against (or its `NotResource` does not). So an Allow of `codepipeline:*` on an S3
bucket grants no pipeline start, and a Deny written differently from its Allow
(`arn:aws:codepipeline:*` against `*`) still counts when it covers every pipeline ARN the Allow
reaches. Both questions are answered on globs (see `policy_model.pattern_intersection`), with
every doubt resolved towards "the Allow reaches more" and "the Deny covers less":

- A policy variable (`${aws:username}`) may expand to anything: in a pattern that grants, it reads
  as `*`; in a pattern that must cover or exclude, it covers and excludes nothing.
- A `NotResource` Allow reaches every target ARN unless one of its patterns covers all of them.
- A `NotResource` Deny covers the granted ARNs only when none of its patterns can match any of them.
"""

from cicd_guardrails.support.iam.policy_model import (
    POLICY_VARIABLE_START,
    Statement,
    pattern_intersection,
    resource_pattern_covers,
    shown_glob,
    without_policy_variables,
)


def reached_globs(statement: Statement, targets: tuple[str, ...]) -> tuple[str, ...]:
    """Globs of the `targets` ARNs the statement applies to; () when it applies to none of them."""
    if statement.not_resource:
        excluded = [p for p in statement.resource_patterns if POLICY_VARIABLE_START not in p]
        if all(any(resource_pattern_covers(p, t) for p in excluded) for t in targets):
            return ()
        return targets
    reached: list[str] = []
    for pattern in statement.resource_patterns:
        for target in targets:
            for glob in pattern_intersection(without_policy_variables(pattern), target):
                if glob not in reached:
                    reached.append(glob)
    return tuple(reached)


def uncovered_by_deny(deny: Statement, granted: tuple[str, ...]) -> str | None:
    """Why the Deny may miss some ARN of `granted`, phrased after "the Deny does not count:"; or None."""
    for glob in granted:
        if deny.not_resource:
            for pattern in deny.resource_patterns:
                if pattern_intersection(without_policy_variables(pattern), glob):
                    return (
                        f"its NotResource {pattern} may exclude ARNs the Allow grants "
                        f"({shown_glob(glob)})"
                    )
        elif not any(resource_pattern_covers(p, glob) for p in deny.resource_patterns):
            return f"it does not cover resource {shown_glob(glob)}"
    return None
