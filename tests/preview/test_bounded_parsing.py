"""Hostile or broken input files fail fast with one line: alias bombs, self-containing anchors and
deep nesting in stack, project, lookups and policy-config files, and an empty policy config."""

import json
import time

import pytest
import yaml

from offline_preview import go_yaml
from tests.support.preview_runs import TINY_PACK, assert_one_line_error, preview, write_project

PROGRAM = "import pulumi\n\npulumi.export('ok', True)\n"


def laughs(levels: int, fanout: int, indent: str = "") -> str:
    """A "billion laughs" document: each anchor lists `fanout` aliases of the one before."""
    text = f"{indent}a0: &a0 [{', '.join(['lol'] * fanout)}]\n"
    for level in range(1, levels + 1):
        aliases = ", ".join([f"*a{level - 1}"] * fanout)
        text += f"{indent}a{level}: &a{level} [{aliases}]\n"
    return text


def run(project, *extra):
    return preview("--stack", "test", "--cwd", project, *extra, timeout=120)


def test_a_billion_laughs_is_refused_before_any_value_is_built():
    started = time.monotonic()
    with pytest.raises(yaml.YAMLError, match="document contains excessive aliasing"):
        go_yaml.load(laughs(9, 9))  # 387 million strings once expanded
    assert time.monotonic() - started < 1.0
    document = go_yaml.load(laughs(2, 10))  # ~1,200 decoded nodes, 97% aliases: yaml.v3 accepts
    assert len(document["a2"]) == 10 and document["a2"][0][0] == document["a0"]


def test_an_alias_bomb_in_the_stack_file_is_one_line(tmp_path):
    stack = "config:\n  scratch:laughs:\n" + laughs(6, 10, indent="    ")
    project = write_project(tmp_path / "p", PROGRAM, stack)
    assert_one_line_error(run(project), "Pulumi.test.yaml:", "document contains excessive aliasing")


def test_an_alias_bomb_in_the_project_file_is_one_line(tmp_path):
    project = write_project(tmp_path / "p", PROGRAM)
    bomb = "name: scratch\nruntime: python\nconfig:\n  laughs:\n    default:\n"
    (project / "Pulumi.yaml").write_text(bomb + laughs(6, 10, indent="      "))
    assert_one_line_error(run(project), "Pulumi.yaml:", "document contains excessive aliasing")


@pytest.mark.parametrize(
    ("lookups", "fragment"),
    [
        (laughs(6, 10), "document contains excessive aliasing"),
        (
            "- token: aws:ec2/getAmi:getAmi\n  args: &x {owners: *x}\n  result: {id: ami-1}\n",
            "an anchor's value contains itself",
        ),
    ],
)
def test_an_alias_bomb_or_self_containing_anchor_in_lookups_is_one_line(
    tmp_path, lookups, fragment
):
    project = write_project(tmp_path / "p", PROGRAM)
    path = tmp_path / "lookups.yaml"
    path.write_text(lookups)
    assert_one_line_error(run(project, "--lookups", path), f"--lookups {path}:", fragment)


def test_a_deeply_nested_stack_file_is_one_line(tmp_path):
    stack = "config:\n  scratch:deep: " + "[" * 5000 + "]" * 5000 + "\n"
    project = write_project(tmp_path / "p", PROGRAM, stack)
    assert_one_line_error(run(project), "Pulumi.test.yaml:", "exceeded max depth of 100")


def test_a_deeply_nested_json_lookups_file_is_reported_as_json(tmp_path):
    project = write_project(tmp_path / "p", PROGRAM)
    path = tmp_path / "lookups.json"
    path.write_text("[" * 5000 + "]" * 5000)
    result = run(project, "--lookups", path)
    assert_one_line_error(result, f"--lookups {path}: not valid JSON", "deeper than 100 levels")
    assert "YAML" not in result.stderr


def test_a_deeply_nested_policy_config_is_one_line(tmp_path):
    project = write_project(tmp_path / "p", PROGRAM)
    config = tmp_path / "config.json"
    config.write_text('{"log-retention-minimum": {"minimumDays": ' + "[" * 5000 + "]" * 5000 + "}}")
    result = run(project, "--policy-pack", TINY_PACK, "--policy-pack-config", config)
    assert_one_line_error(result, f"--policy-pack-config {config}:", "deeper than 100 levels")


@pytest.mark.parametrize("content", ["", "  \n\t\n"])
def test_an_empty_policy_config_names_the_file(tmp_path, content):
    project = write_project(tmp_path / "p", PROGRAM)
    config = tmp_path / "config.json"
    config.write_text(content)
    result = run(project, "--policy-pack", TINY_PACK, "--policy-pack-config", config, "--json")
    assert_one_line_error(result, f"--policy-pack-config {config}: the file is empty", '"{}"')
    assert result.json()["exitCode"] == 2
    config.write_text(json.dumps({}))  # an empty object is the way to say "no settings"
    result = run(project, "--policy-pack", TINY_PACK, "--policy-pack-config", config)
    assert result.code == 0, result.stderr
