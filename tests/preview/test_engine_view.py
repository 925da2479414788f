"""The engine view's provider resolution and stack request, which the preview and the policy tests share."""

import pytest

from offline_preview.engine_view import analyze_request, analyze_stack_request, resolve_providers
from offline_preview.registration import UNKNOWN, RegisteredResource
from tests.support.analyzer_harness import engine_view, resource

KEY = "aws:kms/key:Key"
TOPIC = "aws:sns/topic:Topic"


def default_aws(user: RegisteredResource) -> RegisteredResource:
    return RegisteredResource(
        type="pulumi:providers:aws",
        name="default",
        urn="urn:pulumi:dev::guarded-delivery::pulumi:providers:aws::default",
        custom=True,
        inputs={"region": "us-east-1"},
    )


def test_an_explicit_provider_is_found_by_its_urn_and_sent_with_its_inputs():
    other = resource("pulumi:providers:aws", "other-account", {"region": "eu-west-1"})
    key = resource(KEY, "elsewhere", {}, provider=other)
    assert key.provider == f"{other.urn}::{UNKNOWN}"
    view = resolve_providers([other, key])
    assert [r.urn for r in view] == [other.urn, key.urn]
    request = analyze_request(view[1])
    assert request.provider.urn == other.urn
    assert dict(request.provider.properties) == {"region": "eu-west-1"}


def test_without_a_factory_a_resource_naming_no_provider_goes_without():
    view = resolve_providers([resource(KEY, "artifacts", {})])
    assert len(view) == 1
    assert not analyze_request(view[0]).HasField("provider")


def test_a_default_provider_is_registered_once_just_before_its_first_user():
    key, topic = resource(KEY, "artifacts", {}), resource(TOPIC, "notifications", {})
    view = resolve_providers([key, topic], default_aws)
    assert [r.registration.type for r in view] == ["pulumi:providers:aws", KEY, TOPIC]
    assert view[0].synthesized
    assert view[1].provider is view[2].provider is view[0].registration


def test_the_stack_request_keeps_registration_order_and_only_non_empty_property_dependencies():
    key = resource(KEY, "artifacts", {})
    topic = resource(TOPIC, "notifications", {"kmsMasterKeyId": UNKNOWN}, depends_on=[key])
    topic.property_dependencies["displayName"] = []
    request = analyze_stack_request(resolve_providers([key, topic]))
    assert [r.urn for r in request.resources] == [key.urn, topic.urn]
    assert list(request.resources[1].dependencies) == [key.urn]
    assert "displayName" not in request.resources[1].propertyDependencies


def test_the_policy_tests_refuse_a_provider_they_were_not_given():
    other = resource("pulumi:providers:aws", "other-account", {"region": "eu-west-1"})
    with pytest.raises(ValueError, match="pass the provider before the resources that use it"):
        engine_view([resource(KEY, "elsewhere", {}, provider=other)])
