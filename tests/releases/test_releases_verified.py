"""Verified releases (exit 0): what runs, where it came from, who let it in, and which key says so.

dev builds and signs its releases; staging deploys what dev published, prod what staging published
(`conftest.UPSTREAM`), each vouched for by the upstream's signed deployment record.
"""

import json

from tests.support.release_scenarios import (
    ACCOUNT,
    APPROVER,
    COMMIT,
    EXECUTIONS,
    IMAGE_DIGEST,
    build_id,
    pipeline,
    sha256,
    summary,
)

KEYS = {
    stack: f"arn:aws:kms:us-east-1:{ACCOUNT}:alias/guarded-delivery-{stack}-release-signing"
    for stack in ("dev", "staging", "prod")
}
CHAIN = ["dev", "staging", "prod"]


def block(out: str, heading: str) -> list[str]:
    """The lines of one service's block, from its heading to the blank line after it."""
    lines = out.splitlines()
    start = lines.index(heading)
    return lines[start : lines.index("", start)]


def manifest_of(files: dict[str, bytes]) -> dict:
    return json.loads(files["manifest.json"])


def test_a_release_built_here_verifies_with_the_stacks_own_key(history, run_releases):
    files = history.built("dev", "web")
    history.deployed("dev", "web", files)
    manifest = manifest_of(files)

    code, out, err = run_releases("dev", "--service", "web")

    assert (code, err) == (0, "")
    assert block(out, "dev/web: verified") == [
        "dev/web: verified",
        "  pipeline   guarded-delivery-dev-web (us-east-1; names from Pulumi.dev.yaml and account "
        f"{ACCOUNT})",
        f"  execution  {EXECUTIONS['dev']} Succeeded, finished 2026-12-01 18:20:11 UTC, started "
        "by CloudWatchEvent push to main",
        f"  commit     {COMMIT} (guarded-delivery-dev-MyDemoRepo@main)",
        f"  build      {build_id('dev', 'web')}",
        f"  artifact   BuildOutput sha256 {manifest['artifacts']['BuildOutput']['sha256']}",
        "  image      none",
        "  scan       pass (CRITICAL 0, HIGH 0, MEDIUM 1, LOW 2, OTHER 0)",
        f"  sbom       sha256 {manifest['sbom']['sha256']}",
        f"  manifest   sha256 {sha256(files['manifest.json'])}, created 2026-12-01T18:06:11Z",
        "  approved   no approval in this execution",
        "  signature  verified: manifest.json with this stack's release key",
        f"  key        {KEYS['dev']} (signed by {history.key_arns['dev']})",
    ]
    assert out.splitlines()[-15] == "1 release(s): 1 verified"


def test_a_promoted_release_shows_its_upstream_and_who_approved_it(history, run_releases):
    files = history.promoted(CHAIN, "web")
    history.deployed("prod", "web", files, approved=True)

    code, out, err = run_releases("prod", "--service", "web")

    assert (code, err) == (0, "")
    lines = block(out, "prod/web: verified")
    assert lines[4:6] == [
        f"  build      {build_id('dev', 'web')}",
        f"  artifact   BuildOutput sha256 {manifest_of(files)['artifacts']['BuildOutput']['sha256']}",
    ]
    assert lines[-6:] == [
        f"  promoted   from staging: execution {EXECUTIONS['staging']} of "
        "guarded-delivery-staging-web, deployed 2026-12-01T18:22:11Z",
        f"  built      in dev: execution {EXECUTIONS['dev']} of guarded-delivery-dev-web",
        "  earlier    deployment record(s) of dev carried along (not verified here)",
        f'  approved   by {APPROVER} at 2026-12-01 18:11:11 UTC (Succeeded): "Checked the '
        'canary dashboard and the change ticket CHG-2291."',
        "  signature  verified: deployment.json with staging's release key (promoteFrom; same "
        "account, by alias)",
        f"  key        {KEYS['staging']} (signed by {history.key_arns['staging']})",
    ]


def test_every_read_is_printed_as_the_aws_cli_command_that_repeats_it(history, run_releases):
    history.deployed("prod", "web", history.promoted(CHAIN, "web"), approved=True)

    _, out, _ = run_releases("prod", "--service", "web")

    lines = out.split("AWS CLI behind each read:\n")[1].splitlines()
    assert [line.strip() for line in lines[1::2]] == [
        "aws sts get-caller-identity --region us-east-1",
        "aws codepipeline list-pipeline-executions --pipeline-name guarded-delivery-prod-web "
        "--max-items 200 --region us-east-1",
        "aws codepipeline list-action-executions --pipeline-name guarded-delivery-prod-web "
        f"--filter pipelineExecutionId={EXECUTIONS['prod']} --region us-east-1",
        "aws s3api get-object --bucket guarded-delivery-prod-artifacts-123456789012-us-east-1 "
        "--key guarded-delivery-pro/ReleaseOut/5a3c6f1 ReleaseOutput.zip --region us-east-1",
        f"aws kms describe-key --key-id {KEYS['staging']} --region us-east-1",
        f"aws kms verify --key-id {KEYS['staging']} --message fileb://deployment.sha256 "
        "--message-type DIGEST --signature fileb://deployment.sig --signing-algorithm "
        "ECDSA_SHA_256 --region us-east-1",
    ]
    assert lines[10].strip() == (
        "6. verify the signature of deployment.json with the trusted key (deployment.sha256: "
        "`openssl dgst -sha256 -binary deployment.json`; deployment.sig: `jq -r .signature "
        "deployment.sig.json | base64 -d`)"
    )


def test_the_json_document_has_the_release_its_origin_approval_and_signature(history, run_releases):
    files = history.promoted(CHAIN, "web")
    history.deployed("prod", "web", files, approved=True)

    code, out, err = run_releases("prod", "--service", "web", "--json")

    assert (code, err) == (0, "")
    document = json.loads(out)
    assert (document["exitCode"], document["counts"]) == (
        0,
        {"verified": 1, "not-verified": 0, "no-manifest": 0, "nothing-deployed": 0},
    )
    (release,) = document["releases"]
    assert {key: release[key] for key in ("stack", "service", "region", "pipeline", "verdict")} == {
        "stack": "prod",
        "service": "web",
        "region": "us-east-1",
        "pipeline": pipeline("prod", "web"),
        "verdict": "verified",
    }
    assert (
        release["pipelineArn"]
        == f"arn:aws:codepipeline:us-east-1:{ACCOUNT}:{pipeline('prod', 'web')}"
    )
    assert release["namesFrom"] == f"Pulumi.prod.yaml and account {ACCOUNT}"
    assert (release["problems"], release["notes"]) == ([], [])
    assert release["search"] == {"lookedAt": 1, "complete": True, "limit": 200, "newer": []}
    assert release["execution"] == {
        "executionId": EXECUTIONS["prod"],
        "status": "Succeeded",
        "started": "2026-12-01T18:02:11Z",
        "finished": "2026-12-01T18:20:11Z",
        "trigger": "CloudWatchEvent push to main",
        "sourceRevision": COMMIT,
        "rollbackOf": "",
    }
    assert release["buildId"] == ""  # a promoted release builds nothing here
    assert release["approval"] == {
        "stage": "Approval",
        "action": "Approval",
        "status": "Succeeded",
        "approvedBy": APPROVER,
        "at": "2026-12-01T18:11:11Z",
        "summary": "Checked the canary dashboard and the change ticket CHG-2291.",
    }
    assert release["manifest"] == manifest_of(files)
    assert release["manifestSha256"] == sha256(files["manifest.json"])
    assert release["releaseObject"]["artifact"] == "ReleaseOutput"
    assert release["promotedFrom"] == "staging"
    assert release["deploymentRecord"] == json.loads(files["deployment.json"])
    assert release["deploymentRecord"]["pipelineExecutionId"] == EXECUTIONS["staging"]
    assert release["earlierRecords"] == ["dev"]
    assert release["signature"] == {
        "signedFile": "deployment.json",
        "trustedKey": KEYS["staging"],
        "trustedBecause": "staging's release key (promoteFrom; same account, by alias)",
        "signedBy": history.key_arns["staging"],
        "verified": True,
    }
    assert [step["command"].split()[1:3] for step in document["steps"]] == [
        ["sts", "get-caller-identity"],
        ["codepipeline", "list-pipeline-executions"],
        ["codepipeline", "list-action-executions"],
        ["s3api", "get-object"],
        ["kms", "describe-key"],
        ["kms", "verify"],
    ]


def test_two_stacks_at_once(history, run_releases):
    history.deployed("dev", "web", history.built("dev", "web"))
    history.deployed("prod", "web", history.promoted(CHAIN, "web"), approved=True)

    code, out, err = run_releases("dev", "prod", "--service", "web")

    assert (code, err) == (0, "")
    assert "  approved   no approval in this execution" in block(out, "dev/web: verified")
    prod = "\n".join(block(out, "prod/web: verified"))
    assert f"approved   by {APPROVER}" in prod and "promoted   from staging" in prod
    assert "2 release(s): 2 verified" in out
    assert out.count("aws sts get-caller-identity") == 1  # one account lookup per region


def test_without_stacks_every_stack_file_is_read(history, run_releases):
    history.deployed("dev", "web", history.built("dev", "web"))
    history.deployed("prod", "web", history.promoted(CHAIN, "web"))
    history.deployed("staging", "web", history.promoted(CHAIN[:2], "web"))

    code, out, _ = run_releases("--service", "web")

    assert code == 0
    assert [line for line in out.splitlines() if line.endswith(": verified")] == [
        "dev/web: verified",
        "prod/web: verified",
        "staging/web: verified",
    ]
    assert "  promoted   from dev: execution" in "\n".join(block(out, "staging/web: verified"))
    assert (
        "  note       the stack asks for a manual approval (manualApproval) but execution "
        f"{EXECUTIONS['prod']} recorded none"
    ) in out


def test_text_from_aws_and_from_the_release_cannot_drive_the_terminal(history, run_releases):
    history.deployed(
        "prod",
        "web",
        history.promoted(CHAIN, "web"),
        approved=True,
        approval_comment="ok\x1b]0;pwned\x07\x1b[2J done\r\n",
    )

    code, out, _ = run_releases("prod", "--service", "web")

    assert code == 0
    assert "\x1b" not in out and "\x07" not in out and "\r" not in out
    assert '(Succeeded): "ok done\\x0d\\x0a"' in out


def test_a_pipeline_rollback_runs_the_release_of_the_execution_it_rolled_back_to(
    history, run_releases
):
    rollback = "e0e1e2e3-e4e5-4e6e-8e7e-e8e9eaebeced"
    listed = summary(rollback, "Succeeded") | {
        "executionType": "ROLLBACK",
        "rollbackMetadata": {"rollbackTargetPipelineExecutionId": EXECUTIONS["dev"]},
    }
    history.deployed("dev", "web", history.built("dev", "web"), listed=listed)

    code, out, _ = run_releases("dev", "--service", "web")

    assert code == 0
    lines = block(out, "dev/web: verified")
    assert lines[2].startswith(f"  execution  {rollback} Succeeded")
    assert lines[-1] == (
        f"  note       execution {rollback} is a rollback to execution {EXECUTIONS['dev']}: "
        "that execution's release is what runs"
    )


def test_an_ecs_service_shows_the_image_it_runs_by_digest(history, run_releases):
    files = history.built("dev", "api")
    for _ in range(2):  # once for the text, once for the JSON
        history.deployed("dev", "api", files)

    _, text, _ = run_releases("dev", "--service", "api")
    code, out, _ = run_releases("dev", "--service", "api", "--json")

    assert f"  image      {IMAGE_DIGEST} (guarded-delivery-dev-api)" in text
    assert code == 0
    (release,) = json.loads(out)["releases"]
    assert release["manifest"]["image"]["digest"] == IMAGE_DIGEST
    assert release["manifest"]["image"]["uri"].endswith(f"/guarded-delivery-dev-api@{IMAGE_DIGEST}")
