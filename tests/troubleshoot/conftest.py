"""The moto server and test account (`tests/support/moto_server.py`), and the command run in-process.

What moto cannot hold (failed executions, builds and deployments; `get_pipeline_state`,
`list_action_executions`; a deployment group's alarmConfiguration, which moto's get_deployment_group
drops) is answered by botocore's Stubber on a client of the same server.
"""

from collections.abc import Callable

import pytest

from tests.support.aws_test_account import AwsTestAccount
from tests.support.moto_server import aws, moto_endpoint

__all__ = ["aws", "moto_endpoint", "run_command"]


@pytest.fixture
def run_command(aws: AwsTestAccount, capsys) -> Callable[..., tuple[int, str, str]]:
    """Run `bin/troubleshoot ARGS` in-process against the test account: (exit code, stdout, stderr)."""
    from troubleshoot.cli import main

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv), clients_for_region=aws.clients_for_region)
        out, err = capsys.readouterr()
        return code, out, err

    return run
