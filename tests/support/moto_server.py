"""Pytest fixtures: a moto server for the session and a fresh, empty test account per test.

moto serves real AWS HTTP APIs on 127.0.0.1 (a free port). What moto cannot hold is answered by
botocore's Stubber on a client of the same server (`AwsTestAccount.stub`), which validates every
queued response against the service model. A conftest imports both fixtures to use them.
"""

import logging
import urllib.request
from collections.abc import Iterator

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
