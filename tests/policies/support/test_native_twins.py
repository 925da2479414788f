"""support/native_twins: aws-native properties read in their `aws` twin's shape, unknowns kept."""

import json

from cicd_guardrails.support.native_twins import twin_of
from tests.support.analyzer_harness import UNKNOWN


def test_a_native_kms_key_reads_as_an_aws_key_with_its_window_and_policy_renamed():
    policy = {"Version": "2012-10-17", "Statement": []}
    twin = twin_of(
        "aws-native:kms:Key",
        {"enableKeyRotation": False, "pendingWindowInDays": 7, "keyPolicy": policy},
    )
    assert twin.type == "aws:kms/key:Key"
    assert twin.props == {
        "enableKeyRotation": False,
        "deletionWindowInDays": 7,
        "policy": json.dumps(policy),
    }
    assert twin.say("deletionWindowInDays is 7") == "pendingWindowInDays is 7"


def test_unknown_blocks_stay_unknown_where_the_twin_reads_them():
    pipeline = twin_of(
        "aws-native:codepipeline:Pipeline",
        {"artifactStore": UNKNOWN, "stages": [{"name": "s", "actions": [UNKNOWN]}]},
    )
    assert pipeline.props["artifactStores"] == UNKNOWN
    assert pipeline.props["stages"][0]["actions"] == [UNKNOWN]
    action = twin_of(
        "aws-native:codepipeline:Pipeline",
        {"stages": [{"name": "s", "actions": [{"name": "a", "actionTypeId": UNKNOWN}]}]},
    ).props["stages"][0]["actions"][0]
    assert (action["category"], action["provider"]) == (UNKNOWN, UNKNOWN)


def test_an_aws_resource_is_returned_as_it_is():
    props = {"bucket": "b"}
    twin = twin_of("aws:s3/bucket:Bucket", props)
    assert (twin.type, twin.props, twin.say("x.y")) == ("aws:s3/bucket:Bucket", props, "x.y")
