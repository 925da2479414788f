"""The text report reads as `pulumi preview` prints it (pulumi/pulumi pkg/backend/display)."""

import pytest

from offline_preview.registration import RegisteredResource
from offline_preview.report_diagnostics import Diagnostic
from offline_preview.report_tree import display_type, tree_lines
from tests.support.preview_runs import TINY_PACK, preview, preview_noncompliant, write_project

STACK = "urn:pulumi:dev::shop::pulumi:pulumi:Stack::shop-dev"
COMPONENT = "urn:pulumi:dev::shop::shop:index:Delivery::delivery"
COMPLIANT_PROGRAM = (
    "import pulumi_aws as aws\naws.cloudwatch.LogGroup('logs', retention_in_days=30)\n"
)


@pytest.fixture(scope="module")
def refused():
    """The non-compliant fixture under the tiny pack: a mandatory and two advisory violations."""
    return preview_noncompliant("--policy-pack", TINY_PACK)


@pytest.mark.parametrize(
    ("token", "shown"),
    [
        ("aws:s3/bucket:Bucket", "aws:s3:Bucket"),
        ("aws:s3/bucketV2:BucketV2", "aws:s3:BucketV2"),
        ("aws:cloudwatch/logGroup:LogGroup", "aws:cloudwatch:LogGroup"),
        # Only the type name with its first letter lower-cased matches, as tokens.camelCase does.
        ("aws:iam/rolepolicy:RolePolicy", "aws:iam/rolepolicy:RolePolicy"),
        ("pulumi:pulumi:Stack", "pulumi:pulumi:Stack"),
        ("shop:index:Delivery", "shop:index:Delivery"),
    ],
)
def test_types_are_shortened_as_the_cli_shortens_them(token, shown):
    assert display_type(token) == shown


def _resource(type_token: str, name: str, urn: str, parent: str = "") -> RegisteredResource:
    return RegisteredResource(type=type_token, name=name, urn=urn, custom=True, parent=parent)


def test_the_table_has_the_cli_columns_padding_and_tree():
    resources = [
        _resource("pulumi:pulumi:Stack", "shop-dev", STACK),
        _resource("shop:index:Delivery", "delivery", COMPONENT, STACK),
        _resource("aws:s3/bucket:Bucket", "artifacts", f"{COMPONENT}$b::artifacts", COMPONENT),
        _resource("aws:iam/role:Role", "role", f"{COMPONENT}$r::role", COMPONENT),
        # A parent that is not shown: the CLI hangs the resource under the stack.
        _resource(
            "aws:sns/topic:Topic", "alerts", "urn:t::alerts", "urn:pulumi:dev::shop::x::gone"
        ),
    ]
    lines = [line.plain for line in tree_lines(resources, [], STACK)]
    assert lines == [
        "     Type                    Name       Plan",
        " +   pulumi:pulumi:Stack     shop-dev   create",
        " +   ├─ shop:index:Delivery  delivery   create",
        " +   │  ├─ aws:s3:Bucket     artifacts  create",
        " +   │  └─ aws:iam:Role      role       create",
        " +   └─ aws:sns:Topic        alerts     create",
    ]


def test_the_info_column_counts_diagnostics_not_violations():
    resources = [
        _resource("pulumi:pulumi:Stack", "shop-dev", STACK),
        _resource("shop:index:Delivery", "delivery", COMPONENT, STACK),
    ]
    diagnostics = [
        Diagnostic("", "error", "preview failed"),  # no URN: the stack's row
        Diagnostic(COMPONENT, "warning", "a"),
        Diagnostic(COMPONENT, "warning", "b"),
        Diagnostic(COMPONENT, "info", "c"),
    ]
    lines = [line.plain for line in tree_lines(resources, diagnostics, STACK)]
    assert lines[0].endswith("Plan    Info")
    assert lines[1].endswith("create  1 error")
    assert lines[2].endswith("create  2 warnings; 1 message")


def test_a_refused_preview_ends_as_the_cli_ends_it(refused):
    assert refused.code == 5, refused.stderr
    lines = refused.stdout.splitlines()
    assert lines[:5] == [
        "Previewing update (ci):",
        "",
        "Loading policy packs...: starting",
        "Loading policy packs...: done",
        "",
    ]
    assert lines[5].startswith("     Type ") and lines[5].endswith("Info")
    policies, diagnostics = lines.index("Policies:"), lines.index("Diagnostics:")
    assert policies < diagnostics < lines.index("Outputs:")
    assert lines[diagnostics : diagnostics + 4] == [
        "Diagnostics:",
        "  pulumi:pulumi:Stack (noncompliant-pipeline-ci):",
        "    error: preview failed",
        "",
    ]
    violations = [line for line in lines[policies:diagnostics] if line.startswith("        - [")]
    assert violations[0] == (
        "        - [mandatory]  bucket-needs-encryption  (aws:s3:Bucket: artifacts)"
    )
    assert all("[advisory]" in line for line in violations[1:]) and len(violations) == 3
    assert "Resources:" not in lines  # left out after a mandatory violation, as the CLI does
    assert lines[-2:] == [
        "Offline preview (not printed by the Pulumi CLI):",
        "    Policy violations: 1 mandatory, 2 advisory",
    ]


def test_a_passing_preview_ends_with_the_resource_summary(tmp_path):
    project = write_project(tmp_path / "ok", COMPLIANT_PROGRAM)
    result = preview("--stack", "test", "--cwd", project, "--policy-pack", TINY_PACK)
    assert result.code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[5:9] == [
        "     Type                        Name          Plan",
        " +   pulumi:pulumi:Stack         scratch-test  create",
        " +   └─ aws:cloudwatch:LogGroup  logs          create",
        "",
    ]
    assert "Diagnostics:" not in lines
    summary = lines.index("Resources:")
    assert lines[summary : summary + 3] == ["Resources:", "    + 2 to create", ""]
