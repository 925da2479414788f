"""The rules every stack setting must meet; each broken rule is one ConfigError naming the key.

Allowed values are AWS's own (`config_allowed.py`), so a stack that passes here does not fail half-way
through `pulumi up`.
"""

import ipaddress
import re
from collections.abc import Mapping
from typing import Any, cast

from components.config.allowed import (
    ALIAS_NAME,
    BRANCH_NAME,
    BUILD_CACHES,
    BUILD_COMPUTE_TYPES,
    BUILD_IMAGE,
    BUILD_TIMEOUT_MINUTES,
    BUILDSPEC_PATH,
    COMPUTE_PLATFORMS,
    CONNECTION_ARN,
    CONTAINER_PORTS,
    DEPLOYMENT_CONFIG_PREFIX,
    DEPLOYMENT_CONFIGS,
    ECS_KEYS,
    ECS_NAME,
    EMAIL,
    FULL_REPOSITORY_ID,
    FUNCTION_NAME,
    KMS_DELETION_WINDOW_DAYS,
    LAMBDA_KEYS,
    LISTENER_ARN,
    LOG_RETENTION_DAYS,
    MIN_PREFIX_LENGTH,
    PRINCIPAL_ARN,
    REPOSITORY_NAME,
    SERVICE_KEYS,
    SERVICE_NAME,
    TAG_FILTER_KEYS,
    TAG_KEY,
    TAG_VALUE,
    TARGET_GROUP_NAME,
    TOP_LEVEL_KEYS,
    VPC_ENDPOINT_ID,
)
from components.config.fields import FieldReader
from components.config.model import (
    BuildCache,
    ComputePlatform,
    ConnectionSource,
    Ec2TagFilter,
    EcsSettings,
    LambdaSettings,
    PlatformSettings,
    ServiceSettings,
)

# The KMS key policy names three roles and a log group per service (~430 bytes each with long names)
# and must stay under KMS's 32 KB limit: 60 services fit with room to spare (pinned by
# tests/program/test_artifact_store.py). Larger estates split their services across stacks.
# (bench/ lifts this cap by setting this module attribute, to measure 100 services offline.)
MAX_SERVICES = 60
SAFE_DEFAULTS = PlatformSettings(allowed_cidrs=(), services=(), default_service="")


def read_platform(root: FieldReader, raw: Mapping[str, Any], stack: str) -> PlatformSettings:
    """All settings of one stack; the first broken rule raises (stack is for future per-env rules)."""
    del stack
    raw = root.mapping(dict(raw), TOP_LEVEL_KEYS)
    d = SAFE_DEFAULTS

    def get(name: str, default: Any) -> Any:
        return raw.get(name, default)

    allowed_cidrs = _cidrs(root.key("allowedCidrs"), raw.get("allowedCidrs"))
    services = _services(root.key("services"), raw.get("services"))
    names = [service.name for service in services]
    default_key = root.key("defaultService")
    # Empty (the schema default) means the first service.
    default_service = default_key.string(get("defaultService", "") or names[0])
    if default_service not in names:
        default_key.choice(default_service, names)  # raises with "did you mean"
    principals = root.key("executionRolePrincipals")
    emails = root.key("notificationEmails")
    return PlatformSettings(
        allowed_cidrs=allowed_cidrs,
        allowed_vpc_endpoints=_unique_strings(
            root.key("allowedVpcEndpoints"),
            get("allowedVpcEndpoints", []),
            VPC_ENDPOINT_ID,
            "use VPC endpoint ids like vpce-0123456789abcdef0",
        ),
        services=services,
        default_service=default_service,
        execution_role_principals=_unique_strings(
            principals,
            get("executionRolePrincipals", []),
            PRINCIPAL_ARN,
            "use IAM principal ARNs like arn:aws:iam::123456789012:role/deployer (no wildcards)",
        ),
        log_retention_days=root.key("logRetentionDays").integer(
            get("logRetentionDays", d.log_retention_days), LOG_RETENTION_DAYS
        ),
        kms_deletion_window_days=root.key("kmsDeletionWindowDays").integer(
            get("kmsDeletionWindowDays", d.kms_deletion_window_days), KMS_DELETION_WINDOW_DAYS
        ),
        manual_approval=root.key("manualApproval").boolean(
            get("manualApproval", d.manual_approval)
        ),
        alarm_rollback=root.key("alarmRollback").boolean(get("alarmRollback", d.alarm_rollback)),
        build_compute_type=root.key("buildComputeType").choice(
            get("buildComputeType", d.build_compute_type), BUILD_COMPUTE_TYPES
        ),
        build_image=root.key("buildImage").string(
            get("buildImage", d.build_image),
            BUILD_IMAGE,
            "use a CodeBuild curated image such as aws/codebuild/standard:7.0",
        ),
        build_timeout_minutes=root.key("buildTimeoutMinutes").integer(
            get("buildTimeoutMinutes", d.build_timeout_minutes), BUILD_TIMEOUT_MINUTES
        ),
        build_cache=cast(
            BuildCache,
            root.key("buildCache").choice(get("buildCache", d.build_cache), BUILD_CACHES),
        ),
        privileged_mode=root.key("privilegedMode").boolean(
            get("privilegedMode", d.privileged_mode)
        ),
        protect_resources=root.key("protectResources").boolean(
            get("protectResources", d.protect_resources)
        ),
        notification_emails=_unique_strings(
            emails, get("notificationEmails", []), EMAIL, "use addresses like team@example.com"
        ),
        compliance_rules=root.key("complianceRules").boolean(
            get("complianceRules", d.compliance_rules)
        ),
    )


def _cidrs(reader: FieldReader, value: Any) -> tuple[str, ...]:
    if value is None:
        raise reader.missing("list the CIDRs people and automation start pipelines from")
    cidrs: list[str] = []
    for index, item in enumerate(reader.sequence(value, min_items=1)):
        at = reader.item(index)
        text = at.string(item, allowed="use a CIDR like 192.0.2.0/24")
        try:
            network = ipaddress.ip_network(text, strict=True)
        except ValueError:
            try:
                fixed = ipaddress.ip_network(text, strict=False)
            except ValueError:
                raise at.error(text, "is not a CIDR; use one like 192.0.2.0/24") from None
            raise at.error(text, f"has host bits set; did you mean {fixed}?") from None
        if network.prefixlen == 0:
            raise at.error(text, "would allow any address; list only your own networks")
        minimum = MIN_PREFIX_LENGTH[network.version]
        if network.prefixlen < minimum:
            raise at.error(
                text, f"is too broad; use a prefix of /{minimum} or longer (your own networks)"
            )
        if str(network) in cidrs:
            raise at.error(text, "is listed twice")
        cidrs.append(str(network))
    return tuple(cidrs)


def _unique_strings(
    reader: FieldReader, value: Any, pattern: re.Pattern[str], allowed: str
) -> tuple[str, ...]:
    items: list[str] = []
    for index, item in enumerate(reader.sequence(value)):
        text = reader.item(index).string(item, pattern, allowed)
        if text in items:
            raise reader.item(index).error(text, "is listed twice")
        items.append(text)
    return tuple(items)


def _services(reader: FieldReader, value: Any) -> tuple[ServiceSettings, ...]:
    if value is None:
        raise reader.missing("list at least one service (name, repositoryName, computePlatform...)")
    items = reader.sequence(value, min_items=1)
    if len(items) > MAX_SERVICES:
        raise reader.error(
            f"<{len(items)} services>",
            f"is more than {MAX_SERVICES} services, which would push the shared KMS key policy past "
            "KMS's 32 KB limit; split the services across stacks",
        )
    services: list[ServiceSettings] = []
    for index, item in enumerate(items):
        at = reader.item(index)
        service = _service(at, item)
        for earlier in services:
            if earlier.name == service.name:
                raise at.key("name").error(
                    service.name, "is used by another service; names are unique"
                )
            same_repository = earlier.repository_name == service.repository_name
            if same_repository and earlier.connection is None and service.connection is None:
                raise at.key("repositoryName").error(
                    service.repository_name, "is used by another service; each owns its repository"
                )
        services.append(service)
    return tuple(services)


def _service(at: FieldReader, value: Any) -> ServiceSettings:
    raw = at.mapping(value, SERVICE_KEYS)
    for required in ("name", "computePlatform", "deploymentConfig"):
        if required not in raw:
            raise at.key(required).missing("every service needs " + required)
    name = at.key("name").string(
        raw["name"],
        SERVICE_NAME,
        "use lowercase letters, digits and '-', starting with a letter (max 20)",
    )
    platform = cast(
        ComputePlatform, at.key("computePlatform").choice(raw["computePlatform"], COMPUTE_PLATFORMS)
    )
    buildspec = raw.get("buildspec")
    connection = _connection(at, raw)
    return ServiceSettings(
        name=name,
        repository_name=at.key("repositoryName").string(
            raw.get("repositoryName", name), REPOSITORY_NAME,
            "use up to 100 letters, digits, '.', '_' or '-', not ending in .git",
        ),
        connection=connection,
        branch=at.key("branch").string(
            raw.get("branch", "main"), BRANCH_NAME, "use a git branch name such as main"
        ),
        buildspec=None if buildspec is None else at.key("buildspec").string(
            buildspec, BUILDSPEC_PATH, "use a relative path in the repository ending in .yml/.yaml"
        ),
        compute_platform=platform,
        deployment_config=_deployment_config(at.key("deploymentConfig"), raw["deploymentConfig"], platform),
        ec2_tag_filters=_platform_block(at, raw, platform, "Server", "ec2TagFilters", _tag_filters),
        ecs=_platform_block(at, raw, platform, "ECS", "ecs", _ecs),
        lambda_=_platform_block(at, raw, platform, "Lambda", "lambda", _lambda),
    )  # fmt: skip


def _connection(at: FieldReader, raw: Mapping[str, Any]) -> ConnectionSource | None:
    """A CodeConnections source when `connectionArn` is set (then `fullRepositoryId` too)."""
    if "connectionArn" not in raw:
        if "fullRepositoryId" in raw:
            raise at.key("connectionArn").missing(
                "fullRepositoryId needs the CodeConnections connection that reaches it"
            )
        return None
    if "repositoryName" in raw:
        raise at.key("repositoryName").error(
            raw["repositoryName"],
            "names a CodeCommit repository, but connectionArn sets a CodeConnections source; "
            "keep one of them",
        )
    if "fullRepositoryId" not in raw:
        raise at.key("fullRepositoryId").missing(
            "a CodeConnections source needs the repository as owner/name"
        )
    return ConnectionSource(
        connection_arn=at.key("connectionArn").string(
            raw["connectionArn"],
            CONNECTION_ARN,
            "use a connection ARN like "
            "arn:aws:codeconnections:us-east-1:123456789012:connection/<uuid>",
        ),
        full_repository_id=at.key("fullRepositoryId").string(
            raw["fullRepositoryId"], FULL_REPOSITORY_ID, "use owner/repository, e.g. my-org/web"
        ),
    )


def _deployment_config(reader: FieldReader, value: Any, platform: str) -> str:
    allowed = [DEPLOYMENT_CONFIG_PREFIX + name for name in DEPLOYMENT_CONFIGS[platform]]
    if isinstance(value, str) and value not in allowed:
        for other, names in DEPLOYMENT_CONFIGS.items():
            if value.removeprefix(DEPLOYMENT_CONFIG_PREFIX) in names:
                raise reader.error(
                    value, f"is for {other}, not {platform}; allowed: {', '.join(allowed)}"
                )
    return reader.choice(value, allowed)


def _platform_block(
    at: FieldReader, raw: Mapping[str, Any], platform: str, owner: str, key: str, read: Any
) -> Any:
    """A platform's own block: required for its platform, refused for the others."""
    if platform != owner:
        if key in raw:
            raise at.key(key).error(
                raw[key], f"only applies to computePlatform {owner}, not {platform}"
            )
        return () if owner == "Server" else None
    if key not in raw:
        raise at.key(key).missing(f"computePlatform {owner} needs {key}")
    return read(at.key(key), raw[key])


def _tag_filters(reader: FieldReader, value: Any) -> tuple[Ec2TagFilter, ...]:
    filters: list[Ec2TagFilter] = []
    for index, item in enumerate(reader.sequence(value, min_items=1)):
        at = reader.item(index)
        raw = at.mapping(item, TAG_FILTER_KEYS)
        if "key" not in raw or "value" not in raw:
            raise at.error(raw, "needs both key and value (an instance tag, e.g. Name=web)")
        filters.append(
            Ec2TagFilter(
                key=at.key("key").string(raw["key"], TAG_KEY, "use 1-128 characters"),
                value=at.key("value").string(raw["value"], TAG_VALUE, "use 1-256 characters"),
            )
        )
    return tuple(filters)


def _ecs(reader: FieldReader, value: Any) -> EcsSettings:
    raw = reader.mapping(value, ECS_KEYS)
    for required in ("clusterName", "serviceName", "containerName", "containerPort",
                     "prodListenerArn", "targetGroups"):  # fmt: skip
        if required not in raw:
            raise reader.key(required).missing("ECS blue/green needs " + required)
    groups_reader = reader.key("targetGroups")
    groups = groups_reader.sequence(raw["targetGroups"])
    if len(groups) != 2:
        raise groups_reader.error(groups, "must name exactly two target groups: blue, then green")
    blue, green = (
        groups_reader.item(i).string(g, TARGET_GROUP_NAME, "use a target group name (1-32 letters, digits, '-')")
        for i, g in enumerate(groups)
    )  # fmt: skip
    if blue == green:
        raise groups_reader.error(
            groups, "names the same target group twice; blue and green differ"
        )
    listener = (
        "use an ELB listener ARN (arn:aws:elasticloadbalancing:<region>:<account>:listener/...)"
    )
    prod_listener = reader.key("prodListenerArn").string(
        raw["prodListenerArn"], LISTENER_ARN, listener
    )
    test_listener = raw.get("testListenerArn")
    if test_listener is not None:
        test_listener = reader.key("testListenerArn").string(test_listener, LISTENER_ARN, listener)
        if test_listener == prod_listener:
            raise reader.key("testListenerArn").error(
                test_listener, "is the prod listener; use another"
            )
    ecs_name = "use letters, digits, '-' or '_'"
    return EcsSettings(
        cluster_name=reader.key("clusterName").string(raw["clusterName"], ECS_NAME, ecs_name),
        service_name=reader.key("serviceName").string(raw["serviceName"], ECS_NAME, ecs_name),
        container_name=reader.key("containerName").string(raw["containerName"], ECS_NAME, ecs_name),
        container_port=reader.key("containerPort").integer(raw["containerPort"], CONTAINER_PORTS),
        prod_listener_arn=prod_listener,
        test_listener_arn=test_listener,
        target_groups=(blue, green),
    )


def _lambda(reader: FieldReader, value: Any) -> LambdaSettings:
    raw = reader.mapping(value, LAMBDA_KEYS)
    for required in LAMBDA_KEYS:
        if required not in raw:
            raise reader.key(required).missing("Lambda traffic shifting needs " + required)
    return LambdaSettings(
        function_name=reader.key("functionName").string(
            raw["functionName"],
            FUNCTION_NAME,
            "use a function name (1-64 letters, digits, '-', '_')",
        ),
        alias_name=reader.key("aliasName").string(
            raw["aliasName"],
            ALIAS_NAME,
            "use an alias name (letters, digits, '-', '_'; not $LATEST)",
        ),
    )
