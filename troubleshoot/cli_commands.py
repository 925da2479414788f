"""The AWS CLI command that makes the same request as one boto3 call, so a user can repeat each step.

The CLI's option names are the API's member names in kebab case (`logStreamNames` ->
`--log-stream-names`), booleans are flags (`--start-from-head`), flat structures use the shorthand
`key=value` syntax, and paginated operations take `--max-items` instead of the page-size member (AWS
CLI User Guide, "Using shorthand syntax" and "Using the AWS CLI pagination options"). A binary member
is read from a file (`--signature fileb://manifest.sig`, "Loading AWS CLI parameters from a file"), and
an S3 object's body is written to the file named last (`aws s3api get-object ... <outfile>`).
"""

import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from botocore import xform_name

# The AWS CLI calls CodeDeploy `aws deploy`, S3's API `aws s3api` and AWS Config `aws configservice`
# (AWS CLI Command Reference).
CLI_SERVICE_NAMES = {"codedeploy": "deploy", "s3": "s3api", "config": "configservice"}
PAGE_SIZE_MEMBERS = frozenset({"maxResults", "limit", "MaxRecords"})
PAGE_TOKEN_MEMBERS = frozenset({"nextToken", "NextToken", "Marker"})


@dataclass(frozen=True)
class CliSpelling:
    """What the request alone does not say about its CLI command."""

    max_items: int | None = None
    """`--max-items` when the caller reads several pages (default: the page-size member)."""
    files: Mapping[str, str] = field(default_factory=dict)
    """Binary member -> the file the CLI reads it from (default `<member>.bin`)."""
    outfile: str | None = None
    """Where the CLI writes a streamed body (`s3api get-object`'s positional argument)."""


def cli_command(
    service: str,
    operation: str,
    params: Mapping[str, Any],
    region: str,
    paginated: bool,
    spelling: CliSpelling | None = None,
) -> str:
    """`aws <service> <operation> --<member> <value> ... --region <region>`."""
    spelling = spelling or CliSpelling()
    parts = ["aws", CLI_SERVICE_NAMES.get(service, service), operation.replace("_", "-")]
    for member, value in params.items():
        if paginated and member in PAGE_TOKEN_MEMBERS:
            continue  # the CLI follows the pages itself
        if paginated and member in PAGE_SIZE_MEMBERS:
            parts += ["--max-items", str(spelling.max_items or value)]
        elif isinstance(value, (bytes, bytearray)):
            file = spelling.files.get(member, f"{xform_name(member, '-')}.bin")
            parts += [f"--{xform_name(member, '-')}", shlex.quote(f"fileb://{file}")]
        else:
            parts += _option(member, value)
    if spelling.outfile:
        parts.append(shlex.quote(spelling.outfile))
    parts += ["--region", region]
    return " ".join(parts)


def _option(member: str, value: Any) -> list[str]:
    name = f"--{xform_name(member, '-')}"
    if isinstance(value, bool):
        return [name if value else f"--no-{name[2:]}"]
    if isinstance(value, (list, tuple)):
        return [name, *(shlex.quote(_item(item)) for item in value)]
    if isinstance(value, Mapping):
        return [name, shlex.quote(_shorthand(value))]
    return [name, shlex.quote(str(value))]


def _item(item: Any) -> str:
    """A list member: a structure in shorthand (`Name=tag:Name,Values=web`), else the value."""
    return _shorthand(item) if isinstance(item, Mapping) else str(item)


def _shorthand(value: Mapping[str, Any]) -> str:
    """`key=value,...`; a list member's values joined by commas (`Values=a,b`)."""
    return ",".join(
        f"{key}={','.join(map(str, item)) if isinstance(item, (list, tuple)) else item}"
        for key, item in value.items()
    )
