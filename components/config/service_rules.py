"""The rules one service's settings meet: its source, platform block and deployment config.

Each broken rule is one ConfigError naming the key inside the item (`services[1].ecs.targetGroups`).
"""

from collections.abc import Mapping
from typing import Any, cast

from components.config import allowed
from components.config.allowed import (
    ALIAS_NAME,
    BRANCH_NAME,
    BUILDSPEC_PATH,
    COMPUTE_PLATFORMS,
    CONNECTION_ARN,
    CONTAINER_PORTS,
    DEFAULT_TASK_EXECUTION_ROLE,
    DEPLOYMENT_CONFIG_PREFIX,
    DEPLOYMENT_CONFIGS,
    ECS_KEYS,
    ECS_NAME,
    FULL_REPOSITORY_ID,
    FUNCTION_NAME,
    LAMBDA_KEYS,
    LISTENER_ARN,
    REFS_HEADS,
    REPOSITORY_NAME,
    ROLE_NAME,
    SERVICE_KEYS,
    SERVICE_NAME,
    TAG_FILTER_KEYS,
    TAG_KEY,
    TAG_VALUE,
    TARGET_GROUP_NAME,
)
from components.config.fields import FieldReader
from components.config.model import (
    ComputePlatform,
    ConnectionSource,
    Ec2TagFilter,
    EcsSettings,
    LambdaSettings,
    ServiceSettings,
)


def read_services(reader: FieldReader, value: Any) -> tuple[ServiceSettings, ...]:
    if value is None:
        raise reader.missing("list at least one service (name, repositoryName, computePlatform...)")
    items = reader.sequence(value, min_items=1)
    cap = allowed.MAX_SERVICES  # read now, so that a benchmark can lift it
    if len(items) > cap:
        raise reader.error(
            f"<{len(items)} services>",
            f"is more than {cap} services, which would push the shared KMS key policy past "
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
        branch=_branch(at.key("branch"), raw.get("branch", "main")),
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
        full_repository_id=_full_repository_id(at.key("fullRepositoryId"), raw["fullRepositoryId"]),
    )


def _full_repository_id(at: FieldReader, value: Any) -> str:
    """`owner/name` as the provider names it: no `.`/`..` segment and no `.git` suffix.

    CodePipeline's CodeStarSourceConnection action takes FullRepositoryId as "the owner and name of
    the repository" (https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-CodestarConnectionSource.html);
    `owner/web.git` (a clone URL's tail) or `owner/../web` names no repository, so the first
    execution's source action fails after the stack deployed.
    """
    text = at.string(value, FULL_REPOSITORY_ID, "use owner/repository, e.g. my-org/web")
    segments = text.split("/")
    if any(segment in (".", "..") for segment in segments):
        raise at.error(
            text,
            "has a '.' or '..' path segment; name the repository as owner/name, e.g. my-org/web",
        )
    if text.lower().endswith(".git"):
        raise at.error(text, f"ends in .git; drop it: {text[: -len('.git')]!r}")
    return text


def _deployment_config(reader: FieldReader, value: Any, platform: str) -> str:
    allowed = [DEPLOYMENT_CONFIG_PREFIX + name for name in DEPLOYMENT_CONFIGS[platform]]
    if isinstance(value, str) and value not in allowed:
        bare = value.removeprefix(DEPLOYMENT_CONFIG_PREFIX)
        if bare in DEPLOYMENT_CONFIGS[platform]:
            raise reader.error(
                value, f"needs its prefix; did you mean {DEPLOYMENT_CONFIG_PREFIX}{bare}?"
            )
        for other, names in DEPLOYMENT_CONFIGS.items():
            if bare in names:
                raise reader.error(
                    value, f"is for {other}, not {platform}; allowed: {', '.join(allowed)}"
                )
    return reader.choice(value, allowed)


def _branch(reader: FieldReader, value: Any) -> str:
    """A branch name as git's ref-name rules allow it, given without `refs/heads/`."""
    if isinstance(value, str) and value.startswith(REFS_HEADS):
        raise reader.error(
            value,
            f"is a full ref; name the branch alone: did you mean {value.removeprefix(REFS_HEADS)}?",
        )
    return reader.string(
        value, BRANCH_NAME, "use a git branch name such as main (git check-ref-format rules)"
    )


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
        task_execution_role_name=reader.key("taskExecutionRoleName").string(
            raw.get("taskExecutionRoleName", DEFAULT_TASK_EXECUTION_ROLE),
            ROLE_NAME,
            "use an IAM role name (1-64 letters, digits and +=,.@_-)",
        ),
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
