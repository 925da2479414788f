"""`execution-role-ip-restricted`, driven through the SDK's analyzer as the engine drives it.

Each refused case has a compliant twin that differs only in the point under test, so a test that
passes because the policy reports everything (or nothing) cannot hide.
"""

import json

import pytest

from cicd_guardrails.rules.iam.execution_role import (
    EXEMPT_SERVICES,
    POLICIES,
    POLICY_NAME,
    START_PIPELINE,
)
from cicd_guardrails.support.iam.managed_policies import granting_document, granting_policies
from cicd_guardrails.support.iam.policy_model import parse_policy_document
from cicd_guardrails.support.iam.source_ip import (
    SOURCE_IP_KEY,
    AllowedNetworks,
    unrestricted_grants,
)
from cicd_guardrails.support.iam.source_vpce import ALLOWED_VPC_ENDPOINTS, SOURCE_VPCE_KEY
from tests.support.analyzer_harness import (
    UNKNOWN,
    analyze,
    assert_no_violations,
    assert_skipped,
    assert_violation,
    resource,
    secret,
)

ALLOWED = "192.0.2.0/24"
CONFIG = {POLICY_NAME: {"allowedCidrs": [ALLOWED]}}
PIPELINE_ARN = "arn:aws:codepipeline:us-east-1:123456789012:web"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
FIX = f"add Condition.IpAddress.aws:SourceIp within {ALLOWED}"


def allow(action="codepipeline:StartPipelineExecution", condition=None, **extra):
    statement = {"Effect": "Allow", "Action": action, "Resource": PIPELINE_ARN, **extra}
    if condition is not None:
        statement["Condition"] = condition
    return statement


def from_ip(*cidrs, operator="IpAddress", key="aws:SourceIp"):
    return {operator: {key: list(cidrs)}}


def deny_outside(*cidrs, resource="*", action=START_PIPELINE, **extra_conditions):
    condition = {"NotIpAddress": {"aws:SourceIp": list(cidrs)}, **extra_conditions}
    return {"Effect": "Deny", "Action": action, "Resource": resource, "Condition": condition}


def run(*statements, config=CONFIG, type_=ROLE_POLICY, as_json=True):
    document = {"Version": "2012-10-17", "Statement": list(statements)}
    policy = json.dumps(document) if as_json else document
    return analyze(
        POLICIES, [resource(type_, "starters", {"role": "exec", "policy": policy})], config
    )


def refused(result, *fragments):
    return assert_violation(result, POLICY_NAME, ["RolePolicy 'starters' policy: ", *fragments])


# --- what an attacker or careless colleague would write, each with its compliant twin -------------


@pytest.mark.parametrize(
    "action",
    [
        "codepipeline:StartPipelineExecution",
        "codepipeline:*",
        "codepipeline:start*",
        "CodePipeline:StartPipelineExecution",
        "codepipeline:Start?ipelineExecution",
        "*",
        ["s3:GetObject", "codepipeline:Start*"],
    ],
)
def test_every_spelling_of_the_action_needs_the_ip_condition(action):
    shown = ", ".join(a for a in ([action] if isinstance(action, str) else action) if "s3" not in a)
    result = run(allow(action))
    refused(result, f"statement 1 allows {shown} without an aws:SourceIp condition; {FIX}")
    assert_no_violations(run(allow(action, from_ip(ALLOWED))), POLICY_NAME)


def test_statement_message_names_the_resource_the_statement_its_sid_and_the_fix():
    result = run(allow("codepipeline:ListPipelines"), allow("codepipeline:Start*", Sid="Leak"))
    violation = refused(result)
    assert violation.detail == (
        "RolePolicy 'starters' policy: statement 2 (\"Leak\") allows codepipeline:Start* "
        f"without an aws:SourceIp condition; {FIX}"
    )
    assert violation.enforcement_level == "mandatory"
    assert violation.urn.endswith("::starters")


def test_not_action_that_excludes_something_else_still_grants():
    statement = {"Effect": "Allow", "NotAction": ["iam:*", "codebuild:*"], "Resource": "*"}
    refused(run(statement), "through NotAction (which excludes only iam:*, codebuild:*)")
    excluded = {"Effect": "Allow", "NotAction": ["iam:*", "codepipeline:*"], "Resource": "*"}
    assert_no_violations(run(excluded), POLICY_NAME)


def test_statement_as_object_and_document_as_object_are_judged():
    document = {"Version": "2012-10-17", "Statement": allow("codepipeline:*")}
    result = analyze(POLICIES, [resource(ROLE_POLICY, "starters", {"policy": document})], CONFIG)
    refused(result, "statement 1 allows codepipeline:*")
    restricted = {"Statement": allow("codepipeline:*", from_ip(ALLOWED))}
    ok = analyze(POLICIES, [resource(ROLE_POLICY, "starters", {"policy": restricted})], CONFIG)
    assert_no_violations(ok, POLICY_NAME)


def test_a_second_statement_that_leaks_is_caught():
    result = run(allow(condition=from_ip(ALLOWED)), allow("codepipeline:*", Sid="Oops"))
    refused(result, 'statement 2 ("Oops") allows codepipeline:*')
    assert len(result.of(POLICY_NAME)) == 1


@pytest.mark.parametrize(
    ("condition", "problem"),
    [
        (
            from_ip(ALLOWED, operator="IpAddressIfExists"),
            "with aws:SourceIp only under IpAddressIfExists, which also matches requests that carry no source IP",
        ),
        (
            from_ip(ALLOWED, operator="ForAllValues:IpAddress"),
            "with aws:SourceIp only under ForAllValues:IpAddress, which is vacuously true when the request carries no source IP",
        ),
        (
            from_ip(ALLOWED, operator="NotIpAddress"),
            "with aws:SourceIp only under NotIpAddress, which in an Allow admits every address outside the list",
        ),
        (
            from_ip(ALLOWED, operator="ipaddress"),
            "with aws:SourceIp only under ipaddress, which is not the IpAddress operator (operator names are case-sensitive)",
        ),
        (from_ip(ALLOWED, key="aws:VpcSourceIp"), "without an aws:SourceIp condition"),
    ],
)
def test_conditions_that_do_not_restrict(condition, problem):
    refused(
        run(allow(condition=condition)), f"statement 1 allows {START_PIPELINE} {problem}; {FIX}"
    )


@pytest.mark.parametrize(
    "condition",
    [
        from_ip(ALLOWED, key="AWS:SOURCEIP"),  # condition keys are case-insensitive
        from_ip(ALLOWED, operator="ForAnyValue:IpAddress"),  # same as IpAddress on one value
        {**from_ip("192.0.2.128/25"), "Bool": {"aws:MultiFactorAuthPresent": "true"}},
        from_ip("192.0.2.9"),  # a bare address is a /32
        from_ip("::ffff:192.0.2.0/120"),  # IPv4-mapped form of the allowed network
    ],
)
def test_conditions_that_restrict(condition):
    assert_no_violations(run(allow(condition=condition)), POLICY_NAME)


@pytest.mark.parametrize(
    ("cidrs", "why"),
    [
        (["10.0.0.0/8"], "aws:SourceIp 10.0.0.0/8, which is outside allowedCidrs (192.0.2.0/24)"),
        (
            [ALLOWED, "192.0.0.0/16"],
            "aws:SourceIp 192.0.0.0/16, which is outside allowedCidrs (192.0.2.0/24)",
        ),
        (["0.0.0.0/0"], "aws:SourceIp '0.0.0.0/0', which allows every address"),
        (["::/0"], "aws:SourceIp '::/0', which allows every address"),
        (["192.0.2.0/33"], "aws:SourceIp '192.0.2.0/33', which is not a valid IPv4/IPv6 CIDR"),
        (
            ["2001:db8::/64"],
            "aws:SourceIp 2001:db8::/64, which is outside allowedCidrs (192.0.2.0/24)",
        ),
    ],
)
def test_cidrs_outside_the_allowed_networks_are_refused(cidrs, why):
    refused(run(allow(condition=from_ip(*cidrs))), f"with {why}; {FIX}")


def test_ipv6_allowed_networks():
    config = {POLICY_NAME: {"allowedCidrs": [ALLOWED, "2001:db8::/32"]}}
    assert_no_violations(
        run(allow(condition=from_ip("2001:db8:1::/48")), config=config), POLICY_NAME
    )
    refused(
        run(allow(condition=from_ip("2001:db9::/48")), config=config),
        "2001:db9::/48, which is outside",
    )


def test_without_config_any_cidr_but_everywhere_is_accepted():
    no_config = {POLICY_NAME: {}}
    assert_no_violations(run(allow(condition=from_ip("10.0.0.0/8")), config=no_config), POLICY_NAME)
    result = run(allow(condition=from_ip("0.0.0.0/1", "128.0.0.0/1")), config=no_config)
    refused(result, "with aws:SourceIp CIDRs that together cover every address")
    result = run(allow(), config=no_config)
    refused(result, "add Condition.IpAddress.aws:SourceIp within your office/VPN CIDRs")


# --- compliance through a Deny in the same document ------------------------------------------------


def test_deny_outside_the_allowed_networks_makes_an_allow_compliant():
    assert_no_violations(run(allow(), deny_outside(ALLOWED)), POLICY_NAME)
    assert_no_violations(
        run(allow(), deny_outside("192.0.2.0/25", resource="arn:aws:codepipeline:*")), POLICY_NAME
    )
    unconditional = {"Effect": "Deny", "Action": "codepipeline:*", "Resource": "*"}
    assert_no_violations(run(allow("*"), unconditional), POLICY_NAME)


@pytest.mark.parametrize(
    ("deny", "why"),
    [
        (
            deny_outside("10.0.0.0/8"),
            "its NotIpAddress aws:SourceIp 10.0.0.0/8, which is outside allowedCidrs",
        ),
        (
            deny_outside(ALLOWED, action="codepipeline:StartPipeline"),
            None,
        ),  # does not cover the action
        (
            deny_outside(ALLOWED, resource="arn:aws:codepipeline:us-east-1:123456789012:other"),
            f"it does not cover resource {PIPELINE_ARN}",
        ),
        (
            deny_outside(ALLOWED, Bool={"aws:ViaAWSService": "false"}),
            "its extra condition Bool aws:ViaAWSService can switch it off",
        ),
        (
            {
                **deny_outside(ALLOWED),
                "NotResource": "arn:aws:codepipeline:*:*:web",
                "Resource": None,
            },
            "its NotResource arn:aws:codepipeline:*:*:web may exclude ARNs the Allow grants",
        ),
    ],
)
def test_denies_that_do_not_neutralize_the_allow(deny, why):
    deny = {k: v for k, v in deny.items() if v is not None}
    violation = refused(
        run(allow(), deny),
        f"statement 1 allows {START_PIPELINE} without an aws:SourceIp condition; {FIX}",
    )
    if why is None:
        assert "does not count" not in violation.detail
    else:
        assert f"(the Deny in statement 2 does not count: {why}" in violation.detail


def test_a_deny_must_cover_every_resource_a_not_resource_allow_grants():
    not_resource_allow = {
        "Effect": "Allow",
        "Action": "codepipeline:*",
        "NotResource": "arn:aws:s3:::x",
    }
    refused(
        run(not_resource_allow, deny_outside(ALLOWED, resource="arn:aws:codepipeline:*")),
        "it does not cover resource arn:*:codepipeline:*:*:*",
    )
    assert_no_violations(run(not_resource_allow, deny_outside(ALLOWED)), POLICY_NAME)


# --- where documents live, attachments, invalid and unknown documents -------------------------------


def test_role_inline_policies_and_secret_documents():
    leaky = json.dumps({"Statement": [allow("codepipeline:*")]})
    safe = json.dumps({"Statement": [allow(condition=from_ip(ALLOWED))]})
    role = resource(
        "aws:iam/role:Role",
        "exec",
        {
            "assumeRolePolicy": "{}",
            "inlinePolicies": [
                {"name": "a", "policy": safe},
                {"name": "b", "policy": secret(leaky)},
            ],
        },
    )
    result = analyze(POLICIES, [role], CONFIG)
    assert_violation(
        result,
        POLICY_NAME,
        "Role 'exec' inlinePolicies[1].policy: statement 1 allows codepipeline:*",
    )
    assert len(result.of(POLICY_NAME)) == 1


@pytest.mark.parametrize(
    "type_",
    ["aws:iam/userPolicy:UserPolicy", "aws:iam/groupPolicy:GroupPolicy", "aws:iam/policy:Policy"],
)
def test_every_identity_policy_type_is_judged(type_):
    short = type_.rsplit(":", 1)[-1]
    assert_violation(
        run(allow("*"), type_=type_),
        POLICY_NAME,
        f"{short} 'starters' policy: statement 1 allows *",
    )
    assert_no_violations(run(allow("*", from_ip(ALLOWED)), type_=type_), POLICY_NAME)


@pytest.mark.parametrize(
    ("type_", "props", "path"),
    [
        (
            "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
            {"role": "r", "policyArn": "{arn}"},
            "policyArn",
        ),
        (
            "aws:iam/userPolicyAttachment:UserPolicyAttachment",
            {"user": "u", "policyArn": "{arn}"},
            "policyArn",
        ),
        (
            "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
            {"group": "g", "policyArn": "{arn}"},
            "policyArn",
        ),
        (
            "aws:iam/policyAttachment:PolicyAttachment",
            {"roles": ["r"], "policyArn": "{arn}"},
            "policyArn",
        ),
        ("aws:iam/role:Role", {"managedPolicyArns": ["{arn}"]}, "managedPolicyArns[0]"),
        (
            "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
            {"roleName": "r", "policyArns": ["{arn}"]},
            "policyArns[0]",
        ),
    ],
)
@pytest.mark.parametrize(
    "name",
    [
        "AdministratorAccess",
        "PowerUserAccess",
        "AWSCodePipeline_FullAccess",
        "job-function/SystemAdministrator",
    ],
)
def test_attaching_a_managed_policy_that_grants_the_action_is_refused(type_, props, path, name):
    arn = f"arn:aws:iam::aws:policy/{name}"
    filled = {
        k: (v.replace("{arn}", arn) if isinstance(v, str) else [x.replace("{arn}", arn) for x in v])
        for k, v in props.items()
    }
    result = analyze(POLICIES, [resource(type_, "attach", filled)], CONFIG)
    assert_violation(
        result,
        POLICY_NAME,
        f"{path} attaches the AWS-managed policy {name} ({arn}), which allows {START_PIPELINE} without an aws:SourceIp condition; attach instead a customer-managed policy",
    )


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:iam::aws:policy/AWSCodePipeline_ReadOnlyAccess",
        "arn:aws:iam::aws:policy/AWSCodePipelineApproverAccess",
    ],
)
def test_attachments_that_do_not_grant_the_action_pass(arn):
    attachment = resource(
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "attach",
        {"role": "r", "policyArn": arn},
    )
    assert_no_violations(analyze(POLICIES, [attachment], CONFIG), POLICY_NAME)


def test_a_customer_managed_policy_outside_the_stack_is_said_to_be_undecidable():
    arn = "arn:aws:iam::123456789012:policy/AdministratorAccess"
    attachment = resource(
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "attach",
        {"role": "r", "policyArn": arn},
    )
    result = analyze(POLICIES, [attachment], CONFIG)
    assert not result.of(POLICY_NAME)
    assert_skipped(
        result,
        POLICY_NAME,
        "cannot decide whether these customer-managed policies allow starting pipelines: "
        f"RolePolicyAttachment 'attach' policyArn ({arn}) attaches a policy whose document is not "
        "in this stack",
    )
    # Declared in the stack, its document is judged instead.
    declared = resource(
        "aws:iam/policy:Policy",
        "admin",
        {
            "name": "AdministratorAccess",
            "policy": json.dumps({"Statement": [allow("*", from_ip(ALLOWED))]}),
        },
    )
    assert_no_violations(analyze(POLICIES, [declared, attachment], CONFIG), POLICY_NAME)


def test_managed_policy_arns_in_other_partitions_and_odd_case_are_recognized():
    for arn in (
        "arn:aws-us-gov:iam::aws:policy/AdministratorAccess",
        "arn:aws:iam::aws:policy/administratoraccess",
    ):
        assert granting_document(arn) is not None


def test_every_table_entry_really_grants_the_action_per_the_model():
    everywhere = AllowedNetworks(None)
    for name, statements in granting_policies().items():
        document = parse_policy_document({"Statement": statements})
        assert unrestricted_grants(document, START_PIPELINE, everywhere), name
    read_only = {
        "Effect": "Allow",
        "Action": ["codepipeline:List*", "codepipeline:Get*"],
        "Resource": "*",
    }
    assert not unrestricted_grants(
        parse_policy_document({"Statement": read_only}), START_PIPELINE, everywhere
    )


def test_invalid_json_is_refused_with_a_clear_message():
    result = analyze(
        POLICIES, [resource(ROLE_POLICY, "starters", {"policy": '{"Statement": ['})], CONFIG
    )
    violation = assert_violation(
        result, POLICY_NAME, "RolePolicy 'starters' policy is not valid JSON ("
    )
    assert violation.detail.endswith("; fix the document so that IAM (and this policy) can read it")


def test_unknown_document_during_preview_is_skipped_with_the_sdk_advisory():
    result = analyze(POLICIES, [resource(ROLE_POLICY, "starters", {"policy": UNKNOWN})], CONFIG)
    skipped = assert_skipped(
        result, POLICY_NAME, "string value at .policy can't be known during preview"
    )
    assert skipped.enforcement_level == "advisory"
    assert not result.of(POLICY_NAME)


def test_an_unknown_inline_policy_does_not_hide_a_leak_in_another():
    leaky = json.dumps({"Statement": [allow("*")]})
    role = resource(
        "aws:iam/role:Role",
        "exec",
        {"inlinePolicies": [{"name": "a", "policy": UNKNOWN}, {"name": "b", "policy": leaky}]},
    )
    result = analyze(POLICIES, [role], CONFIG)
    assert_violation(
        result, POLICY_NAME, "Role 'exec' inlinePolicies[1].policy: statement 1 allows *"
    )
    assert_skipped(result, POLICY_NAME, ".inlinePolicies.0.policy")


def test_unknown_attachment_arn_is_skipped_not_passed():
    attachment = resource(
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "attach",
        {"role": "r", "policyArn": UNKNOWN},
    )
    assert_skipped(analyze(POLICIES, [attachment], CONFIG), POLICY_NAME, ".policyArn")


@pytest.mark.parametrize(
    ("allowed", "message"),
    [
        (
            ["0.0.0.0/0"],
            "policy config allowedCidrs[0] '0.0.0.0/0' allows every address; list only the networks",
        ),
        ([ALLOWED, "nope"], "policy config allowedCidrs[1] 'nope' is not a valid IPv4/IPv6 CIDR"),
        ([], "policy config allowedCidrs must be a non-empty list of CIDR strings, got []"),
        ("192.0.2.0/24", "policy config allowedCidrs must be a non-empty list of CIDR strings"),
    ],
)
def test_bad_config_is_one_clear_violation(allowed, message):
    result = run(allow(condition=from_ip(ALLOWED)), config={POLICY_NAME: {"allowedCidrs": allowed}})
    assert_violation(result, POLICY_NAME, message)
    assert len(result.of(POLICY_NAME)) == 1


def test_resources_outside_iam_are_ignored():
    bucket = resource(
        "aws:s3/bucket:Bucket", "artifacts", {"policy": json.dumps({"Statement": [allow("*")]})}
    )
    assert_no_violations(analyze(POLICIES, [bucket], CONFIG), POLICY_NAME)


# --- the one exemption: roles only an event-dispatch service can assume -----------------------------


def trust(*principals):
    statements = [
        {"Effect": "Allow", "Principal": p, "Action": "sts:AssumeRole"} for p in principals
    ]
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


EVENTS = {"Service": "events.amazonaws.com"}
UNRESTRICTED = json.dumps({"Statement": [allow()]})


def role_with_grant(trust_policy, *, link="name", config=CONFIG):
    role = resource(
        "aws:iam/role:Role", "events", {"name": "web-events", "assumeRolePolicy": trust_policy}
    )
    if link == "name":
        grant = resource(
            ROLE_POLICY, "events-policy", {"role": "web-events", "policy": UNRESTRICTED}
        )
    elif link == "arn":
        arn = "arn:aws:iam::123456789012:role/service/web-events"
        grant = resource(ROLE_POLICY, "events-policy", {"role": arn, "policy": UNRESTRICTED})
    else:  # the role's name is an output: only the property dependency links them
        grant = resource(
            ROLE_POLICY,
            "events-policy",
            {"role": UNKNOWN, "policy": UNRESTRICTED},
            property_dependencies={"role": [role]},
        )
    return analyze(POLICIES, [role, grant], config)


@pytest.mark.parametrize("link", ["name", "arn", "dependency"])
def test_a_grant_to_a_role_only_eventbridge_can_assume_is_exempt(link):
    assert_no_violations(role_with_grant(trust(EVENTS), link=link), POLICY_NAME)


@pytest.mark.parametrize(
    "principals",
    [
        ({"Service": "codebuild.amazonaws.com"},),  # runs user code with the role's credentials
        ({"Service": ["events.amazonaws.com", "lambda.amazonaws.com"]},),
        (EVENTS, {"AWS": "arn:aws:iam::123456789012:root"}),  # a person can assume it too
        ("*",),
    ],
)
def test_roles_people_or_code_runners_can_assume_are_not_exempt(principals):
    result = role_with_grant(trust(*principals))
    assert_violation(
        result,
        POLICY_NAME,
        "RolePolicy 'events-policy' policy: statement 1 allows codepipeline:StartPipelineExecution without an aws:SourceIp condition",
    )


def test_not_principal_trust_is_not_exempt():
    trust_policy = json.dumps(
        {"Statement": [{"Effect": "Allow", "NotPrincipal": EVENTS, "Action": "sts:AssumeRole"}]}
    )
    assert_violation(role_with_grant(trust_policy), POLICY_NAME, "RolePolicy 'events-policy'")


def test_the_exemption_can_be_switched_off():
    strict = {POLICY_NAME: {"allowedCidrs": [ALLOWED], "exemptServicePrincipals": []}}
    assert_violation(
        role_with_grant(trust(EVENTS), config=strict), POLICY_NAME, "RolePolicy 'events-policy'"
    )
    bad = {
        POLICY_NAME: {"allowedCidrs": [ALLOWED], "exemptServicePrincipals": "events.amazonaws.com"}
    }
    assert_violation(
        role_with_grant(trust(EVENTS), config=bad),
        POLICY_NAME,
        "policy config exemptServicePrincipals must be a list of service principals",
    )


def test_an_unknown_trust_policy_proves_no_exemption_so_the_grant_is_judged():
    violation = assert_violation(
        role_with_grant(UNKNOWN),
        POLICY_NAME,
        "RolePolicy 'events-policy' policy: statement 1 allows codepipeline:StartPipelineExecution "
        "without an aws:SourceIp condition",
        level="mandatory",
    )
    assert violation.detail.endswith(
        "(its role's trust policy is not known at preview, so the role is not proven to be one "
        "that only exempt services can assume)"
    )
    assert_no_violations(role_with_grant(trust(EVENTS)), POLICY_NAME)


def test_inline_policy_of_an_eventbridge_role_is_exempt_but_not_of_other_roles():
    props = {"name": "r", "inlinePolicies": [{"name": "start", "policy": UNRESTRICTED}]}
    events_role = resource(
        "aws:iam/role:Role", "events", {**props, "assumeRolePolicy": trust(EVENTS)}
    )
    assert_no_violations(analyze(POLICIES, [events_role], CONFIG), POLICY_NAME)
    people_role = resource(
        "aws:iam/role:Role",
        "people",
        {**props, "assumeRolePolicy": trust({"AWS": "arn:aws:iam::123456789012:root"})},
    )
    assert_violation(
        analyze(POLICIES, [people_role], CONFIG),
        POLICY_NAME,
        "Role 'people' inlinePolicies[0].policy",
    )


def test_an_unknown_document_in_one_resource_does_not_hide_a_violation_in_another():
    unknown = resource(ROLE_POLICY, "later", {"policy": UNKNOWN})
    leaky = resource(ROLE_POLICY, "starters", {"policy": UNRESTRICTED})
    result = analyze(POLICIES, [unknown, leaky], CONFIG)
    assert_violation(
        result, POLICY_NAME, "RolePolicy 'starters' policy: statement 1 allows", urn=leaky.urn
    )
    assert_skipped(result, POLICY_NAME, ".policy")


def test_an_ambiguous_role_name_is_not_exempt():
    events = {"name": "web-events", "assumeRolePolicy": trust(EVENTS)}
    first = resource("aws:iam/role:Role", "events", events)
    second = resource("aws:iam/role:Role", "events-again", events)
    grant = resource(ROLE_POLICY, "events-policy", {"role": "web-events", "policy": UNRESTRICTED})
    assert_violation(
        analyze(POLICIES, [first, second, grant], CONFIG), POLICY_NAME, "RolePolicy 'events-policy'"
    )


def test_an_empty_inline_policy_block_is_not_a_document():
    # `inlinePolicies: [{}]` is how a Role says "remove inline policies added out of band".
    role = resource(
        "aws:iam/role:Role",
        "exec",
        {
            "assumeRolePolicy": trust({"AWS": "arn:aws:iam::123456789012:root"}),
            "inlinePolicies": [{}],
        },
    )
    assert_no_violations(analyze(POLICIES, [role], CONFIG), POLICY_NAME)


def test_invalid_json_is_refused_even_on_an_exempt_role():
    role = resource(
        "aws:iam/role:Role", "events", {"name": "web-events", "assumeRolePolicy": trust(EVENTS)}
    )
    grant = resource(ROLE_POLICY, "events-policy", {"role": "web-events", "policy": "{"})
    result = analyze(POLICIES, [role, grant], CONFIG)
    assert_violation(result, POLICY_NAME, "RolePolicy 'events-policy' policy is not valid JSON")


def test_the_remediation_names_the_action_the_keys_and_the_config_it_speaks_of():
    remediation = POLICIES[0].remediation_steps
    for term in (
        START_PIPELINE,
        SOURCE_IP_KEY,
        SOURCE_VPCE_KEY,
        ALLOWED_VPC_ENDPOINTS,
        EXEMPT_SERVICES,
    ):
        assert term in remediation, term
