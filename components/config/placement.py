"""Checks of the stack config that need to know where the stack deploys: partition, region, account.

`parse_settings` is pure and knows no account; these run right after the program learned its
partition, region and account (`aws.get_partition()`, `aws.get_region()`,
`aws.get_caller_identity()`) and before any resource is declared, so an ARN that deploys and then
fails stops `pulumi preview` with one line naming the key and the fix.

What AWS allows, and so what is an error and what only a warning:

- An ARN of another partition (`aws-cn`, `aws-us-gov`) names nothing the stack's partition can reach:
  partitions are separate sets of accounts and credentials ("Amazon Resource Names (ARNs)",
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html). Error, for every ARN the
  stack config takes (connection, principals, listeners, the upstream's signing key).
- A CodeConnections connection is global: "Although the connection ARN format reflects the Region
  name where it was created, the resource is not constrained to any Region ... you can use it in any
  AWS Region" ("Global resources in AWS CodeConnections",
  https://docs.aws.amazon.com/dtconsole/latest/userguide/welcome-connections-how-it-works-global.html).
  So another region in its ARN is accepted.
- A connection of another account works only when that account shared it through AWS RAM, which is
  "only supported for codeconnections resources", never `codestar-connections` ("Share connections
  with AWS accounts", https://docs.aws.amazon.com/dtconsole/latest/userguide/connections-share.html).
  A foreign `codestar-connections` ARN is an error; a foreign `codeconnections` ARN a warning (it
  needs the share, and the repository permissions, on the other side).
- A principal of another account in `executionRolePrincipals` is valid IAM, and may be meant (a
  central CI account); but it lets that account start and inspect this stack's pipelines, so it is
  warned about (`pulumi.log.warn`, shown by `pulumi preview` and the offline preview), never
  accepted silently.
"""

import re
from dataclasses import dataclass

from components.config.fields import FieldReader
from components.config.model import PlatformSettings

ARN_RE = re.compile(
    r"^arn:(?P<partition>[^:]*):(?P<service>[^:]*):(?P<region>[^:]*):(?P<account>[^:]*):"
)
SHAREABLE_CONNECTION_SERVICE = "codeconnections"


@dataclass(frozen=True)
class Placement:
    """Where the stack deploys, as the program learned it from AWS."""

    partition: str
    region: str
    account_id: str

    def shown(self) -> str:
        return f"partition {self.partition}, region {self.region}, account {self.account_id}"


def check_placement(settings: PlatformSettings, placement: Placement, namespace: str) -> list[str]:
    """Raise ConfigError for an ARN the stack cannot use; return warnings (one line each)."""
    root = FieldReader(namespace)
    warnings: list[str] = []
    for index, service in enumerate(settings.services):
        at = root.key("services").item(index)
        if service.connection is not None:
            warning = _check_connection(
                at.key("connectionArn"), service.connection.connection_arn, placement
            )
            if warning:
                warnings.append(warning)
        if service.ecs is not None:
            _same_partition(
                at.key("ecs").key("prodListenerArn"), service.ecs.prod_listener_arn, placement
            )
            if service.ecs.test_listener_arn:
                _same_partition(
                    at.key("ecs").key("testListenerArn"), service.ecs.test_listener_arn, placement
                )
    principals = root.key("executionRolePrincipals")
    for index, principal in enumerate(settings.execution_role_principals):
        at = principals.item(index)
        account = _same_partition(at, principal, placement)
        if account and account != placement.account_id:
            warnings.append(
                f"{at.path}: {principal!r} is of account {account}, not this stack's "
                f"({placement.account_id}): it may assume the execution role and start this "
                "stack's pipelines; remove it unless that account is meant to (a central CI account)"
            )
    if settings.promote_from_signing_key_arn:
        _same_partition(
            root.key("promoteFromSigningKeyArn"), settings.promote_from_signing_key_arn, placement
        )
    return warnings


def _same_partition(at: FieldReader, arn: str, placement: Placement) -> str:
    """The ARN's account; raises when the ARN is of another partition than the stack's."""
    match = ARN_RE.match(arn)
    if match is None:
        return ""
    if match.group("partition") != placement.partition:
        raise at.error(
            arn,
            f"is in partition {match.group('partition')}, but this stack deploys to "
            f"{placement.shown()}; use an ARN of partition {placement.partition}",
        )
    return match.group("account")


def _check_connection(at: FieldReader, arn: str, placement: Placement) -> str:
    """Raise for a connection the stack cannot use; a warning for one that needs a share."""
    account = _same_partition(at, arn, placement)
    match = ARN_RE.match(arn)
    if not account or account == placement.account_id or match is None:
        return ""
    if match.group("service") != SHAREABLE_CONNECTION_SERVICE:
        raise at.error(
            arn,
            f"is a connection of account {account}, not this stack's ({placement.account_id}), "
            "and codestar-connections connections cannot be shared across accounts; create the "
            f"connection in account {placement.account_id} (or share a codeconnections one "
            "through AWS RAM)",
        )
    return (
        f"{at.path}: {arn!r} is a connection of account {account}, not this stack's "
        f"({placement.account_id}): the source action fails unless account {account} shared it "
        "with this account through AWS RAM (and granted the repository); prefer a connection "
        f"created in account {placement.account_id}"
    )
