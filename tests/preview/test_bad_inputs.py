"""Bad input of every kind ends in exit 2 and one line naming the file, the key and the fix."""

import json

import pytest

from tests.support.preview_runs import (
    NONCOMPLIANT,
    TINY_PACK,
    assert_one_line_error,
    preview,
    write_project,
)

FLAG_PROJECT = (
    "name: scratch\nruntime: python\nconfig:\n  flag:\n    type: boolean\n    default: false\n"
)
PRINT_FLAG = "import pulumi\npulumi.export('flag', pulumi.Config().get('flag'))\n"


def scratch(tmp_path, stack_config: str, project: str = FLAG_PROJECT, program: str = PRINT_FLAG):
    directory = write_project(tmp_path / "p", program, stack_config)
    (directory / "Pulumi.yaml").write_text(project)
    return directory


def run_json(directory, *extra: str):
    return preview("--stack", "test", "--cwd", directory, "--json", *extra)


def run_fixture_json(*extra: str):
    return preview("--stack", "ci", "--cwd", NONCOMPLIANT, "--json", *extra)


def assert_json_error(result, *fragments: str, code: int = 2) -> None:
    assert_one_line_error(result, *fragments, code=code)
    document = json.loads(result.stdout)
    assert document["exitCode"] == code
    assert all(fragment in document["error"] for fragment in fragments)


@pytest.mark.parametrize("spelling", ["on", "yes", "On", "y"])
def test_yaml_1_1_booleans_are_strings_so_a_boolean_key_refuses_them(tmp_path, spelling):
    result = run_json(scratch(tmp_path, f"config:\n  scratch:flag: {spelling}\n"))
    assert_json_error(
        result, f"'scratch:flag' = \"{spelling}\" is not of type boolean", "set it to a boolean"
    )


def test_an_untyped_on_reaches_the_program_as_the_string_on(tmp_path):
    project = "name: scratch\nruntime: python\n"
    result = run_json(scratch(tmp_path, "config:\n  scratch:flag: on\n", project))
    assert result.code == 0, result.stderr
    assert result.json()["outputs"] == {"flag": "on"}


def test_a_duplicated_key_is_refused(tmp_path):
    stack = "config:\n  scratch:flag: false\n  scratch:flag: true\n"
    result = run_json(scratch(tmp_path, stack))
    assert_json_error(
        result, "Pulumi.test.yaml:3: not valid YAML", 'mapping key "scratch:flag" already defined'
    )


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("us-east-7", "'us-east-7' is not an AWS region"),
        ("[us-east-1, eu-west-1]", "is not a region name (a single string"),
        ("US-EAST-1", "'US-EAST-1' is not an AWS region"),
    ],
)
def test_aws_region_must_be_one_region_botocore_knows(tmp_path, value, fragment):
    result = run_json(scratch(tmp_path, f"config:\n  aws:region: {value}\n"))
    assert_json_error(result, "'aws:region'", fragment, "pulumi config set aws:region")


def test_a_region_of_another_partition_is_accepted(tmp_path):
    result = run_json(scratch(tmp_path, "config:\n  aws:region: cn-north-1\n"))
    assert result.code == 0, result.stderr
    assert result.json()["region"] == "cn-north-1"


@pytest.mark.parametrize("file", ["Pulumi.test.yaml", "Pulumi.yaml"])
def test_a_project_file_that_is_not_utf8(tmp_path, file):
    directory = scratch(tmp_path, "config: {}\n")
    path = directory / file
    path.write_bytes(path.read_bytes() + b"# caf\xe9\n")
    assert_json_error(run_json(directory), f"{file}:", "not UTF-8 text (byte 0xe9)")


def test_a_policy_config_that_is_not_utf8(tmp_path):
    config = tmp_path / "latin1.json"
    config.write_bytes(b'{"log-retention-minimum": {"minimumDays": 7}} \xff')
    result = run_fixture_json("--policy-pack", TINY_PACK, "--policy-pack-config", config)
    assert_json_error(result, f"--policy-pack-config {config}:1: not UTF-8 text (byte 0xff)")


def test_a_directory_as_policy_config(tmp_path):
    result = run_fixture_json("--policy-pack", TINY_PACK, "--policy-pack-config", tmp_path)
    assert_json_error(result, f"--policy-pack-config {tmp_path}: is a directory")


@pytest.mark.parametrize(
    ("manifest", "fragment"),
    [
        ("- runtime: python\n", "expected a mapping (key: value) at the top level, got a list"),
        ("just a string\n", "got a string"),
        ("runtime: {name: python, options: [venv]}\n", "`runtime.options` must be a mapping"),
    ],
)
def test_a_pack_manifest_that_is_not_a_mapping(tmp_path, manifest, fragment):
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "PulumiPolicy.yaml").write_text(manifest)
    result = run_fixture_json("--policy-pack", pack)
    assert_json_error(result, "PulumiPolicy.yaml", fragment)


def test_a_project_config_section_that_is_not_a_mapping(tmp_path):
    project = "name: scratch\nruntime: python\nconfig: [a, b]\n"
    assert_json_error(run_json(scratch(tmp_path, "config: {}\n", project)), "`config` must be")


def test_a_config_too_large_for_one_environment_variable_still_runs(tmp_path):
    # 200 values of 1 KiB: 200 KiB of PULUMI_CONFIG, beyond Linux's 128 KiB per variable.
    values = "".join(f"  scratch:key{i}: {'x' * 1024}\n" for i in range(200))
    program = "import pulumi\npulumi.export('last', len(pulumi.Config().require('key199')))\n"
    directory = scratch(tmp_path, "config:\n" + values, "name: scratch\nruntime: python\n", program)
    result = run_json(directory, "--policy-pack", TINY_PACK)
    assert result.code == 0, result.stderr
    assert result.json()["outputs"] == {"last": 1024}


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("--color", "sometimes"), "invalid choice: 'sometimes'"),
        (("--timeout", "0"), "'0' is not a positive number of seconds"),
        (("--timeout", "soon"), "'soon' is not a positive number of seconds"),
        (("--region", "mars-1"), "'mars-1' is not an AWS region"),
        (("--account", "١٢٣٤٥٦٧٨٩٠١٢"), "is not a 12-digit AWS account id"),
        (("--account", "123456789012\n"), "is not a 12-digit AWS account id"),
        (("--policy-pack-config", "a.json"), "1 --policy-pack-config for 0 --policy-pack"),
    ],
)
def test_usage_errors_print_the_json_error_document_too(args, fragment):
    result = preview("--stack", "ci", "--cwd", NONCOMPLIANT, "--json", *args)
    assert_json_error(result, fragment, "see python -m offline_preview --help")


def test_a_missing_stack_is_a_json_usage_error():
    assert_json_error(preview("--json"), "the following arguments are required: --stack")


@pytest.mark.parametrize(
    ("stack", "fragment"),
    [
        ("config:\n  scratch:x: &a [*a]\n", "Pulumi.test.yaml: an anchor's value contains itself"),
        ("config:\n  scratch:x: [unclosed\n", "Pulumi.test.yaml:3: not valid YAML"),
        ("config: just text\n", "`config` must be a mapping of key: value"),
        ("- a\n- b\n", "Pulumi.test.yaml: expected a mapping (key: value) at the top level"),
    ],
)
def test_stack_files_yaml_v3_refuses(tmp_path, stack, fragment):
    assert_json_error(
        run_json(scratch(tmp_path, stack, "name: scratch\nruntime: python\n")), fragment
    )


def test_main_must_be_a_path(tmp_path):
    project = "name: scratch\nruntime: python\nmain: [a]\n"
    result = run_json(scratch(tmp_path, "config: {}\n", project))
    assert_json_error(result, "Pulumi.yaml: `main` must be a path (a string), got ['a']")


def test_a_program_that_logs_an_error_exits_1_with_the_error_in_the_json(tmp_path):
    program = "import pulumi\npulumi.log.error('services: none configured')\n"
    result = run_json(
        scratch(tmp_path, "config: {}\n", "name: scratch\nruntime: python\n", program)
    )
    assert_json_error(
        result, "the program logged 1 error(s), first: services: none configured", code=1
    )
    assert result.json()["steps"][0]["newState"]["type"] == "pulumi:pulumi:Stack"  # shown too


def test_a_fully_qualified_stack_name_uses_its_last_part(tmp_path):
    project = scratch(tmp_path, "config: {}\n", "name: scratch\nruntime: python\n")
    result = preview("--stack", "acme/scratch/test", "--cwd", project, "--json")
    assert result.code == 0, result.stderr
    assert result.json()["stack"] == "test"
    assert (
        result.json()["steps"][0]["urn"]
        == "urn:pulumi:test::scratch::pulumi:pulumi:Stack::scratch-test"
    )
    assert_json_error(
        preview("--stack", "acme/", "--cwd", project, "--json"), "the stack name is empty"
    )


def test_a_project_virtualenv_whose_python_cannot_run(tmp_path):
    project = "name: scratch\nruntime:\n  name: python\n  options:\n    virtualenv: venv\n"
    directory = scratch(tmp_path, "config: {}\n", project)
    (directory / "venv" / "bin").mkdir(parents=True)
    (directory / "venv" / "bin" / "python").write_text("not a program\n")  # not executable
    assert_json_error(
        run_json(directory), "venv/bin/python: Permission denied; recreate that virtualenv"
    )


@pytest.mark.parametrize(
    "keys",
    [("privilegedMode", "scratch:privilegedMode"), ("scratch:privilegedMode", "privilegedMode")],
)
def test_two_spellings_of_one_key_in_a_stack_file_are_an_error_naming_both(tmp_path, keys):
    """Bare and namespaced spellings are one key: refused in either order, never last-one-wins."""
    first, second = keys
    stack = f"config:\n  {first}: 'false'\n  {second}: 'true'\n"
    result = run_json(scratch(tmp_path, stack, "name: scratch\nruntime: python\n"))
    assert_json_error(
        result,
        f"Pulumi.test.yaml: {first!r} and {second!r} are two spellings of the config key "
        "'scratch:privilegedMode'",
    )
