"""A stack policy sees parents, dependencies, property dependencies and providers as the engine sends them."""

import json

import pytest

from tests.support.preview_runs import TINY_PACK, preview_noncompliant

PREFIX = "urn:pulumi:ci::noncompliant-pipeline::"
STACK = PREFIX + "pulumi:pulumi:Stack::noncompliant-pipeline-ci"
COMPONENT = PREFIX + "fixture:index:Delivery::delivery"
BUCKET = PREFIX + "fixture:index:Delivery$aws:s3/bucket:Bucket::artifacts"
DEFAULT_PROVIDER = PREFIX + "pulumi:providers:aws::default_7_51_1"


@pytest.fixture(scope="module")
def seen(tmp_path_factory):
    record = tmp_path_factory.mktemp("record") / "stack.json"
    result = preview_noncompliant(
        "--policy-pack",
        TINY_PACK,
        env={"TINY_PACK_RECORD": str(record)},
    )
    assert result.code == 5, result.stderr
    return {entry["name"]: entry for entry in json.loads(record.read_text())}


def test_every_registration_reaches_the_stack_policy(seen):
    assert set(seen) == {
        "noncompliant-pipeline-ci",
        "delivery",
        "default_7_51_1",
        "build-logs",
        "artifacts",
        "execution-role",
        "app",
        "artifacts-versioning",
        "deployment-group",
    }


def test_parents_are_resolved_to_resources(seen):
    assert seen["noncompliant-pipeline-ci"]["parent"] is None
    assert seen["delivery"]["parent"] == STACK
    assert seen["artifacts"]["parent"] == COMPONENT
    assert seen["build-logs"]["parent"] == STACK


def test_property_dependencies_link_a_bucket_setting_to_its_bucket(seen):
    versioning = seen["artifacts-versioning"]
    # The engine drops properties without dependencies; the bucket's id is the link.
    assert versioning["property_dependencies"] == {"bucket": [BUCKET]}
    assert versioning["dependencies"] == [BUCKET]
    group = seen["deployment-group"]
    assert set(group["property_dependencies"]) == {"appName", "serviceRoleArn"}


def test_custom_resources_get_the_engines_default_provider(seen):
    bucket = seen["artifacts"]
    assert bucket["provider"] == DEFAULT_PROVIDER
    assert bucket["provider_props"] == {"region": "eu-west-1", "version": "7.51.1"}
    assert seen["delivery"]["provider"] is None
    assert bucket["stack"] == "ci"  # the pack runs with the stack's PULUMI_* environment
