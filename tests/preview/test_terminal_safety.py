"""What the offline preview prints reaches any terminal safely: names and values from outside are
echoed with control sequences escaped, and a non-UTF-8 stdout gets ASCII symbols, not a crash."""

import pytest

from tests.support.preview_runs import (
    OUR_PACK,
    TINY_PACK,
    assert_one_line_error,
    preview,
    preview_noncompliant,
    write_project,
)

ESCAPES = "\x1b[2J\x1b]0;owned\x07\x9b31m\u202e"  # clear screen, set title, 8-bit CSI, RTL override


def assert_no_control_sequence(text: str) -> None:
    assert not any(char in text for char in "\x1b\x07\x9b\u202e"), repr(text)


@pytest.mark.parametrize("as_json", [False, True])
def test_a_stack_name_with_escape_sequences_is_echoed_escaped(tmp_path, as_json):
    project = write_project(tmp_path / "p", "import pulumi\n")
    result = preview("--stack", f"x{ESCAPES}", "--cwd", project, *(["--json"] if as_json else []))
    assert_one_line_error(result, "stack name 'x", "a stack name may only contain", "\\u202e")
    assert_no_control_sequence(result.stderr)
    assert_no_control_sequence(result.stdout)


def test_an_unknown_argument_with_escape_sequences_is_echoed_escaped():
    result = preview("--stack", "dev", f"--bogus{ESCAPES}")
    assert_one_line_error(result, "unrecognized arguments: --bogus", "\\u202e")
    assert_no_control_sequence(result.stderr)


def test_a_lookups_file_name_with_escape_sequences_is_echoed_escaped(tmp_path):
    project = write_project(tmp_path / "p", "import pulumi\n")
    missing = tmp_path / f"lookups{ESCAPES}.yaml"
    result = preview("--stack", "test", "--cwd", project, "--lookups", missing)
    assert_one_line_error(result, f"--lookups {tmp_path}/lookups", "no such file")
    assert_no_control_sequence(result.stderr)


def test_an_error_the_program_logs_is_echoed_escaped(tmp_path):
    program = f"import pulumi\n\npulumi.log.error({'bad ' + ESCAPES!r})\n"
    result = preview("--stack", "test", "--cwd", write_project(tmp_path / "p", program))
    assert result.code == 1, result.stderr
    assert "error: the program logged 1 error(s), first: bad " in result.stderr
    assert_no_control_sequence(result.stderr)


def test_an_ascii_only_stdout_gets_ascii_symbols_instead_of_a_crash():
    result = preview_noncompliant(
        "--policy-pack", OUR_PACK, "--policy-pack", TINY_PACK, env={"PYTHONIOENCODING": "ascii"}
    )
    assert result.code == 5, result.stderr
    assert "UnicodeEncodeError" not in result.stderr
    assert result.stdout.isascii()
    assert "[x] cicd-guardrails@" in result.stdout  # the failed pack's mark
    assert "+- fixture:index:Delivery" in result.stdout or "`- fixture:index:Delivery" in (
        result.stdout
    )
    assert "?" not in result.stdout.replace("?region", "")  # every symbol has its stand-in
