"""A StackReference is the engine's `read` step: in `--json` as op `read`, in the table only with
`--show-reads` (`> ` / `read`), never counted in `Resources:`, never sent to a policy pack."""

import json

from tests.support.preview_runs import TINY_PACK, preview, write_project

PROGRAM = """\
import pulumi
import pulumi_aws as aws

network = pulumi.StackReference("acme/network/prod")
aws.cloudwatch.LogGroup("logs", retention_in_days=30)
pulumi.export("vpc", network.get_output("vpcId"))
"""
LOOKUPS = """\
lookups:
  - token: pulumi:pulumi:StackReference
    args: {name: acme/network/prod}
    result: {outputs: {vpcId: vpc-0123}}
"""
READ_URN = "urn:pulumi:test::scratch::pulumi:pulumi:StackReference::acme/network/prod"


def _run(tmp_path, *args: str):
    project = write_project(tmp_path / "p", PROGRAM)
    lookups = tmp_path / "lookups.yaml"
    lookups.write_text(LOOKUPS)
    return preview("--stack", "test", "--cwd", project, "--lookups", lookups, *args)


def test_json_has_the_read_step_and_does_not_count_it(tmp_path):
    result = _run(tmp_path, "--json")
    assert result.code == 0, result.stderr
    document = result.json()
    reads = [step for step in document["steps"] if step["op"] == "read"]
    assert [step["urn"] for step in reads] == [READ_URN]
    state = reads[0]["newState"]
    assert state["id"] == "acme/network/prod"
    assert state["external"] is True
    assert state["inputs"] == {"name": "acme/network/prod"}
    assert document["changeSummary"] == {"create": 2}  # the stack and the log group


def test_the_table_shows_reads_only_when_asked(tmp_path):
    hidden = _run(tmp_path)
    assert hidden.code == 0, hidden.stderr
    assert "StackReference" not in hidden.stdout
    shown = _run(tmp_path, "--show-reads")
    assert shown.code == 0, shown.stderr
    row = next(line for line in shown.stdout.splitlines() if "StackReference" in line)
    assert row.startswith(" >   └─ pulumi:pulumi:StackReference") or row.startswith(
        " >   ├─ pulumi:pulumi:StackReference"
    ), row
    assert row.split()[-1] == "read"
    for report in (hidden, shown):
        assert "Resources:\n    + 2 to create\n" in report.stdout


def test_a_read_is_not_sent_to_the_policy_pack(tmp_path):
    """The engine analyzes no read: GenerateReadSteps calls no analyzer and AnalyzeStack ranges
    over `deployment.news`, where a read's state is never stored (pulumi/pulumi
    pkg/resource/deploy/step_generator.go, step_executor.go)."""
    record = tmp_path / "seen.json"
    project = write_project(tmp_path / "p", PROGRAM)
    lookups = tmp_path / "lookups.yaml"
    lookups.write_text(LOOKUPS)
    result = preview(
        "--stack",
        "test",
        "--cwd",
        project,
        "--lookups",
        lookups,
        "--policy-pack",
        TINY_PACK,
        env={"TINY_PACK_RECORD": str(record)},
    )
    assert result.code == 0, result.stderr
    seen = {r["urn"] for r in json.loads(record.read_text())}
    assert READ_URN not in seen
    assert "urn:pulumi:test::scratch::aws:cloudwatch/logGroup:LogGroup::logs" in seen
