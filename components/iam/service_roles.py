"""The service roles of one service's pipeline, each with one inline policy scoped to what it runs.

This component only declares what it is given: each role's trust and statements come from the module
that runs as it (`stages.build.build_role`, `stages.pipeline.pipeline_role`, the deploy target's
`deploy_role`, the origin's `events_role`), so adding an action touches that one module.

The KMS key policy names these roles, and KMS rejects a key policy naming a role that does not exist
yet; AWS services reject a service role they cannot assume. So every ARN exposed here is a `reference`:
the names-derived ARN (known at preview) that makes whoever holds it wait for the role *and* its inline
policy (a V2 pipeline starts a first execution as soon as it is created, which needs the permissions).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.iam.grants import RoleGrants
from components.iam.principals import MAX_SESSION_SECONDS
from components.shared.naming import RoleNames, ServiceNames
from components.shared.references import reference

KEY_USER_PURPOSES = ("build", "deploy", "pipeline")
"""The roles that read or write encrypted artifacts, logs or the repository; the events role only
starts the pipeline and never touches the key, so the key policy leaves it out."""


@dataclass(frozen=True)
class ServiceRolesArgs:
    """Inputs of one service's roles."""

    names: ServiceNames
    """Every role's name and ARN (known at preview)."""
    grants: Sequence[RoleGrants]
    """The roles this service needs, in declaration order."""
    tags: dict[str, str] = field(default_factory=dict)
    """Tags of every role."""


class ServiceRoles(pulumi.ComponentResource):
    """CodeBuild, CodePipeline and, where the service needs them, CodeDeploy and EventBridge roles."""

    roles: dict[str, aws.iam.Role]
    """The declared roles by purpose."""
    role_arns: list[str]
    """The role ARNs as plain strings (for documents that only mention them)."""
    key_user_role_arns: list[pulumi.Output[str]]
    """References to the roles the key policy names (all but the events role)."""
    policies: dict[str, str]
    """Inline policy document per role purpose."""

    def __init__(
        self, name: str, args: ServiceRolesArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("guarded-delivery:roles:ServiceRoles", name, None, opts)
        self.roles, self._arns = {}, {}
        self.policies = {grant.purpose: grant.policy for grant in args.grants}
        for grant in args.grants:
            role_names = args.names.role(grant.purpose)
            self.roles[grant.purpose], self._arns[grant.purpose] = self._role(
                name, grant, role_names, args.tags
            )
        self.role_arns = [args.names.role(grant.purpose).arn for grant in args.grants]
        self.key_user_role_arns = [
            self._arns[grant.purpose] for grant in args.grants if grant.purpose in KEY_USER_PURPOSES
        ]
        self.register_outputs({"role_arns": self.role_arns})

    def arn(self, purpose: str) -> pulumi.Output[str] | None:
        """Reference to the ready role of `purpose`, or None when this service has no such role."""
        return self._arns.get(purpose)

    def required_arn(self, purpose: str) -> pulumi.Output[str]:
        """Reference to the ready role of `purpose`, which every service has (build, pipeline)."""
        found = self._arns.get(purpose)
        if found is None:
            raise ValueError(f"this service has no {purpose} role")
        return found

    def _role(
        self, name: str, grant: RoleGrants, role: RoleNames, tags: dict[str, str]
    ) -> tuple[aws.iam.Role, pulumi.Output[str]]:
        """Declare one role and its inline policy; return the role and a reference to it, ready."""
        purpose = grant.purpose
        created = aws.iam.Role(
            f"{name}-{purpose}",
            name=role.name,
            assume_role_policy=grant.trust_policy,
            description=f"{purpose} role of {role.name.removesuffix(f'-{purpose}')}",
            max_session_duration=MAX_SESSION_SECONDS,
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        inline = aws.iam.RolePolicy(
            f"{name}-{purpose}-policy",
            name=f"{purpose}-least-privilege",
            role=reference(role.name, created),
            policy=grant.policy,
            opts=pulumi.ResourceOptions(parent=self),
        )
        return created, reference(role.arn, created, inline)
