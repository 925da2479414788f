"""The execution role on its own: start this pipeline only from the allowed networks."""

import json

import pytest

from components.iam.execution_role import ExecutionRole, ExecutionRoleArgs
from tests.support.mocked_program import declare
from tests.support.service_fixtures import (
    STACKS,
    TAGS,
    actions_of,
    as_list,
    building_settings,
    names_of,
    platform_names,
    statement_by_sid,
    statements,
)

ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
START = "codepipeline:StartPipelineExecution"


def execution_role(
    stack: str, principals: tuple[str, ...] = (), vpc_endpoints: tuple[str, ...] = ()
):
    settings = building_settings(stack)
    service = settings.service(settings.default_service)
    names = names_of(service, stack)
    args = ExecutionRoleArgs(
        names=names,
        allowed_cidrs=settings.allowed_cidrs,
        allowed_vpc_endpoints=vpc_endpoints,
        principals=principals
        or settings.execution_principals(platform_names(stack).account_root_arn),
        tags=TAGS,
    )
    mocks = declare(lambda: ExecutionRole("execution", args), stack=stack)
    [role] = mocks.of_type(ROLE)
    [policy] = mocks.of_type(ROLE_POLICY)
    return role.inputs, policy.inputs, settings, names


@pytest.mark.parametrize("stack", STACKS)
def test_start_is_allowed_only_from_allowed_cidrs_and_denied_from_elsewhere(stack):
    _, policy, settings, names = execution_role(stack)
    document = policy["policy"]
    cidrs = sorted(settings.allowed_cidrs)
    allow = statement_by_sid(document, "StartFromAllowedNetworks")
    assert allow["Effect"] == "Allow"
    assert as_list(allow["Action"]) == [START]
    assert as_list(allow["Resource"]) == [names.pipeline_arn]
    assert allow["Condition"] == {"IpAddress": {"aws:SourceIp": cidrs}}
    deny = statement_by_sid(document, "DenyStartFromOtherNetworks")
    assert deny["Effect"] == "Deny"
    assert as_list(deny["Action"]) == [START]
    assert as_list(deny["Resource"]) == [names.pipeline_arn]
    assert deny["Condition"] == {"NotIpAddress": {"aws:SourceIp": cidrs}}


@pytest.mark.parametrize("stack", STACKS)
def test_every_allow_is_this_pipeline_only_and_ip_restricted(stack):
    _, policy, settings, names = execution_role(stack)
    for statement in statements(policy["policy"]):
        assert as_list(statement["Resource"]) == [names.pipeline_arn]
        if statement["Effect"] == "Allow":
            assert statement["Condition"]["IpAddress"]["aws:SourceIp"] == sorted(
                settings.allowed_cidrs
            )
    assert actions_of(policy["policy"]) == {
        START,
        "codepipeline:GetPipelineExecution",
        "codepipeline:GetPipelineState",
    }


def test_default_principal_is_the_account_root_and_assuming_is_ip_restricted():
    role, policy, settings, names = execution_role("dev")
    assert role["name"] == names.execution_role.name
    assert policy["role"] == names.execution_role.name
    [trust] = statements(role["assumeRolePolicy"])
    assert trust["Principal"] == {"AWS": [platform_names("dev").account_root_arn]}
    assert trust["Condition"] == {"IpAddress": {"aws:SourceIp": list(settings.allowed_cidrs)}}
    assert role["tags"] == TAGS


def test_configured_principals_replace_the_root():
    principals = (
        "arn:aws:iam::123456789012:role/release-bot",
        "arn:aws:iam::123456789012:user/ops",
    )
    role, _, _, _ = execution_role("prod", principals)
    [trust] = statements(role["assumeRolePolicy"])
    assert trust["Principal"] == {"AWS": sorted(principals)}


def test_documents_are_known_strings():
    role, policy, _, _ = execution_role("prod")
    json.loads(role["assumeRolePolicy"])
    json.loads(policy["policy"])


ENDPOINTS = ("vpce-0123456789abcdef0", "vpce-0fedcba9876543210")


def test_allowed_vpc_endpoints_get_their_own_allows_and_narrow_the_deny():
    _, policy, settings, names = execution_role("prod", vpc_endpoints=ENDPOINTS)
    document = policy["policy"]
    cidrs = sorted(settings.allowed_cidrs)
    through = statement_by_sid(document, "StartThroughAllowedVpcEndpoints")
    assert through["Effect"] == "Allow"
    assert as_list(through["Resource"]) == [names.pipeline_arn]
    assert through["Condition"] == {"StringEquals": {"aws:SourceVpce": sorted(ENDPOINTS)}}
    assert statement_by_sid(document, "StartFromAllowedNetworks")["Condition"] == {
        "IpAddress": {"aws:SourceIp": cidrs}
    }
    # Denied only when neither an allowed address nor an allowed endpoint: both keys in one Deny.
    deny = statement_by_sid(document, "DenyStartFromOtherNetworks")
    assert deny["Condition"] == {
        "NotIpAddress": {"aws:SourceIp": cidrs},
        "StringNotEquals": {"aws:SourceVpce": sorted(ENDPOINTS)},
    }


def test_the_role_may_be_assumed_through_an_allowed_endpoint_too():
    role, _, _, _ = execution_role("prod", vpc_endpoints=ENDPOINTS)
    trust = statement_by_sid(role["assumeRolePolicy"], "AssumeThroughAllowedVpcEndpoints")
    assert trust["Condition"] == {"StringEquals": {"aws:SourceVpce": sorted(ENDPOINTS)}}
    assert as_list(trust["Action"]) == ["sts:AssumeRole"]


def test_without_endpoints_there_is_no_endpoint_statement():
    role, policy, _, _ = execution_role("prod")
    for document in (role["assumeRolePolicy"], policy["policy"]):
        assert "aws:SourceVpce" not in document
