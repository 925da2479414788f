"""`--json` has the shape of `pulumi preview --json` (pulumi/pulumi pkg/display/json.go PreviewDigest),
so a script written for the CLI's document reads ours; policy results ride in keys of their own."""

import pytest

from tests.support.preview_runs import TINY_PACK, preview_noncompliant

CLI_KEYS = ["config", "steps", "diagnostics", "duration", "changeSummary"]
OUR_KEYS = ("policyPacks", "policyViolations", "project", "stack", "accountId", "region")
OUR_KEYS += ("outputs", "exitCode")
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
DEFAULT_AWS = "urn:pulumi:ci::noncompliant-pipeline::pulumi:providers:aws::default_"


@pytest.fixture(scope="module")
def document():
    result = preview_noncompliant("--policy-pack", TINY_PACK, "--json")
    assert result.code == 5, result.stderr
    return result.json()


def _state(document: dict, name: str) -> dict:
    [step] = [s for s in document["steps"] if s["urn"].endswith(f"::{name}")]
    return step


def test_the_cli_keys_come_first_and_in_the_cli_order(document):
    assert list(document)[:5] == CLI_KEYS
    assert isinstance(document["duration"], int) and document["duration"] > 0  # nanoseconds
    assert document["changeSummary"] == {"create": 8}
    # The prelude's config is map[string]string: structured values as JSON text, secrets blinded.
    assert document["config"]["noncompliant-pipeline:allowedCidrs"] == '["192.0.2.0/24"]'
    assert document["config"]["noncompliant-pipeline:retentionDays"] == "3"
    assert document["config"]["noncompliant-pipeline:webhookToken"] == "[secret]"


def test_steps_carry_the_new_state_as_the_engine_serializes_it(document):
    types = [s["newState"]["type"] for s in document["steps"]]
    assert types[0] == "pulumi:pulumi:Stack" and len(types) == 8
    assert not [t for t in types if t.startswith("pulumi:providers:")]  # internal steps
    logs = _state(document, "build-logs")
    assert logs["op"] == "create" and logs["detailedDiff"] is None
    assert logs["provider"].startswith(DEFAULT_AWS) and logs["provider"].endswith(f"::{UNKNOWN}")
    state = logs["newState"]
    assert state["custom"] is True and state["provider"] == logs["provider"]
    assert state["inputs"] == {"name": "/aws/codebuild/shop", "retentionInDays": 3}
    assert type(state["inputs"]["retentionInDays"]) is int  # Go prints the float64 3 as 3
    assert state["parent"].endswith("::pulumi:pulumi:Stack::noncompliant-pipeline-ci")
    assert "outputs" not in state  # a create's state before it runs has none
    component = _state(document, "delivery")
    assert "provider" not in component and component["newState"]["custom"] is False


def test_diagnostics_carry_the_prefix_and_the_failure(document):
    assert document["diagnostics"] == [{"message": "error: preview failed\n", "severity": "error"}]


def test_policy_results_ride_in_keys_beyond_the_cli(document):
    assert list(document)[5:] == [*OUR_KEYS]  # nothing of ours replaces or hides a CLI key
    [pack] = document["policyPacks"]
    assert (pack["name"], pack["version"]) == ("tiny-guards", "0.3.0")
    mandatory = [v for v in document["policyViolations"] if v["enforcementLevel"] == "mandatory"]
    assert [(v["policyName"], v["resource"]) for v in mandatory] == [
        ("bucket-needs-encryption", "aws:s3/bucket:Bucket: artifacts")
    ]
    assert document["exitCode"] == 5
