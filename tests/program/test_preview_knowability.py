"""Every IAM-relevant document is a known JSON string on a first preview, so the pack can judge it.

The program runs under the shared preview mocks that return NO computed outputs (not even echoed
inputs): a document built from any resource's output (`bucket.arn`, `role.arn`, `key.arn`...) would be
unknown here and fail this test.
"""

import json

import pytest

from tests.support.program_runs import run_main

STACKS = ("dev", "staging", "prod")
# Resource type -> the inputs that hold a policy document.
DOCUMENT_INPUTS = {
    "aws:iam/rolePolicy:RolePolicy": ("policy",),
    "aws:iam/policy:Policy": ("policy",),
    "aws:iam/role:Role": ("assumeRolePolicy",),
    "aws:s3/bucketPolicy:BucketPolicy": ("policy",),
    "aws:kms/key:Key": ("policy",),
    "aws:sns/topicPolicy:TopicPolicy": ("policy",),
}
# Types every stack must declare, so the test cannot pass by finding nothing to check.
REQUIRED_TYPES = set(DOCUMENT_INPUTS) - {"aws:iam/policy:Policy"}


@pytest.fixture(scope="module", params=STACKS)
def declared_stack(request):
    return request.param, run_main(request.param)


def test_every_policy_document_is_a_known_json_string(declared_stack):
    stack, mocks = declared_stack
    seen: set[str] = set()
    for resource in mocks.resources:
        for key in DOCUMENT_INPUTS.get(resource.typ, ()):
            document = resource.inputs.get(key)
            assert isinstance(document, str), (
                f"{stack}: {resource.typ} {resource.name}.{key} unknown"
            )
            parsed = json.loads(document)
            assert parsed["Version"] == "2012-10-17" and parsed["Statement"], resource.name
            seen.add(resource.typ)
    assert seen >= REQUIRED_TYPES, f"{stack}: no documents of {REQUIRED_TYPES - seen}"


def test_any_other_policy_shaped_input_is_known_too(declared_stack):
    """Catch documents on types this test does not list yet (e.g. a future queue policy)."""
    stack, mocks = declared_stack
    for resource in mocks.resources:
        for key, value in resource.inputs.items():
            if key.lower().endswith("policy") and not isinstance(value, bool):
                assert isinstance(value, str), f"{stack}: {resource.typ} {resource.name}.{key}"
                json.loads(value)
