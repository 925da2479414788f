"""A stdout that cannot take the report: closed (`>&-`) or full (`>/dev/full`) is one line and exit 2;
a reader that went away (`| head`) is exit 141 and silence, as the offline preview ends."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.aws_test_account import DUMMY_CREDENTIALS
from tests.support.entry_points import REPO
from tests.support.troubleshoot_scenarios import seed_pipeline_that_succeeded


def environment(moto_endpoint: str) -> dict[str, str]:
    return (
        dict(os.environ)
        | DUMMY_CREDENTIALS
        | {
            "AWS_ENDPOINT_URL": moto_endpoint,
            "PYTHONPATH": str(REPO),
        }
    )


@pytest.mark.parametrize("json_flag", [(), ("--json",)])
def test_a_closed_stdout_is_one_line_and_2(json_flag, aws, moto_endpoint, tmp_path: Path):
    seed_pipeline_that_succeeded(aws)
    command = [sys.executable, "-m", "troubleshoot", "dev", *json_flag]

    result = subprocess.run(
        ["bash", "-c", '"$@" >&-', "bash", *command],
        cwd=tmp_path,
        env=environment(moto_endpoint),
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
    )

    assert result.returncode == 2
    assert result.stderr == (
        "error: stdout is closed: redirect it to a file or /dev/null instead of closing it\n"
    )


@pytest.mark.parametrize("json_flag", [(), ("--json",)])
def test_a_full_stdout_is_one_line_and_2(json_flag, aws, moto_endpoint, tmp_path: Path):
    seed_pipeline_that_succeeded(aws)

    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "troubleshoot", "dev", *json_flag],
            cwd=tmp_path,
            env=environment(moto_endpoint),
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )

    assert result.returncode == 2
    assert result.stderr == (
        "error: cannot write the report to stdout (No space left on device): redirect it to a "
        "file on a disk with room, or to a pipe\n"
    )


def test_a_reader_that_went_away_is_141_and_silence(aws, moto_endpoint, tmp_path: Path):
    seed_pipeline_that_succeeded(aws)
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the report is written

    try:
        result = subprocess.run(
            [sys.executable, "-m", "troubleshoot", "dev"],
            cwd=tmp_path,
            env=environment(moto_endpoint),
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    finally:
        os.close(write_end)

    assert (result.returncode, result.stderr) == (141, "")
