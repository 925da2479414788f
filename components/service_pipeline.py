"""One service's delivery chain: repository -> build -> (approval) -> deployment, and who may start it.

Composes `Source`, `Build`, `Deploy`, `Pipeline`, `PushTrigger` and `ExecutionRole` around the shared
key, bucket and topic. The order the engine creates them in follows from the references each part takes
(`references.py`), not from the order of declaration: each part waits for the service role it runs as,
the pipeline for the repository, project, deployment group, bucket, alias and topic it names, the push
trigger for the pipeline it starts.
"""

from dataclasses import dataclass, field

import pulumi

from components.config import PlatformSettings, ServiceSettings
from components.iam.execution_role import ExecutionRole, ExecutionRoleArgs
from components.iam.service_roles import ServiceRoles
from components.shared.naming import PlatformNames, ServiceNames
from components.stages.build import Build, BuildArgs
from components.stages.deploy import Deploy, DeployArgs
from components.stages.pipeline import Pipeline, PipelineArgs
from components.stages.source import PushTrigger, PushTriggerArgs, Source, SourceArgs


@dataclass(frozen=True)
class ServicePipelineArgs:
    """Inputs of one service's chain (shared resources come from the artifact store and monitoring)."""

    settings: PlatformSettings
    """Stack settings (approval, rollback, build sizing, retention, allowed CIDRs, principals)."""
    service: ServiceSettings
    """This service's settings."""
    names: ServiceNames
    """This service's names and ARNs."""
    platform_names: PlatformNames
    """Stack-wide names (account root for the default execution principal)."""
    roles: ServiceRoles
    """The service roles (their ARNs are references to the ready roles)."""
    key_arn: pulumi.Input[str]
    """The artifact key's ARN (repository, build and log encryption need a key ARN)."""
    key_alias_arn: pulumi.Input[str]
    """Reference to the artifact key's alias (pipeline artifact store)."""
    bucket_name: pulumi.Input[str]
    """Reference to the artifact bucket."""
    topic_arn: pulumi.Input[str]
    """Reference to the topic: approvals and rollback alarms."""
    tags: dict[str, str] = field(default_factory=dict)
    """Tags of every taggable resource (with this service's `service` tag)."""
    protect: bool = False
    """Protect and retain the repository (prod)."""


class ServicePipeline(pulumi.ComponentResource):
    """Source, build, deploy, pipeline, push trigger and execution role of one service."""

    source: Source | None
    """The CodeCommit repository; None for a CodeConnections source."""
    build: Build
    deploy: Deploy
    pipeline: Pipeline
    trigger: PushTrigger | None
    """The push rule of a CodeCommit source; None for CodeConnections (the pipeline's own trigger)."""
    execution_role: ExecutionRole
    pipeline_name: pulumi.Output[str]
    pipeline_arn: pulumi.Output[str]
    console_url: str
    repository_name: pulumi.Output[str] | None
    build_project_name: pulumi.Output[str]
    log_group_name: pulumi.Output[str]
    deployment_group_name: pulumi.Output[str] | None
    rollback_alarm_names: list[str]
    execution_role_arn: str
    default_buildspec: str

    def __init__(
        self, name: str, args: ServicePipelineArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("guarded-delivery:service_pipeline:ServicePipeline", name, None, opts)
        settings, service, names, roles = args.settings, args.service, args.names, args.roles
        child = pulumi.ResourceOptions(parent=self)

        # CodeCommit: our repository. CodeConnections: the repository lives at the provider.
        self.source = (
            Source(
                f"{name}-source",
                SourceArgs(
                    service=service,
                    names=names,
                    key_arn=args.key_arn,
                    protect=args.protect,
                    tags=args.tags,
                ),
                child,
            )
            if service.connection is None
            else None
        )
        self.build = Build(
            f"{name}-build",
            BuildArgs(
                service=service,
                names=names,
                service_role_arn=roles.build_role_arn,
                key_arn=args.key_arn,
                bucket_name=args.bucket_name,
                compute_type=settings.build_compute_type,
                image=settings.build_image,
                timeout_minutes=settings.build_timeout_minutes,
                cache=settings.build_cache,
                privileged_mode=settings.privileged_mode,
                log_retention_days=settings.log_retention_days,
                tags=args.tags,
            ),
            child,
        )
        self.deploy = Deploy(
            f"{name}-deploy",
            DeployArgs(
                service=service,
                names=names,
                service_role_arn=roles.deploy_role_arn,
                topic_arn=args.topic_arn,
                alarm_rollback=settings.alarm_rollback,
                tags=args.tags,
            ),
            child,
        )
        self.pipeline = Pipeline(
            f"{name}-pipeline",
            PipelineArgs(
                service=service,
                names=names,
                service_role_arn=roles.pipeline_role_arn,
                bucket_name=args.bucket_name,
                key_alias_arn=args.key_alias_arn,
                topic_arn=args.topic_arn,
                repository_name=self.source.repository_name if self.source else None,
                build_project_name=self.build.project_name,
                deploy_application_name=self.deploy.application_name,
                deployment_group_name=self.deploy.deployment_group_name,
                rollback_alarms=self.deploy.alarm_references,
                manual_approval=settings.manual_approval,
                tags=args.tags,
            ),
            child,
        )
        self.trigger = None
        if self.source is not None and roles.events_role_arn is not None:
            self.trigger = PushTrigger(
                f"{name}-trigger",
                PushTriggerArgs(
                    service=service,
                    names=names,
                    repository_arn=self.source.repository_arn,
                    pipeline_arn=self.pipeline.pipeline_arn,
                    events_role_arn=roles.events_role_arn,
                    tags=args.tags,
                ),
                child,
            )
        self.execution_role = ExecutionRole(
            f"{name}-execution",
            ExecutionRoleArgs(
                names=names,
                allowed_cidrs=settings.allowed_cidrs,
                allowed_vpc_endpoints=settings.allowed_vpc_endpoints,
                principals=settings.execution_principals(args.platform_names.account_root_arn),
                tags=args.tags,
            ),
            child,
        )

        self.pipeline_name = self.pipeline.pipeline_name
        self.pipeline_arn = self.pipeline.pipeline_arn
        self.console_url = names.console_url
        self.repository_name = self.source.repository_name if self.source else None
        self.build_project_name = self.build.project_name
        self.log_group_name = self.build.log_group_name
        self.deployment_group_name = self.deploy.deployment_group_name
        self.rollback_alarm_names = self.deploy.alarm_names
        self.execution_role_arn = self.execution_role.role_arn
        self.default_buildspec = self.build.default_buildspec
        self.register_outputs(
            {
                "pipeline_name": self.pipeline_name,
                "pipeline_arn": self.pipeline_arn,
                "console_url": self.console_url,
                "repository_name": self.repository_name,
                "build_project_name": self.build_project_name,
                "log_group_name": self.log_group_name,
                "execution_role_arn": self.execution_role_arn,
            }
        )
