"""Every AWS read goes through `AwsReader.call`: it records the equivalent CLI command and turns
credential, permission and lookup failures into one-line `TroubleshootError`s.

`bin/releases` reads through the same reader with clients of its own services (`RegionalClients`).
"""

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any, Protocol

import boto3
import botocore.session
from botocore.client import BaseClient
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
)

from troubleshoot import answer_check
from troubleshoot.cli_commands import CliSpelling, cli_command
from troubleshoot.errors import TroubleshootError, from_client_error
from troubleshoot.model import AwsStep
from troubleshoot.waiting import waiting_for

SERVICES = ("sts", "codepipeline", "codebuild", "logs", "codedeploy", "cloudwatch", "ecs")
# botocore waits 60 s to connect and 60 s per read by default, retried up to 5 times in its legacy
# mode (botocore `config.Config` docs; "Retries" in the Boto3 guide). An unanswered call is bounded
# here, and the whole run by `--timeout` (troubleshoot/waiting.py).
CLIENT_CONFIG = Config(connect_timeout=10, read_timeout=30)
DEFAULT_RETRIES = {"mode": "standard", "total_max_attempts": 3}
"""Used unless AWS_MAX_ATTEMPTS / AWS_RETRY_MODE or the profile choose otherwise."""


class RegionalClients(Protocol):
    """Clients of one region: `region`, and one boto3 client attribute per service name called."""

    @property
    def region(self) -> str: ...


@dataclass(frozen=True)
class AwsClients:
    """One boto3 client per service the command reads, all in the pipeline's region."""

    region: str
    sts: BaseClient
    codepipeline: BaseClient
    codebuild: BaseClient
    logs: BaseClient
    codedeploy: BaseClient
    cloudwatch: BaseClient
    ecs: BaseClient

    @classmethod
    def for_region(cls, region: str) -> "AwsClients":
        """Clients from the user's normal AWS configuration (profile, environment, SSO, role)."""
        core = botocore.session.get_session()
        config = CLIENT_CONFIG
        if not core.get_config_variable("max_attempts") and not core.get_config_variable(
            "retry_mode"
        ):
            config = config.merge(Config(retries=DEFAULT_RETRIES))
        session = boto3.Session(botocore_session=core, region_name=region)
        clients = {name: session.client(name, config=config) for name in SERVICES}
        for client in clients.values():
            answer_check.register(client)
        return cls(region, **clients)


def default_region() -> str | None:
    """The region of the user's AWS configuration (AWS_REGION, AWS_DEFAULT_REGION, the profile)."""
    try:
        return boto3.Session().region_name
    except ProfileNotFound as error:
        raise TroubleshootError(f"{error}: set AWS_PROFILE to a profile that exists") from None


@dataclass
class AwsReader:
    """Makes the calls and keeps, in order, the CLI command behind each of them."""

    clients: RegionalClients
    steps: list[AwsStep] = field(default_factory=list)
    """Shared by the readers of several regions when one command reads them all."""

    def call(
        self,
        service: str,
        operation: str,
        purpose: str,
        *,
        handled_errors: Collection[str] = (),
        cli: CliSpelling | None = None,
        **params: Any,
    ) -> dict[str, Any]:
        """The answer without ResponseMetadata; an AWS error whose code is in `handled_errors` is
        raised as botocore's ClientError for the caller to judge, every other one as one line."""
        client: BaseClient = getattr(self.clients, service)
        paginated = client.can_paginate(operation)
        command = cli_command(service, operation, params, self.clients.region, paginated, cli)
        if not self.steps or self.steps[-1].command != command:  # a next page is the same command
            self.steps.append(AwsStep(purpose=purpose, command=command))
        try:
            api_name = client.meta.method_to_api_mapping.get(operation, operation)
            with waiting_for(service, api_name, client.meta.endpoint_url):
                response = getattr(client, operation)(**params)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in handled_errors:
                raise
            raise from_client_error(error, service, purpose) from None
        except (NoCredentialsError, PartialCredentialsError):
            raise TroubleshootError(
                "no AWS credentials found: configure them (`aws configure`, `aws sso login`, "
                "AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) and retry"
            ) from None
        except ProfileNotFound as error:
            raise TroubleshootError(f"{error}: set AWS_PROFILE to a profile that exists") from None
        except NoRegionError:
            raise TroubleshootError("no AWS region: pass --region R") from None
        except EndpointConnectionError as error:
            raise TroubleshootError(
                f"cannot reach AWS ({error}): check the network and --region"
            ) from None
        except BotoCoreError as error:
            raise TroubleshootError(f"{purpose}: {error}") from None
        response.pop("ResponseMetadata", None)
        return response
