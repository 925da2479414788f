"""CodePipeline reads: executions, the action runs of one execution, and the pipeline's live state.

Shapes are botocore's CodePipeline model: `list_pipeline_executions` -> pipelineExecutionSummaries[]
(status, sourceRevisions, trigger); `list_action_executions` -> actionExecutionDetails[] (stageName,
actionName, status, input.actionTypeId/configuration, output.executionResult with
externalExecutionId/Summary/Url and errorDetails); `get_pipeline_state` -> stageStates[].actionStates[]
.latestExecution (status, token, summary, errorDetails, actionExecutionId).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from troubleshoot.aws_calls import AwsReader
from troubleshoot.cli_commands import CliSpelling, cli_command
from troubleshoot.model import AwsStep, ErrorDetail, Execution, LookBack, SourceRevision

EXECUTIONS_PAGE = 100
"""ListPipelineExecutions' largest page (maxResults 1-100, CodePipeline API reference)."""
MAX_EXECUTIONS = 1000
"""How far back the history is read at most: ten pages. A queue behind a waiting approval can hold
many executions newer than the failure, but an answer older than this is no longer "the latest"."""
ACTION_EXECUTIONS_PAGE = 100
"""The API's maximum page; an execution of our pipelines has four or five actions."""
MAX_ACTION_PAGES = 10
"""Retried stages add attempts; ten pages of 100 is far beyond any execution of ours."""
NOT_FOUND_ERRORS = ("PipelineNotFoundException",)
"""Answered by AWS for a pipeline name the account and region do not have (CodePipeline API
reference, ListPipelineExecutions / GetPipelineExecution errors); the caller names where it looked."""
HISTORY_PURPOSE = "list the pipeline's executions, newest first, back as far as needed"


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
    updated: datetime | None = None
    updated_by: str = ""


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
    updated_by: str = ""


@dataclass(frozen=True)
class History:
    """The executions read, newest first, and how far back that is."""

    executions: list[Execution]
    look_back: LookBack


def executions_until(
    reader: AwsReader, pipeline: str, answered: Callable[[list[Execution]], bool]
) -> History:
    """The newest executions, page after page (nextToken) until `answered(executions)` holds, the
    history ends, or MAX_EXECUTIONS were read: never older than the question needs.

    The pages are one step: `--max-items N` makes the AWS CLI follow the same pages for the N
    executions read (AWS CLI User Guide, "Using the AWS CLI pagination options").
    """
    first_step = len(reader.steps)
    executions: list[Execution] = []
    token: str | None = None
    while True:
        params: dict[str, Any] = {"pipelineName": pipeline, "maxResults": EXECUTIONS_PAGE}
        if token:
            params["nextToken"] = token
        response = reader.call(
            "codepipeline",
            "list_pipeline_executions",
            HISTORY_PURPOSE,
            handled_errors=NOT_FOUND_ERRORS,
            **params,
        )
        executions += [
            _execution(summary, summary.get("sourceRevisions", []))
            for summary in response.get("pipelineExecutionSummaries", [])
        ]
        token = response.get("nextToken")
        if answered(executions) or not token or len(executions) >= MAX_EXECUTIONS:
            break
    command = cli_command(
        "codepipeline",
        "list_pipeline_executions",
        {"pipelineName": pipeline, "maxResults": EXECUTIONS_PAGE},
        reader.clients.region,
        paginated=True,
        spelling=CliSpelling(max_items=max(len(executions), 1)),
    )
    reader.steps[first_step:] = [AwsStep(purpose=HISTORY_PURPOSE, command=command)]
    oldest = executions[-1].started if executions else None
    return History(
        executions,
        LookBack(
            executions=len(executions),
            oldest=oldest,
            whole_history=not token,
            limit_reached=bool(token) and not answered(executions),
        ),
    )


def one_execution(reader: AwsReader, pipeline: str, execution_id: str) -> Execution:
    response = reader.call(
        "codepipeline",
        "get_pipeline_execution",
        "read the execution",
        handled_errors=NOT_FOUND_ERRORS,
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
    """Every attempt of every action of the execution, in the order CodePipeline lists them (a
    retried stage adds an attempt of each action it re-ran, with its own actionExecutionId)."""
    runs: list[ActionRun] = []
    token: str | None = None
    for _ in range(MAX_ACTION_PAGES):
        params: dict[str, Any] = {
            "pipelineName": pipeline,
            "filter": {"pipelineExecutionId": execution_id},
            "maxResults": ACTION_EXECUTIONS_PAGE,
        }
        if token:
            params["nextToken"] = token
        response = reader.call(
            "codepipeline",
            "list_action_executions",
            "list the actions of the execution and their results",
            **params,
        )
        runs += [_action_run(detail) for detail in response.get("actionExecutionDetails", [])]
        token = response.get("nextToken")
        if not token:
            break
    return runs


def latest_attempts(runs: list[ActionRun]) -> list[ActionRun]:
    """Each action's last attempt, the one that decided the execution: "Retry failed actions" runs
    the failed actions of a stage again in the same execution (CodePipeline User Guide, "Retry a
    failed stage or failed actions in a stage",
    https://docs.aws.amazon.com/codepipeline/latest/userguide/actions-retry.html), so an earlier
    failed attempt that a retry fixed is not the failure. botocore's ActionExecutionDetail has no
    stage execution id; the attempts are told apart by their start (then update) time, and listed
    order for a tie. Kept in listed order."""
    latest: dict[tuple[str, str], tuple[int, ActionRun]] = {}
    for index, run in enumerate(runs):
        key = (run.stage, run.action)
        if key not in latest or _attempt_order(run) > _attempt_order(latest[key][1]):
            latest[key] = (index, run)
    return [run for _, run in sorted(latest.values(), key=lambda item: item[0])]


def earlier_attempts(runs: list[ActionRun], run: ActionRun) -> list[ActionRun]:
    """The other attempts of `run`'s action in the same execution."""
    return [
        other
        for other in runs
        if (other.stage, other.action) == (run.stage, run.action)
        and other.action_execution_id != run.action_execution_id
    ]


def _attempt_order(run: ActionRun) -> tuple[float, float]:
    return (
        run.started.timestamp() if run.started else 0.0,
        run.updated.timestamp() if run.updated else 0.0,
    )


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
                    updated_by=latest.get("lastUpdatedBy", ""),
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
        updated=detail.get("lastUpdateTime"),
        updated_by=detail.get("updatedBy", ""),
    )


def _error(details: dict[str, Any] | None) -> ErrorDetail | None:
    if not details:
        return None
    return ErrorDetail(code=details.get("code", ""), message=details.get("message", ""))
