"""A multi-language component is one node offline: the report says which, and that its children are
not analysed."""

import pytest

from offline_preview.registration import RegisteredResource
from offline_preview.remote_components import remote_components
from tests.support.preview_runs import preview, write_project

# What a generated SDK of a multi-language package (pulumi_awsx) sends: remote=True and the package
# version from `_utilities.get_resource_opts_defaults()`. Next to it, the program's own component.
PROGRAM = """\
import pulumi
import pulumi_aws as aws


class Local(pulumi.ComponentResource):
    def __init__(self, name):
        super().__init__("scratch:index:Local", name, None, None)
        aws.cloudwatch.LogGroup(
            f"{name}-logs", retention_in_days=30, opts=pulumi.ResourceOptions(parent=self)
        )


class ApplicationLoadBalancer(pulumi.ComponentResource):
    def __init__(self, name):
        opts = pulumi.ResourceOptions(version="2.21.0")
        super().__init__(
            "awsx:lb:ApplicationLoadBalancer", name, {"subnetIds": ["subnet-1"]}, opts, remote=True
        )


Local("app")
ApplicationLoadBalancer("web-lb")
"""
ALB_URN = "urn:pulumi:test::scratch::awsx:lb:ApplicationLoadBalancer::web-lb"
WARNING = (
    "offline preview: awsx:lb:ApplicationLoadBalancer is a multi-language component of the 'awsx' "
    "package; its provider plugin does not run offline, so the resources it would create are "
    "neither shown nor analysed by any policy pack"
)


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return write_project(tmp_path_factory.mktemp("remote") / "p", PROGRAM)


def test_only_components_a_plugin_constructs_are_remote():
    def component(name: str, **fields) -> RegisteredResource:
        return RegisteredResource(
            type=f"p:index:{name}", name=name, urn=name, custom=False, **fields
        )

    resources = [
        RegisteredResource(type="pulumi:pulumi:Stack", name="s", urn="s", custom=False),
        component("Local"),
        # A package's version or an explicit provider does not make a component remote.
        component("Versioned", version="2.21.0"),
        component("WithProvider", provider="urn:pulumi:test::scratch::pulumi:providers:p::x::id"),
        component("Remote", remote=True, version="2.21.0"),
        RegisteredResource(
            type="aws:s3/bucket:Bucket", name="b", urn="b", custom=True, version="7"
        ),
    ]
    assert [r.name for r in remote_components(resources)] == ["Remote"]


def test_the_text_report_warns_under_the_component(project):
    result = preview("--stack", "test", "--cwd", project)
    assert result.code == 0, result.stderr
    lines = result.stdout.splitlines()
    [row] = [line for line in lines if "web-lb" in line and "create" in line]
    assert row.endswith("create  1 warning")
    heading = lines.index("  awsx:lb:ApplicationLoadBalancer (web-lb):")
    assert lines[heading + 1].startswith(f"    warning: {WARNING}")
    assert "  scratch:index:Local (app):" not in lines  # the program's own component is whole


def test_the_json_document_carries_the_warning_as_a_diagnostic(project):
    result = preview("--stack", "test", "--cwd", project, "--json")
    assert result.code == 0, result.stderr
    [diagnostic] = result.json()["diagnostics"]
    assert (diagnostic["urn"], diagnostic["severity"]) == (ALB_URN, "warning")
    assert diagnostic["message"].startswith(f"warning: {WARNING}")
