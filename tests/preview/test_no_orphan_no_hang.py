"""Signals stop every child process, and every wait has a deadline (real processes, psutil)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from tests.support.preview_runs import (
    NO_COLOR_ENV,
    NONCOMPLIANT,
    REPO,
    Completed,
    assert_one_line_error,
    preview,
    preview_noncompliant,
    write_project,
)

# Bounds a test waits before declaring a hang; generous so a loaded machine does not fail them.
HANG_BOUND_SECONDS = 60
# One --timeout bounds every phase: long enough for the program run and a pack's start on a loaded
# machine, short enough that the hanging phase fails in seconds.
PHASE_DEADLINE_SECONDS = 10
SLEEP_FOREVER = "import time\ntime.sleep(600)\n"

PACK_HEADER = "from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy\n"
# A pack that starts a grandchild (to prove the whole process group goes) and hangs in Analyze.
HANGING_PACK = (
    PACK_HEADER
    + "import subprocess, time\n"
    + "subprocess.Popen(['sleep', '600'])\n"
    + "def hang(args, report):\n    time.sleep(600)\n"
    + "PolicyPack(name='hanging', enforcement_level=EnforcementLevel.MANDATORY, policies=["
    + "ResourceValidationPolicy(name='hang', description='Hangs.', validate=hang)])\n"
)


def write_pack(directory: Path, main: str) -> Path:
    directory.mkdir(parents=True)
    (directory / "PulumiPolicy.yaml").write_text("runtime: python\n")
    (directory / "__main__.py").write_text(main)
    return directory


def start_preview(*args: str | Path) -> psutil.Popen:
    return psutil.Popen(
        [sys.executable, "-m", "offline_preview", *map(str, args)],
        cwd=REPO,
        env={**os.environ, **NO_COLOR_ENV},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_child(process: psutil.Popen, marker: str) -> list[psutil.Process]:
    """All descendants, once one whose command line holds `marker` has been running for a moment."""
    deadline = time.monotonic() + HANG_BOUND_SECONDS
    while time.monotonic() < deadline:
        children = process.children(recursive=True)
        if any(marker in " ".join(_cmdline(c)) for c in children):
            time.sleep(1.0)  # let it get into its sleep
            return process.children(recursive=True)
        time.sleep(0.1)
    process.kill()
    raise AssertionError(f"no child running {marker!r} appeared")


def _cmdline(process: psutil.Process) -> list[str]:
    try:
        return process.cmdline()
    except psutil.Error:
        return []


def assert_all_gone(processes: list[psutil.Process]) -> None:
    _, alive = psutil.wait_procs(processes, timeout=10)
    alive = [p for p in alive if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert alive == [], [_cmdline(p) for p in alive]


@pytest.mark.parametrize(
    ("signum", "code", "line"),
    [(signal.SIGTERM, 143, "stopped by SIGTERM"), (signal.SIGINT, 130, "interrupted")],
)
def test_a_signal_during_the_program_run_stops_the_program_host(tmp_path, signum, code, line):
    project = write_project(tmp_path / "slow", "import pulumi, time\ntime.sleep(600)\n")
    process = start_preview("--stack", "test", "--cwd", project)
    children = wait_for_child(process, "offline_preview.program_host")
    process.send_signal(signum)
    stdout, stderr = process.communicate(timeout=HANG_BOUND_SECONDS)
    assert process.returncode == code
    assert_one_line_error(_completed(process, stdout, stderr), line, code=code)
    assert_all_gone(children)


def test_sigterm_during_analysis_stops_every_pack_and_what_it_started(tmp_path):
    pack = write_pack(tmp_path / "hanging", HANGING_PACK)
    process = start_preview("--stack", "ci", "--cwd", NONCOMPLIANT, "--policy-pack", pack)
    children = wait_for_child(process, "pulumi.policy")
    assert any(_cmdline(c)[:1] == ["sleep"] for c in children)
    process.send_signal(signal.SIGTERM)
    stdout, stderr = process.communicate(timeout=HANG_BOUND_SECONDS)
    assert_one_line_error(_completed(process, stdout, stderr), "stopped by SIGTERM", code=143)
    assert_all_gone(children)


def test_a_pack_that_never_prints_its_port_fails_at_the_deadline(tmp_path):
    pack = write_pack(tmp_path / "silent", SLEEP_FOREVER)
    started = time.monotonic()
    result = preview_noncompliant(
        "--policy-pack",
        pack,
        "--timeout",
        str(PHASE_DEADLINE_SECONDS),
        timeout=HANG_BOUND_SECONDS,
    )
    assert_one_line_error(
        result, f"printed no port within {PHASE_DEADLINE_SECONDS}s", "raise --timeout"
    )
    print(f"failed after {time.monotonic() - started:.1f}s")


def test_an_analyzer_call_that_hangs_fails_at_the_deadline(tmp_path):
    pack = write_pack(tmp_path / "hanging", HANGING_PACK)
    result = preview_noncompliant(
        "--policy-pack",
        pack,
        "--timeout",
        str(PHASE_DEADLINE_SECONDS),
        timeout=HANG_BOUND_SECONDS,
    )
    assert_one_line_error(
        result,
        f"policy pack hanging: Analyze did not answer within {PHASE_DEADLINE_SECONDS}s",
    )


def test_a_program_that_hangs_fails_at_the_deadline(tmp_path):
    project = write_project(tmp_path / "slow", SLEEP_FOREVER)
    result = preview(
        "--stack", "test", "--cwd", project, "--timeout", "3", timeout=HANG_BOUND_SECONDS
    )
    assert_one_line_error(result, "the program did not finish within 3s")


def test_a_program_that_floods_stdout_still_completes(tmp_path):
    lines = 100_000
    program = f"import pulumi\nfor i in range({lines}):\n    print('line', i)\n"
    project = write_project(tmp_path / "loud", program)
    started = time.monotonic()
    result = preview("--stack", "test", "--cwd", project, "--json", timeout=HANG_BOUND_SECONDS)
    assert result.code == 0, result.stderr
    diagnostics = result.json()["diagnostics"]
    assert len(diagnostics) == lines and diagnostics[-1]["message"] == f"line {lines - 1}\n"
    print(f"{lines} printed lines: {time.monotonic() - started:.1f}s")


def _completed(process: psutil.Popen, stdout: str, stderr: str) -> Completed:
    return Completed(process.returncode, stdout, stderr)


def test_a_program_that_leaves_a_child_holding_stdout_ends_with_the_program(tmp_path):
    program = (
        "import subprocess\nimport pulumi\n"
        "subprocess.Popen(['sleep', '600'])\n"  # inherits the host's stdout and stderr
        "pulumi.export('done', True)\n"
    )
    project = write_project(tmp_path / "daemon", program)
    started, since = time.monotonic(), time.time()
    process = start_preview("--stack", "test", "--cwd", project, "--json")
    stdout, stderr = process.communicate(timeout=HANG_BOUND_SECONDS)
    assert process.returncode == 0, stderr
    assert '"done": true' in stdout
    print(f"finished after {time.monotonic() - started:.1f}s")
    leftovers = [
        p
        for p in psutil.process_iter(["cmdline", "create_time"])
        if p.info["cmdline"] == ["sleep", "600"] and p.info["create_time"] >= since - 1
    ]
    assert_all_gone(leftovers)


def test_a_policy_that_prints_a_lot_does_not_block_the_pack(tmp_path):
    noisy = (
        PACK_HEADER
        + "def noisy(args, report):\n    print('x' * 100_000)\n"
        + "PolicyPack(name='noisy', enforcement_level=EnforcementLevel.ADVISORY, policies=["
        + "ResourceValidationPolicy(name='prints', description='Prints.', validate=noisy)])\n"
    )
    pack = write_pack(tmp_path / "noisy", noisy)
    result = preview_noncompliant(
        "--policy-pack",
        pack,
        "--timeout",
        "20",
        timeout=HANG_BOUND_SECONDS,
    )
    assert result.code == 0, result.stderr
    assert "✅ noisy@v0.0.1" in result.stdout


def test_sigterm_while_a_pack_starts_stops_it(tmp_path):
    pack = write_pack(tmp_path / "slow-start", SLEEP_FOREVER)
    process = start_preview("--stack", "ci", "--cwd", NONCOMPLIANT, "--policy-pack", pack)
    children = wait_for_child(process, "pulumi.policy")
    process.send_signal(signal.SIGTERM)
    stdout, stderr = process.communicate(timeout=HANG_BOUND_SECONDS)
    assert_one_line_error(_completed(process, stdout, stderr), "stopped by SIGTERM", code=143)
    assert_all_gone(children)


@pytest.mark.parametrize("output", [(), ("--json",)])
def test_a_reader_that_goes_away_ends_the_run_with_141_and_no_traceback(tmp_path, output):
    program = "import pulumi\nfor i in range(50_000):\n    print('line', i)\n"
    project = write_project(tmp_path / "loud", program)
    process = psutil.Popen(
        [
            sys.executable,
            "-m",
            "offline_preview",
            "--stack",
            "test",
            "--cwd",
            str(project),
            *output,
        ],
        cwd=REPO,
        env={**os.environ, **NO_COLOR_ENV},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout.readline()  # read one line, then go away like `| head -1`
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=HANG_BOUND_SECONDS) == 141
    assert "Traceback" not in stderr
