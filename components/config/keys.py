"""Every top-level stack-config key, once: its type, default, meaning and what it accepts.

The settings' defaults (`model.py`), the generic readers (`rules.py`), the project schema in
`Pulumi.yaml` and the README's config reference all come from `STACK_KEYS`; the last two are rendered
by `tools/generate_config_files.py`, and a test fails when they drift. A new key is one entry here and
one field of `PlatformSettings`.
"""

import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Literal

from components.config.allowed import (
    ACCOUNT_ID,
    BAKE_MINUTES,
    BUILD_CACHES,
    BUILD_COMPUTE_TYPES,
    BUILD_IMAGE,
    BUILD_TIMEOUT_MINUTES,
    COMPUTE_PLATFORMS,
    EMAIL,
    KMS_DELETION_WINDOW_DAYS,
    KMS_KEY_ARN,
    LOG_RETENTION_DAYS,
    MAX_SERVICES,
    MIN_PREFIX_LENGTH,
    PRINCIPAL_ARN,
    STACK_NAME,
    VPC_ENDPOINT_ID,
    VULNERABILITY_GATES,
)

KeyKind = Literal["boolean", "integer", "string", "choice", "strings", "objects"]
"""How a value is read: one FieldReader method each; `strings` are unique, `objects` have own rules."""


class Required:
    """The default of a key every stack must set."""

    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED = Required()


@dataclass(frozen=True)
class ConfigKey:
    """One key as the stack file spells it (`guarded-delivery:<name>`)."""

    name: str
    kind: KeyKind
    description: str
    """One or more sentences; Markdown code spans are fine (the CLI shows them as they are)."""
    default: Any = REQUIRED
    """The value a stack gets without the key, typed as in `PlatformSettings` (lists are tuples)."""
    allowed: Collection[int] | range | tuple[str, ...] | None = None
    """integer: the accepted numbers; choice: the accepted words."""
    pattern: re.Pattern[str] | None = None
    """string and strings: what each value must match fully."""
    fix: str = ""
    """What to write instead when a value does not match `pattern`."""
    shown_type: str = ""
    """The README's type column when the kind alone says too little ("list of CIDRs")."""
    default_meaning: str = ""
    """What the default stands for when its value does not say it (`[]` = the account root)."""

    @property
    def attribute(self) -> str:
        """The `PlatformSettings` field: `logRetentionDays` -> `log_retention_days`."""
        return re.sub(r"(?<!^)([A-Z])", r"_\1", self.name).lower()

    @property
    def required(self) -> bool:
        return self.default is REQUIRED


def listed(values: Collection[int] | range | tuple[str, ...]) -> str:
    """Allowed values as prose: `7 to 30`, `1, 3, 5`, `none, s3, local`."""
    if isinstance(values, range):
        return f"{values.start} to {values.stop - 1}"
    if isinstance(values, tuple):
        return ", ".join(values)
    return ", ".join(str(value) for value in sorted(values))


SAME_IN_POLICY_CONFIG = (
    "The policy config `policies/config/<stack>.json` gets this value as `{policy}` (copied from the "
    "stack file by tools/generate_config_files.py)."
)
CHAIN_IN_POLICY_CONFIG = (
    "Its account ids are the promotion chain the policy config `policies/config/<stack>.json` gets "
    "as `kms-key-cross-account-limited.promotionAccounts` (copied from the stack file by "
    "tools/generate_config_files.py): the only other accounts the artifact key may let decrypt."
)

STACK_KEYS: tuple[ConfigKey, ...] = (
    ConfigKey(
        name="allowedCidrs",
        kind="strings",
        shown_type="list of CIDRs",
        description=(
            "Networks from which the execution role may start and inspect the pipelines; every "
            f"other address is explicitly denied. IPv4 /{MIN_PREFIX_LENGTH[4]} or longer, IPv6 "
            f"/{MIN_PREFIX_LENGTH[6]} or longer; never `0.0.0.0/0` or `::/0`. "
            + SAME_IN_POLICY_CONFIG.format(policy="execution-role-ip-restricted.allowedCidrs")
        ),
    ),
    ConfigKey(
        name="allowedVpcEndpoints",
        kind="strings",
        default=(),
        pattern=VPC_ENDPOINT_ID,
        fix="use VPC endpoint ids like vpce-0123456789abcdef0",
        shown_type="list of `vpce-...` ids",
        description=(
            "VPC endpoints through which the execution role may also be assumed and start the "
            "pipelines (a request through an endpoint carries no `aws:SourceIp`, so `allowedCidrs` "
            "alone locks out automation in a VPC); every other endpoint is denied like every other "
            "address. List the STS endpoint too. "
            + SAME_IN_POLICY_CONFIG.format(
                policy="execution-role-ip-restricted.allowedVpcEndpoints"
            )
        ),
    ),
    ConfigKey(
        name="executionRolePrincipals",
        kind="strings",
        default=(),
        pattern=PRINCIPAL_ARN,
        fix="use IAM principal ARNs like arn:aws:iam::123456789012:role/deployer (no wildcards)",
        shown_type="list of ARNs",
        default_meaning="the account root",
        description=(
            "IAM principal ARNs (root, role/..., user/...; no wildcards) allowed to assume each "
            "service's execution role. Empty means the account root, i.e. whoever IAM in this "
            "account allows."
        ),
    ),
    ConfigKey(
        name="logRetentionDays",
        kind="integer",
        default=90,
        allowed=LOG_RETENTION_DAYS,
        description=(
            "Retention in days of the CodeBuild log groups; one of CloudWatch Logs' values "
            f"{listed(LOG_RETENTION_DAYS)}."
        ),
    ),
    ConfigKey(
        name="kmsDeletionWindowDays",
        kind="integer",
        default=30,
        allowed=KMS_DELETION_WINDOW_DAYS,
        description=(
            f"Waiting period in days ({listed(KMS_DELETION_WINDOW_DAYS)}) before a scheduled "
            "deletion of the artifact KMS key takes effect."
        ),
    ),
    ConfigKey(
        name="manualApproval",
        kind="boolean",
        default=True,
        description=(
            "Add a manual approval stage (notified on the notification topic) between Build and "
            "Deploy."
        ),
    ),
    ConfigKey(
        name="alarmRollback",
        kind="boolean",
        default=True,
        description=(
            "Create deployment alarms and let the deployment stop and roll back "
            "(`DEPLOYMENT_STOP_ON_ALARM`) when they fire. "
            + SAME_IN_POLICY_CONFIG.format(policy="codedeploy-auto-rollback.requireAlarmRollback")
        ),
    ),
    ConfigKey(
        name="buildComputeType",
        kind="choice",
        default="BUILD_GENERAL1_SMALL",
        allowed=BUILD_COMPUTE_TYPES,
        description=f"CodeBuild compute type; one of {listed(BUILD_COMPUTE_TYPES)}.",
    ),
    ConfigKey(
        name="buildImage",
        kind="string",
        default="aws/codebuild/standard:7.0",
        pattern=BUILD_IMAGE,
        fix="use a CodeBuild curated image such as aws/codebuild/standard:7.0",
        description="CodeBuild curated image (`aws/codebuild/<name>:<tag>`).",
    ),
    ConfigKey(
        name="buildTimeoutMinutes",
        kind="integer",
        default=30,
        allowed=BUILD_TIMEOUT_MINUTES,
        description=f"Build timeout in minutes ({listed(BUILD_TIMEOUT_MINUTES)}).",
    ),
    ConfigKey(
        name="buildCache",
        kind="choice",
        default="none",
        allowed=BUILD_CACHES,
        description=(
            f"Build cache; one of {listed(BUILD_CACHES)}: `s3` keeps it in the artifact bucket "
            "(KMS-encrypted), `local` on the build host."
        ),
    ),
    ConfigKey(
        name="privilegedMode",
        kind="boolean",
        default=False,
        description=(
            "Run builds in privileged mode (needed only to build Docker images); grants root on "
            "the build host."
        ),
    ),
    ConfigKey(
        name="vulnerabilityGate",
        kind="choice",
        default="HIGH",
        allowed=VULNERABILITY_GATES,
        description=(
            "The release's vulnerability gate: the signing step scans the SBOM of what is deployed "
            "(Amazon Inspector `ScanSbom`) and the image (ECR scan on push) and refuses to sign a "
            "release with a finding at or above this severity; `report-only` records the scan in "
            f"the signed manifest and refuses nothing. One of {listed(VULNERABILITY_GATES)}."
        ),
    ),
    ConfigKey(
        name="protectResources",
        kind="boolean",
        default=True,
        description=(
            "Protect and retain on delete the KMS key, the artifact bucket and the repositories "
            "(`pulumi destroy` then refuses to delete them)."
        ),
    ),
    ConfigKey(
        name="notificationEmails",
        kind="strings",
        default=(),
        pattern=EMAIL,
        fix="use addresses like team@example.com",
        shown_type="list of emails",
        description=(
            "Email addresses subscribed to the notification topic (each must confirm the "
            "subscription)."
        ),
    ),
    ConfigKey(
        name="complianceRules",
        kind="boolean",
        default=False,
        description=(
            "Create AWS Config managed rules that re-check after deploy what the policy pack "
            "checks at preview (key rotation, SSE-KMS, log group and topic encryption, build "
            "artifact encryption and credentials, CodeDeploy rollback on alarms) and send their "
            "NON_COMPLIANT findings to the topic. Needs AWS Config recording in the account and "
            "region."
        ),
    ),
    ConfigKey(
        name="promoteFrom",
        kind="string",
        default="",
        pattern=STACK_NAME,
        fix="name the upstream stack, e.g. dev",
        default_meaning="build from the repositories",
        description=(
            "The upstream stack whose verified releases this stack deploys: its pipelines start "
            "from what the upstream published after its own deploy and bake (the artifacts, the "
            "signed manifest, the image digest), verify them, and never build from source. Each "
            "service takes the release of the upstream service of the same name."
        ),
    ),
    ConfigKey(
        name="promoteFromAccountId",
        kind="string",
        default="",
        pattern=ACCOUNT_ID,
        fix="use the upstream's 12-digit AWS account id",
        default_meaning="this stack's account",
        description=(
            "The upstream stack's AWS account id; empty when both live in one account. "
            + CHAIN_IN_POLICY_CONFIG
        ),
    ),
    ConfigKey(
        name="promoteFromSigningKeyArn",
        kind="string",
        default="",
        pattern=KMS_KEY_ARN,
        fix="use the upstream stack's releaseSigningKeyArn output (arn:aws:kms:...:key/<id>)",
        default_meaning="the upstream's key alias (same account)",
        description=(
            "The upstream's release-signing key ARN (its `releaseSigningKeyArn` output), which "
            "verifies the upstream's deployment records: required when `promoteFromAccountId` is "
            "another account, because KMS refuses an alias of another account."
        ),
    ),
    ConfigKey(
        name="promoteTo",
        kind="objects",
        default=(),
        shown_type="list of objects",
        description=(
            "Downstream stacks this stack publishes its releases to after a deploy whose alarms "
            "stayed OK for `promotionBakeMinutes`: each `{stack, accountId?}` (empty account id: "
            "this account). The stack grants exactly those stacks' pipeline, verifier and task "
            "execution roles (ARNs derived from their names) read on the published objects, "
            "decrypt through S3, verify and pull; nothing else. " + CHAIN_IN_POLICY_CONFIG
        ),
    ),
    ConfigKey(
        name="promotionBakeMinutes",
        kind="integer",
        default=30,
        allowed=BAKE_MINUTES,
        description=(
            "Minutes the deployment's rollback alarms must stay OK after a deploy before the "
            f"release is published downstream ({listed(BAKE_MINUTES)})."
        ),
    ),
    ConfigKey(
        name="defaultService",
        kind="string",
        default="",
        default_meaning="the first service",
        description=(
            "Name of the service whose outputs are also exported at the top level; empty means "
            "the first service."
        ),
    ),
    ConfigKey(
        name="services",
        kind="objects",
        shown_type="list of objects",
        description=(
            f"The services, at most {MAX_SERVICES} per stack (the shared key policy names every "
            "service's roles and must stay under KMS's 32 KB limit), each with its own repository, "
            "build, deployment and pipeline. Each item: `name` (lowercase, unique); its source, "
            "either `repositoryName` (a CodeCommit repository, unique in the stack, default the "
            "service name, created as `<project>-<stack>-<repositoryName>` so two stacks in one "
            "account never collide) or `connectionArn` and `fullRepositoryId` (a GitHub, GitLab or "
            "Bitbucket repository `owner/name` through an existing CodeConnections connection; "
            "CodeCommit is closed to new AWS customers, see CodeCommit's CreateRepository "
            "reference); `branch` (default `main`); `buildspec` (path in the repository, default "
            "`buildspec.yml`; the program generates a recommended one); `computePlatform` "
            f"({listed(COMPUTE_PLATFORMS)}); `deploymentConfig` (a `CodeDeployDefault.*` config "
            "of that platform: Server `OneAtATime`/`HalfAtATime`/`AllAtOnce`, ECS "
            "`ECSAllAtOnce`/`ECSLinear*`/`ECSCanary*`, Lambda "
            "`LambdaAllAtOnce`/`LambdaLinear*`/`LambdaCanary*`, which become the Lambda deploy "
            "action's `AllAtOnce`/`Linear*`/`Canary*` strategy); and exactly one of "
            "`ec2TagFilters: [{key, value}]` (Server), `ecs: {clusterName, serviceName, "
            "containerName, containerPort, prodListenerArn, testListenerArn?, targetGroups: "
            "[blue, green], taskExecutionRoleName?}` (ECS; the role the tasks pull with, default "
            "`ecsTaskExecutionRole`), `lambda: {functionName, aliasName}` (Lambda)."
        ),
    ),
)

TOP_LEVEL_KEYS = tuple(key.name for key in STACK_KEYS)
KEYS_BY_NAME = {key.name: key for key in STACK_KEYS}


def default(name: str) -> Any:
    """The default of key `name`, for the settings' field declarations."""
    value = KEYS_BY_NAME[name].default
    if value is REQUIRED:
        raise KeyError(f"{name} is required and has no default")
    return value
