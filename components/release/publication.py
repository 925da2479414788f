"""An upstream stack's side of promotion: S3 events of published releases, forwarded downstream.

The publish step (`release_steps.publish`, after the deploy and its bake) writes
`releases/<service>/<downstream>/ReleaseOutput.zip` last; S3 sends "Object Created" to EventBridge
(the bucket's EventBridge notifications, "Using EventBridge" in the S3 user guide), and one rule per
service and downstream forwards that event to the downstream's promotions bus through a role that may
put events on exactly those buses. The grants the downstream roles need on the bucket, the keys and the
image repositories are statements of `promotion.py`, added to those resources' policies.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.iam.documents import policy_document, service_assume_role_policy, statement
from components.iam.principals import EVENTS_PRINCIPAL, MAX_SESSION_SECONDS
from components.release.promotion import Downstream
from components.release.promotion_origin import published_event_pattern
from components.release.release_names import ReleaseNames, StackReleaseNames
from components.shared.naming import PlatformNames
from components.shared.references import reference
from components.stages.stage_args import RELEASE_OUTPUT


@dataclass(frozen=True)
class ReleasePublicationArgs:
    """Inputs of the forwarding of published releases."""

    names: PlatformNames
    bucket_name: pulumi.Input[str]
    """Reference to the artifact bucket (its EventBridge notifications are turned on)."""
    services: Sequence[str]
    downstreams: Sequence[Downstream]
    tags: Mapping[str, str]


class ReleasePublication(pulumi.ComponentResource):
    """Bucket events on, the forwarder role, and one forwarding rule per service and downstream."""

    def __init__(
        self, name: str, args: ReleasePublicationArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("guarded-delivery:release:ReleasePublication", name, None, opts)
        names, child = args.names, pulumi.ResourceOptions(parent=self)
        stack_names = StackReleaseNames(names)
        aws.s3.BucketNotification(
            f"{name}-bucket-events", bucket=args.bucket_name, eventbridge=True, opts=child
        )
        rules = {
            (service, target.stack): ReleaseNames(
                names.service(service, service)
            ).forward_rule_name(target.stack)
            for service in args.services
            for target in args.downstreams
        }
        role = aws.iam.Role(
            f"{name}-forwarder",
            name=stack_names.forwarder_role_name,
            assume_role_policy=service_assume_role_policy(
                EVENTS_PRINCIPAL,
                names.account_id,
                [names.arn("events", f"rule/{rule}") for rule in rules.values()],
            ),
            description=f"Forwards {names.prefix} release publications to downstream buses",
            max_session_duration=MAX_SESSION_SECONDS,
            tags=dict(args.tags),
            opts=child,
        )
        role_policy = aws.iam.RolePolicy(
            f"{name}-forwarder-policy",
            name="forward-publications",
            role=reference(stack_names.forwarder_role_name, role),
            policy=policy_document(
                [
                    statement(
                        "Allow",
                        ["events:PutEvents"],
                        [StackReleaseNames(t.names).promotions_bus_arn for t in args.downstreams],
                        sid="PutOnDownstreamPromotionBuses",
                    )
                ]
            ),
            opts=child,
        )
        forwarder = reference(stack_names.forwarder_role_arn, role, role_policy)
        for target in args.downstreams:
            for service in args.services:
                self._forward(
                    name, names, service, target, rules[(service, target.stack)], forwarder, args
                )
        self.register_outputs({})

    def _forward(
        self,
        name: str,
        names: PlatformNames,
        service: str,
        target: Downstream,
        rule_name: str,
        forwarder: pulumi.Output[str],
        args: ReleasePublicationArgs,
    ) -> None:
        release = ReleaseNames(names.service(service, service))
        child = pulumi.ResourceOptions(parent=self)
        rule = aws.cloudwatch.EventRule(
            f"{name}-{service}-to-{target.stack}",
            name=rule_name,
            description=f"Forward {service} releases published for {target.stack}.",
            event_pattern=published_event_pattern(
                names.artifact_bucket_name, release.published_key(target.stack, RELEASE_OUTPUT)
            ),
            tags=dict(args.tags),
            opts=child,
        )
        aws.cloudwatch.EventTarget(
            f"{name}-{service}-to-{target.stack}-bus",
            rule=reference(rule_name, rule),
            arn=StackReleaseNames(target.names).promotions_bus_arn,
            role_arn=forwarder,
            target_id="downstream-bus",
            opts=child,
        )
