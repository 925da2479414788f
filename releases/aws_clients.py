"""The clients `bin/releases` reads with, and the release step functions' clients made recorded.

The step package (`components/release/steps`) takes boto3 clients and calls them directly;
`RecordedClient` hands it a client whose every call goes through troubleshoot's `AwsReader`, so the
same reads are printed as AWS CLI commands and their errors become one line naming the permission.
"""

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.client import BaseClient

from troubleshoot.aws_calls import AwsReader
from troubleshoot.cli_commands import CliSpelling

SERVICES = ("sts", "codepipeline", "s3", "kms")


@dataclass(frozen=True)
class ReleaseClients:
    """One boto3 client per service the command reads, all in the stack's region."""

    region: str
    sts: BaseClient
    codepipeline: BaseClient
    s3: BaseClient
    kms: BaseClient

    @classmethod
    def for_region(cls, region: str) -> "ReleaseClients":
        """Clients from the user's normal AWS configuration (profile, environment, SSO, role)."""
        session = boto3.Session(region_name=region)
        return cls(region, **{name: session.client(name) for name in SERVICES})


@dataclass(frozen=True)
class Read:
    """Why an operation is called, and how its CLI command and its errors are told."""

    purpose: str
    handled_errors: Collection[str] = ()
    """AWS error codes the caller judges itself (raised as botocore's ClientError)."""
    cli: CliSpelling | None = None


class RecordedClient:
    """`service`'s client for the step functions: only the operations in `reads`, each recorded."""

    def __init__(self, reader: AwsReader, service: str, reads: Mapping[str, Read]) -> None:
        self._reader, self._service, self._reads = reader, service, reads

    def __getattr__(self, operation: str) -> Callable[..., dict[str, Any]]:
        read = self._reads.get(operation)
        if read is None:
            raise AttributeError(f"bin/releases does not call {self._service} {operation}")

        def call(**params: Any) -> dict[str, Any]:
            return self._reader.call(
                self._service,
                operation,
                read.purpose,
                handled_errors=read.handled_errors,
                cli=read.cli,
                **params,
            )

        return call


class AnsweredPipeline:
    """A CodePipeline client that answers `list_action_executions` with details already read, so
    the step package's own reading of an execution (`find_execution_artifacts`) needs no 2nd call."""

    def __init__(self, details: list[dict[str, Any]]) -> None:
        self._details = details

    def list_action_executions(self, **_: Any) -> dict[str, Any]:
        return {"actionExecutionDetails": self._details}
