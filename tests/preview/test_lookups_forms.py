"""A `--lookups` entry matches the forms a user writes for a string argument: an unquoted account id
is its digits; one whose leading zero YAML dropped cannot match, and the error says to quote it."""

import json

import pytest

from tests.support.preview_runs import assert_one_line_error, preview, write_project

GET_AMI = "aws:ec2/getAmi:getAmi"
PROGRAM = """\
import pulumi
import pulumi_aws as aws

ami = aws.ec2.get_ami(most_recent=True, owners=["{owner}"])
pulumi.export("ami", ami.id)
"""


def run(tmp_path, owner: str, lookups: str, suffix: str = ".yaml"):
    project = write_project(tmp_path / "p", PROGRAM.format(owner=owner))
    path = tmp_path / f"lookups{suffix}"
    path.write_text(lookups)
    return preview("--stack", "test", "--cwd", project, "--json", "--lookups", path)


@pytest.mark.parametrize(
    ("lookups", "suffix"),
    [
        (f"- token: {GET_AMI}\n  args: {{owners: [123456789012]}}\n  result: {{id: ami-0abc}}\n", ".yaml"),
        (json.dumps([{"token": GET_AMI, "args": {"owners": [123456789012]}, "result": {"id": "ami-0abc"}}]), ".json"),
    ],
)  # fmt: skip
def test_an_unquoted_account_id_matches_the_string_the_call_passes(tmp_path, lookups, suffix):
    result = run(tmp_path, "123456789012", lookups, suffix)
    assert result.code == 0, result.stderr
    assert result.json()["outputs"] == {"ami": "ami-0abc"}


def test_another_number_still_does_not_match_and_the_error_names_the_argument(tmp_path):
    lookups = (
        f"- token: {GET_AMI}\n  args: {{owners: [123456789013]}}\n  result: {{id: ami-0abc}}\n"
    )
    assert_one_line_error(
        run(tmp_path, "123456789012", lookups),
        'in --lookups, entry 1 has this token but args.owners[0] is 123456789013 in the entry, '
        '"123456789012" in the call',
        "record the answer in a --lookups file",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("owner", "lost"),
    [
        ("099720109477", "dropped its leading zero"),  # Canonical's account: a float to YAML
        ("012345670123", "read it as the octal number 1402433619"),
    ],
)
def test_a_leading_zero_yaml_dropped_is_named_with_the_fix(tmp_path, owner, lost):
    unquoted = f"- token: {GET_AMI}\n  args: {{owners: [{owner}]}}\n  result: {{id: ami-0abc}}\n"
    assert_one_line_error(
        run(tmp_path, owner, unquoted),
        f'args.owners[0] is the string "{owner}" in the call, and YAML {lost} in the file: '
        f'quote it ("{owner}")',
    )
    quoted = unquoted.replace(f"[{owner}]", f'["{owner}"]')
    result = run(tmp_path, owner, quoted)
    assert result.code == 0, result.stderr
    assert result.json()["outputs"] == {"ami": "ami-0abc"}
