"""Every policy that grants by name covers every name the program can produce, at the config's limits.

A grant by pattern (`rule/<prefix>-*`) silently stops matching once a long name is shortened to a head
and a hash (`naming.bounded`): SNS then refuses the failure notifications, and nobody is told. So,
over project names up to Pulumi's 100 characters, stack names up to 100 (`[A-Za-z0-9_.-]`), service
names as config allows them (`[a-z][a-z0-9-]{0,19}`) and up to 60 services, this proves:

- every physical name is within AWS's length limit and character set for its type;
- every EventBridge rule that targets the topic is listed in the topic policy, and every alarm matches
  its `alarm:<prefix>-*` pattern (evaluated, `resource_policy_eval`), the policy under SNS's 30 KB;
- every trust `aws:SourceArn` names a resource the program creates, and that resource is covered;
- the published-release, log-stream and key-alias grants match the names the program writes.

Names come from `naming.py`/`release_names.py`, documents from the real builders; one whole-program
run with a 100-character stack name checks the declared rules and alarms against the declared policy.
"""

import fnmatch
import json
import re
from functools import cache
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from components.config import PlatformSettings, parse_settings
from components.delivery_platform import topic_rule_names
from components.release.release_names import RELEASE_STEPS, ReleaseNames, StackReleaseNames
from components.service_pipeline import service_role_grants
from components.shared.compliance import managed_rules
from components.shared.naming import PlatformNames, ServiceNames
from components.shared.notification_topic import SNS_POLICY_LIMIT_BYTES, topic_policy
from components.targets.server import instance_failure_rule_name
from tests.support.program_runs import PROJECT_DIR, run_main, stack_config_env
from tests.support.resource_policy_eval import ALLOW, Caller, evaluate

ACCOUNT = "123456789012"
REGIONS = ("us-east-1", "ap-southeast-4", "us-gov-west-1")
"""The longest regions' names cost the topic policy the most bytes."""
NAMESPACE = "guarded-delivery"

# (limit, pattern) per AWS name type, from each service's API reference.
LIMITS: dict[str, tuple[int, str]] = {
    "bucket": (63, r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]"),
    "kms-alias": (256, r"alias/[a-zA-Z0-9/_-]+"),
    "sns-topic": (256, r"[A-Za-z0-9_-]+"),
    "dashboard": (255, r"[A-Za-z0-9_-]+"),
    "config-rule": (128, r"[A-Za-z0-9_-]+"),
    "event-rule": (64, r"[.\-_A-Za-z0-9]+"),
    "event-bus": (256, r"[/.\-_A-Za-z0-9]+"),
    "iam-role": (64, r"[\w+=,.@-]+"),
    "codecommit": (100, r"[\w.-]+"),
    "codebuild-project": (150, r"[A-Za-z0-9][A-Za-z0-9\-_]{1,254}"),
    "report-group": (128, r"[A-Za-z0-9][A-Za-z0-9\-_]+"),
    "log-group": (512, r"[.\-_/#A-Za-z0-9]+"),
    "metric-filter": (512, r"[^:*]+"),
    "codedeploy": (100, r"[\w.+=,@-]+"),
    "codepipeline": (100, r"[A-Za-z0-9.@\-_]+"),
    "alarm": (255, r"[^\x00-\x1f]+"),
    "ecr": (256, r"(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*"),
}

name_chars = st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
projects = st.text(name_chars, min_size=1, max_size=100)
stacks = st.text(name_chars, min_size=1, max_size=100)
service_names = st.from_regex(r"\A[a-z][a-z0-9-]{0,19}\Z")
long_projects = st.text(name_chars, min_size=90, max_size=100)
long_stacks = st.text(name_chars, min_size=90, max_size=100)


def services_of(draw_names: list[str]) -> list[str]:
    """Distinct after `name_part` too (the config refuses two services of one physical name)."""
    seen, kept = set(), []
    for name in draw_names:
        part = re.sub("-{2,}", "-", name).strip("-")
        if part not in seen:
            seen.add(part)
            kept.append(name)
    return kept


service_lists = st.lists(service_names, min_size=1, max_size=60, unique=True).map(services_of)


def check(kind: str, name: str) -> None:
    limit, pattern = LIMITS[kind]
    assert len(name) <= limit, f"{kind} {name!r}: {len(name)} > {limit}"
    assert re.fullmatch(pattern, name), f"{kind} {name!r} is not a valid name"


@cache
def dev_raw() -> dict[str, Any]:
    config = yaml.safe_load((PROJECT_DIR / "Pulumi.dev.yaml").read_text())["config"]
    prefix = f"{NAMESPACE}:"
    return {k.removeprefix(prefix): v for k, v in config.items() if k.startswith(prefix)}


def server_settings(stack: str, services: list[str]) -> PlatformSettings:
    """dev's settings with `services` all deploying to servers (the most topic rules each),
    rollback on alarms and the compliance rules on: every rule that can target the topic exists."""
    raw = dict(dev_raw())
    template = next(s for s in raw["services"] if s["computePlatform"] == "Server")
    raw["services"] = [
        {**template, "name": name, "repositoryName": f"repo-{name}"} for name in services
    ]
    raw["defaultService"] = services[0]
    raw.update(alarmRollback=True, complianceRules=True)
    return parse_settings(raw, stack)


def service_name_checks(service: ServiceNames, platform: PlatformNames) -> None:
    for kind, name in (
        ("codecommit", service.repository_name),
        ("event-rule", service.source_rule_name),
        ("event-rule", service.failure_rule_name),
        ("event-rule", service.action_failure_rule_name),
        ("codebuild-project", service.build_project_name),
        ("report-group", service.report_group_name),
        ("log-group", service.log_group_name),
        ("metric-filter", service.build_errors_metric_filter),
        ("codedeploy", service.deploy_application_name),
        ("codedeploy", service.deployment_group_name),
        ("codepipeline", service.pipeline_name),
        *(("iam-role", service.role(p).name) for p in ROLE_PURPOSES),
        *(("log-group", arn.split(":log-group:")[1]) for arn in service.action_log_group_arns),
    ):
        check(kind, name)
    release = ReleaseNames(service)
    check("ecr", release.image_repository_name)
    check("event-rule", release.intake_rule_name)
    check("event-rule", release.forward_rule_name(platform.stack))
    for step in RELEASE_STEPS:
        check("codebuild-project", release.project_name(step))
    published = f"{platform.artifact_bucket_arn}/{release.published_key(platform.stack, 'x')}"
    assert fnmatch.fnmatchcase(published, release.published_objects_arn(platform.stack))
    stream = f"{release.stack.steps_log_group_arn}:log-stream:{release.log_stream_prefix('sign')}/1"
    assert fnmatch.fnmatchcase(stream, release.log_streams_arn("sign"))


ROLE_PURPOSES = (
    "build",
    "deploy",
    "pipeline",
    "events",
    "execution",
    "signer",
    "verifier",
    "image",
)


def alarm_names(service: ServiceNames) -> list[str]:
    purposes = ("instance-failures", "alias-errors", "target-5xx", "unhealthy-targets")
    return [
        service.failed_builds_alarm,
        service.build_errors_alarm,
        service.pipeline_failure_alarm,
        *(service.deployment_alarm(p) for p in purposes),
    ]


def publishes(document: str, principal: str, source_arn: str, names: PlatformNames) -> bool:
    caller = Caller(principal, {"aws:SourceArn": source_arn, "aws:SourceAccount": ACCOUNT})
    return evaluate(document, caller, "sns:Publish", names.topic_arn) == ALLOW


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    project=st.one_of(projects, long_projects),
    stack=st.one_of(stacks, long_stacks),
    services=service_lists,
    region=st.sampled_from(REGIONS),
)
def test_every_name_fits_aws_and_every_grant_covers_it(project, stack, services, region):
    platform = PlatformNames(project, stack, ACCOUNT, region)
    release_stack = StackReleaseNames(platform)
    for kind, name in (
        ("bucket", platform.artifact_bucket_name),
        ("kms-alias", platform.key_alias_name),
        ("kms-alias", release_stack.signing_key_alias_name),
        ("sns-topic", platform.topic_name),
        ("dashboard", platform.dashboard_name),
        ("event-rule", platform.compliance_findings_rule_name),
        ("event-bus", release_stack.promotions_bus_name),
        ("iam-role", release_stack.forwarder_role_name),
        ("log-group", release_stack.steps_log_group_name),
        *(
            ("config-rule", platform.compliance_rule_name(r.identifier))
            for r in managed_rules(True)
        ),
    ):
        check(kind, name)

    rules = topic_rule_names(server_settings(stack, services), platform)
    document = topic_policy(platform, rules)
    assert len(document.encode()) <= SNS_POLICY_LIMIT_BYTES
    assert publishes(document, "events.amazonaws.com", platform.rule_arn(rules[-1]), platform)
    foreign = platform.rule_arn(f"{platform.prefix}-someone-else")[:-1] + "x"
    assert not publishes(document, "events.amazonaws.com", foreign, platform)

    for service_name in services:
        service = platform.service(service_name, f"repo-{service_name}")
        service_name_checks(service, platform)
        for rule in (*service.topic_rule_names, *rules_of_targets(service)):
            check("event-rule", rule)
            assert rule in rules, f"rule {rule} publishes to the topic but is not granted"
            assert publishes(document, "events.amazonaws.com", platform.rule_arn(rule), platform)
        for alarm in alarm_names(service):
            check("alarm", alarm)
            assert publishes(
                document, "cloudwatch.amazonaws.com", service.alarm_arn(alarm), platform
            )


def rules_of_targets(service: ServiceNames) -> tuple[str, ...]:
    return (instance_failure_rule_name(service),)


def test_sixty_services_of_the_longest_names_fit_the_topic_policy():
    """The worst case outright (hypothesis may not draw it): 60 servers, 100-character names."""
    project, stack = "p" * 100, "s" * 100
    services = [f"{'s' * 17}{i:03d}" for i in range(60)]
    for region in REGIONS:
        platform = PlatformNames(project, stack, ACCOUNT, region)
        rules = topic_rule_names(server_settings(stack, services), platform)
        assert len(rules) == 60 * 3 + 1
        document = topic_policy(platform, rules)
        assert len(document.encode()) <= SNS_POLICY_LIMIT_BYTES, len(document.encode())
        for rule in rules:
            assert publishes(document, "events.amazonaws.com", platform.rule_arn(rule), platform)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(project=long_projects, stack=st.one_of(stacks, long_stacks), service=service_names)
def test_every_trust_source_arn_is_a_resource_the_program_creates(project, stack, service):
    platform = PlatformNames(project, stack, ACCOUNT, "us-east-1")
    settings_ = server_settings(stack, [service])
    [configured] = settings_.services
    names = platform.service(configured.name, configured.repository_name)
    release = ReleaseNames(names)
    created = {
        names.build_project_arn,
        names.deployment_group_arn,
        names.source_rule_arn,
        *(release.project_arn(step) for step in RELEASE_STEPS),
    }
    covered: set[str] = set()
    for grant in service_role_grants(settings_, configured, names):
        [trust] = json.loads(grant.trust_policy)["Statement"]
        listed = trust.get("Condition", {}).get("ArnLike", {}).get("aws:SourceArn", [])
        for pattern in [listed] if isinstance(listed, str) else listed:
            matched = {arn for arn in created if fnmatch.fnmatchcase(arn, pattern)}
            assert matched, f"{grant.purpose} trusts {pattern}, which names nothing we create"
            covered |= matched
    # The build project, the deployment group and the push rule each assume their role.
    assert {names.build_project_arn, names.deployment_group_arn, names.source_rule_arn} <= covered


def test_the_declared_program_with_a_100_character_stack_name_notifies():
    """Whole program under the mocks: every rule and alarm targeting the topic is granted by it."""
    stack = "Very.Long_Stack-Name-" + "x" * 79
    config = stack_config_env("dev")
    config[f"{NAMESPACE}:complianceRules"] = "true"
    mocks = run_main(stack, config)
    [topic] = mocks.of_type("aws:sns/topic:Topic")
    [policy] = mocks.of_type("aws:sns/topicPolicy:TopicPolicy")
    document = policy.inputs["policy"]
    platform = PlatformNames(NAMESPACE, stack, ACCOUNT, config["aws:region"])
    assert topic.inputs["name"] == platform.topic_name
    targets = [
        t for t in mocks.of_type("aws:cloudwatch/eventTarget:EventTarget")
        if t.inputs.get("arn") == platform.topic_arn
    ]  # fmt: skip
    rules = {r.inputs["name"] for r in mocks.of_type("aws:cloudwatch/eventRule:EventRule")}
    assert len(targets) >= 3 * 2 + 1 + 1  # two per service, the instance rule, the findings rule
    for target in targets:
        rule = target.inputs["rule"]
        assert rule in rules
        assert not rule.startswith(f"{platform.prefix}-"), "the case the old pattern missed"
        assert publishes(document, "events.amazonaws.com", platform.rule_arn(rule), platform)
    alarms = mocks.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
    assert alarms
    for alarm in alarms:
        assert platform.topic_arn in alarm.inputs["alarmActions"]
        arn = platform.arn("cloudwatch", f"alarm:{alarm.inputs['name']}")
        assert publishes(document, "cloudwatch.amazonaws.com", arn, platform)


@pytest.mark.parametrize("purpose", ["failed-builds", "deploy-" + "x" * 300])
def test_a_shortened_alarm_name_keeps_the_stack_head(purpose):
    platform = PlatformNames("p" * 100, "s" * 100, ACCOUNT, "us-east-1")
    name = platform.service("svc", "repo")._alarm(purpose)
    check("alarm", name)
    assert name.startswith(f"{platform.prefix}-")
