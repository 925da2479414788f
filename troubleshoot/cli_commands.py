"""The AWS CLI command that makes the same request as one boto3 call, so a user can repeat each step.

The CLI's option names are the API's member names in kebab case (`logStreamNames` ->
`--log-stream-names`), booleans are flags (`--start-from-head`), flat structures use the shorthand
`key=value` syntax, and paginated operations take `--max-items` instead of the page-size member (AWS
CLI User Guide, "Using shorthand syntax" and "Using the AWS CLI pagination options").
"""

import shlex
from collections.abc import Mapping
from typing import Any

from botocore import xform_name

# The AWS CLI calls CodeDeploy `aws deploy` (AWS CLI Command Reference, "deploy").
CLI_SERVICE_NAMES = {"codedeploy": "deploy"}
PAGE_SIZE_MEMBERS = frozenset({"maxResults", "limit", "MaxRecords"})
PAGE_TOKEN_MEMBERS = frozenset({"nextToken", "NextToken"})


def cli_command(
    service: str, operation: str, params: Mapping[str, Any], region: str, paginated: bool
) -> str:
    """`aws <service> <operation> --<member> <value> ... --region <region>`."""
    parts = ["aws", CLI_SERVICE_NAMES.get(service, service), operation.replace("_", "-")]
    for member, value in params.items():
        if paginated and member in PAGE_TOKEN_MEMBERS:
            continue  # the CLI follows the pages itself
        if paginated and member in PAGE_SIZE_MEMBERS:
            parts += ["--max-items", str(value)]
        else:
            parts += _option(member, value)
    parts += ["--region", region]
    return " ".join(parts)


def _option(member: str, value: Any) -> list[str]:
    name = f"--{xform_name(member, '-')}"
    if isinstance(value, bool):
        return [name if value else f"--no-{name[2:]}"]
    if isinstance(value, (list, tuple)):
        return [name, *(shlex.quote(str(item)) for item in value)]
    if isinstance(value, Mapping):
        shorthand = ",".join(f"{key}={item}" for key, item in value.items())
        return [name, shlex.quote(shorthand)]
    return [name, shlex.quote(str(value))]
