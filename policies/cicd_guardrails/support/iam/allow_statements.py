"""The walk the cross-account rules share: every Allow of the stack's resource policies, judged.

A rule hands `judge_allow_statements` the resource types it reads and its judgement of one Allow
statement, which reports or adds to what is undecided through a `Judging`; the walk reads each
document (`policy_model.py`) and the stack's own accounts (`accounts.py`) once. A document not known
at preview leaves that resource undecided; one that cannot be read is reported. What stayed
undecided is raised last, through the SDK's "can't run policy ... during preview" path, after every
decidable violation was reported.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from pulumi_policy import ReportViolation, StackValidationArgs
from pulumi_policy.proxy import UnknownValueError

from cicd_guardrails.support.iam.accounts import StackAccounts, stack_accounts
from cicd_guardrails.support.iam.policy_model import (
    ALLOW,
    PolicyDocumentError,
    Statement,
    parse_policy_document,
)
from cicd_guardrails.support.iam.resource_policies import (
    LABELS,
    ResourcePolicy,
    resource_policies,
)
from cicd_guardrails.support.wire import fail_undecided


@dataclass(frozen=True)
class Judging:
    """What a judgement of one statement reads and adds to."""

    accounts: StackAccounts
    """The stack's own accounts."""
    report: ReportViolation
    undecided: list[str]
    """What cannot be decided at preview yet (raised after every violation was reported)."""


JudgeStatement = Callable[[ResourcePolicy, Statement, Judging], None]
"""(policy, one of its Allow statements, the judging) -> None."""


def judge_allow_statements(
    name: str,
    args: StackValidationArgs,
    report: ReportViolation,
    judge: JudgeStatement,
    unreadable_fix: str,
    types: Iterable[str] = LABELS,
) -> None:
    """Judge every Allow statement of the stack's resource policies of `types` for the policy `name`.

    `unreadable_fix` ends the violation reported for a document that cannot be read.
    """
    judging = Judging(stack_accounts(args.resources), report, [])
    for policy in resource_policies(args.resources, types):
        try:
            document = parse_policy_document(policy.document)
        except UnknownValueError:
            judging.undecided.append(policy.path)
            continue
        except PolicyDocumentError as error:
            report(f"{policy.label}: policy {error}; {unreadable_fix}", policy.resource.urn)
            continue
        for statement in document.statements:
            if statement.effect == ALLOW:
                judge(policy, statement, judging)
    if judging.undecided:
        fail_undecided(name, list(dict.fromkeys(judging.undecided)))
