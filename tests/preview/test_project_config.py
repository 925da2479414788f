"""Pulumi.yaml + Pulumi.<stack>.yaml are read like the CLI reads them."""

import re
from pathlib import Path

import pytest

from offline_preview.errors import PreviewError
from offline_preview.project import SECRET_PLACEHOLDER, load_project

PROJECT_YAML = """\
name: shop
runtime:
  name: python
  options:
    virtualenv: venv
config:
  retention:
    type: integer
    default: 14
  owner: platform-team
  aws:region:
    value: eu-central-1
"""


def write(tmp_path: Path, stack_yaml: str, project_yaml: str = PROJECT_YAML) -> Path:
    (tmp_path / "Pulumi.yaml").write_text(project_yaml)
    (tmp_path / "Pulumi.dev.yaml").write_text(stack_yaml)
    (tmp_path / "__main__.py").write_text("")
    return tmp_path


def test_bare_keys_belong_to_the_project_and_values_reach_the_program_as_cli_strings(tmp_path):
    stack = """\
config:
  cidrs: [192.0.2.0/24]
  shop:approval: true
  shop:limits: {max: 3, name: x}
  aws:region: us-west-2
"""
    project = load_project(write(tmp_path, stack), "dev")
    env = project.config_env()
    assert env["shop:cidrs"] == '["192.0.2.0/24"]'
    assert env["shop:approval"] == "true"
    assert env["shop:limits"] == '{"max":3,"name":"x"}'
    assert env["aws:region"] == "us-west-2"  # the stack beats the project's value


def test_project_defaults_apply_only_where_the_stack_is_silent(tmp_path):
    project = load_project(write(tmp_path, "config:\n  shop:retention: 30\n"), "dev")
    assert project.config["shop:retention"] == 30
    assert project.config["shop:owner"] == "platform-team"
    assert project.config["aws:region"] == "eu-central-1"


def test_secure_values_are_secret_placeholders(tmp_path):
    stack = "config:\n  shop:token:\n    secure: v1:abc:def\n"
    project = load_project(write(tmp_path, stack), "dev")
    assert project.secret_keys == ["shop:token"]
    assert project.config_env()["shop:token"] == SECRET_PLACEHOLDER
    assert project.display_config()["shop:token"] == "[secret]"


def test_a_value_of_the_wrong_type_names_the_key(tmp_path):
    with pytest.raises(
        PreviewError,
        match=r"'shop:retention' = \"two weeks\" is not of type integer .*; set it to an integer$",
    ):
        load_project(write(tmp_path, "config:\n  shop:retention: two weeks\n"), "dev")


def test_a_required_key_the_stack_omits_names_the_key_and_the_fix(tmp_path):
    project_yaml = "name: shop\nruntime: python\nconfig:\n  cidrs:\n    type: array\n"
    with pytest.raises(
        PreviewError, match=r"missing configuration value 'shop:cidrs'.*pulumi config set cidrs"
    ):
        load_project(write(tmp_path, "config: {}\n", project_yaml), "dev")


def test_missing_files_name_the_file_and_how_to_create_it(tmp_path):
    with pytest.raises(PreviewError, match=r"no Pulumi.yaml in .*pulumi new python"):
        load_project(tmp_path, "dev")
    (tmp_path / "Pulumi.yaml").write_text(PROJECT_YAML)
    with pytest.raises(
        PreviewError, match=r"no stack file Pulumi.prod.yaml .*pulumi stack init prod"
    ):
        load_project(tmp_path, "prod")


def test_the_project_virtualenv_is_the_program_interpreter_when_it_exists(tmp_path):
    project = load_project(write(tmp_path, "config: {}\n"), "dev")
    assert project.python() != str(tmp_path / "venv" / "bin" / "python")
    (tmp_path / "venv" / "bin").mkdir(parents=True)
    (tmp_path / "venv" / "bin" / "python").write_text("")
    assert project.python() == str(tmp_path / "venv" / "bin" / "python")


@pytest.mark.parametrize(
    ("value", "shown"),
    [("[42]", "[42]"), ("[a, null]", '["a", null]'), ("[[a]]", '[["a"]]')],
)
def test_an_array_item_of_the_wrong_type_is_a_config_error(tmp_path, value, shown):
    project_yaml = (
        "name: shop\nruntime: python\nconfig:\n  emails:\n    type: array\n"
        "    items:\n      type: string\n"
    )
    write(tmp_path, f"config:\n  shop:emails: {value}\n", project_yaml)
    with pytest.raises(
        PreviewError,
        match=rf"'shop:emails' = {re.escape(shown)} is not of type array<string> as Pulumi.yaml "
        r"declares; set it to an array<string>$",
    ):
        load_project(tmp_path, "dev")
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  shop:emails: [a, b]\n")
    assert load_project(tmp_path, "dev").config["shop:emails"] == ["a", "b"]
