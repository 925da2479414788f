"""One service's whole chain, composed as the platform composes it, with an unknown key ARN."""

import dataclasses
from collections import Counter

import pulumi_aws as aws
import pytest

from components.config import PlatformSettings
from components.iam.service_roles import ServiceRoles, ServiceRolesArgs
from components.release.release_names import StackReleaseNames
from components.service_pipeline import ServicePipeline, ServicePipelineArgs, service_role_grants
from components.targets import target_for
from tests.support.mocked_program import declare, keep
from tests.support.service_fixtures import (
    TAGS,
    as_list,
    building_settings,
    names_of,
    platform_names,
    statements,
)

PROJECT = "aws:codebuild/project:Project"
COMPONENT_TYPES = {
    "guarded-delivery:roles:ServiceRoles",
    "guarded-delivery:service_pipeline:ServicePipeline",
    "guarded-delivery:source:Source",
    "guarded-delivery:source:PushTrigger",
    "guarded-delivery:build:Build",
    "guarded-delivery:deploy:Deploy",
    "guarded-delivery:pipeline:Pipeline",
    "guarded-delivery:execution_role:ExecutionRole",
    "guarded-delivery:release:ReleaseSteps",
}
UNTAGGABLE = {"aws:iam/rolePolicy:RolePolicy", "aws:cloudwatch/eventTarget:EventTarget"}
ECR_SUBRESOURCES = {
    "aws:ecr/repositoryPolicy:RepositoryPolicy",
    "aws:ecr/lifecyclePolicy:LifecyclePolicy",
}


def compose(stack: str, service_name: str, settings: PlatformSettings | None = None):
    settings = settings or building_settings(stack)
    service = settings.service(service_name)
    names = names_of(service, stack)
    platform = platform_names(stack)
    built = {}

    def build():
        # A key whose ARN stays unknown, as on a first preview: documents must not depend on it.
        key = aws.kms.Key("key")
        roles = ServiceRoles(
            "roles",
            ServiceRolesArgs(
                names=names, grants=service_role_grants(settings, service, names), tags=TAGS
            ),
        )
        chain = ServicePipeline(
            service.name,
            ServicePipelineArgs(
                settings=settings,
                service=service,
                names=names,
                platform_names=platform,
                roles=roles,
                key_arn=key.arn,
                key_alias_arn=platform.key_alias_arn,
                bucket_name=platform.artifact_bucket_name,
                topic_arn=platform.topic_arn,
                signing_key_alias_arn=StackReleaseNames(platform).signing_key_alias_arn,
                release_log_group_name=StackReleaseNames(platform).steps_log_group_name,
                tags=TAGS,
                protect=settings.protect_resources,
            ),
        )
        built["chain"] = chain
        return keep(
            built,
            pipeline_name=chain.pipeline_name,
            pipeline_arn=chain.pipeline_arn,
            build_project_name=chain.build_project_name,
            log_group_name=chain.log_group_name,
            repository_name=chain.repository_name,
        )

    mocks = declare(build, stack=stack)
    return mocks, built, settings, service, names


PROD_SERVICES = [s.name for s in building_settings("prod").services]


@pytest.mark.parametrize("service_name", PROD_SERVICES)
def test_every_iam_document_is_a_known_string(service_name):
    mocks, _, _, service, _ = compose("prod", service_name)
    documents = [r.inputs.get("policy") for r in mocks.of_type("aws:iam/rolePolicy:RolePolicy")]
    documents += [r.inputs.get("assumeRolePolicy") for r in mocks.of_type("aws:iam/role:Role")]
    target = target_for(service)
    # build, pipeline, events, execution, signer, verifier; CodeDeploy's (not Lambda); image (ECS)
    roles = 6 + int(target.uses_codedeploy) + int(target.builds_image)
    assert len(documents) == 2 * roles  # each role with its trust and its inline policy
    for document in documents:
        assert statements(document)


def test_resource_counts_per_platform():
    expected_alarms = {"web": 1, "api": 2, "worker": 1}
    for service_name in PROD_SERVICES:
        mocks, _, _, service, _ = compose("prod", service_name)
        counts = Counter(r.typ for r in mocks.resources)
        target = target_for(service)
        codedeploy = 1 if target.uses_codedeploy else 0
        image, confirm = int(target.builds_image), int(target.confirms_deployed_code)
        assert counts["aws:iam/role:Role"] == 6 + codedeploy + image
        assert counts["aws:iam/rolePolicy:RolePolicy"] == 6 + codedeploy + image
        assert counts["aws:codecommit/repository:Repository"] == 1
        assert counts["aws:ecr/repository:Repository"] == image
        assert counts["aws:codebuild/project:Project"] == 3 + image + confirm
        assert counts["aws:codebuild/reportGroup:ReportGroup"] == 1
        assert counts["aws:cloudwatch/logGroup:LogGroup"] == 1
        assert counts["aws:codedeploy/application:Application"] == codedeploy
        assert counts["aws:codedeploy/deploymentGroup:DeploymentGroup"] == codedeploy
        assert counts["aws:codepipeline/pipeline:Pipeline"] == 1
        assert counts["aws:cloudwatch/metricAlarm:MetricAlarm"] == expected_alarms[service_name]
        server_rule = 1 if service.compute_platform == "Server" else 0
        assert counts["aws:cloudwatch/eventRule:EventRule"] == 1 + server_rule
        assert set(counts) >= COMPONENT_TYPES


@pytest.mark.parametrize("service_name", PROD_SERVICES)
def test_every_taggable_resource_is_tagged(service_name):
    mocks, *_ = compose("prod", service_name)
    for resource in mocks.resources:
        if (
            resource.typ.startswith("aws:")
            and resource.typ not in UNTAGGABLE
            and resource.typ not in ECR_SUBRESOURCES
            and resource.name != "key"
        ):
            assert resource.inputs.get("tags") == TAGS, resource.typ


@pytest.mark.parametrize("service_name", PROD_SERVICES)
def test_the_deploying_role_reads_the_alarms_the_deployment_rolls_back_on(service_name):
    mocks, chain, _, service, names = compose("prod", service_name)
    if target_for(service).uses_codedeploy:
        [group] = mocks.of_type("aws:codedeploy/deploymentGroup:DeploymentGroup")
        alarm_names = group.inputs["alarmConfiguration"]["alarms"]
        deploying = names.deploy_role.name
    else:
        [pipeline] = mocks.of_type("aws:codepipeline/pipeline:Pipeline")
        [deploy] = next(s for s in pipeline.inputs["stages"] if s["name"] == "Deploy")["actions"]
        alarm_names = deploy["configuration"]["Alarms"].split(",")
        deploying = names.pipeline_role.name
    created = sorted(
        a.inputs["name"] for a in mocks.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
    )
    assert sorted(alarm_names) == created == sorted(chain["chain"].rollback_alarm_names)
    [deploy_policy] = [
        r.inputs["policy"]
        for r in mocks.of_type("aws:iam/rolePolicy:RolePolicy")
        if r.inputs["role"] == deploying
    ]
    [read] = [s for s in statements(deploy_policy) if s.get("Sid") == "ReadRollbackAlarms"]
    assert as_list(read["Resource"]) == sorted(names.alarm_arn(a) for a in created)


def test_components_wire_the_same_names():
    mocks, resolved, _, _, names = compose("prod", "web")
    chain = resolved["chain"]
    assert resolved["pipeline_name"] == names.pipeline_name
    assert resolved["pipeline_arn"] == names.pipeline_arn
    assert resolved["build_project_name"] == names.build_project_name
    assert resolved["log_group_name"] == names.log_group_name
    assert resolved["repository_name"] == names.repository_name
    assert chain.console_url == names.console_url
    assert chain.execution_role_arn == names.execution_role.arn
    assert "pytest" in chain.default_buildspec
    roles = {p.inputs["name"]: p.inputs["serviceRole"] for p in mocks.of_type(PROJECT)}
    assert roles == {
        names.build_project_name: names.build_role.arn,
        f"{names.prefix}-sign": names.role("signer").arn,
        f"{names.prefix}-verify": names.role("verifier").arn,
    }
    [pipeline] = mocks.of_type("aws:codepipeline/pipeline:Pipeline")
    assert pipeline.inputs["roleArn"] == names.pipeline_role.arn
    assert [s["name"] for s in pipeline.inputs["stages"]][-3:] == ["Approval", "Verify", "Deploy"]


def test_without_approval_and_alarm_rollback_there_is_no_approval_stage_and_no_alarms():
    quiet = dataclasses.replace(building_settings("dev"), alarm_rollback=False, promote_to=())
    mocks, chain, settings, *_ = compose("dev", "web", quiet)
    assert settings.manual_approval is False and settings.alarm_rollback is False
    [pipeline] = mocks.of_type("aws:codepipeline/pipeline:Pipeline")
    assert [s["name"] for s in pipeline.inputs["stages"]] == [
        "Source",
        "Build",
        "Sign",
        "Verify",
        "Deploy",
    ]
    assert mocks.of_type("aws:cloudwatch/metricAlarm:MetricAlarm") == []
    assert chain["chain"].rollback_alarm_names == []
