"""The event bus a downstream stack receives "release published" events on.

A bus of its own (not the account's default bus, whose one policy other teams share) whose policy lets
exactly the upstream's forwarder role put events: the principal is the upstream account and the
condition names the role (`aws:PrincipalArn`, IAM's global condition keys), so this stack can be
created before the upstream's role exists while nothing but that role can deliver. The intake rules
(`promotion_origin.py`) listen here.
"""

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.iam.documents import policy_document, statement
from components.release.promotion import Upstream
from components.release.release_names import StackReleaseNames
from components.shared.references import reference


@dataclass(frozen=True)
class PromotionBusArgs:
    """Inputs of a downstream stack's promotions bus."""

    names: StackReleaseNames
    upstream: Upstream
    tags: Mapping[str, str]


class PromotionBus(pulumi.ComponentResource):
    """Custom event bus + a policy admitting only the upstream's forwarder role."""

    bus_name: pulumi.Output[str]
    """Reference to the bus and its policy (known at preview)."""

    def __init__(
        self, name: str, args: PromotionBusArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("guarded-delivery:release:PromotionBus", name, None, opts)
        names = args.names
        bus = aws.cloudwatch.EventBus(
            f"{name}-bus",
            name=names.promotions_bus_name,
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self),
        )
        policy = aws.cloudwatch.EventBusPolicy(
            f"{name}-policy",
            event_bus_name=reference(names.promotions_bus_name, bus),
            policy=promotions_bus_policy(names, args.upstream),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.bus_name = reference(names.promotions_bus_name, bus, policy)
        self.register_outputs({"bus_name": self.bus_name})


def promotions_bus_policy(names: StackReleaseNames, upstream: Upstream) -> str:
    forwarder = StackReleaseNames(upstream.names).forwarder_role_arn
    return policy_document(
        [
            statement(
                "Allow",
                ["events:PutEvents"],
                [names.promotions_bus_arn],
                conditions={"ArnEquals": {"aws:PrincipalArn": forwarder}},
                sid="UpstreamForwarderPutsEvents",
                principal={"AWS": upstream.names.account_root_arn},
            )
        ]
    )
