"""Inputs found by a sweep of bad input: each ends in exit 2 and one line, never a hang."""

import pytest

from tests.support.preview_runs import TINY_PACK, assert_one_line_error, preview, write_project

PROGRAM = "import pulumi\npulumi.export('ok', True)\n"


@pytest.mark.parametrize("option", ["--policy-pack-config", "--lookups"])
def test_an_endless_file_is_refused_without_reading_it_all(tmp_path, option):
    directory = write_project(tmp_path / "p", PROGRAM)
    extra = ["--policy-pack", TINY_PACK] if option == "--policy-pack-config" else []
    result = preview("--stack", "test", "--cwd", directory, *extra, option, "/dev/zero", timeout=60)
    assert_one_line_error(result, f"{option} /dev/zero", "larger than 16 MiB")


@pytest.mark.parametrize("target", ["-", "/dev/stdout"])
def test_sarif_to_stdout_is_refused_as_it_would_corrupt_the_report(tmp_path, target):
    directory = write_project(tmp_path / "p", PROGRAM)
    result = preview("--stack", "test", "--cwd", directory, "--json", "--sarif", target)
    assert_one_line_error(result, f"--sarif {target}", "write --sarif to a file")
    assert not (tmp_path / "-").exists()


@pytest.mark.parametrize("stack", ["dev\x1b[31m", "de v", "dev;id", "x" * 101])
def test_a_stack_name_the_cli_would_refuse_is_named_escaped(stack):
    result = preview("--stack", stack)
    assert result.code == 2, result.stderr
    assert result.stderr.count("\n") == 1
    assert "\x1b" not in result.stderr
    assert "a stack name may only contain letters, digits, '-', '_' and '.'" in result.stderr


def test_a_cwd_that_is_a_file_is_named_as_not_a_directory(tmp_path):
    not_a_directory = tmp_path / "Pulumi.yaml"
    not_a_directory.write_text("name: x\nruntime: python\n")
    result = preview("--stack", "dev", "--cwd", not_a_directory)
    assert result.code == 2, result.stderr
    assert (
        result.stderr
        == f"error: --cwd {not_a_directory}: not a directory; give the project's directory\n"
    )
