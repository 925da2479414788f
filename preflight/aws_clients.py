"""The clients `bin/preflight` reads with: one per service, all in the stack's region.

`AwsReader.call(service, ...)` takes the client named `service` from here; `lambda` and
`service-quotas` are no Python attribute names, so the clients are kept by service name.
"""

from collections.abc import Callable, Mapping

import boto3
from botocore.client import BaseClient

SERVICES = (
    "sts",
    "codecommit",
    "codeconnections",
    "codestar-connections",
    "ecs",
    "elbv2",
    "lambda",
    "ec2",
    "ssm",
    "config",
    "s3",
    "iam",
    "codebuild",
    "codepipeline",
    "kms",
    "ecr",
    "events",
    "service-quotas",
)


class PreflightClients:
    """`region`, and the boto3 client of each service in SERVICES as an attribute of its name."""

    def __init__(self, region: str, clients: Mapping[str, BaseClient]) -> None:
        self.region = region
        self._clients = dict(clients)

    def __getattr__(self, service: str) -> BaseClient:
        try:
            return self.__dict__["_clients"][service]
        except KeyError:
            raise AttributeError(f"bin/preflight has no {service} client") from None

    @classmethod
    def for_region(cls, region: str) -> "PreflightClients":
        """Clients from the user's normal AWS configuration (profile, environment, SSO, role)."""
        session = boto3.Session(region_name=region)
        return cls(region, {name: session.client(name) for name in SERVICES})


ClientsForRegion = Callable[[str], PreflightClients]
