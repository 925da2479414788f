"""The table of AWS-managed policies that can start a pipeline: how it is generated, what it holds,
and how `execution-role-ip-restricted` uses it for attachments.

Generation is pinned on `tests/fixtures/mamip_sample`, a small dataset in MAMIP's layout whose
policies (invented names beside AdministratorAccess and AWSCodePipeline_ReadOnlyAccess) each
exercise one rule: wildcards, NotAction, Resource and NotResource against pipeline ARNs, Denies,
case, an unlisted policy, and a deprecated one whose file was emptied. The vendored table is pinned
on members the real dataset shows.
"""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from cicd_guardrails.rules.iam.execution_role import POLICIES, POLICY_NAME, START_PIPELINE
from cicd_guardrails.support.iam.managed_policies import (
    TABLE_PATH,
    dataset_revision,
    granting_document,
    granting_policies,
)
from tests.support.analyzer_harness import (
    analyze,
    assert_no_violations,
    assert_violation,
    resource,
)
from tools.refresh_managed_policies import action_arn_formats, main

SAMPLE = Path(__file__).resolve().parents[3] / "fixtures" / "mamip_sample"
RETIRED = "RetiredPipelineAccess"
CONFIG = {POLICY_NAME: {"allowedCidrs": ["192.0.2.0/24"]}}
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "dataset",
    "GIT_AUTHOR_EMAIL": "dataset@example.com",
    "GIT_COMMITTER_NAME": "dataset",
    "GIT_COMMITTER_EMAIL": "dataset@example.com",
    "GIT_CONFIG_GLOBAL": "/dev/null",
}


def allow(action, resource="*", element="Resource", **extra):
    return {"Effect": "Allow", "Action": [action], element: [resource], **extra}


def expected_rows(retired_commit):
    return {
        "AdministratorAccess": _row("/", "v1", [allow("*")]),
        "ProjectEventsServiceRolePolicy": _row(
            "/service-role/",
            "v3",
            [
                allow(
                    START_PIPELINE,
                    "arn:aws:codepipeline:*:*:project-*",
                    Sid="StartProjectPipelines",
                )
            ],
        ),
        "MixedResourcesAccess": _row(
            "/",
            "v1",
            [allow("codepipeline:*", "arn:aws:codepipeline:us-east-1:111122223333:release")],
        ),
        "EverythingButCommercialPipelines": _row(
            "/", "v1", [allow("codepipeline:*", "arn:aws:codepipeline:*", element="NotResource")]
        ),
        "PowerOperator": _row(
            "/job-function/",
            "v4",
            [{"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": ["*"]}],
        ),
        "OfficeOnlyStarts": _row(
            "/",
            "v2",
            [
                allow(
                    START_PIPELINE, Condition={"StringEquals": {"aws:ResourceTag/team": ["web"]}}
                ),
                {
                    "Sid": "OutsideOffice",
                    "Effect": "Deny",
                    "Action": ["codepipeline:*"],
                    "Resource": ["*"],
                    "Condition": {"NotIpAddress": {"aws:SourceIp": ["192.0.2.0/24"]}},
                },
            ],
        ),
        "LowerCaseActions": _row(
            "/", "v1", [allow("CodePipeline:startPipelineExecution", "arn:aws:codepipeline:*:*:*")]
        ),
        "UnlistedStarter": _row(None, "v1", [allow("codepipeline:Start*")]),
        RETIRED: {
            **_row(None, "v7", [allow("codepipeline:*")]),
            "deprecated": True,
            "documentFromCommit": retired_commit,
        },
    }


def _row(path, version, statements):
    return {"path": path, "version": version, "deprecated": False, "statements": statements}


def git(root, *args):
    result = subprocess.run(
        ["git", "-C", str(root), *args],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **GIT_IDENTITY},
    )
    return result.stdout.strip()


@pytest.fixture
def sample_checkout(tmp_path):
    """The sample as a git checkout whose history holds the retired policy's last version."""
    root = tmp_path / "mamip"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns("history"))
    git(root, "init", "-q")
    shutil.copy(SAMPLE / "history" / RETIRED, root / "policies" / RETIRED)
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "policies as published")
    retired_commit = git(root, "rev-parse", "HEAD")
    (root / "policies" / RETIRED).write_text("")
    git(root, "commit", "-q", "-am", f"{RETIRED} deprecated")
    return root, retired_commit


def refresh(*args, output):
    return main([*map(str, args), "--output", str(output)])


# --- generation -----------------------------------------------------------------------------------
def test_refresh_keeps_exactly_the_policies_and_statements_that_can_start_a_pipeline(
    sample_checkout, tmp_path, capsys
):
    root, retired_commit = sample_checkout
    output = tmp_path / "table.json"
    assert refresh(root, output=output) == 0
    table = json.loads(output.read_text())
    assert table["policies"] == expected_rows(retired_commit)
    assert table["dataset"] == {
        "source": "https://github.com/z0ph/MAMIP",
        "commit": git(root, "rev-parse", "HEAD"),
        "date": git(root, "log", "-1", "--format=%cI"),
        "policyDocuments": 14,
    }
    assert table["action"] == START_PIPELINE
    assert capsys.readouterr().out.startswith(
        f"9 of 14 AWS-managed policies can grant {START_PIPELINE}"
    )


def test_a_dataset_that_is_not_a_checkout_needs_its_commit_and_date(tmp_path, capsys):
    dataset = tmp_path / "copy"
    shutil.copytree(SAMPLE, dataset, ignore=shutil.ignore_patterns("history"))
    (dataset / "policies" / RETIRED).unlink()
    with pytest.raises(SystemExit) as exit_:
        refresh(dataset, output=tmp_path / "t.json")
    assert exit_.value.code == 2
    assert (
        "is not a git checkout; give --commit and --date of the dataset" in capsys.readouterr().err
    )
    assert (
        refresh(dataset, "--commit", "abc123", "--date", "2025-01-01", output=tmp_path / "t.json")
        == 0
    )
    table = json.loads((tmp_path / "t.json").read_text())
    assert (table["dataset"]["commit"], table["dataset"]["date"]) == ("abc123", "2025-01-01")
    assert RETIRED not in table["policies"] and "AdministratorAccess" in table["policies"]


def test_an_emptied_policy_without_history_is_a_one_line_error(tmp_path, capsys):
    dataset = tmp_path / "copy"
    shutil.copytree(SAMPLE, dataset, ignore=shutil.ignore_patterns("history"))
    with pytest.raises(SystemExit) as exit_:
        refresh(dataset, "--commit", "abc", "--date", "2025-01-01", output=tmp_path / "t.json")
    error = capsys.readouterr().err
    assert exit_.value.code == 1
    assert error == (
        f"tools/refresh_managed_policies.py: error: policies/{RETIRED} is empty and {dataset} is "
        "not a git checkout; clone it with its history: git clone https://github.com/z0ph/MAMIP\n"
    )
    assert not (tmp_path / "t.json").exists()


def test_a_document_the_model_cannot_read_stops_the_refresh(sample_checkout, tmp_path, capsys):
    root, _ = sample_checkout
    (root / "policies" / "Broken").write_text(
        json.dumps(
            {"PolicyVersion": {"VersionId": "v1", "Document": {"Statement": [{"Effect": "Allow"}]}}}
        )
    )
    with pytest.raises(SystemExit):
        refresh(root, output=tmp_path / "t.json")
    assert "policies/Broken statement 1 must have exactly one of Action or NotAction" in (
        capsys.readouterr().err
    )


def test_a_dataset_path_that_is_not_a_directory_is_a_usage_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        refresh(tmp_path / "missing", output=tmp_path / "t.json")
    assert exit_.value.code == 2
    assert capsys.readouterr().err == (
        f"tools/refresh_managed_policies.py: error: {tmp_path / 'missing'} is not a directory; "
        "pass a checkout of github.com/z0ph/MAMIP; see tools/refresh_managed_policies.py --help\n"
    )


# --- the vendored table -----------------------------------------------------------------------------
def test_vendored_table_names_its_dataset_and_matches_the_pack():
    revision = dataset_revision()
    assert revision["source"] == "https://github.com/z0ph/MAMIP"
    assert re.fullmatch(r"[0-9a-f]{40}", revision["commit"]), revision
    assert revision["policyDocuments"] > 1000  # every AWS-managed policy, not a sample
    table = json.loads(TABLE_PATH.read_text())
    assert table["action"] == START_PIPELINE
    assert (
        table["resourceArnFormats"]
        == action_arn_formats(START_PIPELINE)
        == ["arn:${Partition}:codepipeline:${Region}:${Account}:${PipelineName}"]
    )


@pytest.mark.parametrize(
    "name",
    [
        "AdministratorAccess",
        "PowerUserAccess",
        "AWSCodePipeline_FullAccess",
        "AWSCodePipelineFullAccess",  # deprecated, still attached where it was
        "job-function/SystemAdministrator",
        "service-role/AWSCodeStarServiceRole",
        "service-role/AmazonSageMakerServiceCatalogProductsEventsServiceRolePolicy",
        "AmazonSageMakerAdmin-ServiceCatalogProductsServiceRolePolicy",
    ],
)
def test_vendored_table_holds_the_policies_that_grant_the_action(name):
    assert name in granting_policies()


@pytest.mark.parametrize(
    "name",
    [
        "ReadOnlyAccess",
        "AWSCodePipeline_ReadOnlyAccess",
        "AWSCodePipelineApproverAccess",
        "job-function/ViewOnlyAccess",
    ],
)
def test_vendored_table_leaves_out_policies_that_cannot_start_a_pipeline(name):
    assert granting_document(f"arn:aws:iam::aws:policy/{name}") is None


# --- attachments through the analyzer ----------------------------------------------------------------
CODESTAR_ROLE = "service-role/AWSCodeStarServiceRole"
SAGEMAKER_EVENTS = "service-role/AmazonSageMakerServiceCatalogProductsEventsServiceRolePolicy"
HARMLESS = "AWSCodePipeline_ReadOnlyAccess"
ATTACHMENTS = [
    ("aws:iam/rolePolicyAttachment:RolePolicyAttachment", {"role": "deployer"}),
    ("aws:iam/userPolicyAttachment:UserPolicyAttachment", {"user": "release-manager"}),
    ("aws:iam/groupPolicyAttachment:GroupPolicyAttachment", {"group": "releasers"}),
]


def attach(type_, owner, arn):
    return analyze(POLICIES, [resource(type_, "attach", {**owner, "policyArn": arn})], CONFIG)


def refusal(path, name, arn):
    return (
        f"{path} attaches the AWS-managed policy {name} ({arn}), which allows {START_PIPELINE} "
        "without an aws:SourceIp condition"
    )


@pytest.mark.parametrize(("type_", "owner"), ATTACHMENTS)
@pytest.mark.parametrize("partition", ["aws", "aws-us-gov", "aws-cn"])
@pytest.mark.parametrize("name", [CODESTAR_ROLE, SAGEMAKER_EVENTS, "AWSCodePipelineFullAccess"])
def test_attaching_a_service_role_policy_that_starts_pipelines_is_refused(
    type_, owner, partition, name
):
    arn = f"arn:{partition}:iam::aws:policy/{name}"
    assert_violation(attach(type_, owner, arn), POLICY_NAME, refusal("policyArn", name, arn))


@pytest.mark.parametrize(("type_", "owner"), ATTACHMENTS)
@pytest.mark.parametrize("partition", ["aws", "aws-us-gov", "aws-cn"])
def test_attaching_a_read_only_policy_passes(type_, owner, partition):
    arn = f"arn:{partition}:iam::aws:policy/{HARMLESS}"
    assert_no_violations(attach(type_, owner, arn), POLICY_NAME)


def test_a_role_listing_a_granting_policy_in_managed_policy_arns_is_refused_and_its_twin_passes():
    def role(*arns):
        props = {"name": "deployer", "assumeRolePolicy": "{}", "managedPolicyArns": list(arns)}
        return analyze(POLICIES, [resource("aws:iam/role:Role", "deployer", props)], CONFIG)

    granting = f"arn:aws-us-gov:iam::aws:policy/{CODESTAR_ROLE}"
    harmless = f"arn:aws-us-gov:iam::aws:policy/{HARMLESS}"
    assert_violation(
        role(harmless, granting),
        POLICY_NAME,
        refusal("managedPolicyArns[1]", CODESTAR_ROLE, granting),
    )
    assert_no_violations(role(harmless), POLICY_NAME)


def test_odd_casing_or_a_wrong_path_still_names_the_policy():
    for arn in (
        "arn:aws-cn:iam::aws:policy/service-role/awscodestarservicerole",
        "arn:aws:iam::aws:policy/AWSCodeStarServiceRole",  # path left out
    ):
        found = granting_document(arn)
        assert found is not None and found[0] == CODESTAR_ROLE, arn
    assert granting_document("arn:aws:iam::123456789012:policy/AWSCodeStarServiceRole") is None


def test_readme_states_the_vendored_tables_figures():
    readme = (SAMPLE.parent.parent.parent / "README.md").read_text()
    revision = dataset_revision()
    figures = (
        f"{len(granting_policies())} of {revision['policyDocuments']} at MAMIP commit "
        f"`{revision['commit'][:7]}`, {revision['date'][:10]}"
    )
    assert figures in " ".join(readme.split()), (
        f"update the README's managed-policy figures: {figures}"
    )
