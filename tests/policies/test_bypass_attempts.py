"""What an attacker or a careless colleague would try against the pack, each next to its compliant twin.

Every test here started as a bypass or a false refusal found by red-teaming the pack; the module
docstring of the policy it exercises states the AWS behaviour the fix relies on.
"""

import json

import pytest

from cicd_guardrails.rules.cloudwatch.logs_and_topics_encryption import POLICIES as LOGS_POLICIES
from cicd_guardrails.rules.codedeploy.auto_rollback import POLICIES as ROLLBACK_POLICIES
from cicd_guardrails.rules.iam.execution_role import POLICIES as EXECUTION_ROLE_POLICIES
from cicd_guardrails.rules.iam.execution_role import POLICY_NAME as EXECUTION_ROLE
from cicd_guardrails.rules.kms.key_lifecycle import KMS_KEY_ROTATION
from cicd_guardrails.rules.s3.bucket_encryption import POLICIES as S3_POLICIES
from tests.support.analyzer_harness import (
    UNKNOWN,
    analyze,
    assert_no_violations,
    assert_violation,
    resource,
)

ALLOWED = "192.0.2.0/24"
START = "codepipeline:StartPipelineExecution"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
BUCKET = "aws:s3/bucket:Bucket"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
S3_SSE_KMS = "s3-sse-kms"
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
EXECUTION_CONFIG = {EXECUTION_ROLE: {"allowedCidrs": [ALLOWED]}}
RESTRICTED = {"IpAddress": {"aws:SourceIp": [ALLOWED]}}


def grant(policy: object, name: str = "starters", **props: object):
    return resource(ROLE_POLICY, name, {"role": "deployers", "policy": policy, **props})


def judge_execution_role(*resources):
    return analyze(EXECUTION_ROLE_POLICIES, resources, EXECUTION_CONFIG)


# --- execution-role-ip-restricted: documents JSON parsers read differently -------------------------


def test_a_key_given_twice_is_refused_whichever_value_a_parser_keeps():
    # Python keeps the last "Effect" (Deny, which would neutralize statement 1); a parser that keeps
    # the first sees two Allows. IAM documents neither reading, so the document is refused.
    statement = f'"Action": "{START}", "Resource": "*"'
    text = (
        f'{{"Statement": [{{"Effect": "Allow", {statement}}},'
        f' {{"Effect": "Allow", "Effect": "Deny", {statement}}}]}}'
    )
    assert json.loads(text)["Statement"][1]["Effect"] == "Deny"  # what Python alone would judge
    assert_violation(
        judge_execution_role(grant(text)),
        EXECUTION_ROLE,
        "RolePolicy 'starters' policy names the key 'Effect' twice in one object (JSON parsers "
        "disagree on which one counts); fix the document",
    )
    once = json.dumps({"Statement": [{"Effect": "Allow", "Action": START, "Resource": "*"}]})
    assert_violation(judge_execution_role(grant(once)), EXECUTION_ROLE, "statement 1 allows")


def test_nan_is_not_json():
    text = '{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": NaN}]}'
    assert_violation(
        judge_execution_role(grant(text)),
        EXECUTION_ROLE,
        "policy is not valid JSON (NaN is not a JSON number)",
    )


@pytest.mark.parametrize("element", ["Action", "NotAction"])
def test_an_action_padded_with_whitespace_is_refused_not_guessed(element):
    # If IAM trimmed " codepipeline:StartPipelineExecution", a matcher that does not would miss the
    # grant; if it does not, a NotAction that we trimmed would hide one. We cannot know: refuse.
    statement = {"Effect": "Allow", element: f" {START}", "Resource": "*", "Condition": RESTRICTED}
    result = judge_execution_role(grant(json.dumps({"Statement": [statement]})))
    assert_violation(
        result,
        EXECUTION_ROLE,
        f"statement 1 {element} ' {START}' has leading or trailing whitespace",
    )
    statement[element] = START
    assert_no_violations(
        judge_execution_role(grant(json.dumps({"Statement": [statement]}))), EXECUTION_ROLE
    )


def document(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow_start(condition: dict | None = None) -> dict:
    statement = {"Effect": "Allow", "Action": START, "Resource": "*"}
    return statement if condition is None else {**statement, "Condition": condition}


def test_an_empty_source_ip_list_restricts_nothing_we_can_prove():
    empty = allow_start({"IpAddress": {"aws:SourceIp": []}})
    assert_violation(
        judge_execution_role(grant(document(empty))),
        EXECUTION_ROLE,
        f"statement 1 allows {START} with aws:SourceIp [], which lists no CIDR; "
        f"add Condition.IpAddress.aws:SourceIp within {ALLOWED}",
    )
    # A single CIDR given as a string, not a list, is valid IAM and restricts.
    as_string = allow_start({"IpAddress": {"aws:SourceIp": ALLOWED}})
    assert_no_violations(judge_execution_role(grant(document(as_string))), EXECUTION_ROLE)


def deny_outside(operator: str) -> dict:
    return {
        "Effect": "Deny",
        "Action": START,
        "Resource": "*",
        "Condition": {operator: {"aws:SourceIp": [ALLOWED]}},
    }


def test_a_for_any_value_not_ip_address_deny_lets_requests_without_a_source_ip_through():
    # ForAnyValue is false when the request has no aws:SourceIp (a call through a VPC endpoint or
    # an AWS service), so this Deny never fires for them while the Allow still grants.
    result = judge_execution_role(
        grant(document(allow_start(), deny_outside("ForAnyValue:NotIpAddress")))
    )
    assert_violation(
        result,
        EXECUTION_ROLE,
        "(the Deny in statement 2 does not count: its extra condition ForAnyValue:NotIpAddress "
        "aws:SourceIp can switch it off",
    )
    for operator in ("NotIpAddress", "NotIpAddressIfExists", "ForAllValues:NotIpAddress"):
        compliant = document(allow_start(), deny_outside(operator))
        assert_no_violations(judge_execution_role(grant(compliant)), EXECUTION_ROLE)


# --- execution-role-ip-restricted: the EventBridge exemption must go to the role IAM will use -------


def trust(*principals: object) -> str:
    return document(
        *({"Effect": "Allow", "Principal": p, "Action": "sts:AssumeRole"} for p in principals)
    )


EVENTS = {"Service": "events.amazonaws.com"}
PEOPLE = {"AWS": "arn:aws:iam::123456789012:root"}
UNRESTRICTED = document(allow_start())
REFUSED_GRANT = f"RolePolicy 'start' policy: statement 1 allows {START} without an aws:SourceIp"


def role(name: str, trusted: object, **options: object):
    return resource(ROLE, name, {"name": name, "assumeRolePolicy": trust(trusted)}, **options)


def test_a_dependency_on_the_eventbridge_role_does_not_exempt_a_grant_naming_another_role():
    # role=events_role.name.apply(lambda _: "deployers"): the value depends on the EventBridge role,
    # but IAM attaches the policy to the role it names.
    events, deployers = role("events", EVENTS), role("deployers", PEOPLE)
    start = resource(
        ROLE_POLICY,
        "start",
        {"role": "deployers", "policy": UNRESTRICTED},
        property_dependencies={"role": [events]},
    )
    assert_violation(judge_execution_role(events, deployers, start), EXECUTION_ROLE, REFUSED_GRANT)
    to_events = resource(
        ROLE_POLICY,
        "start",
        {"role": "events", "policy": UNRESTRICTED},
        property_dependencies={"role": [events]},
    )
    assert_no_violations(judge_execution_role(events, deployers, to_events), EXECUTION_ROLE)


def test_a_grant_through_another_provider_goes_to_another_account_and_is_not_exempt():
    other_account = resource("pulumi:providers:aws", "other-account", {"region": "us-east-1"})
    events = role("events", EVENTS)
    by_name = resource(
        ROLE_POLICY, "start", {"role": "events", "policy": UNRESTRICTED}, provider=other_account
    )
    assert_violation(
        judge_execution_role(other_account, events, by_name), EXECUTION_ROLE, REFUSED_GRANT
    )
    by_dependency = resource(
        ROLE_POLICY,
        "start",
        {"role": UNKNOWN, "policy": UNRESTRICTED},
        property_dependencies={"role": [events]},
        provider=other_account,
    )
    assert_violation(
        judge_execution_role(other_account, events, by_dependency), EXECUTION_ROLE, REFUSED_GRANT
    )
    same_provider = role("events", EVENTS, provider=other_account)
    assert_no_violations(
        judge_execution_role(other_account, same_provider, by_name), EXECUTION_ROLE
    )


def test_a_grant_to_a_role_not_known_yet_and_linked_to_no_role_is_refused_not_skipped():
    start = resource(ROLE_POLICY, "start", {"role": UNKNOWN, "policy": UNRESTRICTED})
    result = judge_execution_role(role("events", EVENTS), start)
    assert_violation(result, EXECUTION_ROLE, REFUSED_GRANT)
    assert not result.skipped


@pytest.mark.parametrize("other_name", [UNKNOWN, None])
def test_a_role_whose_name_is_not_known_yet_makes_the_name_ambiguous(other_name):
    # Another role whose name is unknown (or left to namePrefix) could turn out to be "events" in
    # the account the grant goes to; the exemption is not proven, and the violation is not hidden.
    props = {"assumeRolePolicy": trust(PEOPLE), "namePrefix": "events"}
    if other_name is not None:
        props["name"] = other_name
    other = resource(ROLE, "other", props)
    start = resource(ROLE_POLICY, "start", {"role": "events", "policy": UNRESTRICTED})
    result = judge_execution_role(role("events", EVENTS), other, start)
    assert_violation(result, EXECUTION_ROLE, REFUSED_GRANT)
    assert not result.skipped


# --- s3-sse-kms: an encryption configuration protects the bucket it names ---------------------------


def sse(name: str, bucket: object, *, depends_on: object = None, key: str = KEY_ARN):
    rules = [
        {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": key}}
    ]
    deps = {"bucket": [depends_on]} if depends_on is not None else None
    return resource(SSE, name, {"bucket": bucket, "rules": rules}, property_dependencies=deps)


def test_a_configuration_naming_bucket_a_does_not_protect_bucket_b_it_depends_on():
    # bucket=b.id.apply(lambda _: "bucket-a"): depends on B, but S3 encrypts the bucket it names.
    a = resource(BUCKET, "a", {"bucket": "bucket-a"})
    b = resource(BUCKET, "b", {"bucket": "bucket-b"})
    claimed = sse("a-sse-claimed-for-b", "bucket-a", depends_on=b)
    result = analyze(S3_POLICIES, [a, b, sse("a-sse", "bucket-a"), claimed])
    assert_violation(
        result, S3_SSE_KMS, "bucket 'b' has no server-side encryption configuration", urn=b.urn
    )
    assert len(result.of(S3_SSE_KMS)) == 1
    # While the name is unknown (bucket=b.id at preview), the dependency is the link.
    by_dependency = sse("b-sse", UNKNOWN, depends_on=b)
    assert_no_violations(
        analyze(S3_POLICIES, [a, b, sse("a-sse", "bucket-a"), by_dependency]), S3_SSE_KMS
    )


# --- customer-managed keys: an AWS-managed alias in any spelling is still AWS-managed ----------------


@pytest.mark.parametrize(
    "key",
    [
        "alias/AWS/s3",
        "alias/Aws/sns",
        "arn:aws:kms:us-east-1:123456789012:alias/AWS/sns",
        "arn:aws-us-gov:kms:us-gov-west-1:123456789012:alias/aws/sns",
    ],
)
def test_aws_managed_aliases_in_odd_casing_or_as_arns_are_refused(key):
    a = resource(BUCKET, "a", {"bucket": "bucket-a"})
    assert_violation(
        analyze(S3_POLICIES, [a, sse("a-sse", "bucket-a", key=key)]),
        S3_SSE_KMS,
        f"kmsMasterKeyId is the AWS-managed key {key!r}",
    )
    topic = resource("aws:sns/topic:Topic", "notices", {"kmsMasterKeyId": key})
    assert_violation(
        analyze(LOGS_POLICIES, [topic]),
        "logs-and-notifications-kms",
        f"SNS topic 'notices': kmsMasterKeyId is the AWS-managed key {key!r}",
    )


@pytest.mark.parametrize(
    "key",
    [
        "alias/awsome-artifacts",  # only the alias/aws/ prefix is reserved
        "arn:aws:kms:us-east-1:210987654321:key/1234abcd-12ab-34cd-56ef-1234567890ab",  # key account
    ],
)
def test_customer_aliases_and_keys_in_a_central_key_account_pass(key):
    topic = resource("aws:sns/topic:Topic", "notices", {"kmsMasterKeyId": key})
    assert_no_violations(analyze(LOGS_POLICIES, [topic]), "logs-and-notifications-kms")


# --- codedeploy-auto-rollback: alarm rollback that an unreadable alarm switches off ------------------

ROLLBACK = "codedeploy-auto-rollback"
REQUIRE_ALARMS = {ROLLBACK: {"requireAlarmRollback": True}}
BOTH_EVENTS = {"enabled": True, "events": ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]}


def deployment_group(alarms: dict):
    props = {"autoRollbackConfiguration": BOTH_EVENTS, "alarmConfiguration": alarms}
    return resource("aws:codedeploy/deploymentGroup:DeploymentGroup", "web", props)


def test_ignoring_alarm_poll_failures_is_refused_when_alarm_rollback_is_required():
    ignoring = {"enabled": True, "alarms": ["web-5xx"], "ignorePollAlarmFailure": True}
    assert_violation(
        analyze(ROLLBACK_POLICIES, [deployment_group(ignoring)], REQUIRE_ALARMS),
        ROLLBACK,
        "deployment group 'web': alarmConfiguration.ignorePollAlarmFailure is true, so a "
        "deployment continues when CodeDeploy cannot read its alarms",
    )
    # Not required: the poll setting is not judged (a config that asks less than this group
    # declares is reported on its own, tests/policies/test_policy_config_limits.py).
    relaxed = analyze(ROLLBACK_POLICIES, [deployment_group(ignoring)])
    assert not [v for v in relaxed.of(ROLLBACK) if "ignorePollAlarmFailure" in v.detail]
    stopping = {**ignoring, "ignorePollAlarmFailure": False}
    assert_no_violations(
        analyze(ROLLBACK_POLICIES, [deployment_group(stopping)], REQUIRE_ALARMS), ROLLBACK
    )


@pytest.mark.parametrize("names", [[" "], [""], [None]])
def test_blank_alarm_names_name_no_alarm(names):
    alarms = {"enabled": True, "alarms": names}
    assert_violation(
        analyze(ROLLBACK_POLICIES, [deployment_group(alarms)], REQUIRE_ALARMS),
        ROLLBACK,
        "alarmConfiguration.alarms names no alarm but alarm rollback is required",
    )


# --- kms-key-rotation: a key escapes rotation only when it provably cannot rotate ------------------

ROTATION = "kms-key-rotation"


def kms_key(**props: object):
    return resource("aws:kms/key:Key", "artifacts", props)


@pytest.mark.parametrize(
    "props",
    [
        {"customerMasterKeySpec": "symmetric_default"},  # odd casing is still symmetric
        {"keyUsage": "encrypt_decrypt"},
        {"customerMasterKeySpec": "RSA_2048", "keySpec": "SYMMETRIC_DEFAULT"},  # conflicting specs
        {"customerMasterKeySpec": "NOT_A_SPEC"},  # not provably asymmetric
        {"multiRegion": True},
    ],
)
def test_keys_that_might_be_symmetric_must_rotate(props):
    assert_violation(
        analyze([KMS_KEY_ROTATION], [kms_key(**props)]),
        ROTATION,
        "KMS key 'artifacts': enableKeyRotation is not set on a symmetric key",
    )
    rotating = kms_key(**props, enableKeyRotation=True)
    assert_no_violations(analyze([KMS_KEY_ROTATION], [rotating]), ROTATION)


@pytest.mark.parametrize(
    "props",
    [
        {"customerMasterKeySpec": "RSA_2048", "keyUsage": "SIGN_VERIFY"},
        {"customerMasterKeySpec": "hmac_256", "keyUsage": "GENERATE_VERIFY_MAC"},
        {"customerMasterKeySpec": "ML_DSA_65", "keyUsage": "SIGN_VERIFY"},
        {"customKeyStoreId": "cks-1234567890abcdef0"},
    ],
)
def test_keys_that_cannot_rotate_are_not_refused(props):
    assert_no_violations(analyze([KMS_KEY_ROTATION], [kms_key(**props)]), ROTATION)


@pytest.mark.parametrize("period", [89, 2561, 0])
def test_a_rotation_period_kms_would_reject_is_refused(period):
    result = analyze(
        [KMS_KEY_ROTATION], [kms_key(enableKeyRotation=True, rotationPeriodInDays=period)]
    )
    assert_violation(
        result, ROTATION, f"rotationPeriodInDays is {period}, outside the 90-2560 days KMS accepts"
    )
    for ok in (90, 365, 2560):
        fine = kms_key(enableKeyRotation=True, rotationPeriodInDays=ok)
        assert_no_violations(analyze([KMS_KEY_ROTATION], [fine]), ROTATION)
