"""An AWS account for the tests: clients on a moto server, and Stubbers where moto holds no state.

moto serves real AWS HTTP APIs on 127.0.0.1; what it cannot hold (failed executions, builds and
deployments; `get_pipeline_state`, `list_action_executions`) is answered by botocore's Stubber on a
client of the same server, which validates every queued response against the service model.
"""

import os
from dataclasses import dataclass, field

import boto3
from botocore.client import BaseClient
from botocore.stub import Stubber

from releases.aws_clients import SERVICES as RELEASE_SERVICES
from releases.aws_clients import ReleaseClients
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

    def release_clients_for_region(self, region: str) -> ReleaseClients:
        """The clients `bin/releases` reads with (sts, codepipeline, s3, kms)."""
        assert region == REGION, f"the command asked for region {region}"
        return ReleaseClients(region, **{name: self.client(name) for name in RELEASE_SERVICES})

    def assert_all_stubs_used(self) -> None:
        for stubber in self.stubbers.values():
            stubber.assert_no_pending_responses()
