"""The service roles on their own: four roles, each trusted only by its service for its resource."""

import dataclasses

import pytest

from components.config import PlatformSettings
from components.iam.service_roles import ServiceRoles, ServiceRolesArgs
from components.service_pipeline import service_role_grants
from components.targets import target_for
from tests.support.mocked_program import declare, keep
from tests.support.service_fixtures import (
    TAGS,
    actions_of,
    as_list,
    building_settings,
    names_of,
    service_of,
    statement_by_sid,
    statements,
)

ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
PLATFORMS = ["Server", "ECS", "Lambda"]


def roles(platform: str, stack: str = "prod", settings: PlatformSettings | None = None):
    settings = settings or building_settings(stack)
    service = next(s for s in settings.services if s.compute_platform == platform)
    names = names_of(service, stack)
    holder = {}

    def build():
        component = ServiceRoles(
            "roles",
            ServiceRolesArgs(
                names=names, grants=service_role_grants(settings, service, names), tags=TAGS
            ),
        )
        holder["roles"] = component
        return keep(
            holder,
            build_role_arn=component.arn("build"),
            key_user_role_arns=component.key_user_role_arns,
        )

    mocks = declare(build, stack=stack)
    by_name = {r.inputs["name"]: r.inputs for r in mocks.of_type(ROLE)}
    policies = {p.inputs["role"]: p.inputs["policy"] for p in mocks.of_type(ROLE_POLICY)}
    return holder, by_name, policies, names, settings


@pytest.mark.parametrize("platform", ["Server", "ECS"])
def test_service_and_release_step_roles_each_with_one_inline_policy(platform):
    resolved, declared, policies, names, _ = roles(platform)
    release_steps = ["signer", "verifier", *(["image"] if platform == "ECS" else [])]
    expected = [
        names.build_role,
        names.deploy_role,
        names.pipeline_role,
        names.events_role,
        *(names.role(purpose) for purpose in release_steps),
    ]
    assert sorted(declared) == sorted(role.name for role in expected)
    assert sorted(policies) == sorted(declared)
    assert all(inputs["tags"] == TAGS for inputs in declared.values())
    assert sorted(resolved["roles"].role_arns) == sorted(role.arn for role in expected)
    assert resolved["build_role_arn"] == names.build_role.arn
    assert sorted(resolved["key_user_role_arns"]) == sorted(names.key_user_role_arns)
    assert names.events_role.arn not in resolved["key_user_role_arns"]


def test_a_lambda_service_has_no_codedeploy_role_and_its_pipeline_role_deploys():
    resolved, declared, policies, names, _ = roles("Lambda")
    assert names.deploy_role.name not in declared
    assert resolved["roles"].arn("deploy") is None
    assert names.deploy_role.arn not in resolved["key_user_role_arns"]
    pipeline_actions = actions_of(policies[names.pipeline_role.name])
    assert {"lambda:PublishVersion", "lambda:UpdateAlias", "lambda:UpdateFunctionCode"} <= set(
        pipeline_actions
    )
    assert not any(a.startswith("codedeploy:") for a in pipeline_actions)
    assert not any(a.startswith("lambda:") for a in actions_of(policies[names.build_role.name]))


@pytest.mark.parametrize(
    ("role", "principal", "source_arn"),
    [
        ("build_role", "codebuild.amazonaws.com", "build_project_arn"),
        ("deploy_role", "codedeploy.amazonaws.com", "deployment_group_arn"),
        ("events_role", "events.amazonaws.com", "source_rule_arn"),
        ("pipeline_role", "codepipeline.amazonaws.com", None),
    ],
)
def test_trust_is_bound_to_our_account_and_resource(role, principal, source_arn):
    _, declared, _, names, _ = roles("Server")
    [trust] = statements(declared[getattr(names, role).name]["assumeRolePolicy"])
    assert trust["Principal"] == {"Service": principal}
    assert as_list(trust["Action"]) == ["sts:AssumeRole"]
    if principal == "codepipeline.amazonaws.com":
        # AWS documents no confused-deputy key for CodePipeline's role (`pipeline_role`).
        assert "Condition" not in trust
        return
    assert trust["Condition"]["StringEquals"] == {"aws:SourceAccount": names.platform.account_id}
    if source_arn:
        assert trust["Condition"]["ArnLike"] == {"aws:SourceArn": getattr(names, source_arn)}


def test_events_role_may_only_start_its_pipeline():
    _, _, policies, names, _ = roles("Server")
    [only] = statements(policies[names.events_role.name])
    assert as_list(only["Action"]) == ["codepipeline:StartPipelineExecution"]
    assert as_list(only["Resource"]) == [names.pipeline_arn]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_pipeline_role_runs_the_codecommit_source_action_and_reads_the_artifact_bucket(platform):
    """The CodeCommit action's documented minimum, GetRepository included (without it the Source
    stage fails with an access error on the first run); the bucket reads of the service-role policy."""
    _, _, policies, names, _ = roles(platform)
    source = statement_by_sid(policies[names.pipeline_role.name], "ReadOwnRepository")
    assert set(as_list(source["Action"])) == {
        "codecommit:CancelUploadArchive",
        "codecommit:GetBranch",
        "codecommit:GetCommit",
        "codecommit:GetRepository",
        "codecommit:GetUploadArchiveStatus",
        "codecommit:UploadArchive",
    }
    assert as_list(source["Resource"]) == [names.repository_arn]
    bucket = statement_by_sid(policies[names.pipeline_role.name], "ArtifactBucket")
    assert set(as_list(bucket["Action"])) == {
        "s3:GetBucketAcl",
        "s3:GetBucketLocation",
        "s3:GetBucketVersioning",
        "s3:ListBucket",
    }
    assert as_list(bucket["Resource"]) == [names.platform.artifact_bucket_arn]


@pytest.mark.parametrize(("stack", "approval"), [("dev", False), ("prod", True)])
def test_pipeline_role_notifies_only_when_approval_is_on(stack, approval):
    _, _, policies, names, settings = roles("Server", stack)
    assert settings.manual_approval is approval
    assert ("sns:Publish" in actions_of(policies[names.pipeline_role.name])) is approval


@pytest.mark.parametrize("platform", PLATFORMS)
def test_the_deploying_role_reads_exactly_the_rollback_alarms(platform):
    _, _, policies, names, _ = roles(platform)
    deploying = names.deploy_role if platform != "Lambda" else names.pipeline_role
    alarms = statement_by_sid(policies[deploying.name], "ReadRollbackAlarms")
    expected = [
        names.alarm_arn(a) for a in target_for(service_of(platform)).rollback_alarm_names(names)
    ]
    assert as_list(alarms["Resource"]) == sorted(expected)


def test_deploy_role_reads_no_alarms_without_alarm_rollback():
    without = dataclasses.replace(building_settings("dev"), alarm_rollback=False, promote_to=())
    _, _, policies, names, settings = roles("Server", "dev", without)
    assert settings.alarm_rollback is False
    assert "cloudwatch:DescribeAlarms" not in actions_of(policies[names.deploy_role.name])


def test_only_ecs_pipelines_may_register_task_definitions_and_pass_roles():
    for platform in PLATFORMS:
        _, _, policies, names, _ = roles(platform)
        actions = actions_of(policies[names.pipeline_role.name])
        is_ecs = platform == "ECS"
        assert ("ecs:RegisterTaskDefinition" in actions) is is_ecs
        assert ("iam:PassRole" in actions) is is_ecs
