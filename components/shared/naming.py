"""Physical names and ARNs of everything the stack declares, known before anything exists.

Every IAM document and the bucket name are built from these strings (project, stack, service, account id,
region), never from another resource's computed `arn`: a document built from a computed output is unknown
on a first `pulumi preview`, so the policy pack could not judge it. Names that would exceed an AWS length
limit are shortened deterministically (prefix + short hash), so they are still stable between runs.
"""

import hashlib
import re
from dataclasses import dataclass
from functools import cached_property

BUCKET_NAME_LIMIT = 63
IAM_ROLE_NAME_LIMIT = 64
EVENT_RULE_NAME_LIMIT = 64
CODEBUILD_NAME_LIMIT = 150
REPORT_GROUP_NAME_LIMIT = 128
"""CreateReportGroup, `name`: "Maximum length of 128" (AWS CodeBuild API Reference)."""
CODEPIPELINE_NAME_LIMIT = 100
CODEDEPLOY_NAME_LIMIT = 100
CODECOMMIT_NAME_LIMIT = 100
SNS_TOPIC_NAME_LIMIT = 256
DASHBOARD_NAME_LIMIT = 255
CONFIG_RULE_NAME_LIMIT = 128
KMS_ALIAS_NAME_LIMIT = 256
ALARM_NAME_LIMIT = 255
METRIC_FILTER_NAME_LIMIT = 512
HASH_LENGTH = 8
BUILD_CACHE_PREFIX = "build-cache"
"""CodeBuild's S3 cache lives in the artifact bucket under `build-cache/<service>`."""

_NOT_NAME_CHARS = re.compile(r"[^a-z0-9-]+")


def bounded(name: str, limit: int) -> str:
    """`name` if it fits, else its head plus a short hash of the whole name (stable and unique)."""
    if len(name) <= limit:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:HASH_LENGTH]
    return f"{name[: limit - HASH_LENGTH - 1].rstrip('-')}-{digest}"


def bounded_after(head: str, name: str, limit: int) -> str:
    """Like `bounded`, but a shortened name still starts with `head` whole.

    For names a policy grants by the pattern `<head>*` (the topic policy's `alarm:<prefix>-*`):
    `bounded` could cut into the head and the name would fall outside the grant.
    """
    if not name.startswith(head):
        raise ValueError(f"{name!r} does not start with {head!r}")
    if len(head) + HASH_LENGTH + 1 > limit:
        raise ValueError(f"{head!r} leaves no room for a hash within {limit} characters")
    shortened = bounded(name, limit)
    if shortened.startswith(head):
        return shortened
    digest = hashlib.sha256(name.encode()).hexdigest()[:HASH_LENGTH]
    return f"{name[: limit - HASH_LENGTH - 1]}-{digest}"


def name_part(value: str) -> str:
    """Lowercase, hyphen-only form of a project/stack/service name, valid in every AWS name we build."""
    cleaned = _NOT_NAME_CHARS.sub("-", value.lower()).strip("-")
    return re.sub("-{2,}", "-", cleaned) or "x"


@dataclass(frozen=True)
class RoleNames:
    """The name and ARN of one IAM role, both known at preview."""

    name: str
    arn: str


@dataclass(frozen=True)
class PlatformNames:
    """Names shared by all services of one stack: the key, the artifact bucket, the topic."""

    project: str
    stack: str
    account_id: str
    region: str
    partition: str = "aws"

    @cached_property
    def prefix(self) -> str:
        """`<project>-<stack>`, the head of every physical name."""
        return f"{name_part(self.project)}-{name_part(self.stack)}"

    @property
    def account_root_arn(self) -> str:
        return f"arn:{self.partition}:iam::{self.account_id}:root"

    @property
    def key_alias_name(self) -> str:
        return bounded(f"alias/{self.prefix}-artifacts", KMS_ALIAS_NAME_LIMIT)

    @property
    def key_alias_arn(self) -> str:
        return self.arn("kms", self.key_alias_name)

    @property
    def key_arn_pattern(self) -> str:
        """Any key in our account and region; IAM statements narrow it with `kms:ResourceAliases`."""
        return self.arn("kms", "key/*")

    @property
    def artifact_bucket_name(self) -> str:
        """Globally unique: ends in account id and region (kept whole); lowercase as S3 requires."""
        suffix = f"-artifacts-{self.account_id}-{self.region}"
        return bounded(self.prefix, BUCKET_NAME_LIMIT - len(suffix)) + suffix

    @property
    def artifact_bucket_arn(self) -> str:
        return f"arn:{self.partition}:s3:::{self.artifact_bucket_name}"

    @property
    def artifact_objects_arn(self) -> str:
        return f"{self.artifact_bucket_arn}/*"

    @property
    def build_cache_objects_arn(self) -> str:
        """Every service's S3 build cache (`build-cache/<service>/...`)."""
        return f"{self.artifact_bucket_arn}/{BUILD_CACHE_PREFIX}/*"

    @property
    def topic_name(self) -> str:
        return bounded(f"{self.prefix}-notifications", SNS_TOPIC_NAME_LIMIT)

    @property
    def topic_arn(self) -> str:
        return self.arn("sns", self.topic_name)

    @property
    def dashboard_name(self) -> str:
        """CloudWatch allows letters, digits, `-` and `_` (PutDashboard, DashboardName)."""
        return bounded(f"{self.prefix}-delivery", DASHBOARD_NAME_LIMIT)

    @property
    def dashboard_url(self) -> str:
        region = self.region
        return (
            f"https://{region}.console.aws.amazon.com/cloudwatch/home?region={region}"
            f"#dashboards/dashboard/{self.dashboard_name}"
        )

    def compliance_rule_name(self, identifier: str) -> str:
        """`<prefix>-<managed rule>`, e.g. `...-sns-encrypted-kms` for `SNS_ENCRYPTED_KMS`."""
        return bounded(f"{self.prefix}-{name_part(identifier)}", CONFIG_RULE_NAME_LIMIT)

    @property
    def alarm_arn_pattern(self) -> str:
        """Every alarm of this stack (`ServiceNames._alarm` keeps this head in shortened names)."""
        return self.arn("cloudwatch", f"alarm:{self.prefix}-*")

    def rule_arn(self, rule_name: str) -> str:
        """An EventBridge rule on the account's default event bus."""
        return self.arn("events", f"rule/{rule_name}")

    @property
    def compliance_findings_rule_name(self) -> str:
        return bounded(f"{self.prefix}-compliance-findings", EVENT_RULE_NAME_LIMIT)

    def role_arn(self, role_name: str) -> str:
        return f"arn:{self.partition}:iam::{self.account_id}:role/{role_name}"

    def arn(self, service: str, resource: str) -> str:
        """A regional ARN in our account, e.g. `arn("sns", "topic")`."""
        return f"arn:{self.partition}:{service}:{self.region}:{self.account_id}:{resource}"

    def service(self, service_name: str, repository: str) -> "ServiceNames":
        """Names of one service's resources; `repository` is its repository's name in config."""
        return ServiceNames(self, service_name, repository)


@dataclass(frozen=True)
class ServiceNames:
    """Names and ARNs of one service's repository, build, deployment, pipeline, roles and alarms."""

    platform: PlatformNames
    service_name: str
    repository: str
    """The repository's name in config; its physical name is scoped to the stack."""

    @cached_property
    def prefix(self) -> str:
        """`<project>-<stack>-<service>`, the head of this service's physical names."""
        return f"{self.platform.prefix}-{name_part(self.service_name)}"

    # Source
    @property
    def repository_name(self) -> str:
        """`<project>-<stack>-<repository>`: CodeCommit names are unique per account and region, so
        a name taken as is from config would make a second stack of the project collide."""
        return bounded(f"{self.platform.prefix}-{self.repository}", CODECOMMIT_NAME_LIMIT)

    @property
    def repository_arn(self) -> str:
        return self.platform.arn("codecommit", self.repository_name)

    @property
    def source_rule_name(self) -> str:
        return bounded(f"{self.prefix}-on-push", EVENT_RULE_NAME_LIMIT)

    @property
    def source_rule_arn(self) -> str:
        return self.platform.arn("events", f"rule/{self.source_rule_name}")

    # Build
    @property
    def build_project_name(self) -> str:
        return bounded(f"{self.prefix}-build", CODEBUILD_NAME_LIMIT)

    @property
    def build_project_arn(self) -> str:
        return self.platform.arn("codebuild", f"project/{self.build_project_name}")

    @property
    def log_group_name(self) -> str:
        return f"/aws/codebuild/{self.build_project_name}"

    @property
    def log_group_arn(self) -> str:
        """The log group itself, as used in the logs KMS encryption context."""
        return self.platform.arn("logs", f"log-group:{self.log_group_name}")

    @property
    def log_streams_arn(self) -> str:
        """The log group's streams, the resource of `logs:CreateLogStream`/`PutLogEvents`."""
        return f"{self.log_group_arn}:*"

    @property
    def report_group_name(self) -> str:
        """`<project>-tests`: the name CodeBuild itself gives a buildspec report called `tests`. The
        default buildspec names the group by its ARN, so a name shortened to the report-group limit
        (128, shorter than a project's 150) is still the one the builds report to."""
        return bounded(f"{self.build_project_name}-tests", REPORT_GROUP_NAME_LIMIT)

    @property
    def report_group_arn(self) -> str:
        return self.platform.arn("codebuild", f"report-group/{self.report_group_name}")

    # Deploy
    @property
    def deploy_application_name(self) -> str:
        # Suffixed so that no two resources of the stack share a name (the pipeline is the prefix).
        return bounded(f"{self.prefix}-app", CODEDEPLOY_NAME_LIMIT)

    @property
    def deploy_application_arn(self) -> str:
        return self.platform.arn("codedeploy", f"application:{self.deploy_application_name}")

    @property
    def deployment_group_name(self) -> str:
        return bounded(f"{self.prefix}-deployment", CODEDEPLOY_NAME_LIMIT)

    @property
    def deployment_group_arn(self) -> str:
        resource = f"deploymentgroup:{self.deploy_application_name}/{self.deployment_group_name}"
        return self.platform.arn("codedeploy", resource)

    def deployment_config_arn(self, config_name: str) -> str:
        return self.platform.arn("codedeploy", f"deploymentconfig:{config_name}")

    # Pipeline
    @property
    def pipeline_name(self) -> str:
        return bounded(self.prefix, CODEPIPELINE_NAME_LIMIT)

    @property
    def pipeline_arn(self) -> str:
        return self.platform.arn("codepipeline", self.pipeline_name)

    @property
    def action_log_group_arns(self) -> list[str]:
        """Log groups CodePipeline's compute-backed actions (Lambda deploy) write for this pipeline.

        The Lambda deploy action's reference lists `/<region>/codepipeline/<pipeline>`, the other
        actions' references `/aws/codepipeline/<pipeline>`; both are this pipeline's only.
        """
        return [
            self.platform.arn("logs", f"log-group:{group}")
            for group in (
                f"/{self.platform.region}/codepipeline/{self.pipeline_name}",
                f"/aws/codepipeline/{self.pipeline_name}",
            )
        ]

    @property
    def console_url(self) -> str:
        region = self.platform.region
        return (
            f"https://{region}.console.aws.amazon.com/codesuite/codepipeline/pipelines/"
            f"{self.pipeline_name}/view?region={region}"
        )

    # Roles
    @property
    def build_role(self) -> RoleNames:
        return self._role("build")

    @property
    def deploy_role(self) -> RoleNames:
        return self._role("deploy")

    @property
    def pipeline_role(self) -> RoleNames:
        return self._role("pipeline")

    @property
    def events_role(self) -> RoleNames:
        return self._role("events")

    @property
    def execution_role(self) -> RoleNames:
        return self._role("execution")

    @property
    def service_role_arns(self) -> list[str]:
        """The roles AWS services assume for this service."""
        roles = (self.build_role, self.deploy_role, self.pipeline_role, self.events_role)
        return [role.arn for role in roles]

    @property
    def key_user_role_arns(self) -> list[str]:
        """The service roles that read or write encrypted artifacts, logs or the repository.

        The events role only starts the pipeline and never touches the key, so the key policy leaves
        it out (least privilege).
        """
        return [role.arn for role in (self.build_role, self.deploy_role, self.pipeline_role)]

    # Monitoring
    @property
    def failed_builds_alarm(self) -> str:
        return self._alarm("failed-builds")

    @property
    def build_errors_alarm(self) -> str:
        return self._alarm("build-log-errors")

    @property
    def build_errors_metric_filter(self) -> str:
        return bounded(f"{self.prefix}-build-log-errors", METRIC_FILTER_NAME_LIMIT)

    @property
    def failure_rule_name(self) -> str:
        return bounded(f"{self.prefix}-failed", EVENT_RULE_NAME_LIMIT)

    @property
    def action_failure_rule_name(self) -> str:
        return bounded(f"{self.prefix}-action-failed", EVENT_RULE_NAME_LIMIT)

    @property
    def pipeline_failure_alarm(self) -> str:
        """Counts the failed-execution rule's matches (CodePipeline publishes no failure metric)."""
        return self._alarm("pipeline-failure")

    def execution_console_url(self, execution_id: str) -> str:
        """One execution's timeline in the CodePipeline console."""
        region = self.platform.region
        return (
            f"https://{region}.console.aws.amazon.com/codesuite/codepipeline/pipelines/"
            f"{self.pipeline_name}/executions/{execution_id}/timeline?region={region}"
        )

    def deployment_alarm(self, purpose: str) -> str:
        """Name of an alarm that stops and rolls back a deployment, e.g. `deployment_alarm("5xx")`."""
        return self._alarm(f"deploy-{name_part(purpose)}")

    @property
    def topic_rule_names(self) -> tuple[str, ...]:
        """This service's monitoring rules that publish to the topic (failed executions, actions)."""
        return (self.failure_rule_name, self.action_failure_rule_name)

    def _alarm(self, purpose: str) -> str:
        """`<prefix>-<purpose>`; shortened past 255 characters, always starting `<project>-<stack>-`:
        the topic policy lets CloudWatch publish for alarms by that pattern (`alarm_name_pattern`)."""
        return bounded_after(
            f"{self.platform.prefix}-", f"{self.prefix}-{purpose}", ALARM_NAME_LIMIT
        )

    def alarm_arn(self, alarm_name: str) -> str:
        return self.platform.arn("cloudwatch", f"alarm:{alarm_name}")

    def role(self, purpose: str) -> RoleNames:
        """The role of `purpose` (`build`, `deploy`, `pipeline`, `events`, `execution`)."""
        return self._role(purpose)

    def _role(self, purpose: str) -> RoleNames:
        name = bounded(f"{self.prefix}-{purpose}", IAM_ROLE_NAME_LIMIT)
        return RoleNames(name, self.platform.role_arn(name))
