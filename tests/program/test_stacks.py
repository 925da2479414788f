"""The three stacks as `pulumi preview` declares them: what exists, and the properties that make it safe."""

import inspect
import json
from collections import Counter
from functools import cache
from typing import Any

import pulumi
import pulumi_aws
import pytest

from components.config import PlatformSettings, parse_settings
from components.shared.naming import PlatformNames
from tests.support.mocked_program import FIXTURE_ACCOUNT_ID, FIXTURE_REGION
from tests.support.program_runs import (
    recorded_options,
    run_main,
    stack_config_env,
    stack_settings_raw,
)

STACKS = ("dev", "staging", "prod")
TAG_KEYS = {"project", "environment", "service", "managed-by"}

SHARED = {
    "aws:kms/key:Key": 1,  # artifacts (the release-signing key where anything signs: SIGNING)
    "aws:kms/alias:Alias": 1,
    "aws:cloudwatch/logGroup:LogGroup": 1,  # the release steps' log group
    "guarded-delivery:release:ReleaseSigning": 1,
    "aws:s3/bucket:Bucket": 1,
    "aws:s3/bucketVersioning:BucketVersioning": 1,
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": 1,
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": 1,
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": 1,
    "aws:s3/bucketPolicy:BucketPolicy": 1,
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": 1,
    "aws:sns/topic:Topic": 1,
    "aws:sns/topicPolicy:TopicPolicy": 1,
    "guarded-delivery:delivery_platform:DeliveryPlatform": 1,
    "guarded-delivery:artifact_store:ArtifactStore": 1,
    "guarded-delivery:monitoring:NotificationTopic": 1,
    "aws:cloudwatch/dashboard:Dashboard": 1,
}
SIGNING = {"aws:kms/key:Key": 1, "aws:kms/alias:Alias": 1}
# Every service, built or promoted: deploy, pipeline, events, execution and verifier roles, the
# verify step, failure rules and the PipelineFailure alarm.
PER_SERVICE = {
    "aws:iam/role:Role": 5,
    "aws:iam/rolePolicy:RolePolicy": 5,
    "aws:codebuild/project:Project": 1,  # verify
    "aws:codedeploy/application:Application": 1,
    "aws:codedeploy/deploymentGroup:DeploymentGroup": 1,
    "aws:codepipeline/pipeline:Pipeline": 1,
    "aws:cloudwatch/eventRule:EventRule": 3,  # the start, failed execution, failed action
    "aws:cloudwatch/eventTarget:EventTarget": 3,
    "aws:cloudwatch/metricAlarm:MetricAlarm": 1,  # PipelineFailure
    "guarded-delivery:roles:ServiceRoles": 1,
    "guarded-delivery:service_pipeline:ServicePipeline": 1,
    "guarded-delivery:deploy:Deploy": 1,
    "guarded-delivery:pipeline:Pipeline": 1,
    "guarded-delivery:execution_role:ExecutionRole": 1,
    "guarded-delivery:monitoring:ServiceMonitoring": 1,
    "guarded-delivery:release:ReleaseSteps": 1,
}
# A stack that builds: the repository, its build (role, project, logs, reports, build alarms) and the
# signing step with its role; ECS services also build their image.
BUILT = {
    "aws:iam/role:Role": 2,  # build, signer
    "aws:iam/rolePolicy:RolePolicy": 2,
    "aws:codecommit/repository:Repository": 1,
    "aws:codebuild/project:Project": 2,  # build, sign
    "aws:codebuild/reportGroup:ReportGroup": 1,
    "aws:cloudwatch/logGroup:LogGroup": 1,
    "aws:cloudwatch/logMetricFilter:LogMetricFilter": 1,
    "aws:cloudwatch/metricAlarm:MetricAlarm": 2,  # FailedBuilds, ERROR lines
    "guarded-delivery:source:Source": 1,
    "guarded-delivery:source:PushTrigger": 1,
    "guarded-delivery:build:Build": 1,
}
BUILT_IMAGE = {
    "aws:ecr/repository:Repository": 1,
    "aws:ecr/repositoryPolicy:RepositoryPolicy": 1,
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": 1,
    "guarded-delivery:release:ImageRepository": 1,
    "aws:codebuild/project:Project": 1,
    "aws:iam/role:Role": 1,
    "aws:iam/rolePolicy:RolePolicy": 1,
}
# A stack that promotes: the admission step; the bus it receives publications on (shared).
PROMOTED = {"aws:codebuild/project:Project": 1}
PROMOTIONS_BUS = {
    "aws:cloudwatch/eventBus:EventBus": 1,
    "aws:cloudwatch/eventBusPolicy:EventBusPolicy": 1,
    "guarded-delivery:release:PromotionBus": 1,
}
# A stack that publishes: the publish step (as the signer: its role where the stack does not build),
# and, shared, the bucket's events, the forwarder role and one forwarding rule per service and target.
PUBLISHING_SHARED = {
    "aws:s3/bucketNotification:BucketNotification": 1,
    "aws:iam/role:Role": 1,
    "aws:iam/rolePolicy:RolePolicy": 1,
    "guarded-delivery:release:ReleasePublication": 1,
}
FORWARDING = {"aws:cloudwatch/eventRule:EventRule": 1, "aws:cloudwatch/eventTarget:EventTarget": 1}
CONFIRM = {"aws:codebuild/project:Project": 1}  # Lambda: the deployed code matches the package
# A CodeConnections source: no repository of ours, and the pipeline's own V2 trigger starts it (no
# push rule, no events role).
NOT_WITH_A_CONNECTION = {
    "aws:codecommit/repository:Repository": 1,
    "guarded-delivery:source:Source": 1,
    "guarded-delivery:source:PushTrigger": 1,
    "aws:cloudwatch/eventRule:EventRule": 1,
    "aws:cloudwatch/eventTarget:EventTarget": 1,
    "aws:iam/role:Role": 1,
    "aws:iam/rolePolicy:RolePolicy": 1,
}
CONNECTION_SOURCES = {"dev": ("ECS",)}
"""The platforms whose service reads its repository through CodeConnections, per stack."""
# Alarms (and for Server an instance-failure rule) that stop and roll back a deployment.
ROLLBACK_ALARMS = {
    "Server": {
        "aws:cloudwatch/metricAlarm:MetricAlarm": 1,
        "aws:cloudwatch/eventRule:EventRule": 1,
        "aws:cloudwatch/eventTarget:EventTarget": 1,
    },
    "ECS": {"aws:cloudwatch/metricAlarm:MetricAlarm": 2},
    "Lambda": {"aws:cloudwatch/metricAlarm:MetricAlarm": 1},
}
# A Lambda service deploys through the pipeline's Lambda action: no CodeDeploy group or role.
NOT_IN_LAMBDA = {
    "aws:codedeploy/application:Application": 1,
    "aws:codedeploy/deploymentGroup:DeploymentGroup": 1,
    "aws:iam/role:Role": 1,
    "aws:iam/rolePolicy:RolePolicy": 1,
}
# complianceRules: seven AWS Config rules (CodeDeploy's with alarm rollback) and the findings rule.
COMPLIANCE = {
    "aws:cfg/rule:Rule": 7,
    "aws:cloudwatch/eventRule:EventRule": 1,
    "aws:cloudwatch/eventTarget:EventTarget": 1,
    "guarded-delivery:compliance:Compliance": 1,
}
PLATFORMS = ("Server", "ECS", "Lambda")
# What each seeded stack holds: alarm rollback, email subscribers, whether it builds (else promotes),
# how many stacks it publishes to. Every stack runs one service of each platform.
SEEDS = {
    "dev": (True, 0, True, 1),
    "staging": (True, 1, False, 1),
    "prod": (True, 1, False, 0),
}
COMPLIANCE_STACKS = ("prod",)


def expected_counts(stack: str) -> Counter:
    rollback, emails, builds, targets = SEEDS[stack]
    counts = Counter(SHARED)
    counts["aws:sns/topicSubscription:TopicSubscription"] = emails
    if builds or targets:
        counts.update(SIGNING)
    if not builds:
        counts.update(PROMOTIONS_BUS)
    if targets:
        counts.update(PUBLISHING_SHARED)
    for platform in PLATFORMS:
        counts.update(PER_SERVICE)
        counts.update(BUILT if builds else PROMOTED)
        if builds and platform == "ECS":
            counts.update(BUILT_IMAGE)
        if targets:
            counts["aws:codebuild/project:Project"] += 1  # publish
            counts.update({key: value * targets for key, value in FORWARDING.items()})
            if not builds:
                counts.update({"aws:iam/role:Role": 1, "aws:iam/rolePolicy:RolePolicy": 1})
        if platform in CONNECTION_SOURCES.get(stack, ()):
            counts.subtract(NOT_WITH_A_CONNECTION)
        if platform == "Lambda":
            counts.update(CONFIRM)
            counts.subtract(NOT_IN_LAMBDA)
        if rollback:
            counts.update(ROLLBACK_ALARMS[platform])
    if stack in COMPLIANCE_STACKS:
        counts.update(COMPLIANCE)
    return +counts


@cache
def declared(stack: str) -> Any:
    return run_main(stack)


@cache
def settings(stack: str) -> PlatformSettings:
    return parse_settings(stack_settings_raw(stack), stack)


def names(stack: str) -> PlatformNames:
    return PlatformNames("guarded-delivery", stack, FIXTURE_ACCOUNT_ID, FIXTURE_REGION)


def one(stack: str, token: str) -> dict[str, Any]:
    (resource,) = declared(stack).of_type(token)
    return resource.inputs


def artifact_key(stack: str) -> dict[str, Any]:
    """The symmetric artifact key (the other key of the stack signs releases)."""
    (key,) = [
        k.inputs
        for k in declared(stack).of_type("aws:kms/key:Key")
        if k.inputs["keyUsage"] == "ENCRYPT_DECRYPT"
    ]
    return key


def document(text: str) -> list[dict[str, Any]]:
    return json.loads(text)["Statement"]


@pytest.mark.parametrize("stack", STACKS)
def test_resource_count_by_type(stack):
    assert Counter(r.typ for r in declared(stack).resources) == expected_counts(stack)


@pytest.mark.parametrize("stack", STACKS)
def test_key_rotates_with_the_stack_deletion_window_and_names_the_roles_that_use_it(stack):
    key = artifact_key(stack)
    assert key["enableKeyRotation"] is True
    assert key["deletionWindowInDays"] == settings(stack).kms_deletion_window_days
    statements = document(key["policy"])
    wildcard_holders = [s["Principal"] for s in statements if "kms:*" in s["Action"]]
    assert wildcard_holders == [{"AWS": f"arn:aws:iam::{FIXTURE_ACCOUNT_ID}:root"}]
    (users,) = [s for s in statements if s.get("Sid") == "PipelineRolesUseKey"]
    declared_service_roles = {
        r.inputs["name"]
        for r in declared(stack).of_type("aws:iam/role:Role")
        # The release steps' roles use the key through IAM (the root statement delegates to it).
        if not r.inputs["name"].endswith(
            ("-execution", "-events", "-signer", "-verifier", "-image", "-promotion-forwarder")
        )
    }
    assert {arn.rsplit("/", 1)[1] for arn in users["Principal"]["AWS"]} == declared_service_roles


@pytest.mark.parametrize("stack", STACKS)
def test_artifact_bucket_is_private_versioned_kms_encrypted_and_tls_only(stack):
    sse = one(
        stack,
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    )
    assert sse["rules"][0]["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "aws:kms"
    assert one(stack, "aws:s3/bucketVersioning:BucketVersioning")["versioningConfiguration"] == {
        "status": "Enabled"
    }
    block = one(stack, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    assert all(
        block[k] is True
        for k in (
            "blockPublicAcls",
            "blockPublicPolicy",
            "ignorePublicAcls",
            "restrictPublicBuckets",
        )
    )
    sids = {s["Sid"] for s in document(one(stack, "aws:s3/bucketPolicy:BucketPolicy")["policy"])}
    assert {
        "DenyInsecureTransport",
        "DenyUploadsNotEncryptedWithKms",
        "DenyUploadsWithForeignKey",
    } <= sids


@pytest.mark.parametrize("stack", STACKS)
def test_logs_repositories_builds_and_topic_use_the_key(stack):
    mocks = declared(stack)
    for token in ("aws:cloudwatch/logGroup:LogGroup", "aws:codecommit/repository:Repository"):
        for resource in mocks.of_type(token):
            assert "kmsKeyId" in resource.inputs, f"{resource.name} is not KMS-encrypted"
    for log_group in mocks.of_type("aws:cloudwatch/logGroup:LogGroup"):
        assert log_group.inputs["retentionInDays"] == settings(stack).log_retention_days
    for project in mocks.of_type("aws:codebuild/project:Project"):
        assert "encryptionKey" in project.inputs
        assert project.inputs["logsConfig"]["cloudwatchLogs"]["status"] == "ENABLED"
        # Only the image step runs Docker, with a buildspec the stack declares.
        image_step = project.inputs["name"].endswith("-image")
        assert project.inputs["environment"]["privilegedMode"] is image_step
        if image_step:
            assert "phases:" in project.inputs["source"]["buildspec"]
        if project.inputs["name"].endswith("-build"):
            assert (
                project.inputs["environment"]["computeType"] == settings(stack).build_compute_type
            )
    assert one(stack, "aws:sns/topic:Topic")["kmsMasterKeyId"] == names(stack).key_alias_arn


@pytest.mark.parametrize("stack", STACKS)
def test_pipelines_are_v2_with_encrypted_artifacts_and_approval_where_configured(stack):
    for pipeline in declared(stack).of_type("aws:codepipeline/pipeline:Pipeline"):
        inputs = pipeline.inputs
        assert inputs["pipelineType"] == "V2"
        (store,) = inputs["artifactStores"]
        assert store["encryptionKey"] == {"type": "KMS", "id": names(stack).key_alias_arn}
        assert store["location"] == names(stack).artifact_bucket_name
        stages = [stage["name"] for stage in inputs["stages"]]
        # A stack that builds makes and signs the release; one that promotes admits its upstream's.
        made = ["Build", "Sign"] if not settings(stack).promotes else ["Admit"]
        assert stages[0] == "Source" and all(step in stages for step in made), stages
        assert "Build" not in stages or not settings(stack).promotes
        assert stages[stages.index("Deploy") - 1] == "Verify", stages
        assert stages.index(made[-1]) < stages.index("Verify"), stages
        assert ("Approval" in stages) is settings(stack).manual_approval
        if "Approval" in stages:
            assert stages.index(made[-1]) < stages.index("Approval") < stages.index("Verify")
        assert ("Publish" in stages) is bool(settings(stack).promote_to)
        if "Publish" in stages:
            assert stages[-1] == "Publish" and stages.index("Deploy") < stages.index("Publish")


@pytest.mark.parametrize("stack", STACKS)
def test_deployments_roll_back_on_failure_and_on_alarms_this_stack_creates(stack):
    mocks = declared(stack)
    alarm_names = {
        a.inputs["name"] for a in mocks.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
    }
    configs = {s.name: s.deployment_config for s in settings(stack).services}
    for group in mocks.of_type("aws:codedeploy/deploymentGroup:DeploymentGroup"):
        inputs = group.inputs
        service = inputs["tags"]["service"]
        assert inputs["deploymentConfigName"] == configs[service]
        rollback = inputs["autoRollbackConfiguration"]
        assert rollback["enabled"] is True and "DEPLOYMENT_FAILURE" in rollback["events"]
        on_alarm = "DEPLOYMENT_STOP_ON_ALARM" in rollback["events"]
        assert on_alarm is settings(stack).alarm_rollback
        if on_alarm:
            alarms = inputs["alarmConfiguration"]["alarms"]
            assert alarms and set(alarms) <= alarm_names, "rollback alarms must be declared here"


@pytest.mark.parametrize("stack", STACKS)
def test_execution_role_starts_pipelines_only_from_allowed_cidrs(stack):
    cidrs = list(settings(stack).allowed_cidrs)
    policies = [
        p
        for p in declared(stack).of_type("aws:iam/rolePolicy:RolePolicy")
        if p.inputs["role"].endswith("-execution")
    ]
    assert len(policies) == len(settings(stack).services)
    for policy in policies:
        statements = document(policy.inputs["policy"])
        starts = [s for s in statements if "codepipeline:StartPipelineExecution" in s["Action"]]
        allow = [s for s in starts if s["Effect"] == "Allow"]
        deny = [s for s in starts if s["Effect"] == "Deny"]
        assert allow and all(
            s["Condition"] == {"IpAddress": {"aws:SourceIp": cidrs}} for s in allow
        )
        assert deny and all(
            s["Condition"] == {"NotIpAddress": {"aws:SourceIp": cidrs}} for s in deny
        )


@pytest.mark.parametrize("stack", STACKS)
def test_alarms_and_failure_rules_notify_the_topic(stack):
    topic = names(stack).topic_arn
    mocks = declared(stack)
    for alarm in mocks.of_type("aws:cloudwatch/metricAlarm:MetricAlarm"):
        assert alarm.inputs["alarmActions"] == [topic], alarm.name
    targets = {t.name: t.inputs for t in mocks.of_type("aws:cloudwatch/eventTarget:EventTarget")}
    for service in settings(stack).services:
        assert targets[f"{service.name}-monitoring-failed-executions-to-topic"]["arn"] == topic


@cache
def taggable(token: str) -> bool:
    """Whether the provider's resource class takes `tags` (so the check follows the provider)."""
    module_path, class_name = token.split(":")[1].split("/")[0], token.split(":")[2]
    cls = getattr(getattr(pulumi_aws, module_path), class_name)
    return "tags" in inspect.signature(cls._internal_init).parameters


@pytest.mark.parametrize("stack", STACKS)
def test_every_taggable_resource_carries_the_four_tags(stack):
    services = {s.name for s in settings(stack).services} | {"shared"}
    checked = 0
    for resource in declared(stack).resources:
        if not resource.typ.startswith("aws:") or not taggable(resource.typ):
            continue
        tags = resource.inputs.get("tags")
        assert tags and set(tags) == TAG_KEYS, f"{resource.typ} {resource.name}: {tags}"
        assert tags["environment"] == stack and tags["project"] == "guarded-delivery"
        assert tags["managed-by"] == "pulumi" and tags["service"] in services
        checked += 1
    assert checked >= 15
    for shared in ("aws:kms/key:Key", "aws:s3/bucket:Bucket", "aws:sns/topic:Topic"):
        for resource in declared(stack).of_type(shared):
            assert resource.inputs["tags"]["service"] == "shared"


@pytest.mark.parametrize("stack", STACKS)
def test_prod_alone_protects_and_retains_key_bucket_and_repositories(stack):
    with recorded_options() as registered:
        run_main(stack)
    kept = {o.typ for o in registered if o.protect and o.retain_on_delete}
    loose = {o.typ for o in registered if o.protect != o.retain_on_delete}
    if settings(stack).protect_resources:
        # prod promotes: no repository or image repository of its own, and nothing signs there.
        assert kept == {"aws:kms/key:Key", "aws:s3/bucket:Bucket"}
        assert all(o.protect for o in registered if o.typ == "aws:kms/key:Key")
    else:
        assert kept == set()
    assert loose == set()


def test_environments_differ_for_real():
    dev, staging, prod = (settings(s) for s in STACKS)
    for field in (
        "allowed_cidrs",
        "log_retention_days",
        "kms_deletion_window_days",
        "build_compute_type",
    ):
        assert len({getattr(s, field) for s in (dev, staging, prod)}) == 3, field
    assert (dev.manual_approval, prod.manual_approval) == (False, True)
    # dev publishes to staging after a bake that watches its rollback alarms.
    assert (dev.alarm_rollback, prod.alarm_rollback) == (True, True)
    assert (dev.promote_from, staging.promote_from, prod.promote_from) == ("", "dev", "staging")
    assert [t.stack for t in dev.promote_to] == ["staging"]
    assert [t.stack for t in staging.promote_to] == ["prod"] and prod.promote_to == ()
    assert (dev.protect_resources, prod.protect_resources) == (False, True)
    assert dev.service("web").deployment_config == "CodeDeployDefault.AllAtOnce"
    assert "Canary" in prod.service("api").deployment_config


def test_bad_config_stops_the_program_with_one_line_and_declares_nothing():
    config = stack_config_env("dev")
    config["guarded-delivery:allowedCidrs"] = json.dumps(["192.0.2.0/24", "0.0.0.0/0"])
    with recorded_options() as registered, pytest.raises(pulumi.RunError) as caught:
        run_main("dev", config)
    assert str(caught.value) == (
        "guarded-delivery:allowedCidrs[1]: '0.0.0.0/0' would allow any address; "
        "list only your own networks"
    )
    assert [o for o in registered if o.typ != "pulumi:pulumi:Stack"] == []


def test_unknown_key_in_a_stack_file_is_refused_with_a_suggestion():
    config = stack_config_env("dev")
    config["guarded-delivery:logRetentionDay"] = "14"
    with pytest.raises(
        pulumi.RunError,
        match=r"^guarded-delivery:logRetentionDay: .*did you mean 'logRetentionDays'",
    ):
        run_main("dev", config)


def test_stack_outputs_give_the_exact_troubleshooting_commands():
    """Run as the engine would (config in PULUMI_CONFIG, separate interpreter) and read the outputs."""
    from offline_preview.program_runner import run_program
    from tests.support.program_runs import PROJECT_DIR

    outputs = run_program(PROJECT_DIR, "staging").outputs
    api = outputs["services"]["api"]
    # staging promotes (it has no build): its step logs are what explains a failed run.
    assert api["logsCommand"] == (
        "aws logs filter-log-events --log-group-name "
        "/aws/codebuild/guarded-delivery-staging-release-steps --filter-pattern ERROR --region us-east-1"
    )
    assert api["pipelineStateCommand"] == (
        "aws codepipeline get-pipeline-state --name guarded-delivery-staging-api --region us-east-1"
    )
    assert (
        api["pipelineArn"]
        == "arn:aws:codepipeline:us-east-1:123456789012:guarded-delivery-staging-api"
    )
    assert api["consoleUrl"].startswith(
        "https://us-east-1.console.aws.amazon.com/codesuite/codepipeline/"
    )
    assert outputs["defaultService"] == "web"
    assert outputs["pipelineName"] == outputs["services"]["web"]["pipelineName"]
    assert outputs["notificationTopicArn"] == api["topicArn"]
