"""A release waiting for a manual approval: what waits, since when, who may answer and how."""

import json

from tests.support.troubleshoot_scenarios import (
    APPROVAL_TOKEN,
    RUNNING_EXECUTION,
    stage_pending_approval,
)

APPROVAL_RESOURCE = (
    "arn:aws:codepipeline:us-east-1:123456789012:guarded-delivery-prod-web/Approval/Approval"
)


def test_pending_approval_says_what_is_waiting_and_exits_0(aws, run_command):
    stage_pending_approval(aws)

    code, out, err = run_command("prod")

    assert (code, err) == (0, "")
    assert (
        "guarded-delivery-prod-web (stack prod, service web, us-east-1): in progress, nothing failed"
        in out
    )
    assert (
        "WAITING for approval: stage Approval, action Approval since 2026-12-01 18:02:11 UTC" in out
    )
    assert f"execution {RUNNING_EXECUTION}, token {APPROVAL_TOKEN}" in out
    assert "asks: Approve releasing web (prod)." in out
    assert (
        "request sent to: arn:aws:sns:us-east-1:123456789012:guarded-delivery-prod-notifications"
        in out
    )
    assert (
        f"who may approve: identities allowed codepipeline:PutApprovalResult on {APPROVAL_RESOURCE}"
        in out
    )
    assert (
        "aws codepipeline put-approval-result --pipeline-name guarded-delivery-prod-web "
        f"--stage-name Approval --action-name Approval --token {APPROVAL_TOKEN} "
        "--result summary=<why>,status=Approved --region us-east-1"
    ).replace("summary=<why>,status=Approved", "'summary=<why>,status=Approved'") in out
    assert "FAILED" not in out
    aws.assert_all_stubs_used()


def test_pending_approval_in_json(aws, run_command):
    stage_pending_approval(aws)

    code, out, _ = run_command("prod", "--json")

    document = json.loads(out)
    assert code == document["exitCode"] == 0
    assert document["verdict"] == "in-progress"
    [approval] = document["pendingApprovals"]
    assert approval["token"] == APPROVAL_TOKEN
    assert approval["approvalResource"] == APPROVAL_RESOURCE
    assert approval["waitingSince"] == "2026-12-01T18:02:11Z"
    assert approval["reviewLink"].endswith(
        "/pipelines/guarded-delivery-prod-web/view?region=us-east-1"
    )


def test_in_parallel_mode_the_token_comes_from_the_approvals_external_execution_id(
    aws, run_command
):
    stage_pending_approval(aws, parallel_mode=True)

    code, out, _ = run_command("prod", "--json")

    [approval] = json.loads(out)["pendingApprovals"]
    assert code == 0
    assert approval["token"] == APPROVAL_TOKEN
    assert approval["waitingSince"] == "2026-12-01T18:02:11Z"
    assert f"--token {APPROVAL_TOKEN}" in approval["approveCommand"]
