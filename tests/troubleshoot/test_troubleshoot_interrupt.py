"""Ctrl-C at any moment: the one line `interrupted` on stderr, exit 130, nothing on stdout, no
traceback, with `--json` too (the handling `bin/releases` and `bin/preflight` share)."""

import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from tests.support.aws_test_account import DUMMY_CREDENTIALS
from tests.support.entry_points import REPO
from tests.support.troubleshoot_scenarios import stage_build_failure


def interrupted(*_args, **_kwargs):
    raise KeyboardInterrupt


@pytest.mark.parametrize(
    "where",
    [
        "troubleshoot.cli.parse_arguments",
        "troubleshoot.cli.load_stack_config",
        "troubleshoot.explain.pipeline_reader.executions_until",
        "troubleshoot.explain.build_reader.read_build",
        "troubleshoot.explain.log_reader.build_error_lines",
    ],
)
@pytest.mark.parametrize("json_flag", [(), ("--json",)])
def test_ctrl_c_anywhere_is_one_line_and_130(aws, run_command, monkeypatch, where, json_flag):
    stage_build_failure(aws)
    monkeypatch.setattr(where, interrupted)

    assert run_command("dev", *json_flag) == (130, "", "interrupted\n")


@pytest.mark.parametrize(
    ("json_flag", "where"),
    [((), "troubleshoot.cli.print_report"), (("--json",), "troubleshoot.cli.dumps")],
)
def test_ctrl_c_while_printing_is_one_line_and_130(aws, run_command, monkeypatch, json_flag, where):
    stage_build_failure(aws)
    monkeypatch.setattr(where, interrupted)

    assert run_command("dev", *json_flag) == (130, "", "interrupted\n")


def test_ctrl_c_of_the_real_command_waiting_on_aws_is_one_line_and_130(tmp_path):
    """A SIGINT to `python -m troubleshoot` while it waits for an endpoint that never answers."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        environment = dict(os.environ) | DUMMY_CREDENTIALS
        environment |= {
            "AWS_ENDPOINT_URL": f"http://127.0.0.1:{silent.getsockname()[1]}",
            "PYTHONPATH": str(REPO),
        }
        process = subprocess.Popen(
            [sys.executable, "-m", "troubleshoot", "dev", "--json"],
            cwd=tmp_path,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        silent.settimeout(60)
        connection, _ = silent.accept()  # the command is now waiting for its first answer
        with connection:
            time.sleep(0.2)
            process.send_signal(signal.SIGINT)
            out, err = process.communicate(timeout=60)

    assert (process.returncode, out, err) == (130, "", "interrupted\n")
