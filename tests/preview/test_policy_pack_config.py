"""`--policy-pack-config` as the CLI reconciles and validates it: `all`, per-policy levels, schemas."""

import json

import pytest

from tests.support.preview_runs import (
    FIXTURES,
    assert_one_line_error,
    preview_noncompliant,
)

STRICT_PACK = FIXTURES / "strict_config_pack"


def run_with_config(tmp_path, config: dict, *extra: str):
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    result = preview_noncompliant(
        "--policy-pack",
        STRICT_PACK,
        "--policy-pack-config",
        path,
        *extra,
    )
    return result, path


GOOD_CIDRS = {"cidrs-configured": {"allowedCidrs": ["192.0.2.0/24"]}}


@pytest.mark.parametrize(
    ("cidrs", "fragment"),
    [
        ([], "cidrs-configured.allowedCidrs: [] should be non-empty"),
        (["192.0.2.0"], "cidrs-configured.allowedCidrs[0]: '192.0.2.0' does not match"),
        (["0.0.0.0/0"], "cidrs-configured.allowedCidrs[0]: '0.0.0.0/0' does not match"),
        ("192.0.2.0/24", "cidrs-configured.allowedCidrs: '192.0.2.0/24' is not of type 'array'"),
    ],
)
def test_a_value_the_schema_refuses_is_a_bad_config_not_a_violation(tmp_path, cidrs, fragment):
    result, path = run_with_config(
        tmp_path, {"cidrs-configured": {"allowedCidrs": cidrs}}, "--json"
    )
    assert_one_line_error(result, f"--policy-pack-config {path}: {fragment}")
    assert result.json()["exitCode"] == 2 and "policyViolations" not in result.json()


def test_a_good_value_passes_and_the_mandatory_policy_refuses_the_bucket(tmp_path):
    result, _ = run_with_config(tmp_path, GOOD_CIDRS, "--json")
    assert result.code == 5, result.stderr
    levels = {v["policyName"]: v["enforcementLevel"] for v in result.json()["policyViolations"]}
    assert levels == {"always-refuses": "mandatory", "advisory-note": "advisory"}


def test_all_sets_every_level_and_a_policy_entry_wins_over_it(tmp_path):
    config = {**GOOD_CIDRS, "all": "advisory", "advisory-note": "mandatory"}
    result, _ = run_with_config(tmp_path, config, "--json")
    levels = {v["policyName"]: v["enforcementLevel"] for v in result.json()["policyViolations"]}
    assert levels == {"always-refuses": "advisory", "advisory-note": "mandatory"}
    assert result.code == 5


def test_all_disabled_turns_the_pack_off(tmp_path):
    result, _ = run_with_config(tmp_path, {**GOOD_CIDRS, "all": {"enforcementLevel": "disabled"}})
    assert result.code == 0, result.stderr
    assert "Policy violations: 0 mandatory, 0 advisory" in result.stdout


def test_a_relaxed_mandatory_policy_is_shown_among_our_own_lines(tmp_path):
    result, _ = run_with_config(tmp_path, {**GOOD_CIDRS, "always-refuses": "disabled"})
    assert result.code == 0, result.stderr
    assert (
        "- [disabled]  always-refuses  (mandatory in the pack, disabled by the policy config)"
        in result.stdout
    )
    downgraded, _ = run_with_config(tmp_path, {**GOOD_CIDRS, "all": "advisory"}, "--json")
    policies = {p["name"]: p for p in downgraded.json()["policyPacks"][0]["policies"]}
    assert policies["always-refuses"]["enforcementLevel"] == "advisory"
    assert policies["always-refuses"]["declaredEnforcementLevel"] == "mandatory"


def test_a_bad_level_for_all_is_a_bad_config(tmp_path):
    result, path = run_with_config(tmp_path, {**GOOD_CIDRS, "all": "sometimes"})
    assert_one_line_error(result, f"--policy-pack-config {path}: all: enforcementLevel 'sometimes'")
