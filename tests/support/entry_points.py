"""The operator commands (`bin/troubleshoot`, `bin/releases`) run as a user runs them.

A real entry point runs in a subprocess, in a directory of the test's, with the repository on
PYTHONPATH and its AWS requests sent to the test's moto server (`tests/support/moto_server.py`). A
usage error is read from the command's `main` in-process.
"""

import os
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from tests.support.aws_test_account import DUMMY_CREDENTIALS

REPO = Path(__file__).resolve().parents[2]


def run_without_credentials(
    command: Sequence[str | Path], moto_endpoint: str, cwd: Path
) -> subprocess.CompletedProcess[str]:
    """Run COMMAND with no AWS credential anywhere boto3 looks for one."""
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("AWS_")
    } | {
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
        # Should a credential be found after all, the request goes to the test server, not to AWS.
        "AWS_ENDPOINT_URL": moto_endpoint,
        "PYTHONPATH": str(REPO),
    }
    return _run(command, environment, cwd)


def run_with_test_credentials(
    command: Sequence[str | Path], moto_endpoint: str, cwd: Path
) -> subprocess.CompletedProcess[str]:
    """Run COMMAND with the test account's credentials and endpoint in its environment."""
    environment = dict(os.environ) | DUMMY_CREDENTIALS
    environment |= {"AWS_ENDPOINT_URL": moto_endpoint, "PYTHONPATH": str(REPO)}
    return _run(command, environment, cwd)


def _run(
    command: Sequence[str | Path], environment: dict[str, str], cwd: Path
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=cwd, env=environment, capture_output=True, text=True, timeout=120
    )


def assert_no_credentials_error(result: subprocess.CompletedProcess[str]) -> None:
    """Exit 2, nothing on stdout and one line on stderr that says no credentials were found."""
    assert (result.returncode, result.stdout) == (2, ""), (result.returncode, result.stdout)
    assert result.stderr.startswith("error: no AWS credentials found: configure them"), (
        result.stderr
    )
    assert result.stderr.count("\n") == 1, result.stderr


def assert_usage_error_is_one_line(
    command: str, main: Callable[[list[str]], int], argv: list[str], message: str, capsys
) -> None:
    """`main(ARGV)` exits 2 with one line `bin/COMMAND: error: ...MESSAGE...; see bin/COMMAND --help`."""
    with pytest.raises(SystemExit) as exit_info:
        main(argv)

    err = capsys.readouterr().err
    assert exit_info.value.code == 2, (exit_info.value.code, err)
    assert err.startswith(f"bin/{command}: error: ") and message in err, err
    assert err.endswith(f"; see bin/{command} --help\n") and err.count("\n") == 1, err
