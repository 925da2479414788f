"""Public Pulumi programs no one here wrote (pulumi/examples, kept as fixtures) reach the policy stage.

Programs that read nothing from the cloud need nothing else; those that do get a `lookups.yaml`.
"""

import pytest

from tests.support.preview_runs import FIXTURES, TINY_PACK, preview

EXAMPLES = FIXTURES / "public_examples"
NO_CLOUD_READ = ["aws-py-s3-folder", "aws-py-stepfunctions"]
READS_THE_CLOUD = {
    "aws-py-webserver": "aws:ec2/getAmi:getAmi",
    "aws-py-fargate": "aws:ec2/getVpc:getVpc",
    "aws-py-stackreference-team": "pulumi:pulumi:StackReference",
    "aws-py-eks": "aws:index/getAvailabilityZones:getAvailabilityZones",
}


def run(example: str, *extra: str):
    return preview(
        "--stack", "ci", "--cwd", EXAMPLES / example, "--policy-pack", TINY_PACK, "--json", *extra
    )


def assert_reached_the_policies(result) -> dict:
    assert result.code in (0, 5), result.stderr
    document = result.json()
    assert document["policyPacks"][0]["name"] == "tiny-guards"
    assert document["changeSummary"]["create"] > 1
    return document


@pytest.mark.parametrize("example", NO_CLOUD_READ)
def test_a_program_without_cloud_reads_reaches_the_policies(example):
    assert_reached_the_policies(run(example))


def test_the_s3_folder_bucket_is_judged_by_the_pack():
    document = assert_reached_the_policies(run("aws-py-s3-folder"))
    refused = {(v["policyName"], v["resource"]) for v in document["policyViolations"]}
    assert ("bucket-needs-encryption", "aws:s3/bucket:Bucket: s3-website-bucket") in refused
    assert run("aws-py-s3-folder").code == 5


@pytest.mark.parametrize(("example", "token"), READS_THE_CLOUD.items())
def test_a_program_that_reads_the_cloud_names_the_lookup_to_record(example, token):
    result = run(example)
    assert result.code == 2
    assert f"cannot answer {token}" in result.json()["error"]
    assert "record the answer in a --lookups file" in result.stderr


@pytest.mark.parametrize("example", READS_THE_CLOUD)
def test_with_its_lookups_file_it_reaches_the_policies(example):
    assert_reached_the_policies(run(example, "--lookups", EXAMPLES / example / "lookups.yaml"))


def test_recorded_availability_zones_shape_the_program():
    example = "aws-py-eks"
    document = assert_reached_the_policies(
        run(example, "--lookups", EXAMPLES / example / "lookups.yaml")
    )
    # One subnet per recorded zone. The SDK sends registrations asynchronously, so the order in
    # which they reach the monitor varies on a loaded machine: compare the set.
    subnets = [
        step["urn"].rsplit("::", 1)[-1]
        for step in document["steps"]
        if step["newState"]["type"] == "aws:ec2/subnet:Subnet"
    ]
    assert sorted(subnets) == [
        "vpc-subnet-us-west-2a",
        "vpc-subnet-us-west-2b",
        "vpc-subnet-us-west-2c",
    ]


def test_stack_reference_outputs_reach_the_resources():
    example = "aws-py-stackreference-team"
    result = run(example, "--lookups", EXAMPLES / example / "lookups.yaml")
    tags = result.json()["outputs"]["instance_tags"]
    assert tags == {
        "Managed By": "Pulumi",
        "company": "ACME",
        "department": "Platform",
        "team": "platform",
    }


def test_an_unanswered_stack_reference_fails_naming_the_entry_to_add(tmp_path):
    """A read of another stack is a lookup like any other: never unknown values and exit 0."""
    example = EXAMPLES / "aws-py-stackreference-team"
    only_the_ami = tmp_path / "lookups.yaml"
    only_the_ami.write_text("- token: aws:ec2/getAmi:getAmi\n  result: {id: ami-0123456789}\n")
    result = run("aws-py-stackreference-team", "--lookups", only_the_ami)
    assert result.code == 2, result.stderr  # a missing --lookups entry: configuration, exit 2
    error = result.json()["error"]
    assert "cannot answer pulumi:pulumi:StackReference (it reads another stack)" in error
    assert '"token": "pulumi:pulumi:StackReference"' in error
    assert '"args": {"name": "acme/aws-py-stackreference-' in error
    assert '"result": {"outputs": {' in error
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    # and with its lookups file it reaches the policies, the referenced outputs known
    document = assert_reached_the_policies(
        run("aws-py-stackreference-team", "--lookups", example / "lookups.yaml")
    )
    assert document["changeSummary"]["create"] > 1
