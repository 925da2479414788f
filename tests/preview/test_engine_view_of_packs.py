"""What a pack receives and what is printed match the engine: stack tags, the stack as the resource of
a stack policy's violation, and a policy that raises named with its pack and resource."""

import json
import subprocess

import pytest

from offline_preview.stack_tags import vcs_info
from tests.support.preview_runs import (
    NONCOMPLIANT,
    OUR_PACK,
    TINY_PACK,
    assert_one_line_error,
    preview,
    preview_noncompliant,
    write_project,
)

PACK_HEADER = (
    "import json\n"
    "from pulumi_policy import (EnforcementLevel, PolicyPack, ResourceValidationPolicy,\n"
    "    StackValidationPolicy)\n"
)
# One stack policy that reports the stack tags it was given, without naming a resource.
TAGS_PACK = (
    PACK_HEADER
    + "def tags(args, report):\n    report(json.dumps(dict(args.stack_tags), sort_keys=True))\n"
    + "PolicyPack(name='tags', enforcement_level=EnforcementLevel.ADVISORY, policies=["
    + "StackValidationPolicy(name='report-tags', description='Reports the tags.', validate=tags)])\n"
)
RAISING_PACK = (
    PACK_HEADER
    + "def fine(args, report):\n    pass\n"
    + "def broken(args, report):\n"
    + "    if args.resource_type == 'aws:s3/bucket:Bucket':\n"
    + "        raise KeyError('serverSideEncryptionConfiguration')\n"
    + "def broken_stack(args, report):\n    raise ValueError('no resources of interest')\n"
    + "PolicyPack(name='raising', enforcement_level=EnforcementLevel.MANDATORY, policies=["
    + "ResourceValidationPolicy(name='fine-first', description='Fine.', validate=fine),"
    + "ResourceValidationPolicy(name='reads-a-missing-key', description='Raises.', validate=broken),"
    + "StackValidationPolicy(name='stack-raises', description='Raises.', validate=broken_stack,"
    + " enforcement_level=EnforcementLevel.%s)])\n"
)
PROGRAM = "import pulumi_aws as aws\naws.s3.Bucket('artifacts')\n"


def write_pack(directory, main: str):
    directory.mkdir(parents=True)
    (directory / "PulumiPolicy.yaml").write_text("runtime: python\n")
    (directory / "__main__.py").write_text(main)
    return directory


def reported_tags(result) -> dict:
    assert result.code == 0, result.stderr
    [violation] = result.json()["policyViolations"]
    return json.loads(violation["message"].splitlines()[-1])


def test_stack_tags_as_the_cli_computes_them(tmp_path):
    project = write_project(
        tmp_path / "shop", PROGRAM, "config:\n  pulumi:tags: {team: payments}\n"
    )
    (project / "Pulumi.yaml").write_text("name: shop\nruntime: python\ndescription: The shop\n")
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    subprocess.run(
        ["git", "-C", str(project), "remote", "add", "origin", "git@github.com:acme/shop.git"],
        check=True,
    )
    pack = write_pack(tmp_path / "tags-pack", TAGS_PACK)
    tags = reported_tags(
        preview("--stack", "test", "--cwd", project, "--policy-pack", pack, "--json")
    )
    assert tags == {
        "pulumi:project": "shop",
        "pulumi:runtime": "python",
        "pulumi:description": "The shop",
        "team": "payments",
        "vcs:owner": "acme",
        "vcs:repo": "shop",
        "vcs:kind": "github.com",
    }


def test_without_a_description_or_git_there_are_only_project_tags(tmp_path):
    project = write_project(tmp_path / "plain", PROGRAM)
    pack = write_pack(tmp_path / "tags-pack", TAGS_PACK)
    tags = reported_tags(
        preview("--stack", "test", "--cwd", project, "--policy-pack", pack, "--json")
    )
    assert tags == {"pulumi:project": "scratch", "pulumi:runtime": "python"}


def test_bad_pulumi_tags_config_is_a_one_line_error(tmp_path):
    project = write_project(tmp_path / "p", PROGRAM, "config:\n  pulumi:tags: {team: 7}\n")
    pack = write_pack(tmp_path / "tags-pack", TAGS_PACK)
    result = preview("--stack", "test", "--cwd", project, "--policy-pack", pack)
    assert_one_line_error(result, "Pulumi.test.yaml: pulumi:tags[team] must be a string")


@pytest.mark.parametrize(
    ("remote", "expected"),
    [
        ("https://github.com/acme/shop.git", ("acme", "shop", "github.com")),
        ("https://gitlab.com/acme/platform/shop", ("acme", "platform/shop", "gitlab.com")),
        ("git@bitbucket.org:acme/shop.git", ("acme", "shop", "bitbucket.org")),
        ("https://dev.azure.com/acme/shop/_git/api", ("acme", "shop/_git/api", "dev.azure.com")),
        ("https://dev.azure.com/acme/shop/api", ("acme", "shop/_git/api", "dev.azure.com")),
        ("https://acme.visualstudio.com/shop/_git/api", ("acme", "shop/_git/api", "dev.azure.com")),
        ("/srv/git/shop.git", None),
        ("https://github.com/", None),
    ],
)
def test_vcs_tags_from_the_origin_url(remote, expected):
    assert vcs_info(remote) == expected


def test_a_stack_policy_violation_without_a_urn_names_the_stack(tmp_path):
    project = write_project(tmp_path / "plain", PROGRAM)
    pack = write_pack(tmp_path / "tags-pack", TAGS_PACK)
    result = preview("--stack", "test", "--cwd", project, "--policy-pack", pack)
    assert "- [advisory]  report-tags  (pulumi:pulumi:Stack: scratch-test)" in result.stdout


def test_a_policy_that_raises_in_analyze_is_named_with_its_pack_and_resource(tmp_path):
    pack = write_pack(tmp_path / "raising", RAISING_PACK % "DISABLED")
    result = preview("--stack", "ci", "--cwd", NONCOMPLIANT, "--policy-pack", pack, "--json")
    assert_one_line_error(
        result,
        "policy reads-a-missing-key of pack raising@v0.0.1 raised in Analyze of "
        "urn:pulumi:ci::noncompliant-pipeline::fixture:index:Delivery$aws:s3/bucket:Bucket::artifacts: "
        "'serverSideEncryptionConfiguration'",
    )


def test_a_stack_policy_that_raises_is_named_too(tmp_path):
    program = "import pulumi_aws as aws\naws.cloudwatch.LogGroup('logs')\n"
    pack = write_pack(tmp_path / "raising", RAISING_PACK % "MANDATORY")
    result = preview(
        "--stack", "test", "--cwd", write_project(tmp_path / "p", program), "--policy-pack", pack
    )
    assert_one_line_error(
        result,
        "policy stack-raises of pack raising@v0.0.1 raised in AnalyzeStack of "
        "urn:pulumi:test::scratch::pulumi:pulumi:Stack::scratch-test: no resources of interest",
    )


def test_violation_lines_are_shaped_and_ordered_like_the_clis(tmp_path):
    result = preview_noncompliant(
        "--policy-pack",
        TINY_PACK,
        "--policy-pack",
        OUR_PACK,
    )
    lines = result.stdout.splitlines()
    headers = [line for line in lines if line.startswith("    ") and "(local: " in line]
    assert [h.split()[1] for h in headers] == sorted(
        h.split()[1] for h in headers
    )  # by name@version
    assert headers[0].startswith("    ❌ cicd-guardrails@v")
    start = lines.index(headers[0])
    end = lines.index(headers[1])
    items = [line for line in lines[start + 1 : end] if line.startswith("        - ")]
    keys = [(line.split("]")[0].split("[")[1], line.split()[2]) for line in items]
    # Mandatory before advisory (progress.go, enforcementRank), then by policy name.
    rank = {"mandatory": 1, "advisory": 2}
    assert keys == sorted(keys, key=lambda key: (rank[key[0]], key[1]))
    assert {level for level, _ in keys} == {"mandatory", "advisory"}
    first = lines.index(items[0])
    assert lines[first + 1].startswith("          ") and not lines[first + 1].startswith(
        "           "
    )
    assert all(" (" in line and line.endswith(")") for line in items)


def test_a_pack_that_dies_during_analyze_is_reported_with_its_last_words(tmp_path):
    dying = (
        PACK_HEADER
        + "import os, sys\n"
        + "def die(args, report):\n"
        + "    if args.resource_type == 'aws:s3/bucket:Bucket':\n"
        + "        print('out of memory (simulated)', file=sys.stderr, flush=True)\n"
        + "        os._exit(3)\n"
        + "PolicyPack(name='dying', enforcement_level=EnforcementLevel.MANDATORY, policies=["
        + "ResourceValidationPolicy(name='dies', description='Dies.', validate=die)])\n"
    )
    pack = write_pack(tmp_path / "dying", dying)
    result = preview("--stack", "ci", "--cwd", NONCOMPLIANT, "--policy-pack", pack)
    assert_one_line_error(
        result, "policy pack dying exited during Analyze: out of memory (simulated)"
    )
