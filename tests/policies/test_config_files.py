"""policies/config/<env>.json agrees with the pack and with the stack files."""

import json
from pathlib import Path

import pytest
import yaml

from cicd_guardrails.pack import all_policies

REPO = Path(__file__).resolve().parents[2]
ENVIRONMENTS = ("dev", "staging", "prod")
CIDR_POLICY = "execution-role-ip-restricted"


def policy_config(env: str) -> dict:
    return json.loads((REPO / "policies" / "config" / f"{env}.json").read_text())


def stack_config(env: str) -> dict:
    return yaml.safe_load((REPO / f"Pulumi.{env}.yaml").read_text())["config"]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_allowed_cidrs_equal_the_stack_file(env):
    assert (
        policy_config(env)[CIDR_POLICY]["allowedCidrs"]
        == stack_config(env)["guarded-delivery:allowedCidrs"]
    )


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_alarm_rollback_required_where_the_stack_enables_it(env):
    required = policy_config(env)["codedeploy-auto-rollback"]["requireAlarmRollback"]
    assert required == bool(stack_config(env).get("guarded-delivery:alarmRollback", False))


def test_prod_requires_alarm_rollback():
    assert policy_config("prod")["codedeploy-auto-rollback"]["requireAlarmRollback"] is True


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_thresholds_match_what_the_stack_declares(env):
    stack = stack_config(env)
    config = policy_config(env)
    assert (
        config["kms-key-deletion-window"]["minimumDeletionWindowDays"]
        <= stack["guarded-delivery:kmsDeletionWindowDays"]
    )
    assert (
        config["log-group-retention"]["minimumRetentionDays"]
        <= stack["guarded-delivery:logRetentionDays"]
    )


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_config_names_only_known_policies_and_schema_properties(env):
    policies = {p.name: p for p in all_policies()}
    for name, entry in policy_config(env).items():
        assert name in policies, f"{env}.json configures unknown policy {name}"
        schema = policies[name].config_schema
        known = set(schema.properties) if schema else set()
        assert set(entry) - {"enforcementLevel"} <= known, (env, name, entry)


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_allowed_vpc_endpoints_equal_the_stack_file(env):
    assert policy_config(env)[CIDR_POLICY].get("allowedVpcEndpoints", []) == stack_config(env).get(
        "guarded-delivery:allowedVpcEndpoints", []
    )


@pytest.mark.parametrize(("env", "required"), [("dev", False), ("staging", True), ("prod", True)])
def test_artifact_verification_is_required_outside_dev(env, required):
    entry = policy_config(env)["codepipeline-artifact-verification"]
    assert entry["requireArtifactVerification"] is required


def test_prod_makes_the_ecr_repository_policy_mandatory():
    assert policy_config("prod")["ecr-repository-hardened"]["enforcementLevel"] == "mandatory"
    assert "ecr-repository-hardened" not in policy_config("dev")


PROMOTED_POLICY = "codepipeline-promoted-no-source-build"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_promoted_stack_equals_whether_the_stack_file_promotes(env):
    promotes = bool(stack_config(env).get("guarded-delivery:promoteFrom"))
    assert policy_config(env)[PROMOTED_POLICY]["promotedStack"] is promotes


@pytest.mark.parametrize(
    ("env", "level"), [("dev", None), ("staging", "mandatory"), ("prod", "mandatory")]
)
def test_no_source_build_is_mandatory_where_a_stack_promotes(env, level):
    assert policy_config(env)[PROMOTED_POLICY].get("enforcementLevel") == level


def promotion_chain(stack: dict) -> list[str]:
    """The other accounts a stack file names: its upstream's and its downstreams'."""
    accounts = [stack.get("guarded-delivery:promoteFromAccountId", "")]
    accounts += [t.get("accountId", "") for t in stack.get("guarded-delivery:promoteTo", [])]
    return sorted({a for a in accounts if a})


EXAMPLE = REPO / "examples" / "three-accounts"


@pytest.mark.parametrize(
    ("project", "config_dir", "env"),
    [
        *((REPO, REPO / "policies" / "config", env) for env in ENVIRONMENTS),
        *((EXAMPLE, EXAMPLE / "policy-config", env) for env in ENVIRONMENTS),
    ],
)
def test_promotion_accounts_are_the_stack_files_chain(project, config_dir, env):
    stack = yaml.safe_load((project / f"Pulumi.{env}.yaml").read_text())["config"]
    config = json.loads((config_dir / f"{env}.json").read_text())
    assert config["kms-key-cross-account-limited"]["promotionAccounts"] == promotion_chain(stack)


def test_the_three_account_example_names_its_chain():
    config = json.loads((EXAMPLE / "policy-config" / "staging.json").read_text())
    assert config["kms-key-cross-account-limited"]["promotionAccounts"] == [
        "111122223333",
        "777788889999",
    ]
