"""`--sarif` as GitHub code scanning uses it: each alert on the line that declared its resource, in a
path relative to the repository root, with a line-hash fingerprint per alert, a category per stack
and the command that was run (docs.github.com, "SARIF support for code scanning")."""

import json
import re
import subprocess
from pathlib import Path

import jsonschema
import pytest

from tests.support.preview_runs import FIXTURES, TINY_PACK, preview, write_project

SARIF_SCHEMA = json.loads((FIXTURES / "sarif" / "sarif-schema-2.1.0.json").read_text())
STORE = """\
import pulumi
import pulumi_aws as aws


class Store(pulumi.ComponentResource):
    def __init__(self, name, opts=None):
        super().__init__("scratch:index:Store", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.logs = aws.s3.Bucket(f"{name}-logs", opts=child)  # LOGS
        self.data = aws.s3.Bucket(f"{name}-data", opts=child)  # DATA
        self.safe = aws.s3.Bucket(
            f"{name}-safe",
            server_side_encryption_configuration={"rule": {"apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms"}}},
            opts=child,
        )
        self.register_outputs({})
"""
PROGRAM = """\
import pulumi_aws as aws

from components.store import Store

Store("orders")  # STORE
aws.s3.Bucket("loose")  # LOOSE
"""


def line_of(text: str, marker: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if line.endswith(marker))


def scratch_repository(root: Path, git: bool = True) -> Path:
    """A repository whose Pulumi project lives in `infra/`, its component in `infra/components/`."""
    project = write_project(root / "infra", PROGRAM)
    (project / "components").mkdir()
    (project / "components" / "__init__.py").write_text("")
    (project / "components" / "store.py").write_text(STORE)
    if git:
        subprocess.run(["git", "init", "-q", str(root)], check=True)
    return project


def sarif_of(project: Path, sarif: Path, *extra: str) -> dict:
    result = preview(
        "--stack", "test", "--cwd", project, "--policy-pack", TINY_PACK, "--sarif", sarif, *extra
    )  # fmt: skip
    assert result.code == 5, result.stderr
    return json.loads(sarif.read_text())


@pytest.fixture(scope="module")
def repository(tmp_path_factory) -> Path:
    return scratch_repository(tmp_path_factory.mktemp("repo")).parent


@pytest.fixture(scope="module")
def sarif(repository, tmp_path_factory) -> dict:
    return sarif_of(repository / "infra", tmp_path_factory.mktemp("out") / "scan.sarif")


def results_by_resource(document: dict) -> dict[str, dict]:
    return {
        res["locations"][0]["logicalLocations"][0]["name"]: res
        for run in document["runs"]
        for res in run["results"]
    }


def test_each_alert_sits_on_the_line_that_declared_its_resource(sarif):
    results = results_by_resource(sarif)
    assert set(results) == {"orders-logs", "orders-data", "loose"}  # not the encrypted twin

    def where(name: str) -> tuple[str, int]:
        physical = results[name]["locations"][0]["physicalLocation"]
        return physical["artifactLocation"]["uri"], physical["region"]["startLine"]

    assert where("orders-logs") == ("infra/components/store.py", line_of(STORE, "# LOGS"))
    assert where("orders-data") == ("infra/components/store.py", line_of(STORE, "# DATA"))
    assert where("loose") == ("infra/__main__.py", line_of(PROGRAM, "# LOOSE"))
    validator = jsonschema.Draft4Validator(
        SARIF_SCHEMA, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )
    assert [error.message for error in validator.iter_errors(sarif)] == []
    message = results["loose"]["message"]["text"]
    assert message.endswith("bucket loose has no serverSideEncryptionConfiguration")


def test_uris_are_relative_to_the_repository_root_not_the_working_directory(sarif, repository):
    [run] = sarif["runs"]
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": repository.resolve().as_uri() + "/"}}
    for res in run["results"]:
        assert (
            res["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        )


def test_outside_a_git_repository_uris_are_relative_to_the_project(tmp_path):
    project = scratch_repository(tmp_path / "plain", git=False)
    document = sarif_of(project, tmp_path / "scan.sarif")
    [run] = document["runs"]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == project.resolve().as_uri() + "/"
    uris = {
        res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for res in run["results"]
    }
    assert uris == {"components/store.py", "__main__.py"}


def test_alerts_of_one_rule_in_one_file_have_distinct_line_hashes(sarif):
    results = results_by_resource(sarif)
    hashes = {
        name: res["partialFingerprints"]["primaryLocationLineHash"] for name, res in results.items()
    }
    assert all(re.fullmatch(r"[0-9a-f]{16}:[1-9][0-9]*", value) for value in hashes.values())
    assert results["orders-logs"]["ruleId"] == results["orders-data"]["ruleId"]
    assert len(set(hashes.values())) == 3


def test_each_stack_is_its_own_category_and_the_invocation_is_the_command_run(sarif, repository):
    [run] = sarif["runs"]
    assert run["automationDetails"] == {"id": "scratch/test/"}
    [invocation] = run["invocations"]
    assert invocation["exitCode"] == 5
    assert invocation["executionSuccessful"] is True
    assert " -m offline_preview --stack test --cwd " in invocation["commandLine"]
    assert invocation["commandLine"].endswith(f"--sarif {invocation['commandLine'].split()[-1]}")
    assert "scan.sarif" in invocation["commandLine"]


def test_a_disabled_policy_is_a_disabled_rule_never_level_none(repository, tmp_path):
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"log-retention-minimum": "disabled"}))
    document = sarif_of(
        repository / "infra", tmp_path / "scan.sarif", "--policy-pack-config", config
    )
    rules = {rule["id"]: rule for rule in document["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["log-retention-minimum"]["defaultConfiguration"] == {
        "level": "note",
        "enabled": False,
    }
    assert rules["bucket-needs-encryption"]["defaultConfiguration"]["level"] == "error"
    assert '"none"' not in json.dumps(document)
