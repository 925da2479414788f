"""AWS functions whose answer depends only on their arguments: answered here as the provider would.

- `aws:iam/getPolicyDocument`: composes JSON (see `policy_document`).
- `aws:index/getArn`: splits an ARN (the provider's `aws_arn` data source parses it with the AWS SDK's
  `arn.Parse`: `arn:partition:service:region:account-id:resource`, the resource keeping any `:`).
"""

from collections.abc import Callable
from typing import Any

from offline_preview.lookups.policy_document import PolicyDocumentError, get_policy_document

POLICY_DOCUMENT = "aws:iam/getPolicyDocument:getPolicyDocument"
ARN = "aws:index/getArn:getArn"
ARN_SECTIONS = 6


class LocalFunctionError(ValueError):
    """The arguments are refused, as the provider refuses them."""


def get_arn(args: dict[str, Any]) -> dict[str, Any]:
    arn = str(args.get("arn") or "")
    sections = arn.split(":", ARN_SECTIONS - 1)
    if len(sections) != ARN_SECTIONS or sections[0] != "arn":
        raise LocalFunctionError(
            f"{arn!r} is not an ARN (arn:partition:service:region:account-id:resource)"
        )
    if not sections[1] or not sections[2] or not sections[5]:
        raise LocalFunctionError(f"{arn!r}: partition, service and resource must not be empty")
    _, partition, service, region, account, resource = sections
    return {
        "arn": arn,
        "id": arn,
        "partition": partition,
        "service": service,
        "region": region,
        "account": account,
        "resource": resource,
    }


def _policy_document(args: dict[str, Any]) -> dict[str, Any]:
    try:
        return get_policy_document(args)
    except PolicyDocumentError as exc:
        raise LocalFunctionError(str(exc)) from None


LOCAL_FUNCTIONS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    POLICY_DOCUMENT: _policy_document,
    ARN: get_arn,
}
