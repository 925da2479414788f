"""`--sarif FILE` is valid SARIF 2.1.0 (checked with a JSON-schema validator against the OASIS
schema kept in tests/fixtures/sarif) with one result per violation, as code-scanning UIs read it."""

import json

import jsonschema
import pytest

from tests.support.preview_runs import (
    FIXTURES,
    NONCOMPLIANT,
    OUR_PACK,
    TINY_PACK,
    preview,
    preview_noncompliant,
)

SARIF_SCHEMA = json.loads((FIXTURES / "sarif" / "sarif-schema-2.1.0.json").read_text())


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The SARIF file and the --json document of one preview with two packs."""
    sarif = tmp_path_factory.mktemp("sarif") / "preview.sarif"
    result = preview_noncompliant(
        "--policy-pack",
        OUR_PACK,
        "--policy-pack",
        TINY_PACK,
        "--sarif",
        sarif,
        "--json",
    )
    assert result.code == 5, result.stderr
    return json.loads(sarif.read_text()), result.json()


def test_the_file_is_valid_sarif_2_1_0(runs):
    sarif, _ = runs
    validator = jsonschema.Draft4Validator(
        SARIF_SCHEMA, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )
    assert [error.message for error in validator.iter_errors(sarif)] == []
    assert sarif["version"] == "2.1.0"


def test_an_invalid_document_is_refused_by_the_same_validator(runs):
    sarif, _ = runs
    broken = json.loads(json.dumps(sarif))
    broken["runs"][0]["results"][0]["level"] = "mandatory"
    assert not jsonschema.Draft4Validator(SARIF_SCHEMA).is_valid(broken)


def test_one_run_per_pack_and_one_result_per_violation(runs):
    sarif, document = runs
    assert [r["tool"]["driver"]["name"] for r in sarif["runs"]] == [
        "cicd-guardrails",
        "tiny-guards",
    ]
    results = [
        (
            res["ruleId"],
            res["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
            res["level"],
        )
        for run in sarif["runs"]
        for res in run["results"]
    ]
    expected = [
        (v["policyName"], v["urn"], "error" if v["enforcementLevel"] == "mandatory" else "warning")
        for v in document["policyViolations"]
    ]
    assert results == expected
    assert {level for _, _, level in results} == {"error", "warning"}


def test_rules_come_from_each_policy(runs):
    sarif, document = runs
    ours = sarif["runs"][0]["tool"]["driver"]["rules"]
    declared = [p["name"] for p in document["policyPacks"][0]["policies"]]
    assert [rule["id"] for rule in ours] == declared
    kms = next(rule for rule in ours if rule["id"] == "s3-sse-kms")
    assert kms["defaultConfiguration"]["level"] == "error"
    assert kms["shortDescription"]["text"].startswith("Every S3 bucket")
    assert kms["help"]["text"] != kms["shortDescription"]["text"]  # the remediation steps
    tiny = {rule["id"]: rule for rule in sarif["runs"][1]["tool"]["driver"]["rules"]}
    assert tiny["log-retention-minimum"]["defaultConfiguration"]["level"] == "warning"


def test_each_result_points_at_its_rule_and_the_line_that_declared_the_resource(runs):
    sarif, _ = runs
    program = (NONCOMPLIANT / "__main__.py").read_text().splitlines()
    for run in sarif["runs"]:
        rules = run["tool"]["driver"]["rules"]
        for res in run["results"]:
            assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
            physical = res["locations"][0]["physicalLocation"]
            assert physical["artifactLocation"]["uri"] == "tests/fixtures/noncompliant/__main__.py"
            name = res["locations"][0]["logicalLocations"][0]["name"]
            assert physical["region"]["startLine"] == declaring_line(program, name)
            assert res["partialFingerprints"]["primaryLocationLineHash"]


def declaring_line(program: list[str], name: str) -> int:
    """The line of the `aws.<module>.<Type>(` call whose first argument is the name `name`."""
    index = next(i for i, line in enumerate(program) if f'"{name}"' in line)
    while "aws." not in program[index]:
        index -= 1
    return index + 1


def test_an_unwritable_sarif_path_is_a_one_line_error(tmp_path):
    result = preview_noncompliant(
        "--policy-pack",
        TINY_PACK,
        "--sarif",
        tmp_path / "missing" / "x.sarif",
    )
    assert result.code == 2
    assert result.stderr.strip().splitlines() == [
        f"error: --sarif {tmp_path / 'missing' / 'x.sarif'}: cannot write (No such file or directory)"
    ]


@pytest.mark.parametrize("which", ["stack", "project", "policy-config", "lookups", "symlink"])
def test_sarif_never_overwrites_a_file_the_run_reads(tmp_path, which):
    project = tmp_path / "p"
    project.mkdir()
    for name in ("Pulumi.yaml", "Pulumi.ci.yaml", "__main__.py"):
        (project / name).write_bytes((NONCOMPLIANT / name).read_bytes())
    config = tmp_path / "config.json"
    config.write_text("{}\n")
    lookups = tmp_path / "lookups.yaml"
    lookups.write_text("[]\n")
    (tmp_path / "link.yaml").symlink_to(project / "Pulumi.ci.yaml")
    target = {
        "stack": tmp_path / "p" / ".." / "p" / "Pulumi.ci.yaml",
        "project": project / "Pulumi.yaml",
        "policy-config": config,
        "lookups": lookups,
        "symlink": tmp_path / "link.yaml",
    }[which]
    before = {path: path.read_bytes() for path in (*project.iterdir(), config, lookups)}
    result = preview(
        "--stack", "ci", "--cwd", project, "--policy-pack", TINY_PACK,
        "--policy-pack-config", config, "--lookups", lookups, "--sarif", target,
    )  # fmt: skip
    assert result.code == 2, result.stderr
    assert result.stderr.count("\n") == 1 and f"--sarif {target}: is " in result.stderr
    assert "this run reads" in result.stderr
    assert {path: path.read_bytes() for path in before} == before
