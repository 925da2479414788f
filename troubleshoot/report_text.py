"""The explanation as text for a person: what failed, why, and the AWS CLI command behind each step."""

from datetime import UTC, datetime

from rich.console import Console

from components.release.steps.step_io import safe
from troubleshoot.model import (
    AlarmState,
    ApprovalDecision,
    BuildFailure,
    DeploymentFailure,
    EcsServiceEvents,
    Execution,
    Explanation,
    FailedAction,
    FailedTarget,
    LookBack,
    PendingApproval,
    Verdict,
)

INDENT = "  "
VERDICT_LINES = {
    Verdict.FAILED: "failed",
    Verdict.SUCCEEDED: "nothing failed",
    Verdict.IN_PROGRESS: "in progress, nothing failed",
    Verdict.NO_EXECUTIONS: "never ran",
}


def print_report(console: Console, explanation: Explanation) -> None:
    target = explanation.target
    console.print(
        f"Pipeline {target.pipeline_name} (stack {target.stack}, service {target.service}, "
        f"{target.region}): {VERDICT_LINES[explanation.verdict]}",
        style="bold",
    )
    console.print(f"{INDENT}names from {target.names_from}", style="dim")
    if explanation.look_back:
        console.print(f"{INDENT}{_looked_back(explanation.look_back)}", style="dim")
    if explanation.execution:
        _execution(console, explanation.execution)
    if explanation.previous_success:
        _previous_success(console, explanation.previous_success)
    rejected = [action.approval for action in explanation.failed_actions if action.approval]
    for decision in explanation.approvals:
        if decision not in rejected:  # a rejection is told with its failed action below
            _decision(console, decision, INDENT)
    for action in explanation.failed_actions:
        console.print()
        _failed_action(console, action)
    for approval in explanation.pending_approvals:
        console.print()
        _approval(console, approval)
    if explanation.notes:
        console.print()
        for note in explanation.notes:
            console.print(f"Note: {note}")
    if explanation.stopped_by:
        console.print()
        console.print(
            f"STOPPED before the end, the report above is what was read: "
            f"{safe(explanation.stopped_by)}",
            style="bold red",
        )
    console.print()
    console.print("AWS CLI behind each step:", style="bold")
    for number, step in enumerate(explanation.steps, start=1):
        console.print(f"{INDENT}{number}. {step.purpose}")
        console.print(f"{INDENT}   {step.command}", style="cyan")


def _execution(console: Console, execution: Execution) -> None:
    started = f", started {_time(execution.started)}" if execution.started else ""
    trigger = f" by {execution.trigger}" if execution.trigger else ""
    console.print(f"Execution {execution.execution_id}: {execution.status}{started}{trigger}")
    for revision in execution.revisions:
        summary = f" {_first_line(revision.summary)!r}" if revision.summary else ""
        console.print(f"{INDENT}source {revision.action}: {revision.revision_id}{summary}")
    if execution.status_summary:
        console.print(f"{INDENT}{execution.status_summary}")
    if execution.console_link:
        console.print(f"{INDENT}console: {execution.console_link}")


def _looked_back(look_back: LookBack) -> str:
    back_to = f" back to {_time(look_back.oldest)}" if look_back.oldest else ""
    end = ", the pipeline's whole history" if look_back.whole_history else ""
    limit = ", the most it reads" if look_back.limit_reached else ""
    return f"looked at {look_back.executions} execution(s){back_to}{end}{limit}"


def _previous_success(console: Console, execution: Execution) -> None:
    started = f", started {_time(execution.started)}" if execution.started else ""
    console.print(f"{INDENT}last success before it: {execution.execution_id}{started}")
    for revision in execution.revisions:
        summary = f" {safe(_first_line(revision.summary))!r}" if revision.summary else ""
        console.print(
            f"{INDENT * 2}source {revision.action}: {safe(revision.revision_id)}{summary}"
        )


def _decision(console: Console, decision: ApprovalDecision, indent: str) -> None:
    by = f" by {safe(decision.by)}" if decision.by else ""
    at = f" at {_time(decision.at)}" if decision.at else ""
    comment = f": {safe(decision.comment)!r}" if decision.comment else ""
    console.print(
        f"{indent}approval {decision.stage}/{decision.action} {decision.decision}{by}{at}{comment}"
    )


def _failed_action(console: Console, action: FailedAction) -> None:
    attempt = f", attempt {action.attempts}" if action.attempts > 1 else ""
    console.print(
        f"FAILED stage {action.stage}, action {action.action} ({action.provider}){attempt}",
        style="bold red",
    )
    if action.error:
        console.print(f"{INDENT}AWS: {action.error.code}: {action.error.message}")
    if action.summary and (not action.error or action.summary != action.error.message):
        console.print(f"{INDENT}summary: {action.summary}")
    if action.approval:
        _decision(console, action.approval, INDENT)
    if action.build:
        _build(console, action.build)
    elif action.deployment:
        _deployment(console, action.deployment)
    elif action.external_url:
        console.print(f"{INDENT}details: {action.external_url}")
    if action.alarms:
        _alarms(
            console,
            f"Alarms the action watches: {len(action.fired_alarms)} of "
            f"{len(action.alarms)} in ALARM",
            action.alarms,
        )


def _build(console: Console, build: BuildFailure) -> None:
    phase = f" in phase {build.failed_phase}" if build.failed_phase else ""
    console.print(f"{INDENT}Build {build.build_id}: {build.status}{phase}")
    for message in build.phase_messages:
        console.print(f"{INDENT * 2}{message}")
    if build.console_link:
        console.print(f"{INDENT}console: {build.console_link}")
    if not build.log_stream:
        console.print(f"{INDENT}the build has no CloudWatch log stream (logs disabled?)")
        return
    if build.logs_link:
        console.print(f"{INDENT}log: {safe(build.logs_link)}")
    if not build.log_complete and not build.log_lines_read:
        console.print(f"{INDENT}Log {build.log_group} stream {build.log_stream}: not read")
        return
    read = (
        f"{build.log_lines_read} line(s)"
        if build.log_complete
        else (f"its last {build.log_lines_read} line(s)")
    )
    console.print(
        f"{INDENT}Log {build.log_group} stream {build.log_stream}: "
        f"{build.error_count} error line(s) in {read}"
    )
    if build.more_errors:
        where = f"phase {build.failed_phase} failed" if build.failed_phase else "the log ended"
        console.print(
            f"{INDENT * 2}showing the last {build.shown_errors} before {where}; "
            "the get-log-events command below reads them all"
        )
    for number, excerpt in enumerate(build.excerpts):
        if number:
            console.print(f"{INDENT * 2}...")
        for line in excerpt:
            marker = ">" if line.is_error else " "
            console.print(
                f"{INDENT * 2}{marker} {line.message}", style="red" if line.is_error else None
            )


def _deployment(console: Console, deployment: DeploymentFailure) -> None:
    platform = f" ({deployment.compute_platform})" if deployment.compute_platform else ""
    console.print(f"{INDENT}Deployment {deployment.deployment_id}{platform}: {deployment.status}")
    if deployment.error:
        console.print(f"{INDENT * 2}{deployment.error.code}: {deployment.error.message}")
    if deployment.console_link:
        console.print(f"{INDENT}console: {deployment.console_link}")
    for target in deployment.failed_targets:
        _failed_target(console, target)
    for service in deployment.ecs_services:
        _service_events(console, service)
    rollback = deployment.rollback
    if rollback:
        to = f", back to {rollback.revision}" if rollback.revision else ""
        console.print(
            f"{INDENT}Rolled back: deployment {rollback.deployment_id} {rollback.status}{to}"
        )
        if deployment.rollback_message:
            console.print(f"{INDENT * 2}{deployment.rollback_message}")
    else:
        console.print(f"{INDENT}Not rolled back")
    if not deployment.alarms:
        console.print(f"{INDENT}No alarms stop this deployment group")
        return
    fired = len(deployment.fired_alarms)
    _alarms(
        console,
        f"Alarms of {deployment.deployment_group}: {fired} of {len(deployment.alarms)} in ALARM",
        deployment.alarms,
    )


def _alarms(console: Console, title: str, alarms: tuple[AlarmState, ...]) -> None:
    console.print(f"{INDENT}{title}")
    for alarm in alarms:
        reason = f"  {alarm.reason}" if alarm.firing and alarm.reason else ""
        console.print(
            f"{INDENT * 2}{alarm.state:<17} {alarm.name}{reason}",
            style="red" if alarm.firing else None,
        )


def _failed_target(console: Console, target: FailedTarget) -> None:
    event = f" in {target.lifecycle_event}" if target.lifecycle_event else ""
    console.print(f"{INDENT}Instance {safe(target.target_id)}: {target.status}{event}")
    if target.script or target.error_code:
        console.print(f"{INDENT * 2}script {safe(target.script)}: {safe(target.error_code)}")
    if target.message:
        console.print(f"{INDENT * 2}{safe(target.message)}")
    for line in target.log_tail.splitlines():
        console.print(f"{INDENT * 2}| {safe(line)}")


def _service_events(console: Console, service: EcsServiceEvents) -> None:
    console.print(f"{INDENT}ECS service {safe(service.service)} in cluster {safe(service.cluster)}")
    for event in service.events:
        console.print(f"{INDENT * 2}{_time(event.at)} {safe(event.message)}")
    console.print(f"{INDENT * 2}events: {service.console_link}")


def _approval(console: Console, approval: PendingApproval) -> None:
    since = f" since {_time(approval.waiting_since)}" if approval.waiting_since else ""
    console.print(
        f"WAITING for approval: stage {approval.stage}, action {approval.action}{since}",
        style="bold yellow",
    )
    console.print(f"{INDENT}execution {approval.execution_id}, token {approval.token}")
    if approval.custom_data:
        console.print(f"{INDENT}asks: {approval.custom_data}")
    if approval.review_link:
        console.print(f"{INDENT}review: {approval.review_link}")
    if approval.notification_topic:
        console.print(f"{INDENT}request sent to: {approval.notification_topic}")
    console.print(
        f"{INDENT}who may approve: identities allowed {approval.approval_permission} on "
        f"{approval.approval_resource}"
    )
    console.print(f"{INDENT}approve: {approval.approve_command}", style="cyan")


def _time(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""
