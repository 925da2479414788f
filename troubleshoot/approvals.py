"""Manual approvals: who answered one and what they said, and the command that answers a waiting one.

`put-approval-result --result summary=...,status=Approved|Rejected` records the answer: the action then
succeeds (approved) or fails (rejected) with that summary as its result, and the answering identity is
the action's `updatedBy` in ListActionExecutions and `lastUpdatedBy` in GetPipelineState's
latestExecution (CodePipeline User Guide, "Approve or reject an approval action in CodePipeline";
CodePipeline API reference, ActionExecutionDetail and ActionExecution).
"""

import shlex

from troubleshoot.model import ApprovalDecision, Target
from troubleshoot.pipeline_reader import ActionRun, ActionState

DECISIONS = {"Succeeded": "approved", "Failed": "rejected"}


def decision(run: ActionRun, states: list[ActionState]) -> ApprovalDecision:
    """The answer given to the approval `run`, completed by the live state of the same attempt."""
    live = next(
        (
            state
            for state in states
            if state.action_execution_id and state.action_execution_id == run.action_execution_id
        ),
        None,
    )
    return ApprovalDecision(
        stage=run.stage,
        action=run.action,
        decision=DECISIONS.get(run.status, run.status.lower()),
        by=run.updated_by or (live.updated_by if live else ""),
        at=run.updated or (live.since if live else None),
        comment=run.summary or (live.summary if live else ""),
    )


def approve_command(target: Target, stage: str, action: str, token: str) -> str:
    result = "summary=<why>,status=Approved"
    return " ".join(
        [
            "aws codepipeline put-approval-result",
            f"--pipeline-name {shlex.quote(target.pipeline_name)}",
            f"--stage-name {shlex.quote(stage)}",
            f"--action-name {shlex.quote(action)}",
            f"--token {shlex.quote(token)}",
            f"--result {shlex.quote(result)}",
            f"--region {target.region}",
        ]
    )
