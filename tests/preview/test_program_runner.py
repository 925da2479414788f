"""run_program captures whole registrations as the engine would receive them (API, in-process)."""

from pathlib import Path

import pytest

from offline_preview.errors import ProgramError
from offline_preview.program_runner import run_program
from offline_preview.registration import SECRET_SIG, SIG_KEY, UNKNOWN
from offline_preview.user_code import is_user_code
from tests.support.preview_runs import NONCOMPLIANT, write_project

PREFIX = "urn:pulumi:ci::noncompliant-pipeline::"
STACK_URN = PREFIX + "pulumi:pulumi:Stack::noncompliant-pipeline-ci"
COMPONENT_URN = PREFIX + "fixture:index:Delivery::delivery"
BUCKET_URN = PREFIX + "fixture:index:Delivery$aws:s3/bucket:Bucket::artifacts"


@pytest.fixture(scope="module")
def run():
    return run_program(NONCOMPLIANT, "ci")


def test_urns_carry_the_parent_type_chain_but_not_the_root_stack(run):
    assert run.stack_resource.urn == STACK_URN
    assert run.named("delivery").urn == COMPONENT_URN
    assert run.named("delivery").parent == STACK_URN
    assert run.named("artifacts").urn == BUCKET_URN
    assert run.named("artifacts").parent == COMPONENT_URN
    assert run.named("build-logs").urn == PREFIX + "aws:cloudwatch/logGroup:LogGroup::build-logs"


def test_custom_and_component_resources_are_told_apart(run):
    assert run.named("artifacts").custom is True
    assert run.named("delivery").custom is False
    assert run.stack_resource.custom is False


def test_inputs_are_in_wire_form_with_first_preview_unknowns(run):
    versioning = run.named("artifacts-versioning")
    assert versioning.inputs["versioningConfiguration"] == {"status": "Enabled"}
    assert versioning.inputs["bucket"] == UNKNOWN  # a new bucket's id is unknown on a first preview
    group = run.named("deployment-group")
    assert group.inputs["serviceRoleArn"] == UNKNOWN
    assert group.inputs["deploymentGroupName"] == "shop-group"


def test_dependencies_and_property_dependencies_are_kept(run):
    versioning = run.named("artifacts-versioning")
    assert versioning.property_dependencies["bucket"] == [BUCKET_URN]
    assert versioning.property_dependencies["versioningConfiguration"] == []
    assert BUCKET_URN in versioning.dependencies


def test_invokes_answer_from_the_fixture_account_and_the_stack_region(run):
    assert run.named("artifacts").inputs["bucket"] == "shop-artifacts-123456789012"
    assert "arn:aws:codepipeline:eu-west-1:123456789012:shop" in str(
        run.named("execution-role").inputs
    )
    assert run.region == "eu-west-1"


def test_account_and_region_can_be_overridden():
    run = run_program(NONCOMPLIANT, "ci", account_id="210987654321", region="ap-southeast-2")
    assert run.named("artifacts").inputs["bucket"] == "shop-artifacts-210987654321"
    assert "arn:aws:codepipeline:ap-southeast-2:210987654321:shop" in str(
        run.named("execution-role").inputs
    )


def test_stack_outputs_keep_unknowns_and_secrets(run):
    assert run.outputs["bucketName"] == "shop-artifacts-123456789012"
    assert run.outputs["bucketArn"] == UNKNOWN
    assert run.outputs["webhookToken"][SIG_KEY] == SECRET_SIG
    assert run.named("delivery").outputs == {"bucket": "shop-artifacts-123456789012"}


OPTIONS_PROGRAM = """\
import pulumi
import pulumi_aws as aws

class Box(pulumi.ComponentResource):
    def __init__(self, name, opts=None):
        super().__init__("test:index:Box", name, None, opts)
        self.key = aws.kms.Key("key", enable_key_rotation=True, opts=pulumi.ResourceOptions(parent=self))

region_provider = aws.Provider("west", region="us-west-2")
box = Box("box", opts=pulumi.ResourceOptions(protect=True))
topic = aws.sns.Topic(
    "topic",
    kms_master_key_id=box.key.arn,
    opts=pulumi.ResourceOptions(
        provider=region_provider, depends_on=[box], retain_on_delete=True,
        custom_timeouts=pulumi.CustomTimeouts(create="5m"), ignore_changes=["tags"],
    ),
)
pulumi.log.warn("offline warning")
print("hello from the program")
"""


def test_options_provider_references_and_logs_are_captured(tmp_path):
    run = run_program(write_project(tmp_path / "options", OPTIONS_PROGRAM), "test")
    key, topic, provider = run.named("key"), run.named("topic"), run.named("west")
    assert key.protect is True  # inherited from the protected parent, as the engine does
    assert topic.protect is False and topic.retain_on_delete is True
    assert topic.provider.startswith(provider.urn + "::")
    assert provider.inputs["region"] == "us-west-2"
    assert topic.custom_timeouts == {"create": "5m"}
    assert topic.ignore_changes == ["tags"]
    # depends_on a component means its children: the SDK expands it before registering.
    assert key.urn in topic.dependencies
    assert topic.property_dependencies["kmsMasterKeyId"] == [key.urn]
    messages = {(d.severity, d.message) for d in run.diagnostics}
    assert ("warning", "offline warning") in messages
    assert ("info", "hello from the program") in messages


def test_a_program_exception_reports_its_type_message_and_location(tmp_path):
    program = "import settings\nsettings.load()\n"
    helper = "def load():\n    raise ValueError('allowedCidrs: 0.0.0.0/0 is not allowed')\n"
    project = write_project(tmp_path / "broken", program, **{"settings.py": helper})
    with pytest.raises(ProgramError) as raised:
        run_program(project, "test")
    assert raised.value.exception_type == "ValueError"
    assert raised.value.location == "settings.py:2"
    assert str(raised.value) == (
        "the program failed at settings.py:2: ValueError: allowedCidrs: 0.0.0.0/0 is not allowed"
    )


def test_an_invoke_that_needs_the_cloud_is_named(tmp_path):
    program = "import pulumi_aws as aws\naws.ec2.get_vpc(default=True)\n"
    with pytest.raises(ProgramError, match=r"aws:ec2/getVpc:getVpc"):
        run_program(write_project(tmp_path / "vpc", program), "test")


def test_runs_are_independent_in_one_process(tmp_path):
    first = run_program(
        write_project(tmp_path / "a", "import pulumi\npulumi.export('n', 1)\n"), "test"
    )
    second = run_program(
        write_project(tmp_path / "b", "import pulumi\npulumi.export('m', 2)\n"), "test"
    )
    assert first.outputs == {"n": 1}
    assert second.outputs == {"m": 2}
    assert [r.type for r in second.resources] == ["pulumi:pulumi:Stack"]


def test_frames_without_a_file_are_never_the_users_location(tmp_path):
    assert not is_user_code(Path("<frozen runpy>"), Path.cwd())
    assert not is_user_code(Path("<string>"), Path.cwd())
    assert is_user_code(tmp_path / "__main__.py", tmp_path)
