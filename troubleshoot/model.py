"""What the command found, independent of how it is printed (text or JSON)."""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Verdict(StrEnum):
    """The answer to "did my release fail?", which also decides the exit code."""

    FAILED = "failed"
    """An execution failed and is explained below (exit 1)."""
    SUCCEEDED = "succeeded"
    """The execution looked at succeeded, or no failure is newer than the last success (exit 0)."""
    IN_PROGRESS = "in-progress"
    """Still running, possibly waiting for an approval (exit 0)."""
    NO_EXECUTIONS = "no-executions"
    """The pipeline has never run (exit 0)."""


@dataclass(frozen=True)
class AwsStep:
    """One read the command made, as the AWS CLI command that repeats it."""

    purpose: str
    command: str


@dataclass(frozen=True)
class Target:
    """The pipeline being explained and where its names came from."""

    stack: str
    service: str
    pipeline_name: str
    pipeline_arn: str
    region: str
    names_from: str


@dataclass(frozen=True)
class ErrorDetail:
    code: str
    message: str


@dataclass(frozen=True)
class SourceRevision:
    action: str
    revision_id: str
    summary: str = ""


@dataclass(frozen=True)
class Execution:
    execution_id: str
    status: str
    started: datetime | None = None
    status_summary: str = ""
    trigger: str = ""
    revisions: tuple[SourceRevision, ...] = ()
    console_link: str = ""


@dataclass(frozen=True)
class LookBack:
    """How much of the pipeline's history was read to answer (newest first)."""

    executions: int
    oldest: datetime | None = None
    """The start of the oldest execution read."""
    whole_history: bool = False
    """The pipeline's first execution was reached."""
    limit_reached: bool = False
    """Reading stopped at the bound before the question was answered."""


@dataclass(frozen=True)
class ApprovalDecision:
    """A manual approval answered in the explained execution: by whom, when, and what they said."""

    stage: str
    action: str
    decision: str
    """approved or rejected"""
    by: str = ""
    at: datetime | None = None
    comment: str = ""


@dataclass(frozen=True)
class LogLine:
    message: str
    is_error: bool


@dataclass(frozen=True)
class BuildFailure:
    """A CodeBuild build, the phase that failed and the error lines of its own log stream."""

    build_id: str
    status: str
    failed_phase: str = ""
    phase_messages: tuple[str, ...] = ()
    log_group: str = ""
    log_stream: str = ""
    logs_link: str = ""
    error_count: int = 0
    """Error-looking lines (ERROR, Error:, error TS2322, FAIL, Traceback, npm ERR!...) read."""
    more_errors: bool = False
    """More error lines exist than are shown (or the log was not read to its head)."""
    shown_errors: int = 0
    """The error lines the excerpts are about (others inside their context are marked too)."""
    excerpts: tuple[tuple[LogLine, ...], ...] = ()
    """The last error lines before the failed phase ended, each with a few lines of context;
    overlapping contexts are merged."""
    log_lines_read: int = 0
    log_complete: bool = True
    """The whole log stream was read (else its last `log_lines_read` lines)."""
    console_link: str = ""
    """The build's page in the CodeBuild console (phases, log, reports)."""


@dataclass(frozen=True)
class AlarmState:
    name: str
    state: str
    reason: str = ""
    updated: datetime | None = None

    @property
    def firing(self) -> bool:
        return self.state == "ALARM"


@dataclass(frozen=True)
class Rollback:
    """The deployment CodeDeploy started to restore the previous revision."""

    deployment_id: str
    status: str = ""
    message: str = ""
    revision: str = ""


@dataclass(frozen=True)
class FailedTarget:
    """An instance of a server (EC2/on-premises) deployment and the lifecycle event that failed."""

    target_id: str
    status: str
    lifecycle_event: str = ""
    error_code: str = ""
    script: str = ""
    message: str = ""
    log_tail: str = ""


@dataclass(frozen=True)
class ServiceEvent:
    at: datetime | None
    message: str


@dataclass(frozen=True)
class EcsServiceEvents:
    """An ECS service of the deployment group, its newest service events and where to see them."""

    cluster: str
    service: str
    events: tuple[ServiceEvent, ...] = ()
    console_link: str = ""


@dataclass(frozen=True)
class DeploymentFailure:
    deployment_id: str
    status: str
    compute_platform: str = ""
    application: str = ""
    deployment_group: str = ""
    error: ErrorDetail | None = None
    rollback: Rollback | None = None
    rollback_message: str = ""
    alarms: tuple[AlarmState, ...] = ()
    console_link: str = ""
    failed_targets: tuple["FailedTarget", ...] = ()
    ecs_services: tuple["EcsServiceEvents", ...] = ()

    @property
    def fired_alarms(self) -> tuple[AlarmState, ...]:
        return tuple(alarm for alarm in self.alarms if alarm.firing)


@dataclass(frozen=True)
class FailedAction:
    stage: str
    action: str
    category: str
    provider: str
    summary: str = ""
    error: ErrorDetail | None = None
    external_id: str = ""
    external_url: str = ""
    build: BuildFailure | None = None
    deployment: DeploymentFailure | None = None
    attempts: int = 1
    """Attempts of this action in the execution; the last one is explained."""
    approval: ApprovalDecision | None = None
    alarms: tuple[AlarmState, ...] = ()
    """The alarms a Lambda deploy action watches (its `Alarms` configuration)."""

    @property
    def fired_alarms(self) -> tuple[AlarmState, ...]:
        return tuple(alarm for alarm in self.alarms if alarm.firing)


@dataclass(frozen=True)
class PendingApproval:
    """A manual approval waiting in a running execution, and how to answer it."""

    execution_id: str
    stage: str
    action: str
    token: str
    waiting_since: datetime | None = None
    summary: str = ""
    custom_data: str = ""
    review_link: str = ""
    notification_topic: str = ""
    approval_permission: str = "codepipeline:PutApprovalResult"
    approval_resource: str = ""
    approve_command: str = ""


@dataclass
class Explanation:
    target: Target
    verdict: Verdict
    execution: Execution | None = None
    failed_actions: list[FailedAction] = field(default_factory=list)
    pending_approvals: list[PendingApproval] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    steps: list[AwsStep] = field(default_factory=list)
    look_back: LookBack | None = None
    """How far back the history was read (None for `--execution`)."""
    previous_success: Execution | None = None
    """The newest execution that succeeded before the one explained, to compare with."""
    approvals: list[ApprovalDecision] = field(default_factory=list)
    """Manual approvals answered in the explained execution."""
    stopped_by: str = ""
    """The error that stopped the reading half-way; what was read before it is still reported."""
