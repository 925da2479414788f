"""Where a service's source comes from, as types: a CodeCommit repository or a CodeConnections one.

`origin_for` is the one place that tells them apart. Each origin owns its Source action, how the
pipeline is started (CodeCommit: an EventBridge rule and its role; CodeConnections: the V2 pipeline's own
trigger), and the statements the pipeline and build roles need for it.
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.config import ConnectionSource, ServiceSettings
from components.iam.documents import service_assume_role_policy, statement
from components.iam.grants import RoleGrants, Statement
from components.iam.principals import EVENTS_PRINCIPAL
from components.shared.naming import ServiceNames
from components.stages.source import PushTrigger, PushTriggerArgs, Source, SourceArgs
from components.stages.stage_args import SOURCE_NAMESPACE, SOURCE_OUTPUT, stage

SOURCE_ACTION = "Source"
OUTPUT_FORMAT = "CODE_ZIP"
"""The source as a zip artifact: every consumer (CodeBuild) reads it without git credentials."""
REPOSITORY_READ_ACTIONS = (
    "codecommit:CancelUploadArchive",
    "codecommit:GetBranch",
    "codecommit:GetCommit",
    "codecommit:GetRepository",
    "codecommit:GetUploadArchiveStatus",
    "codecommit:UploadArchive",
)


@dataclass(frozen=True)
class RepositoryInputs:
    """What an origin needs to declare a repository of its own."""

    names: ServiceNames
    key_arn: pulumi.Input[str]
    protect: bool
    tags: dict[str, str]
    parent: pulumi.Resource


@dataclass(frozen=True)
class TriggerInputs:
    """What an origin needs to declare a trigger outside the pipeline."""

    names: ServiceNames
    repository_arn: pulumi.Input[str] | None
    """Reference to this stack's repository, if the origin has one."""
    pipeline_arn: pulumi.Input[str]
    """Reference to the pipeline the trigger starts."""
    events_role_arn: pulumi.Input[str] | None
    """Reference to the role EventBridge assumes, if the service has one."""
    tags: dict[str, str]
    parent: pulumi.Resource
    event_bus_name: pulumi.Input[str] | None = None
    """Reference to the bus the trigger listens on (a promoted release's bus), else the default."""


class Origin(ABC):
    """One service's source."""

    def __init__(self, service: ServiceSettings) -> None:
        self.service = service

    @property
    @abstractmethod
    def description(self) -> str:
        """`<repository>@<branch>`, as people name it."""

    @property
    def provenance(self) -> str:
        """Where a release comes from and what it went through, for the approval request."""
        return f"{self.description} built and tested"

    def declare_repository(self, name: str, inputs: RepositoryInputs) -> Source | None:
        """The repository this stack owns (CodeCommit), else None."""
        return None

    @abstractmethod
    def repository_id(self, names: ServiceNames) -> str:
        """The repository as its provider names it (the release manifest records it)."""

    @abstractmethod
    def source_stage(
        self, repository_name: pulumi.Input[str] | None
    ) -> aws.codepipeline.PipelineStageArgs:
        """The pipeline's Source stage (naming this stack's repository, if it has one)."""

    def pipeline_triggers(self) -> list[aws.codepipeline.PipelineTriggerArgs] | None:
        """V2 triggers of the pipeline itself; None when something else starts it."""
        return None

    def declare_push_trigger(self, name: str, inputs: TriggerInputs) -> PushTrigger | None:
        """A resource outside the pipeline that starts it on a push (CodeCommit), else None."""
        return None

    def events_role(self, names: ServiceNames) -> RoleGrants | None:
        """The role EventBridge assumes to start the pipeline, where a rule starts it."""
        return None

    @abstractmethod
    def pipeline_statements(self, names: ServiceNames) -> list[Statement]:
        """What the pipeline role needs to run the Source action."""

    def build_statements(self, names: ServiceNames) -> list[Statement]:
        """What the build role needs from the source."""
        return []


class CodeCommitOrigin(Origin):
    """A KMS-encrypted CodeCommit repository of this stack, started by an EventBridge push rule."""

    @property
    def description(self) -> str:
        return f"{self.service.repository_name}@{self.service.branch}"

    def repository_id(self, names: ServiceNames) -> str:
        return names.repository_name

    def declare_repository(self, name: str, inputs: RepositoryInputs) -> Source:
        return Source(
            name,
            SourceArgs(
                service=self.service,
                names=inputs.names,
                key_arn=inputs.key_arn,
                protect=inputs.protect,
                tags=inputs.tags,
            ),
            pulumi.ResourceOptions(parent=inputs.parent),
        )

    def source_stage(
        self, repository_name: pulumi.Input[str] | None
    ) -> aws.codepipeline.PipelineStageArgs:
        if repository_name is None:
            raise ValueError(f"service {self.service.name!r} has no CodeCommit repository")
        return stage(
            SOURCE_ACTION,
            category="Source",
            provider="CodeCommit",
            outputs=[SOURCE_OUTPUT],
            namespace=SOURCE_NAMESPACE,
            configuration={
                "RepositoryName": repository_name,
                "BranchName": self.service.branch,
                "PollForSourceChanges": "false",
                "OutputArtifactFormat": OUTPUT_FORMAT,
            },
        )

    def declare_push_trigger(self, name: str, inputs: TriggerInputs) -> PushTrigger:
        if inputs.repository_arn is None or inputs.events_role_arn is None:
            raise ValueError(f"service {self.service.name!r} needs its repository and events role")
        return PushTrigger(
            name,
            PushTriggerArgs(
                service=self.service,
                names=inputs.names,
                repository_arn=inputs.repository_arn,
                pipeline_arn=inputs.pipeline_arn,
                events_role_arn=inputs.events_role_arn,
                tags=inputs.tags,
            ),
            pulumi.ResourceOptions(parent=inputs.parent),
        )

    def events_role(self, names: ServiceNames) -> RoleGrants:
        """EventBridge may start this pipeline and nothing else, only for our push rule."""
        trust = service_assume_role_policy(
            EVENTS_PRINCIPAL, names.platform.account_id, names.source_rule_arn
        )
        start = statement(
            "Allow",
            ["codepipeline:StartPipelineExecution"],
            [names.pipeline_arn],
            sid="StartOwnPipeline",
        )
        return RoleGrants("events", trust, [start])

    def pipeline_statements(self, names: ServiceNames) -> list[Statement]:
        return [
            statement(
                "Allow", REPOSITORY_READ_ACTIONS, [names.repository_arn], sid="ReadOwnRepository"
            )
        ]

    def build_statements(self, names: ServiceNames) -> list[Statement]:
        return [
            statement(
                "Allow", ["codecommit:GitPull"], [names.repository_arn], sid="PullOwnRepository"
            )
        ]


class ConnectionOrigin(Origin):
    """A GitHub, GitLab or Bitbucket repository through CodeConnections, started by a V2 trigger.

    The `CodeStarSourceConnection` action (AWS CodePipeline action reference, "CodeStarSourceConnection
    for Bitbucket Cloud, GitHub, GitHub Enterprise Server, GitLab.com, and GitLab self-managed
    actions"); a V2 trigger disables the action's own change detection (PipelineTriggerDeclaration in
    the CodePipeline API reference), so `DetectChanges` is off too.
    """

    def __init__(self, service: ServiceSettings) -> None:
        super().__init__(service)
        if service.connection is None:
            raise ValueError(f"service {service.name!r} has no connection")
        self.connection: ConnectionSource = service.connection

    @property
    def description(self) -> str:
        return f"{self.connection.full_repository_id}@{self.service.branch}"

    def repository_id(self, names: ServiceNames) -> str:
        return self.connection.full_repository_id

    def source_stage(
        self, repository_name: pulumi.Input[str] | None
    ) -> aws.codepipeline.PipelineStageArgs:
        return stage(
            SOURCE_ACTION,
            category="Source",
            provider="CodeStarSourceConnection",
            outputs=[SOURCE_OUTPUT],
            namespace=SOURCE_NAMESPACE,
            configuration={
                "ConnectionArn": self.connection.connection_arn,
                "FullRepositoryId": self.connection.full_repository_id,
                "BranchName": self.service.branch,
                "DetectChanges": "false",
                "OutputArtifactFormat": OUTPUT_FORMAT,
            },
        )

    def pipeline_triggers(self) -> list[aws.codepipeline.PipelineTriggerArgs]:
        """A V2 trigger on a push to the branch (only CodeConnections sources support triggers)."""
        pushes = aws.codepipeline.PipelineTriggerGitConfigurationPushArgs(
            branches=aws.codepipeline.PipelineTriggerGitConfigurationPushBranchesArgs(
                includes=[self.service.branch]
            )
        )
        return [
            aws.codepipeline.PipelineTriggerArgs(
                provider_type="CodeStarSourceConnection",
                git_configuration=aws.codepipeline.PipelineTriggerGitConfigurationArgs(
                    source_action_name=SOURCE_ACTION, pushes=[pushes]
                ),
            )
        ]

    def pipeline_statements(self, names: ServiceNames) -> list[Statement]:
        """Use exactly its own connection.

        The action's prefix must match the connection's ARN (`codestar-connections` or
        `codeconnections`): AWS's CodeConnections guide, "Using identity-based policies", says the
        service prefix in a policy must match that of the resource.
        """
        arn = self.connection.connection_arn
        prefix = arn.split(":")[2]
        return [statement("Allow", [f"{prefix}:UseConnection"], [arn], sid="UseOwnConnection")]


def origin_for(service: ServiceSettings) -> Origin:
    """The origin of `service`'s source in a stack that builds: its connection, else CodeCommit.

    A stack that promotes releases from another takes `components.release.promotion_origin`.
    """
    return (
        ConnectionOrigin(service) if service.connection is not None else CodeCommitOrigin(service)
    )
