"""CodeBuild reads: the build a pipeline's Build action ran, and the phase that failed.

For a CodeBuild action, CodePipeline's externalExecutionId is the build id (`<project>:<uuid>`, the
"External execution ID" of the action's details in the CodePipeline console and the id
`aws codebuild batch-get-builds --ids` takes). botocore's CodeBuild model: builds[].buildStatus,
phases[].phaseType/phaseStatus/contexts[].statusCode/message, logs.groupName/streamName/deepLink.
"""

from dataclasses import dataclass

from troubleshoot.aws_calls import AwsReader
from troubleshoot.errors import TroubleshootError

FAILED_PHASE_STATUSES = frozenset({"FAILED", "FAULT", "TIMED_OUT", "STOPPED"})


@dataclass(frozen=True)
class Build:
    build_id: str
    status: str
    failed_phase: str
    phase_messages: tuple[str, ...]
    log_group: str
    log_stream: str
    logs_link: str


def read_build(reader: AwsReader, build_id: str) -> Build:
    response = reader.call(
        "codebuild", "batch_get_builds", "read the build and its phases", ids=[build_id]
    )
    builds = response.get("builds", [])
    if not builds:
        missing = ", ".join(response.get("buildsNotFound", [])) or build_id
        raise TroubleshootError(
            f"CodeBuild has no build {missing} (builds are kept for a year): "
            "pass --execution ID of a more recent execution"
        )
    build = builds[0]
    failed = next(
        (
            phase
            for phase in build.get("phases", [])
            if phase.get("phaseStatus") in FAILED_PHASE_STATUSES
        ),
        {},
    )
    messages = tuple(
        ": ".join(
            part for part in (context.get("statusCode", ""), context.get("message", "")) if part
        )
        for context in failed.get("contexts", [])
        if context.get("statusCode") or context.get("message")
    )
    logs = build.get("logs", {})
    return Build(
        build_id=build.get("id", build_id),
        status=build.get("buildStatus", ""),
        failed_phase=failed.get("phaseType", ""),
        phase_messages=messages,
        log_group=logs.get("groupName", ""),
        log_stream=logs.get("streamName", ""),
        logs_link=logs.get("deepLink", ""),
    )
