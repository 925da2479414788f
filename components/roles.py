"""The four service roles of one service's pipeline, each with one inline policy scoped to what it runs.

Declared before the artifact store: the KMS key policy names these roles, and KMS rejects a key policy
naming a role that does not exist yet. All documents come from `role_policies.py` and are plain strings
known at preview; the role ARNs exposed here are the names-derived strings, not computed outputs.
"""

from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components import role_policies
from components.config import PlatformSettings, ServiceSettings
from components.deploy_role_policy import deploy_role_policy
from components.naming import RoleNames, ServiceNames

MAX_SESSION_SECONDS = 3600


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
    """CodeBuild, CodeDeploy, CodePipeline and EventBridge roles of one service."""

    build_role: aws.iam.Role
    deploy_role: aws.iam.Role
    pipeline_role: aws.iam.Role
    events_role: aws.iam.Role
    build_role_arn: str
    deploy_role_arn: str
    pipeline_role_arn: str
    events_role_arn: str
    role_arns: list[str]
    """The four role ARNs, known at preview."""
    key_user_role_arns: list[str]
    """The roles the key policy names (all but the events role), known at preview."""
    policies: dict[str, str]
    """Inline policy document per role purpose (`build`, `deploy`, `pipeline`, `events`)."""

    def __init__(
        self, name: str, args: ServiceRolesArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("guarded-delivery:roles:ServiceRoles", name, None, opts)
        service, names, settings = args.service, args.names, args.settings
        self.policies = {
            "build": role_policies.build_role_policy(service, names),
            "deploy": deploy_role_policy(service, names, alarm_rollback=settings.alarm_rollback),
            "pipeline": role_policies.pipeline_role_policy(
                service, names, manual_approval=settings.manual_approval
            ),
            "events": role_policies.events_role_policy(names),
        }
        trust = {
            "build": role_policies.build_trust_policy(names),
            "deploy": role_policies.deploy_trust_policy(names),
            "pipeline": role_policies.pipeline_trust_policy(names),
            "events": role_policies.events_trust_policy(names),
        }
        role_names = {
            "build": names.build_role,
            "deploy": names.deploy_role,
            "pipeline": names.pipeline_role,
            "events": names.events_role,
        }
        roles = {
            purpose: self._role(name, purpose, role_names[purpose], trust[purpose], args.tags)
            for purpose in role_names
        }
        self.build_role, self.deploy_role = roles["build"], roles["deploy"]
        self.pipeline_role, self.events_role = roles["pipeline"], roles["events"]
        self.build_role_arn = names.build_role.arn
        self.deploy_role_arn = names.deploy_role.arn
        self.pipeline_role_arn = names.pipeline_role.arn
        self.events_role_arn = names.events_role.arn
        self.role_arns = [role.arn for role in role_names.values()]
        self.key_user_role_arns = names.key_user_role_arns
        self.register_outputs({"role_arns": self.role_arns})

    def _role(
        self, name: str, purpose: str, role: RoleNames, trust_policy: str, tags: dict[str, str]
    ) -> aws.iam.Role:
        created = aws.iam.Role(
            f"{name}-{purpose}",
            name=role.name,
            assume_role_policy=trust_policy,
            description=f"{purpose} role of {role.name.removesuffix(f'-{purpose}')}",
            max_session_duration=MAX_SESSION_SECONDS,
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.iam.RolePolicy(
            f"{name}-{purpose}-policy",
            name=f"{purpose}-least-privilege",
            role=role.name,
            policy=self.policies[purpose],
            opts=pulumi.ResourceOptions(parent=self, depends_on=[created]),
        )
        return created
