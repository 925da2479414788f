"""Stack config validation: every bad setting stops with one line naming key, value and the fix."""

import copy
import json
from typing import Any

import pytest

from components.config import MAX_SERVICES, ConfigError, PlatformSettings, parse_settings
from tests.support.program_runs import stack_settings_raw

NS = "guarded-delivery"


def prod() -> dict[str, Any]:
    """prod's settings as a stack that builds: the service source rules apply there."""
    raw = copy.deepcopy(stack_settings_raw("prod"))
    raw.pop("promoteFrom")
    return raw


def error_for(raw: dict[str, Any]) -> str:
    with pytest.raises(ConfigError) as caught:
        parse_settings(raw, "prod")
    message = str(caught.value)
    assert "\n" not in message, "errors are one line"
    return message


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_every_seeded_stack_is_valid(stack):
    settings = parse_settings(stack_settings_raw(stack), stack)
    assert isinstance(settings, PlatformSettings)
    assert settings.default_service in {s.name for s in settings.services}


def test_defaults_are_the_safe_choice():
    raw = {
        "allowedCidrs": ["192.0.2.0/24"],
        "services": [
            {
                "name": "web",
                "repositoryName": "Repo",
                "computePlatform": "Server",
                "deploymentConfig": "CodeDeployDefault.OneAtATime",
                "ec2TagFilters": [{"key": "Name", "value": "web"}],
            }
        ],
    }
    settings = parse_settings(raw, "dev")
    assert settings.manual_approval and settings.alarm_rollback and settings.protect_resources
    assert not settings.privileged_mode
    assert settings.kms_deletion_window_days == 30
    assert settings.default_service == "web"
    assert settings.execution_principals("arn:aws:iam::123456789012:root") == (
        "arn:aws:iam::123456789012:root",
    )


def test_cli_string_values_are_accepted_like_yaml_values():
    raw = {k: v if isinstance(v, str) else json.dumps(v) for k, v in prod().items()}
    assert parse_settings(raw, "prod") == parse_settings(prod(), "prod")


def mutate(path: str, value: Any) -> dict[str, Any]:
    """prod config with `path` (e.g. `services.1.ecs.targetGroups`) set, or removed if value is DROP."""
    raw = prod()
    *parents, last = path.split(".")
    node: Any = raw
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    key: Any = int(last) if last.isdigit() else last
    if value is DROP:
        del node[key]
    else:
        node[key] = value
    return raw


DROP = object()

CASES = [
    # (path, value, expected key in message, expected fragments)
    ("alowedCidrs", ["192.0.2.0/24"], f"{NS}:alowedCidrs", ["unknown key", "did you mean 'allowedCidrs'"]),
    ("allowedCidrs", DROP, f"{NS}:allowedCidrs", ["missing"]),
    ("allowedCidrs", ["10.0.0.300/24"], f"{NS}:allowedCidrs[0]", ["'10.0.0.300/24'", "not a CIDR"]),
    ("allowedCidrs", ["192.0.2.1/24"], f"{NS}:allowedCidrs[0]", ["host bits", "192.0.2.0/24"]),
    ("allowedCidrs", ["192.0.2.0/24", "0.0.0.0/0"], f"{NS}:allowedCidrs[1]", ["'0.0.0.0/0'", "any address"]),
    ("allowedCidrs", ["::/0"], f"{NS}:allowedCidrs[0]", ["'::/0'", "any address"]),
    ("allowedCidrs", ["0.0.0.0/1", "128.0.0.0/1"], f"{NS}:allowedCidrs[0]", ["too broad", "/8"]),
    ("allowedCidrs", [], f"{NS}:allowedCidrs", ["at least 1"]),
    ("allowedCidrs", "192.0.2.0/24", f"{NS}:allowedCidrs", ["not a list"]),
    ("allowedCidrs", ["192.0.2.0/24", "192.0.2.0/24"], f"{NS}:allowedCidrs[1]", ["twice"]),
    ("logRetentionDays", -1, f"{NS}:logRetentionDays", ["-1", "3653"]),
    ("logRetentionDays", 10, f"{NS}:logRetentionDays", ["10", "one of 1, 3, 5"]),
    ("logRetentionDays", "forever", f"{NS}:logRetentionDays", ["'forever'"]),
    ("kmsDeletionWindowDays", 6, f"{NS}:kmsDeletionWindowDays", ["6", "from 7 to 30"]),
    ("kmsDeletionWindowDays", 31, f"{NS}:kmsDeletionWindowDays", ["31", "from 7 to 30"]),
    ("buildTimeoutMinutes", 3000, f"{NS}:buildTimeoutMinutes", ["from 5 to 2160"]),
    ("manualApproval", "yes", f"{NS}:manualApproval", ["'yes'", "true or false"]),
    ("buildComputeType", "BUILD_GENERAL1_HUGE", f"{NS}:buildComputeType", ["BUILD_GENERAL1_SMALL"]),
    ("buildCache", "S3", f"{NS}:buildCache", ["did you mean 's3'"]),
    ("buildImage", "docker.io/evil/image:latest", f"{NS}:buildImage", ["curated image"]),
    ("executionRolePrincipals", ["*"], f"{NS}:executionRolePrincipals[0]", ["'*'", "no wildcards"]),
    ("notificationEmails", ["not-an-email"], f"{NS}:notificationEmails[0]", ["team@example.com"]),
    ("defaultService", "wbe", f"{NS}:defaultService", ["'wbe'", "did you mean 'web'"]),
    ("services", [], f"{NS}:services", ["at least 1"]),
    ("services.1.computePlatform", "Fargate", f"{NS}:services[1].computePlatform", ["'Fargate'", "Server, ECS, Lambda"]),
    ("services.1.computePlatform", "ecs", f"{NS}:services[1].computePlatform", ["did you mean 'ECS'"]),
    ("services.0.deploymentConfig", "CodeDeployDefault.ECSAllAtOnce", f"{NS}:services[0].deploymentConfig", ["is for ECS, not Server", "CodeDeployDefault.OneAtATime"]),
    ("services.2.deploymentConfig", "CodeDeployDefault.LambdaLinear10PercentEvery1Minutes", f"{NS}:services[2].deploymentConfig", ["'CodeDeployDefault.LambdaLinear10PercentEvery1Minutes' is not allowed", "CodeDeployDefault.LambdaLinear10PercentEvery1Minute,"]),
    ("services.1.deploymentConfig", "MyCustomConfig", f"{NS}:services[1].deploymentConfig", ["CodeDeployDefault.ECSAllAtOnce"]),
    ("services.1.ecs.targetGroups", ["api-blue"], f"{NS}:services[1].ecs.targetGroups", ["exactly two"]),
    ("services.1.ecs.targetGroups", ["api-blue", "api-blue"], f"{NS}:services[1].ecs.targetGroups", ["same target group"]),
    ("services.1.ecs.targetGroups", DROP, f"{NS}:services[1].ecs.targetGroups", ["missing"]),
    ("services.1.ecs.containerPort", 70000, f"{NS}:services[1].ecs.containerPort", ["from 1 to 65535"]),
    ("services.1.ecs.prodListenerArn", "my-listener", f"{NS}:services[1].ecs.prodListenerArn", ["listener ARN"]),
    ("services.1.ecs.clustername", "x", f"{NS}:services[1].ecs.clustername", ["did you mean 'clusterName'"]),
    ("services.1.ecs", DROP, f"{NS}:services[1].ecs", ["computePlatform ECS needs ecs"]),
    ("services.0.ecs", {"clusterName": "c"}, f"{NS}:services[0].ecs", ["only applies to computePlatform ECS"]),
    ("services.0.ec2TagFilters", [], f"{NS}:services[0].ec2TagFilters", ["at least 1"]),
    ("services.0.ec2TagFilters", [{"key": "Name"}], f"{NS}:services[0].ec2TagFilters[0]", ["key and value"]),
    ("services.2.lambda", {"functionName": "f", "aliasName": "$LATEST"}, f"{NS}:services[2].lambda.aliasName", ["'$LATEST'"]),
    ("services.1.name", "web", f"{NS}:services[1].name", ["'web'", "used by another service"]),
    ("services.1.name", "Api_Service", f"{NS}:services[1].name", ["lowercase"]),
    ("services.1.repositoryName", "web", f"{NS}:services[1].repositoryName", ["used by another service"]),
    ("services.1.repositoryName", "repo.git", f"{NS}:services[1].repositoryName", ["not ending in .git"]),
    ("services.1.branch", "../main", f"{NS}:services[1].branch", ["git branch name"]),
    ("services.1.buildspec", "/etc/passwd", f"{NS}:services[1].buildspec", ["relative path"]),
    ("services.1.computePlatform", DROP, f"{NS}:services[1].computePlatform", ["missing"]),
    ("notificationEmails", ["ops@localhost"], f"{NS}:notificationEmails[0]", ["'ops@localhost' is not an email address", "period"]),
    ("notificationEmails", ["on call@example.com"], f"{NS}:notificationEmails[0]", ["not an email address", "SPACE"]),
    ("services.1.branch", "refs/heads/main", f"{NS}:services[1].branch", ["is a full ref", "did you mean main?"]),
    ("services.1.branch", "release..1", f"{NS}:services[1].branch", ["git branch name"]),
    ("services.1.branch", "topic.lock", f"{NS}:services[1].branch", ["git branch name"]),
    ("services.1.branch", "a/.hidden", f"{NS}:services[1].branch", ["git branch name"]),
    ("services.1.branch", "@", f"{NS}:services[1].branch", ["git branch name"]),
    ("services.1.branch", "x@{1}", f"{NS}:services[1].branch", ["git branch name"]),
    ("executionRolePrincipals", ["arn:aws:iam::\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669\u0660\u0661\u0662:root"], f"{NS}:executionRolePrincipals[0]", ["is not valid"]),
    ("allowedCidrs", ["::ffff:0.0.0.0/96"], f"{NS}:allowedCidrs[0]", ["maps every IPv4 address"]),
    ("allowedCidrs", ["::/80"], f"{NS}:allowedCidrs[0]", ["maps every IPv4 address"]),
    ("services.0.deploymentConfig", "OneAtATime", f"{NS}:services[0].deploymentConfig", ["needs its prefix", "did you mean CodeDeployDefault.OneAtATime?"]),
]  # fmt: skip


def test_good_emails_branches_and_narrow_ipv6_ranges_are_accepted():
    raw = mutate("notificationEmails", ["release-managers@example.com", "ops+pager@example.org"])
    raw["services"][1]["branch"] = "release/1.2+hotfix"
    raw["allowedCidrs"] = ["203.0.113.0/24", "2001:db8::/48", "::ffff:192.0.2.0/120"]
    settings = parse_settings(raw, "prod")
    assert settings.services[1].branch == "release/1.2+hotfix"
    assert settings.notification_emails == ("release-managers@example.com", "ops+pager@example.org")
    assert "::ffff:c000:200/120" in settings.allowed_cidrs  # ipaddress spells it in hex


@pytest.mark.parametrize(
    ("path", "value", "key", "fragments"), CASES, ids=[f"{c[0]}={c[1]!r}"[:60] for c in CASES]
)
def test_bad_setting_is_one_line_naming_key_value_and_fix(path, value, key, fragments):
    message = error_for(mutate(path, value))
    assert message.startswith(f"{key}: "), message
    for fragment in fragments:
        assert fragment in message, message


def test_every_top_level_key_is_documented_in_the_project_schema():
    import yaml

    from components.config.keys import TOP_LEVEL_KEYS
    from tests.support.program_runs import PROJECT_DIR

    schema = yaml.safe_load((PROJECT_DIR / "Pulumi.yaml").read_text())["config"]
    assert set(schema) == set(TOP_LEVEL_KEYS)
    for key, spec in schema.items():
        assert spec.get("type") and spec.get("description"), key
        required = key in ("allowedCidrs", "services")
        assert ("default" in spec) != required, f"{key}: defaults for all but required keys"


def test_schema_defaults_match_the_code_defaults():
    import yaml

    from tests.support.program_runs import PROJECT_DIR

    schema = yaml.safe_load((PROJECT_DIR / "Pulumi.yaml").read_text())["config"]
    raw = {"allowedCidrs": ["192.0.2.0/24"], "services": prod()["services"][:1]}
    defaults = {k: v["default"] for k, v in schema.items() if "default" in v}
    assert parse_settings({**raw, **defaults}, "dev") == parse_settings(raw, "dev")


def test_more_services_than_the_key_policy_can_name_is_refused_with_the_reason():
    raw = prod()
    template = raw["services"][0]
    raw["services"] = [
        {**template, "name": f"svc-{i}", "repositoryName": f"Repo{i}"}
        for i in range(MAX_SERVICES + 1)
    ]
    message = error_for(raw)
    assert message.startswith(f"{NS}:services: '<{MAX_SERVICES + 1} services>' is more than")
    assert "32 KB" in message and "split the services across stacks" in message
    raw["services"] = raw["services"][:MAX_SERVICES]
    raw["defaultService"] = "svc-0"
    assert len(parse_settings(raw, "prod").services) == MAX_SERVICES


CONNECTION = "arn:aws:codeconnections:us-east-1:123456789012:connection/" + (
    "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
)


def with_service_keys(**keys: Any) -> dict[str, Any]:
    raw = prod()
    service = raw["services"][0]
    for key, value in keys.items():
        if value is None:
            service.pop(key, None)
        else:
            service[key] = value
    return raw


def test_a_connection_source_replaces_the_codecommit_repository():
    raw = with_service_keys(
        repositoryName=None, connectionArn=CONNECTION, fullRepositoryId="my-org/web"
    )
    web = parse_settings(raw, "prod").services[0]
    assert web.connection is not None
    assert web.connection.connection_arn == CONNECTION
    assert web.connection.full_repository_id == "my-org/web"


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        (
            {
                "repositoryName": "MyDemoRepo",
                "connectionArn": CONNECTION,
                "fullRepositoryId": "my-org/web",
            },
            f"{NS}:services[0].repositoryName: 'MyDemoRepo' names a CodeCommit repository, but "
            "connectionArn sets a CodeConnections source; keep one of them",
        ),
        (
            {"repositoryName": None, "connectionArn": CONNECTION},
            f"{NS}:services[0].fullRepositoryId",
        ),
        (
            {"repositoryName": None, "fullRepositoryId": "my-org/web"},
            f"{NS}:services[0].connectionArn",
        ),
        (
            {
                "repositoryName": None,
                "connectionArn": "arn:aws:codecommit:us-east-1:123456789012:repo",
                "fullRepositoryId": "my-org/web",
            },
            "use a connection ARN like arn:aws:codeconnections:",
        ),
        (
            {"repositoryName": None, "connectionArn": CONNECTION, "fullRepositoryId": "web"},
            "use owner/repository",
        ),
    ],
)
def test_bad_connection_sources_name_the_key_and_the_fix(keys, message):
    assert message in error_for(with_service_keys(**keys))


def test_the_repository_name_defaults_to_the_service_name():
    web = parse_settings(with_service_keys(repositoryName=None), "prod").services[0]
    assert web.repository_name == web.name


def test_allowed_vpc_endpoints_are_validated_and_default_to_none():
    assert parse_settings(prod(), "prod").allowed_vpc_endpoints == ()
    raw = prod()
    raw["allowedVpcEndpoints"] = ["vpce-0123456789abcdef0"]
    assert parse_settings(raw, "prod").allowed_vpc_endpoints == ("vpce-0123456789abcdef0",)
    raw["allowedVpcEndpoints"] = ["vpc-0123456789abcdef0"]
    assert error_for(raw).startswith(f"{NS}:allowedVpcEndpoints[0]: 'vpc-0123456789abcdef0'")
    assert "use VPC endpoint ids like vpce-0123456789abcdef0" in error_for(raw)


@pytest.mark.parametrize("other", ["privilegedMode", f"{NS}:config:privilegedMode"])
@pytest.mark.parametrize("source", ["env", "runtime"])
def test_two_spellings_of_one_key_are_refused_naming_both(monkeypatch, other, source):
    """`privilegedMode` and `guarded-delivery:privilegedMode` are one key: never the last one wins."""
    import pulumi

    from components.config.loading import _raw_config

    config = {f"{NS}:privilegedMode": "false", other: "true"}
    monkeypatch.delenv("PULUMI_CONFIG", raising=False)
    if source == "env":
        monkeypatch.setenv("PULUMI_CONFIG", json.dumps(config))
    token = pulumi.runtime.config.CONFIG.set({} if source == "env" else dict(config))
    try:
        with pytest.raises(ConfigError) as caught:
            _raw_config(NS)
    finally:
        pulumi.runtime.config.CONFIG.reset(token)
    message = str(caught.value)
    assert "\n" not in message
    assert f"{NS}:privilegedMode" in message and repr(other) in message
    assert "two spellings of one key" in message


def test_one_spelling_per_key_reads_as_before(monkeypatch):
    import pulumi

    from components.config.loading import _raw_config

    monkeypatch.delenv("PULUMI_CONFIG", raising=False)
    config = {f"{NS}:privilegedMode": "true", "aws:region": "us-east-1"}
    token = pulumi.runtime.config.CONFIG.set(dict(config))
    try:
        assert _raw_config(NS) == {"privilegedMode": "true"}
    finally:
        pulumi.runtime.config.CONFIG.reset(token)
