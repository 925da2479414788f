"""One service's delivery chain: repository -> build -> (approval) -> deployment, and who may start it.

Composes the origin's repository and push trigger, `Build`, `Deploy`, `Pipeline` and `ExecutionRole`
around the shared key, bucket and topic; `service_role_grants` gathers the roles each part runs as. The order the engine creates them in follows from the references each part takes
(`references.py`), not from the order of declaration: each part waits for the service role it runs as,
the pipeline for the repository, project, deployment group, bucket, alias and topic it names, the push
trigger for the pipeline it starts.
"""

from dataclasses import dataclass, field

import pulumi

from components.config import PlatformSettings, ServiceSettings
from components.iam.execution_role import ExecutionRole, ExecutionRoleArgs
from components.iam.grants import RoleGrants
from components.iam.service_roles import ServiceRoles
from components.release.promotion import ReleasePlan, release_plan
from components.release.promotion_origin import PromotionOrigin
from components.release.release_steps import ReleaseSteps, ReleaseStepsArgs
from components.release.step_roles import release_role_grants
from components.shared.naming import PlatformNames, ServiceNames
from components.stages.build import Build, BuildArgs, build_role
from components.stages.deploy import Deploy, DeployArgs
from components.stages.origins import Origin, RepositoryInputs, TriggerInputs, origin_for
from components.stages.pipeline import Pipeline, PipelineArgs, pipeline_role
from components.stages.source import PushTrigger, Source
from components.targets import DeployTarget, target_for


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
    signing_key_alias_arn: pulumi.Input[str] | None
    """Reference to the stack's release-signing key (its alias); None when nothing signs here."""
    release_log_group_name: pulumi.Input[str]
    """Reference to the stack's release-steps log group."""
    promotions_bus_name: pulumi.Input[str] | None = None
    """Reference to the bus a promoted release arrives on (stacks with `promoteFrom`)."""
    tags: dict[str, str] = field(default_factory=dict)
    """Tags of every taggable resource (with this service's `service` tag)."""
    protect: bool = False
    """Protect and retain the repository (prod)."""


def service_role_grants(
    settings: PlatformSettings, service: ServiceSettings, names: ServiceNames
) -> list[RoleGrants]:
    """The service roles `service` needs, each from the module that runs as it (build, deploy,
    pipeline, events, the release steps), in the order they are declared."""
    target, plan = target_for(service), release_plan(settings, names.platform)
    origin = service_origin(service, names, plan, target)
    alarms = target.rollback_alarm_names(names) if settings.alarm_rollback else ()
    grants = [
        build_role(names, origin) if plan.builds else None,
        target.deploy_role(names, alarm_rollback=settings.alarm_rollback),
        pipeline_role(
            names,
            origin,
            target,
            plan,
            manual_approval=settings.manual_approval,
            alarm_rollback=settings.alarm_rollback,
        ),
        origin.events_role(names),
        *release_role_grants(names, target, plan, alarms),
    ]
    return [grant for grant in grants if grant is not None]


def service_origin(
    service: ServiceSettings, names: ServiceNames, plan: ReleasePlan, target: DeployTarget
) -> Origin:
    """Where the service's releases come from: its repository, or its upstream's publication."""
    if plan.upstream is None:
        return origin_for(service)
    return PromotionOrigin(service, names, plan.upstream, target)


class ServicePipeline(pulumi.ComponentResource):
    """Source, build, deploy, pipeline, push trigger and execution role of one service."""

    origin: Origin
    target: DeployTarget
    source: Source | None
    """The CodeCommit repository; None for a CodeConnections source."""
    plan: ReleasePlan
    """Built here or promoted from the upstream; published downstream or not."""
    build: Build | None
    """The repository's build; None in a stack that promotes (it never builds)."""
    release: ReleaseSteps
    """The stack-owned steps: image (ECS), sign or admit, verify, confirm (Lambda), publish."""
    deploy: Deploy
    pipeline: Pipeline
    trigger: PushTrigger | None
    """The push rule of a CodeCommit source; None for CodeConnections (the pipeline's own trigger)."""
    execution_role: ExecutionRole
    pipeline_name: pulumi.Output[str]
    pipeline_arn: pulumi.Output[str]
    console_url: str
    repository_name: pulumi.Output[str] | None
    build_project_name: pulumi.Output[str] | None
    log_group_name: pulumi.Output[str] | None
    deployment_group_name: pulumi.Output[str] | None
    rollback_alarm_names: list[str]
    execution_role_arn: str
    default_buildspec: str | None

    def __init__(
        self, name: str, args: ServicePipelineArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("guarded-delivery:service_pipeline:ServicePipeline", name, None, opts)
        names = args.names
        self.target = target_for(args.service)
        self.plan = release_plan(args.settings, args.platform_names)
        self.origin = service_origin(args.service, names, self.plan, self.target)
        self.source = self.origin.declare_repository(
            f"{name}-source",
            RepositoryInputs(names, args.key_arn, args.protect, args.tags, parent=self),
        )
        self.build = self._declare_build(name, args) if self.plan.builds else None
        self.release = self._declare_release(name, args)
        self.deploy = self._declare_deploy(name, args)
        self.pipeline = self._declare_pipeline(name, args)
        self.trigger = self.origin.declare_push_trigger(
            f"{name}-trigger",
            TriggerInputs(
                names,
                repository_arn=self.source.repository_arn if self.source else None,
                pipeline_arn=self.pipeline.pipeline_arn,
                events_role_arn=args.roles.arn("events"),
                tags=args.tags,
                parent=self,
                event_bus_name=args.promotions_bus_name,
            ),
        )
        self.execution_role = self._declare_execution_role(name, args)
        self._expose(names)

    def _declare_build(self, name: str, args: ServicePipelineArgs) -> Build:
        settings = args.settings
        return Build(
            f"{name}-build",
            BuildArgs(
                service=args.service,
                target=self.target,
                names=args.names,
                service_role_arn=args.roles.required_arn("build"),
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
            pulumi.ResourceOptions(parent=self),
        )

    def _declare_release(self, name: str, args: ServicePipelineArgs) -> ReleaseSteps:
        return ReleaseSteps(
            f"{name}-release",
            ReleaseStepsArgs(
                service=args.service,
                names=args.names,
                origin=self.origin,
                target=self.target,
                plan=self.plan,
                roles=args.roles,
                key_arn=args.key_arn,
                key_alias_arn=args.key_alias_arn,
                bucket_name=args.bucket_name,
                signing_key_alias_arn=args.signing_key_alias_arn,
                log_group_name=args.release_log_group_name,
                rollback_alarm_names=(
                    self.target.rollback_alarm_names(args.names)
                    if args.settings.alarm_rollback
                    else ()
                ),
                vulnerability_gate=args.settings.vulnerability_gate,
                build_image=args.settings.build_image,
                tags=args.tags,
                protect=args.protect,
            ),
            pulumi.ResourceOptions(parent=self),
        )

    def _declare_deploy(self, name: str, args: ServicePipelineArgs) -> Deploy:
        return Deploy(
            f"{name}-deploy",
            DeployArgs(
                target=self.target,
                names=args.names,
                service_role_arn=args.roles.arn("deploy"),
                topic_arn=args.topic_arn,
                alarm_rollback=args.settings.alarm_rollback,
                tags=args.tags,
            ),
            pulumi.ResourceOptions(parent=self),
        )

    def _declare_pipeline(self, name: str, args: ServicePipelineArgs) -> Pipeline:
        return Pipeline(
            f"{name}-pipeline",
            PipelineArgs(
                service=args.service,
                names=args.names,
                origin=self.origin,
                target=self.target,
                service_role_arn=args.roles.required_arn("pipeline"),
                bucket_name=args.bucket_name,
                key_alias_arn=args.key_alias_arn,
                topic_arn=args.topic_arn,
                build_project_name=self.build.project_name if self.build else None,
                release=self.release.stages,
                plan=self.plan,
                repository_name=self.source.repository_name if self.source else None,
                deployment=self.deploy.deployment,
                rollback_alarms=self.deploy.alarm_references,
                manual_approval=args.settings.manual_approval,
                tags=args.tags,
            ),
            pulumi.ResourceOptions(parent=self),
        )

    def _declare_execution_role(self, name: str, args: ServicePipelineArgs) -> ExecutionRole:
        settings = args.settings
        return ExecutionRole(
            f"{name}-execution",
            ExecutionRoleArgs(
                names=args.names,
                allowed_cidrs=settings.allowed_cidrs,
                allowed_vpc_endpoints=settings.allowed_vpc_endpoints,
                principals=settings.execution_principals(args.platform_names.account_root_arn),
                tags=args.tags,
            ),
            pulumi.ResourceOptions(parent=self),
        )

    def _expose(self, names: ServiceNames) -> None:
        self.pipeline_name = self.pipeline.pipeline_name
        self.pipeline_arn = self.pipeline.pipeline_arn
        self.console_url = names.console_url
        self.repository_name = self.source.repository_name if self.source else None
        self.build_project_name = self.build.project_name if self.build else None
        self.log_group_name = self.build.log_group_name if self.build else None
        self.deployment_group_name = self.deploy.deployment_group_name
        self.rollback_alarm_names = self.deploy.alarm_names
        self.execution_role_arn = self.execution_role.role_arn
        self.default_buildspec = self.build.default_buildspec if self.build else None
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
