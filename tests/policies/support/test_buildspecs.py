"""Where a buildspec comes from, and which release step a stack-owned one runs."""

import pytest

from cicd_guardrails.support.buildspecs import (
    SIGN_MODULE,
    VERIFY_MODULE,
    BuildspecKind,
    classify_buildspec,
)
from tests.support.analyzer_harness import UNKNOWN


def inline(*commands):
    listed = "".join(f"      - {command}\n" for command in commands)
    return f"version: 0.2\nphases:\n  build:\n    commands:\n{listed}"


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (None, BuildspecKind.SOURCE_PATH),
        ("", BuildspecKind.SOURCE_PATH),
        ("buildspec.yml", BuildspecKind.SOURCE_PATH),
        ("ci/release/buildspec-verify.yml", BuildspecKind.SOURCE_PATH),
        ("arn:aws:s3:::specs/buildspec.yml", BuildspecKind.S3_OBJECT),
        (inline("make"), BuildspecKind.INLINE),
        ("{version: 0.2, phases: {build: {commands: [make]}}}", BuildspecKind.INLINE),
        ("version: 0.2\nenv:\n  shell: bash\n", BuildspecKind.UNREADABLE),
        ("phases: [unclosed\n  - x", BuildspecKind.UNREADABLE),
        (UNKNOWN, BuildspecKind.NOT_YET_KNOWN),
    ],
)
def test_where_the_buildspec_comes_from(value, kind):
    assert classify_buildspec(value).kind is kind


@pytest.mark.parametrize(
    "command",
    [
        'PYTHONPATH="/tmp/guarded-delivery" python3 -m release_steps.verify',
        "python -m release_steps.verify --strict",
        "/usr/bin/python3.12 -u -m release_steps.verify",
        "set -e; python3 -m release_steps.verify && echo ok",
    ],
)
def test_a_phase_command_runs_the_step(command):
    buildspec = classify_buildspec(inline(f"'{command}'"))
    assert buildspec.runs_module(VERIFY_MODULE)
    assert not buildspec.runs_module(SIGN_MODULE)


@pytest.mark.parametrize(
    "command",
    [
        "echo release_steps.verify",
        "python3 -m release_steps.verify_later",
        "python3 -m release_steps.sign  # then release_steps.verify",
    ],
)
def test_naming_the_step_is_not_running_it(command):
    assert not classify_buildspec(inline(f"'{command}'")).runs_module(VERIFY_MODULE)


def test_a_heredoc_body_is_data_even_when_it_quotes_the_step():
    heredoc = (
        "version: 0.2\nphases:\n  install:\n    commands:\n      - |\n"
        "        cat > verify.py <<'SOURCE'\n        python3 -m release_steps.verify\n"
        "        SOURCE\n  build:\n    commands:\n      - python3 -m release_steps.sign\n"
    )
    buildspec = classify_buildspec(heredoc)
    assert buildspec.stack_owned
    assert buildspec.runs_module(SIGN_MODULE)
    assert not buildspec.runs_module(VERIFY_MODULE)


def test_a_command_after_a_closed_heredoc_runs():
    command = "cat > a.txt <<EOF\\nanything\\nEOF\\npython3 -m release_steps.verify"
    assert classify_buildspec(inline(f'"{command}"')).runs_module(VERIFY_MODULE)


def test_a_path_runs_nothing_the_stack_can_see():
    assert not classify_buildspec("buildspec.yml").runs_module(VERIFY_MODULE)
