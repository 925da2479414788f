"""The files derived from the config key table and the stack files are current, and drift is caught."""

import json
import shutil
from pathlib import Path

import pytest
import yaml

from components.config import parse_settings
from tools.config_reference import TABLE_END, TABLE_START, project_schema
from tools.generate_config_files import COMMAND, drifted, main
from tools.policy_config_values import SHARED_VALUES, with_shared_values

REPO = Path(__file__).resolve().parents[2]
STACKS = ("dev", "staging", "prod")
NS = "guarded-delivery"


def test_every_generated_file_is_current():
    stale = [str(path.relative_to(REPO)) for path in drifted(REPO)]
    assert not stale, (
        f"{stale} drifted from components/config/keys.py or the stack files; run: {COMMAND}"
    )


def test_the_project_schema_reads_back_as_the_key_table():
    assert yaml.safe_load((REPO / "Pulumi.yaml").read_text())["config"] == project_schema()


def test_the_readme_table_has_one_row_per_key_in_the_table_order():
    readme = (REPO / "README.md").read_text()
    table = readme[readme.index(TABLE_START) : readme.index(TABLE_END)]
    documented = [line.split("|")[1].strip().strip("`") for line in table.splitlines()[3:]]
    assert documented == list(project_schema())


def copy_of_the_repo(tmp_path: Path) -> Path:
    """The generator's sources and outputs, in a scratch repository."""
    (tmp_path / "policies" / "config").mkdir(parents=True)
    for name in ("Pulumi.yaml", "README.md", *(f"Pulumi.{stack}.yaml" for stack in STACKS)):
        shutil.copy(REPO / name, tmp_path / name)
    for stack in STACKS:
        shutil.copy(
            REPO / "policies" / "config" / f"{stack}.json", tmp_path / "policies" / "config"
        )
    return tmp_path


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1))


def test_check_names_each_drifted_file_changes_nothing_and_a_run_repairs_them(tmp_path, capsys):
    repo = copy_of_the_repo(tmp_path)
    edit(repo / "README.md", "| `buildImage` | string |", "| `buildImage` | text |")
    edit(repo / "Pulumi.yaml", "    default: 90\n", "    default: 14\n")
    edit(repo / "Pulumi.dev.yaml", "    - 192.0.2.0/24\n", "    - 192.0.2.0/25\n")
    before = {path: path.read_text() for path in repo.rglob("*") if path.is_file()}

    assert main(["--check"], repo=repo) == 1
    reported = capsys.readouterr().err.splitlines()
    assert reported == [
        f"{name} is out of date; run: {COMMAND}"
        for name in ("Pulumi.yaml", "README.md", "policies/config/dev.json")
    ]
    assert {path: path.read_text() for path in before} == before

    assert main([], repo=repo) == 0
    assert main(["--check"], repo=repo) == 0
    assert (repo / "README.md").read_text() == (REPO / "README.md").read_text()
    assert (repo / "Pulumi.yaml").read_text() == (REPO / "Pulumi.yaml").read_text()
    dev = json.loads((repo / "policies" / "config" / "dev.json").read_text())
    assert dev["execution-role-ip-restricted"]["allowedCidrs"] == ["192.0.2.0/25"]
    assert dev["log-group-retention"] == {"minimumRetentionDays": 14}, "limits stay as written"


def test_a_key_the_stack_leaves_out_is_copied_with_the_default_the_program_uses(tmp_path):
    repo = copy_of_the_repo(tmp_path)
    edit(repo / "Pulumi.dev.yaml", f"  {NS}:alarmRollback: true\n", "")
    config = repo / "policies" / "config" / "dev.json"
    edit(config, '"requireAlarmRollback": true', '"requireAlarmRollback": false')
    assert main([], repo=repo) == 0
    dev = json.loads((repo / "policies" / "config" / "dev.json").read_text())
    assert dev["codedeploy-auto-rollback"]["requireAlarmRollback"] is True


def test_a_bad_stack_file_stops_the_generator_with_one_line_naming_the_key(tmp_path, capsys):
    repo = copy_of_the_repo(tmp_path)
    edit(repo / "Pulumi.staging.yaml", f"{NS}:logRetentionDays: 30", f"{NS}:logRetentionDays: 10")
    assert main(["--check"], repo=repo) == 2
    assert capsys.readouterr().err == (
        f"error: Pulumi.staging.yaml: {NS}:logRetentionDays: 10 is not allowed; one of 1, 3, 5, 7, "
        "14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, "
        "3653\n"
    )


def test_a_readme_without_the_table_markers_is_one_line_naming_them(tmp_path, capsys):
    repo = copy_of_the_repo(tmp_path)
    edit(repo / "README.md", TABLE_START, "")
    assert main(["--check"], repo=repo) == 2
    assert capsys.readouterr().err.startswith(f"error: README.md: no {TABLE_START} ... {TABLE_END}")


def test_shared_values_are_set_from_the_settings_and_every_other_key_is_kept():
    raw = yaml.safe_load((REPO / "Pulumi.prod.yaml").read_text())["config"]
    raw = {key.removeprefix(f"{NS}:"): value for key, value in raw.items() if key.startswith(NS)}
    raw["allowedVpcEndpoints"] = ["vpce-0123456789abcdef0"]
    raw["alarmRollback"] = False
    settings = parse_settings(raw, "prod")
    policy_config = {
        "execution-role-ip-restricted": {
            "enforcementLevel": "advisory",
            "allowedCidrs": ["10.0.0.0/8"],
            "exemptServicePrincipals": [],
        },
        "log-group-retention": {"minimumRetentionDays": 400},
    }
    assert with_shared_values(policy_config, settings) == {
        "execution-role-ip-restricted": {
            "enforcementLevel": "advisory",
            "allowedCidrs": ["203.0.113.0/24"],
            "exemptServicePrincipals": [],
            "allowedVpcEndpoints": ["vpce-0123456789abcdef0"],
        },
        "log-group-retention": {"minimumRetentionDays": 400},
        "codedeploy-auto-rollback": {"requireAlarmRollback": False},
        "codepipeline-promoted-no-source-build": {"promotedStack": True},
        "kms-key-cross-account-limited": {"promotionAccounts": []},
    }
    assert policy_config["execution-role-ip-restricted"]["allowedCidrs"] == ["10.0.0.0/8"]


@pytest.mark.parametrize("shared", SHARED_VALUES, ids=lambda shared: shared.property)
def test_each_shared_value_names_a_stack_key_and_a_policy_property(shared):
    from cicd_guardrails import all_policies

    assert shared.stack_key in project_schema()
    policies = {policy.name: policy for policy in all_policies()}
    schema = policies[shared.policy].config_schema
    assert schema is not None and shared.property in schema.properties


def test_promoted_stack_follows_promote_from(tmp_path):
    repo = copy_of_the_repo(tmp_path)
    edit(repo / "Pulumi.staging.yaml", f"  {NS}:promoteFrom: dev\n", "")
    assert main([], repo=repo) == 0
    staging = json.loads((repo / "policies" / "config" / "staging.json").read_text())
    entry = staging["codepipeline-promoted-no-source-build"]
    assert entry == {"enforcementLevel": "mandatory", "promotedStack": False}
