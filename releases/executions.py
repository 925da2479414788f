"""Which execution is deployed: the newest Succeeded one, looked for page by page up to a bound.

`list_pipeline_executions` lists the newest first (CodePipeline API reference); the search stops at
the first Succeeded execution, or after `limit` executions, and says how far it looked. A pipeline
rollback (`executionType` ROLLBACK) redeploys an earlier execution's release, named by its
`rollbackMetadata`, so that release is the one read.
"""

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from components.stages.origins import SOURCE_ACTION
from releases.model import DeployedExecution, ExecutionSearch, OtherExecution
from troubleshoot.aws_calls import AwsReader
from troubleshoot.cli_commands import CliSpelling
from troubleshoot.errors import TroubleshootError

SUCCEEDED = "Succeeded"
PAGE_SIZE = 100
"""ListPipelineExecutions' largest page (`maxResults` 1..100)."""
DEFAULT_LIMIT = 200
PIPELINE_NOT_FOUND = "PipelineNotFoundException"
ROLLBACK = "ROLLBACK"


class PipelineMissing(Exception):
    """The pipeline does not exist in this account and region (the stack is not deployed here)."""


@dataclass(frozen=True)
class Found:
    execution: DeployedExecution | None
    search: ExecutionSearch


def latest_succeeded(reader: AwsReader, pipeline: str, limit: int = DEFAULT_LIMIT) -> Found:
    """The newest Succeeded execution among the newest `limit`, and how far the search went."""
    looked, newer, token, seen = 0, [], None, set()
    while True:
        params: dict[str, Any] = {
            "pipelineName": pipeline,
            "maxResults": min(PAGE_SIZE, limit - looked),
        }
        if token:
            params["nextToken"] = token
        try:
            page = reader.call(
                "codepipeline",
                "list_pipeline_executions",
                "find the latest Succeeded execution (what is deployed)",
                handled_errors=(PIPELINE_NOT_FOUND,),
                cli=CliSpelling(max_items=limit),
                **params,
            )
        except ClientError as error:
            raise PipelineMissing(error.response.get("Error", {}).get("Message", "")) from None
        summaries = page.get("pipelineExecutionSummaries", [])
        token = page.get("nextToken")
        for index, summary in enumerate(summaries):
            looked += 1
            if summary.get("status") == SUCCEEDED:
                last = not token and index == len(summaries) - 1
                search = ExecutionSearch(looked, last, limit, tuple(newer))
                return Found(_deployed(summary), search)
            newer.append(OtherExecution(summary["pipelineExecutionId"], summary.get("status", "")))
        if not token or looked >= limit:
            return Found(None, ExecutionSearch(looked, not token, limit, tuple(newer)))
        if token in seen:
            raise TroubleshootError(
                f"ListPipelineExecutions of {pipeline} repeats page token {token}"
            )
        seen.add(token)


def _deployed(summary: dict[str, Any]) -> DeployedExecution:
    trigger = summary.get("trigger", {})
    revisions = summary.get("sourceRevisions", [])
    source = next((r for r in revisions if r.get("actionName") == SOURCE_ACTION), None)
    if source is None and len(revisions) == 1:
        source = revisions[0]
    rollback_of = ""
    if summary.get("executionType") == ROLLBACK:
        metadata = summary.get("rollbackMetadata") or {}
        rollback_of = metadata.get("rollbackTargetPipelineExecutionId", "")
    return DeployedExecution(
        execution_id=summary["pipelineExecutionId"],
        status=summary.get("status", ""),
        started=summary.get("startTime"),
        finished=summary.get("lastUpdateTime"),
        trigger=" ".join(
            part
            for part in (trigger.get("triggerType", ""), trigger.get("triggerDetail", ""))
            if part
        ),
        source_revision=(source or {}).get("revisionId", ""),
        rollback_of=rollback_of,
    )
