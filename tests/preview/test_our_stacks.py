"""Each of our stacks passes our pack offline, and every core guardrail can judge it at preview time."""

import pytest

from tests.support.preview_runs import REPO, preview

CORE_GUARDRAILS = (
    "s3-sse-kms",
    "pipeline-artifacts-kms",
    "kms-key-rotation",
    "logs-and-notifications-kms",
    "execution-role-ip-restricted",
    "codedeploy-auto-rollback",
    # what flows through the pipe, and across accounts
    "codepipeline-artifact-verification",
    "kms-signing-key-restricted",
    "codepipeline-no-mutable-image-tag",
    "codepipeline-promoted-no-source-build",
    "resource-policy-cross-account-exact-principals",
    "kms-key-cross-account-limited",
)


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_stack_passes_our_pack_with_every_core_guardrail_able_to_run(stack):
    result = preview(
        "--stack",
        stack,
        "--policy-pack",
        "policies",
        "--policy-pack-config",
        f"policies/config/{stack}.json",
        "--json",
    )
    assert result.code == 0, result.stderr or [
        (v["policyName"], v["resource"], v["message"].splitlines()[-1])
        for v in result.json()["policyViolations"]
        if v["enforcementLevel"] == "mandatory"
    ]
    document = result.json()
    cannot_run = [
        v
        for v in document["policyViolations"]
        if v["message"].startswith("can't run policy") and v["policyName"] in CORE_GUARDRAILS
    ]
    assert cannot_run == []
    ran = {p["name"] for pack in document["policyPacks"] for p in pack["policies"]}
    assert set(CORE_GUARDRAILS) <= ran
    assert (REPO / f"Pulumi.{stack}.yaml").exists()
