"""Physical names: within AWS limits, valid characters, stable, and built only from known strings."""

import re

import pytest

from components.shared.naming import (
    BUCKET_NAME_LIMIT,
    EVENT_RULE_NAME_LIMIT,
    IAM_ROLE_NAME_LIMIT,
    PlatformNames,
    bounded,
)
from tests.support.mocked_program import FIXTURE_ACCOUNT_ID, FIXTURE_REGION

SHORT = PlatformNames("guarded-delivery", "dev", FIXTURE_ACCOUNT_ID, FIXTURE_REGION)
LONG = PlatformNames(
    "Guarded_Delivery.Platform-With-A-Very-Long-Project-Name",
    "Feature_Branch-Preview-Environment-42",
    FIXTURE_ACCOUNT_ID,
    "ap-southeast-2",
)
LONG_SERVICE = "payments-reconciler"
BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9-]{1,61}[a-z0-9]")
ROLE_NAME = re.compile(r"[\w+=,.@-]{1,64}")
RULE_NAME = re.compile(r"[.\-_A-Za-z0-9]{1,64}")


def test_seed_names_are_readable_and_exact():
    web = SHORT.service("web", "MyDemoRepo")
    assert SHORT.key_alias_name == "alias/guarded-delivery-dev-artifacts"
    assert (
        SHORT.artifact_bucket_name
        == f"guarded-delivery-dev-artifacts-{FIXTURE_ACCOUNT_ID}-us-east-1"
    )
    assert web.pipeline_name == "guarded-delivery-dev-web"
    assert web.log_group_name == "/aws/codebuild/guarded-delivery-dev-web-build"
    assert web.build_role.name == "guarded-delivery-dev-web-build"
    assert web.repository_name == "guarded-delivery-dev-MyDemoRepo"


def test_physical_names_of_two_stacks_never_collide():
    # CodeCommit names (like every name here) are unique per account and region.
    dev = SHORT.service("web", "MyDemoRepo")
    prod = PlatformNames("guarded-delivery", "prod", FIXTURE_ACCOUNT_ID, FIXTURE_REGION).service(
        "web", "MyDemoRepo"
    )
    assert dev.repository_name != prod.repository_name
    assert dev.pipeline_name != prod.pipeline_name


def test_the_pipeline_and_its_deployment_resources_have_distinct_names():
    # A name shared by two resources that reference each other would make a reference ambiguous.
    web = SHORT.service("web", "MyDemoRepo")
    names = [
        web.pipeline_name,
        web.deploy_application_name,
        web.deployment_group_name,
        web.build_project_name,
        web.repository_name,
        web.source_rule_name,
        web.failure_rule_name,
    ]
    assert len(set(names)) == len(names)


def test_arns_are_in_our_account_region_and_partition():
    names = PlatformNames("guarded-delivery", "prod", FIXTURE_ACCOUNT_ID, "cn-north-1", "aws-cn")
    web = names.service("web", "MyDemoRepo")
    assert (
        web.pipeline_arn
        == f"arn:aws-cn:codepipeline:cn-north-1:{FIXTURE_ACCOUNT_ID}:guarded-delivery-prod-web"
    )
    assert web.repository_arn == (
        f"arn:aws-cn:codecommit:cn-north-1:{FIXTURE_ACCOUNT_ID}:guarded-delivery-prod-MyDemoRepo"
    )
    assert web.log_group_arn == (
        f"arn:aws-cn:logs:cn-north-1:{FIXTURE_ACCOUNT_ID}:log-group:/aws/codebuild/guarded-delivery-prod-web-build"
    )
    assert web.log_streams_arn == web.log_group_arn + ":*"
    assert web.deployment_group_arn.endswith(
        "deploymentgroup:guarded-delivery-prod-web-app/guarded-delivery-prod-web-deployment"
    )
    assert web.deployment_config_arn("CodeDeployDefault.OneAtATime").endswith(
        "deploymentconfig:CodeDeployDefault.OneAtATime"
    )
    assert (
        web.build_role.arn
        == f"arn:aws-cn:iam::{FIXTURE_ACCOUNT_ID}:role/guarded-delivery-prod-web-build"
    )
    assert names.artifact_bucket_arn.startswith("arn:aws-cn:s3:::")
    assert names.account_root_arn == f"arn:aws-cn:iam::{FIXTURE_ACCOUNT_ID}:root"


def test_bucket_name_is_lowercase_valid_and_bounded_even_for_long_names():
    for names in (SHORT, LONG):
        bucket = names.artifact_bucket_name
        assert len(bucket) <= BUCKET_NAME_LIMIT
        assert BUCKET_NAME.fullmatch(bucket), bucket
        assert "--" not in bucket
    assert (
        FIXTURE_ACCOUNT_ID not in LONG.artifact_bucket_name or len(LONG.artifact_bucket_name) <= 63
    )


def test_bucket_names_differ_per_account_region_and_stack():
    variants = {
        SHORT.artifact_bucket_name,
        PlatformNames(
            "guarded-delivery", "dev", "210987654321", FIXTURE_REGION
        ).artifact_bucket_name,
        PlatformNames(
            "guarded-delivery", "dev", FIXTURE_ACCOUNT_ID, "eu-west-1"
        ).artifact_bucket_name,
        PlatformNames(
            "guarded-delivery", "prod", FIXTURE_ACCOUNT_ID, FIXTURE_REGION
        ).artifact_bucket_name,
    }
    assert len(variants) == 4


def test_role_and_rule_names_fit_aws_limits_for_long_project_stack_and_service():
    service = LONG.service(LONG_SERVICE, "Repo")
    for role in (
        service.build_role,
        service.deploy_role,
        service.pipeline_role,
        service.events_role,
        service.execution_role,
    ):
        assert len(role.name) <= IAM_ROLE_NAME_LIMIT and ROLE_NAME.fullmatch(role.name), role.name
        assert role.arn.endswith(f":role/{role.name}")
    for rule in (service.source_rule_name, service.failure_rule_name):
        assert len(rule) <= EVENT_RULE_NAME_LIMIT and RULE_NAME.fullmatch(rule), rule
    roles = [service.build_role.name, service.deploy_role.name, service.pipeline_role.name]
    assert len(set(roles)) == 3, "shortened names must stay distinct"


def test_shortening_is_deterministic_and_keeps_distinct_names_distinct():
    first = bounded("x" * 80 + "-build", 64)
    assert first == bounded("x" * 80 + "-build", 64)
    assert first != bounded("x" * 80 + "-deploy", 64)
    assert len(first) == 64
    assert bounded("short", 64) == "short"


@pytest.mark.parametrize("raw", ["Dev", "feature/x", "a__b", "UPPER.case"])
def test_project_and_stack_names_are_normalised_to_valid_name_parts(raw):
    names = PlatformNames("guarded-delivery", raw, FIXTURE_ACCOUNT_ID, FIXTURE_REGION)
    assert re.fullmatch(r"[a-z0-9-]+", names.prefix)
    assert BUCKET_NAME.fullmatch(names.artifact_bucket_name)


def test_every_name_is_a_plain_string_known_before_deployment():
    service = SHORT.service("web", "MyDemoRepo")
    values = [
        SHORT.key_alias_arn, SHORT.artifact_bucket_arn, SHORT.topic_arn, service.pipeline_arn,
        service.build_project_arn, service.report_group_arn, service.deploy_application_arn,
        service.console_url, *service.service_role_arns, service.alarm_arn(service.failed_builds_alarm),
    ]  # fmt: skip
    assert all(type(v) is str for v in values)
    assert service.report_group_name == f"{service.build_project_name}-tests"
