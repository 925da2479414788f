"""What AWS (and we) accept in the stack config: allowed values, name patterns, a service's keys.

Kept apart from the rules that apply them so the tables read as a reference: CloudWatch Logs' retention
values, CodeDeploy's predefined configs per compute platform, CodeBuild's limits and name formats. The
top-level keys are in `keys.py`.
"""

import re

# The KMS key policy names three roles and a log group per service (~430 bytes each with long names)
# and must stay under KMS's 32 KB limit: 60 services fit with room to spare (pinned by
# tests/components/shared/test_artifact_store.py). Larger estates split their services across stacks.
# The rules read it as `allowed.MAX_SERVICES` when they run, so bench/ can lift it to measure more.
MAX_SERVICES = 60

LOG_RETENTION_DAYS = frozenset(
    {1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
     3288, 3653}
)  # fmt: skip
KMS_DELETION_WINDOW_DAYS = range(7, 31)
BUILD_TIMEOUT_MINUTES = range(5, 2161)
CONTAINER_PORTS = range(1, 65536)
BUILD_COMPUTE_TYPES = (
    "BUILD_GENERAL1_SMALL",
    "BUILD_GENERAL1_MEDIUM",
    "BUILD_GENERAL1_LARGE",
    "BUILD_GENERAL1_XLARGE",
    "BUILD_GENERAL1_2XLARGE",
)
BUILD_CACHES = ("none", "s3", "local")
VULNERABILITY_GATES = ("CRITICAL", "HIGH", "MEDIUM", "LOW", "report-only")
"""Severity at or above which a release is refused, or report-only (record the scan, refuse nothing)."""
COMPUTE_PLATFORMS = ("Server", "ECS", "Lambda")
DEPLOYMENT_CONFIGS: dict[str, tuple[str, ...]] = {
    "Server": ("OneAtATime", "HalfAtATime", "AllAtOnce"),
    "ECS": (
        "ECSAllAtOnce",
        "ECSLinear10PercentEvery1Minutes",
        "ECSLinear10PercentEvery3Minutes",
        "ECSCanary10Percent5Minutes",
        "ECSCanary10Percent15Minutes",
    ),
    "Lambda": (
        "LambdaAllAtOnce",
        "LambdaCanary10Percent5Minutes",
        "LambdaCanary10Percent10Minutes",
        "LambdaCanary10Percent15Minutes",
        "LambdaCanary10Percent30Minutes",
        "LambdaLinear10PercentEvery1Minute",
        "LambdaLinear10PercentEvery2Minutes",
        "LambdaLinear10PercentEvery3Minutes",
        "LambdaLinear10PercentEvery10Minutes",
    ),
}
DEPLOYMENT_CONFIG_PREFIX = "CodeDeployDefault."
# Broader than this is "the internet" in all but name (a handful of /1s cover everything).
MIN_PREFIX_LENGTH = {4: 8, 6: 32}

SERVICE_NAME = re.compile(r"[a-z][a-z0-9-]{0,19}")
REPOSITORY_NAME = re.compile(r"(?!.*\.git$)[A-Za-z0-9_.-]{1,100}")
BRANCH_NAME = re.compile(
    r"(?!@$)(?![-/.])(?!.*(\.\.|//|@\{|/\.|\.lock/|\.lock$))[A-Za-z0-9._/@+-]{1,255}(?<![/.])"
)
r"""A branch name git accepts (git-check-ref-format): no `..`, `//`, `@{`, component starting with `.`
or ending in `.lock`, not `@` alone, no leading `-`, `/` or `.`, no trailing `/` or `.`; and, narrower
than git, only letters, digits and `._/@+-` (no spaces, controls or `~^:?*[\`)."""
REFS_HEADS = "refs/heads/"
BUILDSPEC_PATH = re.compile(r"(?!/)(?!.*\.\.)[A-Za-z0-9._/-]{1,255}\.ya?ml")
BUILD_IMAGE = re.compile(r"aws/codebuild/[a-z0-9._/-]+:[A-Za-z0-9._-]+")
PRINCIPAL_ARN = re.compile(
    r"arn:aws[a-z-]*:iam::[0-9]{12}:(root|(role|user)/[A-Za-z0-9+=,.@_/-]{1,512})"
)
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")
LISTENER_ARN = re.compile(
    r"arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:[0-9]{12}:listener/(app|net)/[A-Za-z0-9-]+/[0-9a-f]+/[0-9a-f]+"
)
TARGET_GROUP_NAME = re.compile(r"(?!-)[A-Za-z0-9-]{1,32}(?<!-)")
ECS_NAME = re.compile(r"[A-Za-z0-9_-]{1,255}")
VPC_ENDPOINT_ID = re.compile(r"vpce-[0-9a-f]{8,17}")
CONNECTION_ARN = re.compile(
    r"arn:aws[a-z-]*:(codestar-connections|codeconnections):[a-z0-9-]+:[0-9]{12}:connection/[0-9a-f-]{36}"
)
"""Both prefixes: connections made since mid-2024 are `codeconnections`, older ones `codestar-connections`."""
FULL_REPOSITORY_ID = re.compile(r"[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+")
"""`owner/repository` (GitLab groups may nest: `group/subgroup/repository`)."""
FUNCTION_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
ALIAS_NAME = re.compile(r"(?![0-9]+$)[A-Za-z0-9_-]{1,128}")
TAG_KEY = re.compile(r".{1,128}")
TAG_VALUE = re.compile(r".{1,256}")

SERVICE_KEYS = (
    "name", "repositoryName", "connectionArn", "fullRepositoryId", "branch", "buildspec",
    "computePlatform", "deploymentConfig", "ec2TagFilters", "ecs", "lambda",
)  # fmt: skip
ECS_KEYS = (
    "clusterName", "serviceName", "containerName", "containerPort", "prodListenerArn",
    "testListenerArn", "targetGroups", "taskExecutionRoleName",
)  # fmt: skip
DEFAULT_TASK_EXECUTION_ROLE = "ecsTaskExecutionRole"
"""The name AWS's ECS guide gives the task execution role ("Amazon ECS task execution IAM role")."""
ROLE_NAME = re.compile(r"[A-Za-z0-9+=,.@_-]{1,64}")
LAMBDA_KEYS = ("functionName", "aliasName")
PROMOTION_TARGET_KEYS = ("stack", "accountId")
STACK_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")
"""A Pulumi stack name (letters, digits, `-`, `_`, `.`), as `Pulumi.<stack>.yaml` names it."""
ACCOUNT_ID = re.compile(r"[0-9]{12}")
KMS_KEY_ARN = re.compile(
    r"arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-"
    r"[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})"
)
BAKE_MINUTES = range(0, 1441)
TAG_FILTER_KEYS = ("key", "value")
