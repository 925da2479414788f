"""CodePipeline reads: executions, the action runs of one execution, and the pipeline's live state.

Shapes are botocore's CodePipeline model: `list_pipeline_executions` -> pipelineExecutionSummaries[]
(status, sourceRevisions, trigger); `list_action_executions` -> actionExecutionDetails[] (stageName,
actionName, status, input.actionTypeId/configuration, output.executionResult with
externalExecutionId/Summary/Url and errorDetails); `get_pipeline_state` -> stageStates[].actionStates[]
.latestExecution (status, token, summary, errorDetails, actionExecutionId).
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from troubleshoot.aws_calls import AwsReader
from troubleshoot.model import ErrorDetail, Execution, SourceRevision

RECENT_EXECUTIONS = 20
"""How far back "the latest failed execution" is looked for (one page of the newest executions)."""
ACTION_EXECUTIONS_PAGE = 100
"""The API's maximum page; an execution of our pipelines has four or five actions."""


@dataclass(frozen=True)
class ActionRun:
    """One action of one execution, as `list_action_executions` reports it."""

    stage: str
    action: str
    status: str
    category: str
    provider: str
    configuration: dict[str, str]
    action_execution_id: str = ""
    started: datetime | None = None
    external_id: str = ""
    summary: str = ""
    url: str = ""
    error: ErrorDetail | None = None


@dataclass(frozen=True)
class ActionState:
    """An action's latest execution in the pipeline's current state (`get_pipeline_state`)."""

    stage: str
    action: str
    pipeline_execution_id: str
    status: str
    action_execution_id: str = ""
    token: str = ""
    summary: str = ""
    since: datetime | None = None
    error: ErrorDetail | None = None


def recent_executions(reader: AwsReader, pipeline: str) -> list[Execution]:
    """The newest executions first."""
    response = reader.call(
        "codepipeline",
        "list_pipeline_executions",
        "list the pipeline's recent executions",
        pipelineName=pipeline,
        maxResults=RECENT_EXECUTIONS,
    )
    return [
        _execution(summary, summary.get("sourceRevisions", []))
        for summary in response.get("pipelineExecutionSummaries", [])
    ]


def one_execution(reader: AwsReader, pipeline: str, execution_id: str) -> Execution:
    response = reader.call(
        "codepipeline",
        "get_pipeline_execution",
        "read the execution",
        pipelineName=pipeline,
        pipelineExecutionId=execution_id,
    )
    execution = response["pipelineExecution"]
    revisions = [
        {"actionName": item.get("name", ""), **item}
        for item in execution.get("artifactRevisions", [])
    ]
    return _execution(execution, revisions)


def action_runs(reader: AwsReader, pipeline: str, execution_id: str) -> list[ActionRun]:
    """Every action of the execution, in the order CodePipeline lists them."""
    response = reader.call(
        "codepipeline",
        "list_action_executions",
        "list the actions of the execution and their results",
        pipelineName=pipeline,
        filter={"pipelineExecutionId": execution_id},
        maxResults=ACTION_EXECUTIONS_PAGE,
    )
    return [_action_run(detail) for detail in response.get("actionExecutionDetails", [])]


def current_state(reader: AwsReader, pipeline: str) -> list[ActionState]:
    response = reader.call(
        "codepipeline",
        "get_pipeline_state",
        "read the pipeline's current state (errors, waiting approvals)",
        name=pipeline,
    )
    states = []
    for stage in response.get("stageStates", []):
        stage_execution = stage.get("latestExecution", {}).get("pipelineExecutionId", "")
        for action in stage.get("actionStates", []):
            latest = action.get("latestExecution")
            if not latest:
                continue
            states.append(
                ActionState(
                    stage=stage.get("stageName", ""),
                    action=action.get("actionName", ""),
                    pipeline_execution_id=stage_execution,
                    status=latest.get("status", ""),
                    action_execution_id=latest.get("actionExecutionId", ""),
                    token=latest.get("token", ""),
                    summary=latest.get("summary", ""),
                    since=latest.get("lastStatusChange"),
                    error=_error(latest.get("errorDetails")),
                )
            )
    return states


def _execution(summary: dict[str, Any], revisions: list[dict[str, Any]]) -> Execution:
    trigger = summary.get("trigger", {})
    return Execution(
        execution_id=summary["pipelineExecutionId"],
        status=summary.get("status", ""),
        started=summary.get("startTime"),
        status_summary=summary.get("statusSummary", "") or "",
        trigger=" ".join(
            part
            for part in (trigger.get("triggerType", ""), trigger.get("triggerDetail", ""))
            if part
        ),
        revisions=tuple(
            SourceRevision(
                action=revision.get("actionName", ""),
                revision_id=revision.get("revisionId", ""),
                summary=revision.get("revisionSummary", "") or "",
            )
            for revision in revisions
        ),
    )


def _action_run(detail: dict[str, Any]) -> ActionRun:
    action_input = detail.get("input", {})
    type_id = action_input.get("actionTypeId", {})
    result = detail.get("output", {}).get("executionResult", {})
    return ActionRun(
        stage=detail.get("stageName", ""),
        action=detail.get("actionName", ""),
        status=detail.get("status", ""),
        category=type_id.get("category", ""),
        provider=type_id.get("provider", ""),
        configuration=dict(
            action_input.get("resolvedConfiguration") or action_input.get("configuration") or {}
        ),
        action_execution_id=detail.get("actionExecutionId", ""),
        started=detail.get("startTime"),
        external_id=result.get("externalExecutionId", ""),
        summary=result.get("externalExecutionSummary", ""),
        url=result.get("externalExecutionUrl", ""),
        error=_error(result.get("errorDetails")),
    )


def _error(details: dict[str, Any] | None) -> ErrorDetail | None:
    if not details:
        return None
    return ErrorDetail(code=details.get("code", ""), message=details.get("message", ""))
