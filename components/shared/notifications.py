"""What the topic's readers are told when a pipeline fails: event patterns and the messages built from them.

EventBridge fills the messages itself (an input transformer on the rule's target: no Lambda to run or
secure). The events' fields are CodePipeline's ("Monitoring CodePipeline events", CodePipeline User
Guide): a pipeline-level event carries `pipeline`, `execution-id` and `state`; an action-level event also
`stage`, `action`, `type.provider` and, for a failed action, `execution-result` with AWS's
`error-code`, `external-execution-summary`, `external-execution-id` (the build id or deployment id) and
`external-execution-url` (the build's console page with its log, or the deployment's page). An input
transformer takes at most 100 paths in dot notation ("Amazon EventBridge input transformation",
EventBridge User Guide).
"""

import json

from components.shared.naming import ServiceNames

FAILED_STATE = "FAILED"
CODEPIPELINE_SOURCE = "aws.codepipeline"
EXECUTION_STATE_CHANGE = "CodePipeline Pipeline Execution State Change"
ACTION_STATE_CHANGE = "CodePipeline Action Execution State Change"
TROUBLESHOOT_COMMAND = "bin/troubleshoot"
"""This repository's command that explains a failed execution (`troubleshoot/`)."""

EXECUTION_PATHS = {
    "pipeline": "$.detail.pipeline",
    "execution": "$.detail.execution-id",
    "time": "$.time",
}
ACTION_PATHS = {
    **EXECUTION_PATHS,
    "stage": "$.detail.stage",
    "action": "$.detail.action",
    "provider": "$.detail.type.provider",
    "errorCode": "$.detail.execution-result.error-code",
    "summary": "$.detail.execution-result.external-execution-summary",
    "externalId": "$.detail.execution-result.external-execution-id",
    "externalUrl": "$.detail.execution-result.external-execution-url",
}


def failed_execution_pattern(pipeline_name: str) -> str:
    """A failed execution of this pipeline (the event the PipelineFailure alarm counts)."""
    return _pattern(EXECUTION_STATE_CHANGE, pipeline_name)


def failed_action_pattern(pipeline_name: str) -> str:
    """A failed action of this pipeline, whichever stage it belongs to."""
    return _pattern(ACTION_STATE_CHANGE, pipeline_name)


def failed_execution_message(names: ServiceNames) -> str:
    """Short: which execution failed, where to look, the command that explains it."""
    text = (
        "Pipeline <pipeline> execution <execution> FAILED at <time>. "
        f"Execution: {names.execution_console_url('<execution>')} . "
        f"Explain it: {troubleshoot_command(names, '<execution>')} . "
        f"Inspect: aws codepipeline get-pipeline-state --name {names.pipeline_name} "
        f"--region {names.platform.region}"
    )
    return json.dumps(text)


def failed_action_message(names: ServiceNames) -> str:
    """Names pipeline, stage, action, execution and AWS's error, and links the action's own run.

    The link is CodeBuild's page of that build (with its log) or CodeDeploy's page of that
    deployment; the commands read the same build's phases and log location, or the deployment.
    """
    region = names.platform.region
    text = (
        "Pipeline <pipeline>: stage <stage>, action <action> (<provider>) FAILED in execution "
        "<execution> at <time>. AWS: <errorCode> <summary>. "
        "The action's run (the build and its log, or the deployment): <externalUrl> "
        "(id <externalId>). "
        f"Execution: {names.execution_console_url('<execution>')} . "
        f"Explain it with that build's ERROR lines: {troubleshoot_command(names, '<execution>')} . "
        f"Build: aws codebuild batch-get-builds --ids <externalId> --region {region} . "
        f"Deployment: aws deploy get-deployment --deployment-id <externalId> --region {region} . "
        f"Build log ERROR lines: aws logs filter-log-events --log-group-name "
        f"{names.log_group_name} --filter-pattern ERROR --region {region}"
    )
    return json.dumps(text)


def troubleshoot_command(names: ServiceNames, execution_id: str) -> str:
    """The command, run in a clone of this repository, that explains one execution."""
    return (
        f"{TROUBLESHOOT_COMMAND} {names.platform.stack} --service {names.service_name} "
        f"--execution {execution_id}"
    )


def _pattern(detail_type: str, pipeline_name: str) -> str:
    return json.dumps(
        {
            "source": [CODEPIPELINE_SOURCE],
            "detail-type": [detail_type],
            "detail": {"pipeline": [pipeline_name], "state": [FAILED_STATE]},
        },
        sort_keys=True,
    )
