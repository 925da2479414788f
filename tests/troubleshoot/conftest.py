"""A moto server for the whole session, dummy credentials, and clients pointed at it.

moto serves real AWS HTTP APIs on 127.0.0.1 (a free port). What moto cannot hold (failed executions,
builds and deployments; `get_pipeline_state`, `list_action_executions`; a deployment group's
alarmConfiguration, which moto's get_deployment_group drops) is answered by botocore's Stubber on a client
of the same server, which validates every queued response against the service model.
"""

import logging
import os
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import boto3
import pytest
from botocore.client import BaseClient
from botocore.stub import Stubber
from moto.server import ThreadedMotoServer

from troubleshoot.aws_calls import SERVICES, AwsClients

REGION = "us-east-1"
DUMMY_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    # Never read a developer's real profile or instance role.
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
}


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


@dataclass
class AwsTestAccount:
    """Clients on the moto server; `stub(service)` swaps one service's client for a stubbed one."""

    endpoint: str
    stubbers: dict[str, Stubber] = field(default_factory=dict)
    clients: dict[str, BaseClient] = field(default_factory=dict)

    def client(self, service: str) -> BaseClient:
        if service not in self.clients:
            self.clients[service] = boto3.client(
                service, endpoint_url=self.endpoint, region_name=REGION
            )
        return self.clients[service]

    def stub(self, service: str) -> Stubber:
        """A Stubber over this service's client (every later call of the command must be queued)."""
        if service not in self.stubbers:
            self.stubbers[service] = Stubber(self.client(service))
            self.stubbers[service].activate()
        return self.stubbers[service]

    def clients_for_region(self, region: str) -> AwsClients:
        assert region == REGION, f"the command asked for region {region}"
        return AwsClients(region, **{name: self.client(name) for name in SERVICES})

    def assert_all_stubs_used(self) -> None:
        for stubber in self.stubbers.values():
            stubber.assert_no_pending_responses()


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
