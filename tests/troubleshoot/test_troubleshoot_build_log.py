"""Which lines of a failed build's log are error lines, and which of them explain the failure.

CloudWatch filter patterns are case-sensitive, so the log is read and matched here: what build tools of
the common ecosystems print when they fail is found, counts such as `0 errors` are not; and of a long,
noisy log the lines shown are the last error lines before the failed phase ended, not the first ones.
"""

import json

import pytest

from tests.support.troubleshoot_scenarios import (
    BUILD_UUID,
    DEV_LOG_GROUP,
    stage_build_failure,
)
from troubleshoot.log_reader import is_error_line

PHASE_FAILED = [
    "[Container] 2026/12/01 18:04:31 Command did not exit successfully npm run build exit status 2",
    "[Container] 2026/12/01 18:04:31 Phase complete: BUILD State: FAILED",
    "[Container] 2026/12/01 18:04:31 Phase context status code: COMMAND_EXECUTION_ERROR Message: "
    "Error while executing command: npm run build. Reason: exit status 2",
    "[Container] 2026/12/01 18:04:33 Phase complete: UPLOAD_ARTIFACTS State: SUCCEEDED",
]


@pytest.mark.parametrize(
    "line",
    [
        "src/cart.ts(12,5): error TS2322: Type 'string' is not assignable to type 'number'.",
        "Error: Cannot find module 'left-pad'",
        "TypeError: Cannot read properties of undefined (reading 'total')",
        "FAIL src/checkout.test.js",
        "--- FAIL: TestCheckout (0.01s)",
        "FAILED tests/test_cart.py::test_total - AssertionError: assert 100 == 90",
        "Traceback (most recent call last):",
        "ModuleNotFoundError: No module named 'requests'",
        "npm ERR! code ELIFECYCLE",
        "[ERROR] Failed to execute goal org.apache.maven.plugins:maven-compiler-plugin:3.11.0:compile",
        'Exception in thread "main" java.lang.NullPointerException',
        "fatal: could not read Username for 'https://github.com': terminal prompts disabled",
        "panic: runtime error: index out of range [3] with length 3",
        "error[E0308]: mismatched types",
        "main.c:3:5: error: expected ';' before 'return'",
        "error Command failed with exit code 1.",
        "Program.cs(7,1): error CS1002: ; expected",
        "make: *** [Makefile:12: build] Error 1",
        "FAILURE: Build failed with an exception.",
        "2026-12-01 18:04:30 ERROR checkout failed",
    ],
)
def test_what_build_tools_print_when_they_fail_is_an_error_line(line):
    assert is_error_line(line)


@pytest.mark.parametrize(
    "line",
    [
        "Found 0 errors. Watching for file changes.",
        "error_count=0 warning_count=3",
        "Tests: 0 failed, 58 passed, 58 total",
        "== 58 passed, 0 errors in 3.21s ==",
        "[Container] 2026/12/01 18:04:31 Phase complete: BUILD State: SUCCEEDED",
        "[Container] 2026/12/01 18:04:31 Phase context status code:  Message: ",
        "[Container] 2026/12/01 18:04:31 Running command npm run lint:errors",
        "handled errors are retried three times",
    ],
)
def test_counts_and_names_that_mention_errors_are_not_error_lines(line):
    assert not is_error_line(line)


def test_a_typescript_error_in_lower_case_is_found_and_shown(aws, run_command):
    stage_build_failure(
        aws,
        [
            "[Container] 2026/12/01 18:03:52 Running command npm run build",
            "> tsc -p tsconfig.json",
            "src/cart.ts(12,5): error TS2322: Type 'string' is not assignable to type 'number'.",
            "Found 1 error in src/cart.ts:12",
            *PHASE_FAILED,
        ],
    )

    code, out, _ = run_command("dev")

    assert code == 1
    assert (
        "> src/cart.ts(12,5): error TS2322: Type 'string' is not assignable to type 'number'."
        in out
    )
    assert "      Found 1 error in src/cart.ts:12" in out  # context, not an error line
    assert f"Log {DEV_LOG_GROUP} stream {BUILD_UUID}: 4 error line(s) in 8 line(s)" in out
    assert "--filter-pattern" not in out


def noisy_log(noise_lines: int) -> list[str]:
    """Tests that log errors they recover from early, a long tail of noise, the real failure last."""
    recovered = [
        f"2026-12-01 18:03:{index % 60:02d} ERROR connection refused, retrying ({index})"
        for index in range(30)
    ]
    noise = [f"  ok renders item {index} (3 ms)" for index in range(noise_lines)]
    real = [
        "FAIL src/checkout.test.js",
        "  x checkout > applies the discount",
        "    expect(received).toBe(expected)",
        "ERROR checkout: applies the discount: expected 90, received 100",
        "Tests: 1 failed, 57 passed, 58 total",
    ]
    return ["[Container] 2026/12/01 18:03:52 Running command npm test", *recovered, *noise, *real]


def test_of_a_noisy_log_the_last_errors_before_the_phase_failed_are_shown(aws, run_command):
    log = noisy_log(200) + PHASE_FAILED
    stage_build_failure(aws, log)

    code, out, _ = run_command("dev")

    assert code == 1
    assert "> ERROR checkout: applies the discount: expected 90, received 100" in out
    assert "> FAIL src/checkout.test.js" in out
    assert "> [Container] 2026/12/01 18:04:31 Phase complete: BUILD State: FAILED" in out
    # 30 recovered errors, 2 of the failed test, 3 of CodeBuild: the recovered ones are not shown.
    assert f"35 error line(s) in {len(log)} line(s)" in out
    assert "showing the last 5 before phase BUILD failed" in out
    assert "retrying" not in out


def test_a_log_longer_than_one_page_is_read_backwards_from_its_end(aws, run_command):
    log = noisy_log(12_000) + PHASE_FAILED
    stage_build_failure(aws, log)

    code, out, _ = run_command("dev", "--json")

    assert code == 1
    build = json.loads(out)["failedActions"][0]["build"]
    assert (build["logLinesRead"], build["logComplete"], build["errorCount"]) == (
        len(log),
        True,
        35,
    )
    shown = [
        line["message"] for excerpt in build["excerpts"] for line in excerpt if line["isError"]
    ]
    assert shown[-4:] == [
        "ERROR checkout: applies the discount: expected 90, received 100",
        PHASE_FAILED[0],
        PHASE_FAILED[1],
        PHASE_FAILED[2],
    ]
    assert all("retrying" not in line for line in shown)
    commands = [step["command"] for step in json.loads(out)["steps"]]
    reads = [command for command in commands if command.startswith("aws logs get-log-events")]
    assert reads[0].endswith("--no-start-from-head --limit 10000 --region us-east-1")
    assert len(reads) >= 2 and all("--next-token b/" in command for command in reads[1:])


def test_a_log_too_long_to_read_says_only_its_end_was_read(aws, run_command, monkeypatch):
    monkeypatch.setattr("troubleshoot.log_reader.PAGE_EVENTS", 50)
    monkeypatch.setattr("troubleshoot.log_reader.MAX_STREAM_PAGES", 2)
    stage_build_failure(aws, noisy_log(300) + PHASE_FAILED)

    code, out, _ = run_command("dev")

    assert code == 1
    assert "error line(s) in its last 100 line(s)" in out
    assert "> ERROR checkout: applies the discount: expected 90, received 100" in out


def test_the_real_error_far_before_the_phase_end_is_still_the_one_shown(aws, run_command):
    coverage = [f"  src/file{index}.ts | 100 | 100 | 100 | 100 |" for index in range(400)]
    stage_build_failure(aws, noisy_log(50) + coverage + PHASE_FAILED)

    code, out, _ = run_command("dev")

    assert code == 1
    assert "> ERROR checkout: applies the discount: expected 90, received 100" in out
    assert "retrying" not in out
