"""The whole guarded delivery platform of one stack: shared key, bucket and topic, one pipeline per service.

The order the engine creates things in is forced by AWS, and follows from references, never from
component `depends_on` (children do not inherit it): the key policy is a reference to the roles it
names, the topic to the key alias it encrypts with, each pipeline to its roles, bucket, alias, topic,
repository, project and deployment group, each metric filter to its log group (`references.py`).
Everything a reader or the policy pack needs (names, ARNs, documents) is known at preview, derived from
`PlatformNames`.
"""

from dataclasses import dataclass

import pulumi

from components.config import PlatformSettings, ServiceSettings
from components.iam.service_roles import ServiceRoles, ServiceRolesArgs
from components.release.promotion import (
    ReleasePlan,
    release_plan,
    upstream_artifact_key_statements,
    upstream_bucket_statements,
    upstream_signing_key_statements,
)
from components.release.promotion_bus import PromotionBus, PromotionBusArgs
from components.release.publication import ReleasePublication, ReleasePublicationArgs
from components.release.release_names import SIGNER_PURPOSE, VERIFIER_PURPOSE, StackReleaseNames
from components.release.signing_key import ReleaseSigning, ReleaseSigningArgs
from components.release.step_roles import signs
from components.service_pipeline import ServicePipeline, ServicePipelineArgs, service_role_grants
from components.shared.artifact_store import ArtifactStore, ArtifactStoreArgs
from components.shared.compliance import Compliance, ComplianceArgs, managed_rules
from components.shared.dashboard import ServicePanel, delivery_dashboard
from components.shared.monitoring import ServiceMonitoring, ServiceMonitoringArgs
from components.shared.naming import PlatformNames, ServiceNames
from components.shared.notification_topic import NotificationTopic, NotificationTopicArgs
from components.shared.references import reference
from components.shared.tagging import resource_tags
from components.targets import target_for


@dataclass(frozen=True)
class DeliveryPlatformArgs:
    """Inputs of the whole platform."""

    settings: PlatformSettings
    """Validated stack settings (`config.load_settings`)."""
    names: PlatformNames
    """Physical names for this project, stack, account and region."""


@dataclass(frozen=True)
class ServiceOutputs:
    """What an operator needs about one service's pipeline, all known before deployment."""

    pipeline_name: str
    pipeline_arn: str
    console_url: str
    build_log_group: str
    topic_arn: str
    logs_command: str
    """The exact command listing the ERROR lines of the build logs."""
    pipeline_state_command: str
    """The exact command showing which stage and action failed."""
    pipeline_failure_alarm: str
    """The PipelineFailure alarm (failed executions, counted by the failure rule's matches)."""
    troubleshoot_command: str
    """This repository's command explaining the latest failed execution."""

    @classmethod
    def of(cls, names: ServiceNames, topic_arn: str, builds: bool = True) -> "ServiceOutputs":
        """`builds`: the service's build log group; else (promoted) the release steps' group."""
        region = names.platform.region
        log_group = (
            names.log_group_name
            if builds
            else StackReleaseNames(names.platform).steps_log_group_name
        )
        return cls(
            pipeline_name=names.pipeline_name,
            pipeline_arn=names.pipeline_arn,
            console_url=names.console_url,
            build_log_group=log_group,
            topic_arn=topic_arn,
            logs_command=(
                f"aws logs filter-log-events --log-group-name {log_group} "
                f"--filter-pattern ERROR --region {region}"
            ),
            pipeline_state_command=(
                f"aws codepipeline get-pipeline-state --name {names.pipeline_name} --region {region}"
            ),
            pipeline_failure_alarm=names.pipeline_failure_alarm,
            troubleshoot_command=(
                f"bin/troubleshoot {names.platform.stack} --service {names.service_name}"
            ),
        )

    def as_dict(self) -> dict[str, str]:
        return {
            "pipelineName": self.pipeline_name,
            "pipelineArn": self.pipeline_arn,
            "consoleUrl": self.console_url,
            "buildLogGroup": self.build_log_group,
            "topicArn": self.topic_arn,
            "logsCommand": self.logs_command,
            "pipelineStateCommand": self.pipeline_state_command,
            "pipelineFailureAlarm": self.pipeline_failure_alarm,
            "troubleshootCommand": self.troubleshoot_command,
        }


class DeliveryPlatform(pulumi.ComponentResource):
    """Key, bucket and topic shared by every service; each service its own roles, pipeline, alarms."""

    artifact_store: ArtifactStore
    release_signing: ReleaseSigning
    """The release-signing key (where anything signs) and the release steps' log group."""
    plan: ReleasePlan
    """Releases built here or promoted from an upstream; published downstream or not."""
    publication: ReleasePublication | None
    """Forwarding of published releases to the downstream stacks (`promoteTo`)."""
    promotions_bus: PromotionBus | None
    """Where promoted releases arrive (`promoteFrom`)."""
    topic: NotificationTopic
    dashboard_name: str
    dashboard_url: str
    compliance: Compliance | None
    """AWS Config rules and their findings rule, when `complianceRules` is on."""
    pipelines: dict[str, ServicePipeline]
    service_outputs: dict[str, ServiceOutputs]

    def __init__(
        self, name: str, args: DeliveryPlatformArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("guarded-delivery:delivery_platform:DeliveryPlatform", name, None, opts)
        settings, names = args.settings, args.names
        self.plan = release_plan(settings, names)
        self._service_names = {
            service.name: names.service(service.name, service.repository_name)
            for service in settings.services
        }
        roles = self._declare_roles(settings, names)
        self._declare_shared(settings, names, roles)
        self._declare_promotion(settings, names)
        self.pipelines, self.service_outputs = {}, {}
        panels = [self._declare_service(settings, service, roles) for service in settings.services]
        self.dashboard = delivery_dashboard(
            "dashboard", names, panels, opts=pulumi.ResourceOptions(parent=self)
        )
        self.dashboard_name, self.dashboard_url = names.dashboard_name, names.dashboard_url
        self.compliance = self._declare_compliance(settings, names)
        self.default_service = settings.default_service
        self.register_outputs(
            {
                "dashboard_name": self.dashboard_name,
                "bucket_name": self.artifact_store.bucket_name,
                "key_alias_arn": self.artifact_store.key_alias_arn,
                "topic_arn": self.topic.topic_arn,
                "services": {n: o.as_dict() for n, o in self.service_outputs.items()},
            }
        )

    def _declare_roles(
        self, settings: PlatformSettings, names: PlatformNames
    ) -> dict[str, ServiceRoles]:
        """Every service's roles, first: the key policy names them."""
        return {
            service.name: ServiceRoles(
                f"{service.name}-roles",
                ServiceRolesArgs(
                    names=self._service_names[service.name],
                    grants=service_role_grants(
                        settings, service, self._service_names[service.name]
                    ),
                    tags=resource_tags(names.project, names.stack, service.name),
                ),
                opts=pulumi.ResourceOptions(parent=self),
            )
            for service in settings.services
        }

    def _declare_shared(
        self, settings: PlatformSettings, names: PlatformNames, roles: dict[str, ServiceRoles]
    ) -> None:
        """The key and bucket every pipeline stores artifacts in, and the topic everyone reports to."""
        shared_tags = resource_tags(names.project, names.stack)
        release_names = StackReleaseNames(names)
        downstreams, services = self.plan.downstreams, [s.name for s in settings.services]
        signed_here = signs(self.plan)
        self.artifact_store = ArtifactStore(
            "artifacts",
            ArtifactStoreArgs(
                names=names,
                key_user_role_arns=[arn for r in roles.values() for arn in r.key_user_role_arns],
                log_group_arns=[
                    *(n.log_group_arn for n in self._service_names.values()),
                    release_names.steps_log_group_arn,
                ],
                tags=shared_tags,
                deletion_window_days=settings.kms_deletion_window_days,
                key_grants=upstream_artifact_key_statements(names, downstreams, services),
                bucket_grants=upstream_bucket_statements(names, downstreams, services),
                protect=settings.protect_resources,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.release_signing = ReleaseSigning(
            "release-signing",
            ReleaseSigningArgs(
                names=release_names,
                signer_role_arns=(
                    [r.required_arn(SIGNER_PURPOSE) for r in roles.values()] if signed_here else []
                ),
                verifier_role_arns=[r.required_arn(VERIFIER_PURPOSE) for r in roles.values()],
                downstream_grants=upstream_signing_key_statements(downstreams, services),
                artifact_key_arn=self.artifact_store.key_arn,
                log_retention_days=settings.log_retention_days,
                tags=shared_tags,
                deletion_window_days=settings.kms_deletion_window_days,
                protect=settings.protect_resources,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.topic = NotificationTopic(
            "notifications",
            NotificationTopicArgs(
                names=names,
                key_alias_arn=self.artifact_store.key_alias_arn,
                tags=shared_tags,
                rule_names=topic_rule_names(settings, names),
                email_addresses=settings.notification_emails,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _declare_promotion(self, settings: PlatformSettings, names: PlatformNames) -> None:
        """The forwarding of what this stack publishes, and the bus where promoted releases arrive."""
        tags = resource_tags(names.project, names.stack)
        self.publication = (
            ReleasePublication(
                "publication",
                ReleasePublicationArgs(
                    names=names,
                    bucket_name=self.artifact_store.bucket_name,
                    services=[service.name for service in settings.services],
                    downstreams=self.plan.downstreams,
                    tags=tags,
                ),
                opts=pulumi.ResourceOptions(parent=self),
            )
            if self.plan.publishes
            else None
        )
        upstream = self.plan.upstream
        self.promotions_bus = (
            PromotionBus(
                "promotions",
                PromotionBusArgs(names=StackReleaseNames(names), upstream=upstream, tags=tags),
                opts=pulumi.ResourceOptions(parent=self),
            )
            if upstream is not None
            else None
        )

    def _declare_service(
        self, settings: PlatformSettings, service: ServiceSettings, roles: dict[str, ServiceRoles]
    ) -> ServicePanel:
        """One service's pipeline and monitoring; returns its panel of the stack's dashboard."""
        names = self._service_names[service.name]
        platform_names = names.platform
        service_tags = resource_tags(platform_names.project, platform_names.stack, service.name)
        pipeline = ServicePipeline(
            service.name,
            ServicePipelineArgs(
                settings=settings,
                service=service,
                names=names,
                platform_names=platform_names,
                roles=roles[service.name],
                key_arn=self.artifact_store.key_arn,
                key_alias_arn=self.artifact_store.key_alias_arn,
                bucket_name=self.artifact_store.bucket_name,
                topic_arn=self.topic.topic_arn,
                signing_key_alias_arn=self.release_signing.key_alias_arn,
                release_log_group_name=self.release_signing.log_group_name,
                promotions_bus_name=self.promotions_bus.bus_name if self.promotions_bus else None,
                tags=service_tags,
                protect=settings.protect_resources,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        monitoring = ServiceMonitoring(
            f"{service.name}-monitoring",
            ServiceMonitoringArgs(
                names=names,
                topic_arn=self.topic.topic_arn,
                pipeline_name=pipeline.pipeline_name,
                build_project_name=pipeline.build_project_name,
                log_group_name=pipeline.log_group_name,
                tags=service_tags,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.pipelines[service.name] = pipeline
        self.service_outputs[service.name] = ServiceOutputs.of(
            names, platform_names.topic_arn, builds=self.plan.builds
        )
        return ServicePanel(
            service_name=service.name,
            failure_rule_name=monitoring.failure_rule_name,
            build_project_name=pipeline.build_project_name,
            alarm_arns=[*monitoring.alarm_arns, *deployment_alarm_arns(names, pipeline)],
        )

    def _declare_compliance(
        self, settings: PlatformSettings, names: PlatformNames
    ) -> Compliance | None:
        """AWS Config rules checking after deploy what the pack checks at preview (opt-in)."""
        if not settings.compliance_rules:
            return None
        codedeploy_with_alarms = settings.alarm_rollback and any(
            target_for(service).uses_codedeploy for service in settings.services
        )
        return Compliance(
            "compliance",
            ComplianceArgs(
                names=names,
                rules=managed_rules(codedeploy_with_alarms),
                bucket_name=self.artifact_store.bucket_name,
                key_alias_arn=self.artifact_store.key_alias_arn,
                topic_arn=self.topic.topic_arn,
                tags=resource_tags(names.project, names.stack),
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )


def topic_rule_names(settings: PlatformSettings, names: PlatformNames) -> list[str]:
    """Every EventBridge rule this stack declares with the topic as its target, by exact name.

    Each service's failed-execution and failed-action rules (`ServiceMonitoring`), its target's
    rollback rules when deployments roll back on alarms (Server: the failed-instance rule), and the
    compliance findings rule; the topic policy lets EventBridge publish for these and no others.
    """
    rules: list[str] = []
    for service in settings.services:
        service_names = names.service(service.name, service.repository_name)
        rules.extend(service_names.topic_rule_names)
        if settings.alarm_rollback:
            rules.extend(target_for(service).topic_rule_names(service_names))
    if settings.compliance_rules:
        rules.append(names.compliance_findings_rule_name)
    return rules


def deployment_alarm_arns(
    names: ServiceNames, pipeline: ServicePipeline
) -> list[pulumi.Output[str]]:
    """References (ARNs) to the alarms that stop and roll back this service's deployments."""
    deploy = pipeline.deploy
    return [
        reference(names.alarm_arn(alarm_name), alarm)
        for alarm_name, alarm in zip(deploy.alarm_names, deploy.alarms, strict=True)
    ]
