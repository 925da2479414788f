"""The service roles of one service's pipeline, each with one inline policy scoped to what it runs.

The KMS key policy names these roles, and KMS rejects a key policy naming a role that does not exist yet;
AWS services reject a service role they cannot assume. So every ARN exposed here is a `reference`: the
names-derived ARN (known at preview) that makes whoever holds it wait for the role *and* its inline
policy (a V2 pipeline starts a first execution as soon as it is created, which needs the permissions).
All documents come from `role_policies.py` and are plain strings known at preview.
"""

from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components import role_policies
from components.config import PlatformSettings, ServiceSettings
from components.deploy_role_policy import deploy_role_policy
from components.shared.naming import RoleNames, ServiceNames
from components.shared.references import reference

MAX_SESSION_SECONDS = 3600
KEY_USER_PURPOSES = ("build", "deploy", "pipeline")
"""The roles that read or write encrypted artifacts, logs or the repository; the events role only
starts the pipeline and never touches the key, so the key policy leaves it out."""


def role_purposes(service: ServiceSettings) -> tuple[str, ...]:
    """The service roles a service needs: CodeDeploy's only where CodeDeploy deploys (not Lambda),
    EventBridge's only where a rule starts the pipeline (CodeCommit; a connection source triggers
    the V2 pipeline itself)."""
    return (
        "build",
        *(("deploy",) if service.uses_codedeploy else ()),
        "pipeline",
        *(("events",) if service.connection is None else ()),
    )


@dataclass(frozen=True)
class ServiceRolesArgs:
    """Inputs of one service's roles."""

    settings: PlatformSettings
    """Stack settings: `manual_approval` (pipeline may notify the topic) and `alarm_rollback`
    (CodeDeploy may read the rollback alarms) change what the roles may do."""
    service: ServiceSettings
    """The service: its compute platform decides the deploy role's permissions."""
    names: ServiceNames
    """Every name and ARN the documents refer to (known at preview)."""
    tags: dict[str, str] = field(default_factory=dict)
    """Tags of every role."""


class ServiceRoles(pulumi.ComponentResource):
    """CodeBuild, CodePipeline and, where the service needs them, CodeDeploy and EventBridge roles."""

    build_role: aws.iam.Role
    deploy_role: aws.iam.Role | None
    """CodeDeploy's role; None for Lambda (CodePipeline's Lambda action deploys)."""
    pipeline_role: aws.iam.Role
    events_role: aws.iam.Role | None
    """EventBridge's role; None for a CodeConnections source (the pipeline's own trigger)."""
    build_role_arn: pulumi.Output[str]
    deploy_role_arn: pulumi.Output[str] | None
    pipeline_role_arn: pulumi.Output[str]
    events_role_arn: pulumi.Output[str] | None
    role_arns: list[str]
    """The four role ARNs as plain strings (for documents that only mention them)."""
    key_user_role_arns: list[pulumi.Output[str]]
    """References to the roles the key policy names (all but the events role)."""
    policies: dict[str, str]
    """Inline policy document per role purpose (`build`, `deploy`, `pipeline`, `events`)."""

    def __init__(
        self, name: str, args: ServiceRolesArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("guarded-delivery:roles:ServiceRoles", name, None, opts)
        service, names, settings = args.service, args.names, args.settings
        policies = {
            "build": lambda: role_policies.build_role_policy(service, names),
            "deploy": lambda: deploy_role_policy(
                service, names, alarm_rollback=settings.alarm_rollback
            ),
            "pipeline": lambda: role_policies.pipeline_role_policy(
                service,
                names,
                manual_approval=settings.manual_approval,
                alarm_rollback=settings.alarm_rollback,
            ),
            "events": lambda: role_policies.events_role_policy(names),
        }
        trust = {
            "build": role_policies.build_trust_policy,
            "deploy": role_policies.deploy_trust_policy,
            "pipeline": role_policies.pipeline_trust_policy,
            "events": role_policies.events_trust_policy,
        }
        role_names = {
            "build": names.build_role,
            "deploy": names.deploy_role,
            "pipeline": names.pipeline_role,
            "events": names.events_role,
        }
        purposes = role_purposes(service)
        self.policies = {purpose: policies[purpose]() for purpose in purposes}
        declared = {
            purpose: self._role(
                name, purpose, role_names[purpose], trust[purpose](names), args.tags
            )
            for purpose in purposes
        }
        self.build_role, self.build_role_arn = declared["build"]
        self.pipeline_role, self.pipeline_role_arn = declared["pipeline"]
        self.deploy_role, self.deploy_role_arn = declared.get("deploy", (None, None))
        self.events_role, self.events_role_arn = declared.get("events", (None, None))
        self.role_arns = [role_names[purpose].arn for purpose in purposes]
        self.key_user_role_arns = [
            declared[purpose][1] for purpose in purposes if purpose in KEY_USER_PURPOSES
        ]
        self.register_outputs({"role_arns": self.role_arns})

    def _role(
        self, name: str, purpose: str, role: RoleNames, trust_policy: str, tags: dict[str, str]
    ) -> tuple[aws.iam.Role, pulumi.Output[str]]:
        """Declare one role and its inline policy; return the role and a reference to it, ready."""
        created = aws.iam.Role(
            f"{name}-{purpose}",
            name=role.name,
            assume_role_policy=trust_policy,
            description=f"{purpose} role of {role.name.removesuffix(f'-{purpose}')}",
            max_session_duration=MAX_SESSION_SECONDS,
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        inline = aws.iam.RolePolicy(
            f"{name}-{purpose}-policy",
            name=f"{purpose}-least-privilege",
            role=reference(role.name, created),
            policy=self.policies[purpose],
            opts=pulumi.ResourceOptions(parent=self),
        )
        return created, reference(role.arn, created, inline)
