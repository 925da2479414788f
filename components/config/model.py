"""Typed stack settings, checked completely before any resource is declared.

A stack file is written by hand; a typo or an unsafe value must stop `pulumi preview` with one line that
names the key, the bad value and what is allowed, never a traceback or a half-made stack. `parse_settings`
is pure (a mapping in, settings out) so every rule is unit-testable; `load_settings` only gathers the raw
values from the Pulumi config. Both the typed YAML values of a stack file and the plain strings the CLI
hands a program (`"14"`, `"true"`, JSON for lists/objects) are accepted.
"""

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import pulumi

from components.config.fields import ConfigError, FieldReader

__all__ = [
    "BuildCache",
    "ComputePlatform",
    "ConfigError",
    "ConnectionSource",
    "Ec2TagFilter",
    "EcsSettings",
    "LambdaSettings",
    "PlatformSettings",
    "ServiceSettings",
    "load_settings",
    "parse_settings",
]

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

    @property
    def uses_codedeploy(self) -> bool:
        """Server and ECS deploy through CodeDeploy; Lambda through CodePipeline's Lambda action."""
        return self.compute_platform != "Lambda"


@dataclass(frozen=True)
class PlatformSettings:
    """Everything one stack (environment) decides; defaults are the safe choice."""

    allowed_cidrs: tuple[str, ...]
    """Where the execution role may start pipelines from (required; never 0.0.0.0/0 or ::/0)."""
    allowed_vpc_endpoints: tuple[str, ...] = ()
    """VPC endpoint ids (`vpce-...`) through which the execution role may also start pipelines."""
    services: tuple[ServiceSettings, ...] = ()
    default_service: str = ""
    """Name of the service whose outputs are also exported at the top level (default: the first)."""
    execution_role_principals: tuple[str, ...] = ()
    """Who may assume the execution role; empty means the account root (see `execution_principals`)."""
    log_retention_days: int = 90
    kms_deletion_window_days: int = 30
    manual_approval: bool = True
    alarm_rollback: bool = True
    build_compute_type: str = "BUILD_GENERAL1_SMALL"
    build_image: str = "aws/codebuild/standard:7.0"
    build_timeout_minutes: int = 30
    build_cache: BuildCache = "none"
    privileged_mode: bool = False
    protect_resources: bool = True
    notification_emails: tuple[str, ...] = ()
    compliance_rules: bool = False
    """AWS Config managed rules re-checking the pack's guardrails after deploy (needs a recorder)."""

    def execution_principals(self, account_root_arn: str) -> tuple[str, ...]:
        """The configured principals, or the account root (IAM then decides who may assume)."""
        return self.execution_role_principals or (account_root_arn,)

    def service(self, name: str) -> ServiceSettings:
        return next(service for service in self.services if service.name == name)


def load_settings(namespace: str | None = None) -> PlatformSettings:
    """Read this project's keys from the Pulumi config and validate them (raises ConfigError)."""
    namespace = namespace or pulumi.get_project()
    return parse_settings(_raw_config(namespace), pulumi.get_stack(), namespace=namespace)


def parse_settings(
    raw: Mapping[str, Any], stack: str, namespace: str = "guarded-delivery"
) -> PlatformSettings:
    """Validate raw config values (keys without namespace) into settings; raises ConfigError."""
    from components.config.rules import read_platform  # the rules are long; keep this module a map

    return read_platform(FieldReader(namespace), raw, stack)


def _raw_config(namespace: str) -> dict[str, Any]:
    """Every `<namespace>:<key>` value, whether the engine passed it in-process or via environment."""
    prefix = f"{namespace}:"
    merged: dict[str, Any] = {}
    env = os.environ.get("PULUMI_CONFIG")
    if env:
        merged.update(json.loads(env))
    merged.update(pulumi.runtime.config.CONFIG.get())
    return {key[len(prefix) :]: value for key, value in merged.items() if key.startswith(prefix)}
