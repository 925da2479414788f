"""A moto server for the whole session, dummy credentials, and clients pointed at it.

moto serves real AWS HTTP APIs on 127.0.0.1 (a free port). What moto cannot hold (failed executions,
builds and deployments; `get_pipeline_state`, `list_action_executions`; a deployment group's
alarmConfiguration, which moto's get_deployment_group drops) is answered by botocore's Stubber on a client
of the same server, which validates every queued response against the service model.
"""

import logging
import urllib.request
from collections.abc import Callable, Iterator

import pytest
from moto.server import ThreadedMotoServer

from tests.support.aws_test_account import DUMMY_CREDENTIALS, AwsTestAccount


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    with pytest.MonkeyPatch.context() as patch:
        for key, value in DUMMY_CREDENTIALS.items():
            patch.setenv(key, value)
        patch.delenv("AWS_PROFILE", raising=False)
        # The server's request log would land in the command's captured stderr.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        try:
            yield f"http://{host}:{port}"
        finally:
            server.stop()


@pytest.fixture
def aws(moto_endpoint: str) -> Iterator[AwsTestAccount]:
    """A fresh, empty account per test (moto's reset API), with every queued stub consumed."""
    request = urllib.request.Request(f"{moto_endpoint}/moto-api/reset", method="POST", data=b"")
    urllib.request.urlopen(request).close()
    account = AwsTestAccount(moto_endpoint)
    yield account
    for stubber in account.stubbers.values():
        stubber.deactivate()


@pytest.fixture
def run_command(aws: AwsTestAccount, capsys) -> Callable[..., tuple[int, str, str]]:
    """Run `bin/troubleshoot ARGS` in-process against the test account: (exit code, stdout, stderr)."""
    from troubleshoot.cli import main

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv), clients_for_region=aws.clients_for_region)
        out, err = capsys.readouterr()
        return code, out, err

    return run
