"""Lookups fail as the engine fails them, pure ones are answered, cloud reads come from --lookups."""

import json

import pytest

from offline_preview.lookups.recorded import RecordedLookup
from tests.support.preview_runs import assert_one_line_error, preview, write_project

GET_AMI = "aws:ec2/getAmi:getAmi"
FALLBACK_PROGRAM = """\
import pulumi
import pulumi_aws as aws

try:
    vpc_id = aws.ec2.get_vpc(default=True).id
except Exception as exc:
    pulumi.log.info(f"no VPC lookup offline: {exc}")
    vpc_id = "vpc-fallback"
pulumi.export("vpc", vpc_id)
"""
AMI_PROGRAM = """\
import pulumi
import pulumi_aws as aws

ami = aws.ec2.get_ami(most_recent=True, owners=["amazon"])
pulumi.export("ami", ami.id)
"""


def run(project, *extra: str):
    return preview("--stack", "test", "--cwd", project, "--json", *extra)


def test_a_lookup_the_program_catches_lets_it_fall_back(tmp_path):
    result = run(write_project(tmp_path / "p", FALLBACK_PROGRAM))
    assert result.code == 0, result.stderr
    document = result.json()
    assert document["outputs"] == {"vpc": "vpc-fallback"}
    [message] = [d["message"] for d in document["diagnostics"]]
    assert message.startswith("no VPC lookup offline: invoke of aws:ec2/getVpc:getVpc failed:")


def test_an_uncaught_lookup_names_the_users_line_and_the_entry_to_record(tmp_path):
    result = run(write_project(tmp_path / "p", AMI_PROGRAM))
    entry = {
        "args": {"mostRecent": True, "owners": ["amazon"]},
        "result": {"...": "..."},
        "token": GET_AMI,
    }
    assert_one_line_error(
        result,
        f"the program failed at __main__.py:4: Exception: invoke of {GET_AMI} failed: ",
        "record the answer in a --lookups file: "
        + json.dumps(entry, separators=(", ", ": "), sort_keys=True),
    )


def test_an_uncaught_lookup_in_a_helper_module_names_that_module(tmp_path):
    helper = "import pulumi_aws as aws\n\ndef zone():\n    return aws.route53.get_zone(name='example.com')\n"
    program = "import dns\n\ndns.zone()\n"
    result = run(write_project(tmp_path / "p", program, **{"dns.py": helper}))
    assert_one_line_error(result, "the program failed at dns.py:4:", "aws:route53/getZone:getZone")


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_a_recorded_lookup_answers_when_its_args_match(tmp_path, suffix):
    entries = [
        {"token": GET_AMI, "args": {"owners": ["self"]}, "result": {"id": "ami-wrong"}},
        {"token": GET_AMI, "args": {"owners": ["amazon"]}, "result": {"id": "ami-0abc"}},
    ]
    lookups = tmp_path / f"lookups{suffix}"
    lookups.write_text(json.dumps(entries))  # JSON is YAML too
    result = run(write_project(tmp_path / "p", AMI_PROGRAM), "--lookups", lookups)
    assert result.code == 0, result.stderr
    assert result.json()["outputs"] == {"ami": "ami-0abc"}


def test_a_recorded_lookup_whose_args_differ_does_not_answer(tmp_path):
    lookups = tmp_path / "lookups.yaml"
    lookups.write_text(
        f"- token: {GET_AMI}\n  args: {{mostRecent: false}}\n  result: {{id: ami-0abc}}\n"
    )
    result = run(write_project(tmp_path / "p", AMI_PROGRAM), "--lookups", lookups)
    assert_one_line_error(result, f"cannot answer {GET_AMI}", '"mostRecent": true')


def test_stack_reference_outputs_come_from_the_lookups_file(tmp_path):
    program = (
        "import pulumi\n"
        "network = pulumi.StackReference('acme/network/prod')\n"
        "pulumi.export('vpc', network.get_output('vpcId'))\n"
    )
    lookups = tmp_path / "lookups.yaml"
    lookups.write_text(
        "lookups:\n"
        "  - token: pulumi:pulumi:StackReference\n"
        "    args: {name: acme/network/prod}\n"
        "    result: {outputs: {vpcId: vpc-0123}}\n"
    )
    result = run(write_project(tmp_path / "p", program), "--lookups", lookups)
    assert result.code == 0, result.stderr
    assert result.json()["outputs"] == {"vpc": "vpc-0123"}


def test_pure_functions_are_answered_without_a_lookups_file(tmp_path):
    program = (
        "import pulumi\nimport pulumi_aws as aws\n"
        "doc = aws.iam.get_policy_document(statements=[{'actions': ['s3:GetObject'], 'resources': ['*']}])\n"
        "arn = aws.get_arn(arn='arn:aws:iam::123456789012:role/path/deployer')\n"
        "pulumi.export('doc', doc.minified_json)\n"
        "pulumi.export('resource', arn.resource)\n"
    )
    result = run(write_project(tmp_path / "p", program))
    assert result.code == 0, result.stderr
    assert result.json()["outputs"] == {
        "doc": '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}',
        "resource": "role/path/deployer",
    }


def test_a_refused_policy_document_fails_the_lookup_with_the_providers_reason(tmp_path):
    program = (
        "import pulumi_aws as aws\n"
        "aws.iam.get_policy_document(statements=[{'sid': 'a-b', 'actions': ['s3:GetObject']}])\n"
    )
    result = run(write_project(tmp_path / "p", program))
    assert_one_line_error(
        result, "at __main__.py:2:", "must only include alphanumeric characters", code=1
    )


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("token: x\n", "expected a list of {token, args, result} entries"),
        ("- token: getAmi\n  result: {}\n", "entry 1: token 'getAmi' is not a Pulumi token"),
        (f"- token: {GET_AMI}\n  result: [1]\n", "entry 1: result must be a mapping"),
        (f"- token: {GET_AMI}\n  answer: {{}}\n", "entry 1: unknown key 'answer'"),
        (f"- token: {GET_AMI}\n  args: {{a: 1, a: 2}}\n  result: {{}}\n", "not valid YAML"),
    ],
)
def test_a_bad_lookups_file_is_a_one_line_error(tmp_path, text, fragment):
    lookups = tmp_path / "lookups.yaml"
    lookups.write_text(text)
    result = run(write_project(tmp_path / "p", AMI_PROGRAM), "--lookups", lookups)
    assert_one_line_error(result, f"--lookups {lookups}", fragment)
    assert result.json()["exitCode"] == 2


@pytest.mark.parametrize(
    ("recorded", "call", "matches"),
    [
        ({"default": True}, {"default": True}, True),
        ({"default": True}, {"default": 1}, False),
        ({"port": 1}, {"port": 1.0}, True),
        ({"filters": [{"name": "vpc-id"}]}, {"filters": [{"name": "vpc-id"}], "tags": {}}, True),
        ({"filters": [{"name": "vpc-id"}]}, {"filters": [{"name": "vpc-id", "values": []}]}, False),
        (None, {"anything": "x"}, True),
    ],
)
def test_recorded_args_match_as_json_values(recorded, call, matches):
    assert RecordedLookup(GET_AMI, recorded, {}).matches(GET_AMI, call) is matches


def test_an_uncaught_output_form_lookup_names_the_line_that_called_it(tmp_path):
    program = (
        "import pulumi\nimport pulumi_aws as aws\n\n"
        "vpc = aws.ec2.get_vpc_output(default=True)\n"
        "pulumi.export('vpc', vpc.id)\n"
    )
    result = run(write_project(tmp_path / "p", program))
    assert_one_line_error(result, "the program failed at __main__.py:4: ", "aws:ec2/getVpc:getVpc")
