"""AWS functions that make no AWS call: answered here as the provider answers them.

Each follows its terraform-provider-aws data source, which pulumi-aws bridges:
- `aws:iam/getPolicyDocument` composes JSON (see `policy_document`).
- `aws:index/getArn` splits an ARN (`aws_arn`: the AWS SDK's `arn.Parse`,
  `arn:partition:service:region:account-id:resource`, the resource keeping any `:`).
- `aws:index/getServicePrincipal` (`aws_service_principal`, internal/service/meta/
  service_principal_data_source.go): `<service>.<suffix>`, the suffix `amazonaws.com` except for the
  services that use the partition's DNS suffix in aws-cn (codedeploy, elasticmapreduce, logs), aws-iso
  (cloudhsm, config, logs, workspaces) and aws-iso-b (dms, logs); id `<service>.<region>.<suffix>`.
- `aws:index/getBillingServiceAccount` (`aws_billing_service_account`): AWS's billing account
  386209384616 (AWS Billing docs, "Step 2") as `arn:<partition>:iam::386209384616:root`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from offline_preview.aws_regions import partition_of
from offline_preview.lookups.policy_document import PolicyDocumentError, get_policy_document

POLICY_DOCUMENT = "aws:iam/getPolicyDocument:getPolicyDocument"
ARN = "aws:index/getArn:getArn"
SERVICE_PRINCIPAL = "aws:index/getServicePrincipal:getServicePrincipal"
BILLING_SERVICE_ACCOUNT = "aws:index/getBillingServiceAccount:getBillingServiceAccount"
ARN_SECTIONS = 6
BILLING_ACCOUNT_ID = "386209384616"
DEFAULT_PRINCIPAL_SUFFIX = "amazonaws.com"
# Services whose principal ends in the partition's own DNS suffix (the provider's table, from CDK's
# region-info).
PARTITION_SUFFIX_SERVICES = {
    "aws-cn": {"codedeploy", "elasticmapreduce", "logs"},
    "aws-iso": {"cloudhsm", "config", "logs", "workspaces"},
    "aws-iso-b": {"dms", "logs"},
}


@dataclass(frozen=True)
class AwsContext:
    """What the provider knows without a call: its region and partition."""

    region: str
    partition: str


class LocalFunctionError(ValueError):
    """The arguments are refused, as the provider refuses them."""


def get_arn(args: dict[str, Any], context: AwsContext) -> dict[str, Any]:
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


def get_service_principal(args: dict[str, Any], context: AwsContext) -> dict[str, Any]:
    service = str(args.get("serviceName") or "")
    region = str(args.get("region") or context.region)
    partition = partition_of(region)
    if partition is None:
        raise LocalFunctionError(f"finding Region by name ({region}): not a region AWS knows")
    suffix = DEFAULT_PRINCIPAL_SUFFIX
    if service in PARTITION_SUFFIX_SERVICES.get(partition.name, set()):
        suffix = partition.dns_suffix
    return {
        "id": f"{service}.{region}.{suffix}",
        "name": f"{service}.{suffix}",
        "suffix": suffix,
        "region": region,
        "serviceName": service,
    }


def get_billing_service_account(args: dict[str, Any], context: AwsContext) -> dict[str, Any]:
    return {
        "id": BILLING_ACCOUNT_ID,
        "arn": f"arn:{context.partition}:iam::{BILLING_ACCOUNT_ID}:root",
    }


def _policy_document(args: dict[str, Any], context: AwsContext) -> dict[str, Any]:
    try:
        return get_policy_document(args)
    except PolicyDocumentError as exc:
        raise LocalFunctionError(str(exc)) from None


LOCAL_FUNCTIONS: dict[str, Callable[[dict[str, Any], AwsContext], dict[str, Any]]] = {
    POLICY_DOCUMENT: _policy_document,
    ARN: get_arn,
    SERVICE_PRINCIPAL: get_service_principal,
    BILLING_SERVICE_ACCOUNT: get_billing_service_account,
}
