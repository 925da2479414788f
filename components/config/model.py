"""Typed stack settings: what the program declares from, once the rules have checked the stack file.

Frozen dataclasses, so a settings value is a fact that nothing changes on the way. The defaults of
`PlatformSettings` are the ones in `keys.py` (the same table the project schema and the README are
rendered from); the defaults are the safe choice.
"""

from dataclasses import dataclass
from typing import Literal

from components.config.keys import default

ComputePlatform = Literal["Server", "ECS", "Lambda"]
BuildCache = Literal["none", "s3", "local"]


@dataclass(frozen=True)
class Ec2TagFilter:
    """An EC2 tag (KEY_AND_VALUE) selecting the instances a Server deployment goes to."""

    key: str
    value: str


@dataclass(frozen=True)
class EcsSettings:
    """An existing ECS service deployed blue/green behind an existing load balancer."""

    cluster_name: str
    service_name: str
    container_name: str
    container_port: int
    prod_listener_arn: str
    target_groups: tuple[str, str]
    """Blue then green target group names."""
    test_listener_arn: str | None = None
    """Optional listener for test traffic before the shift; none by default."""
    task_execution_role_name: str = "ecsTaskExecutionRole"
    """The role ECS pulls the image with; an environment promoting to another account lets exactly
    this role of that account pull (the same name in every environment)."""


@dataclass(frozen=True)
class LambdaSettings:
    """An existing Lambda function whose alias CodeDeploy shifts between versions."""

    function_name: str
    alias_name: str


@dataclass(frozen=True)
class ConnectionSource:
    """A GitHub, GitLab or Bitbucket repository reached through a CodeConnections connection."""

    connection_arn: str
    full_repository_id: str
    """`owner/repository` as the provider names it."""


@dataclass(frozen=True)
class PromotionTarget:
    """A downstream environment this stack publishes its verified releases to."""

    stack: str
    account_id: str = ""
    """Its AWS account; empty is this stack's own account."""


@dataclass(frozen=True)
class ServiceSettings:
    """One service: its own repository, build, deployment and pipeline."""

    name: str
    repository_name: str
    """CodeCommit: the repository's name within the stack (its physical name is stack-scoped)."""
    compute_platform: ComputePlatform
    deployment_config: str
    """A `CodeDeployDefault.*` config that fits `compute_platform`."""
    branch: str = "main"
    buildspec: str | None = None
    """Path of the buildspec in the repository; None uses the component's default buildspec."""
    ec2_tag_filters: tuple[Ec2TagFilter, ...] = ()
    """Server only (at least one)."""
    ecs: EcsSettings | None = None
    """ECS only."""
    lambda_: LambdaSettings | None = None
    """Lambda only."""
    connection: ConnectionSource | None = None
    """A CodeConnections source instead of a CodeCommit repository; None is CodeCommit."""


@dataclass(frozen=True)
class PlatformSettings:
    """Everything one stack (environment) decides; each field is the key of `keys.py` it names."""

    allowed_cidrs: tuple[str, ...]
    """Where the execution role may start pipelines from (required; never 0.0.0.0/0 or ::/0)."""
    services: tuple[ServiceSettings, ...]
    allowed_vpc_endpoints: tuple[str, ...] = default("allowedVpcEndpoints")
    """VPC endpoint ids (`vpce-...`) through which the execution role may also start pipelines."""
    default_service: str = default("defaultService")
    """Name of the service whose outputs are also exported at the top level (after reading: set)."""
    execution_role_principals: tuple[str, ...] = default("executionRolePrincipals")
    """Who may assume the execution role; empty means the account root (see `execution_principals`)."""
    log_retention_days: int = default("logRetentionDays")
    kms_deletion_window_days: int = default("kmsDeletionWindowDays")
    manual_approval: bool = default("manualApproval")
    alarm_rollback: bool = default("alarmRollback")
    build_compute_type: str = default("buildComputeType")
    build_image: str = default("buildImage")
    build_timeout_minutes: int = default("buildTimeoutMinutes")
    build_cache: BuildCache = default("buildCache")  # noqa: RUF009 (a str, immutable)
    privileged_mode: bool = default("privilegedMode")
    vulnerability_gate: str = default("vulnerabilityGate")
    """Severity at or above which the signing step refuses a release, or `report-only`."""
    protect_resources: bool = default("protectResources")
    notification_emails: tuple[str, ...] = default("notificationEmails")
    compliance_rules: bool = default("complianceRules")
    """AWS Config managed rules re-checking the pack's guardrails after deploy (needs a recorder)."""
    promote_from: str = default("promoteFrom")
    """The upstream stack whose verified releases this stack deploys; empty builds from source."""
    promote_from_account_id: str = default("promoteFromAccountId")
    """The upstream's account; empty is this stack's own account."""
    promote_from_signing_key_arn: str = default("promoteFromSigningKeyArn")
    """The upstream's signing key ARN (needed across accounts: KMS refuses foreign alias ARNs)."""
    promote_to: tuple[PromotionTarget, ...] = default("promoteTo")
    """Downstream stacks this stack publishes its verified, baked releases to."""
    promotion_bake_minutes: int = default("promotionBakeMinutes")
    """How long the rollback alarms must stay OK after a deploy before a release is published."""

    @property
    def promotes(self) -> bool:
        """Whether this stack deploys releases promoted from another stack instead of building."""
        return bool(self.promote_from)

    def execution_principals(self, account_root_arn: str) -> tuple[str, ...]:
        """The configured principals, or the account root (IAM then decides who may assume)."""
        return self.execution_role_principals or (account_root_arn,)

    def service(self, name: str) -> ServiceSettings:
        return next(service for service in self.services if service.name == name)
