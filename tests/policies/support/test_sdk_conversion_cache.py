"""The per-request conversion cache changes the pack's cost, never its verdicts."""

import json

import pulumi_policy.policy as sdk_policy
import pytest
from google.protobuf import json_format, struct_pb2

from cicd_guardrails import all_policies
from cicd_guardrails.support import sdk_conversion_cache
from tests.support.analyzer_harness import UNKNOWN, analyze, resource

UNRESTRICTED_START = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "codepipeline:Start*", "Resource": "*"},
        ],
    }
)


def mixed_stack():
    """Compliant and refused resources side by side, one with an unknown value."""
    key = resource("aws:kms/key:Key", "key", {"enableKeyRotation": True})
    plain_bucket = resource("aws:s3/bucket:Bucket", "plain", {"bucket": "plain-bucket"})
    unknown_bucket = resource("aws:s3/bucket:Bucket", "later", {"bucket": UNKNOWN})
    starter = resource(
        "aws:iam/rolePolicy:RolePolicy", "starter", {"role": "ops", "policy": UNRESTRICTED_START}
    )
    no_rollback = resource(
        "aws:codedeploy/deploymentGroup:DeploymentGroup", "group", {"deploymentGroupName": "g"}
    )
    unrotated = resource("aws:kms/key:Key", "unrotated", {"enableKeyRotation": False})
    return [key, plain_bucket, unknown_bucket, starter, no_rollback, unrotated]


@pytest.fixture
def restore_sdk(monkeypatch):
    """Let monkeypatch put back whatever `install` replaces."""
    monkeypatch.setattr(sdk_policy, "json_format", sdk_policy.json_format)
    monkeypatch.setattr(sdk_policy, "deserialize_properties", sdk_policy.deserialize_properties)
    monkeypatch.setattr(sdk_policy, "unknown_checking_proxy", sdk_policy.unknown_checking_proxy)
    servicer = sdk_policy._PolicyAnalyzerServicer
    monkeypatch.setattr(servicer, "_get_provider_resource", servicer._get_provider_resource)
    monkeypatch.setattr(servicer, "_get_resource_options", servicer._get_resource_options)
    for name in sdk_conversion_cache.REQUEST_METHODS:
        servicer = sdk_policy._PolicyAnalyzerServicer
        monkeypatch.setattr(servicer, name, getattr(servicer, name))
    return monkeypatch


def verdicts(result):
    violations = sorted((v.policy, v.urn, v.message) for v in result.violations)
    skipped = sorted((v.policy, v.urn, v.message) for v in result.skipped)
    return violations, skipped


def test_installed_cache_reports_exactly_what_the_plain_sdk_reports(restore_sdk):
    before = verdicts(analyze(all_policies(), mixed_stack()))
    assert before[0], "the mixed stack must produce violations for the comparison to mean anything"
    assert sdk_conversion_cache.install()
    after = verdicts(analyze(all_policies(), mixed_stack()))
    assert after == before


def test_each_message_is_converted_once_per_request_and_forgotten_after_it():
    calls = []

    class CountingJsonFormat:
        @staticmethod
        def MessageToDict(message):
            calls.append(message)
            return json_format.MessageToDict(message)

    memo = sdk_conversion_cache.RequestScopedJsonFormat(CountingJsonFormat)
    message = struct_pb2.Struct()
    message.update({"bucket": "b"})

    def request():
        first, second = memo.MessageToDict(message), memo.MessageToDict(message)
        assert first is second
        return first

    assert memo.scoped(request)() == {"bucket": "b"}
    assert len(calls) == 1
    memo.scoped(request)()
    assert len(calls) == 2, "a new request converts again"


def test_another_sdk_version_is_left_exactly_as_shipped(restore_sdk):
    restore_sdk.setattr(sdk_conversion_cache, "VERSION", "1.22.0")
    original_analyze = sdk_policy._PolicyAnalyzerServicer.Analyze
    assert not sdk_conversion_cache.install()
    assert sdk_policy.json_format is json_format
    assert sdk_policy._PolicyAnalyzerServicer.Analyze is original_analyze


def test_deserialised_properties_and_providers_are_shared_within_a_request_only():
    calls = []

    def deserialize(properties, *args):
        calls.append(args)
        return dict(properties)

    shared = sdk_conversion_cache.RequestScopedDeserializer(
        deserialize, lambda d: [d], lambda _s, r: object(), lambda _s, r: object()
    )
    converted = {"bucket": "b"}
    deserialized = shared.deserialize_properties(converted)
    assert deserialized is shared.deserialize_properties(converted)
    assert len(calls) == 1
    assert shared.unknown_checking_proxy(deserialized) is shared.unknown_checking_proxy(
        deserialized
    )
    # Remediate's keep_unknowns call gets a fresh copy it may change, and a fresh proxy of it.
    for_remediation = shared.deserialize_properties(converted, True)
    assert for_remediation is not deserialized
    assert shared.unknown_checking_proxy(for_remediation) is not shared.unknown_checking_proxy(
        for_remediation
    )
    request = object()
    assert shared.provider_resource(None, request) is shared.provider_resource(None, request)
    options = shared.resource_options(None, request)
    assert options is shared.resource_options(None, request)
    shared.forget()
    assert shared.resource_options(None, request) is not options, "options are per request"
    shared.deserialize_properties(converted)
    assert len(calls) == 3, "after the request, properties are deserialised again"


def test_the_installed_sdk_shares_provider_resources_and_reports_the_same_verdicts(restore_sdk):
    provider = resource("pulumi:providers:aws", "other", {"region": "eu-west-1"})
    stack = [
        *mixed_stack(),
        provider,
        resource("aws:kms/key:Key", "elsewhere", {}, provider=provider),
    ]
    before = verdicts(analyze(all_policies(), stack))
    assert sdk_conversion_cache.install()
    assert verdicts(analyze(all_policies(), stack)) == before
