"""The stack's notification topic: KMS-encrypted, and only our own rules and alarms may publish to it.

Every service's failure rules and alarms (`monitoring.py`), the approval requests and the compliance
findings publish here; people subscribe by email (`notificationEmails`).
"""

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.iam.documents import policy_document, statement
from components.iam.principals import ALARMS_PRINCIPAL, EVENTS_PRINCIPAL
from components.shared.naming import PlatformNames
from components.shared.references import reference

TYPE_TOKEN = "guarded-delivery:monitoring:NotificationTopic"
"""Kept from when the topic lived in `monitoring.py`: the token is part of every child's URN, so a new
one would make the engine replace the deployed topic and its subscriptions."""


@dataclass(frozen=True)
class NotificationTopicArgs:
    """Inputs of the stack's notification topic."""

    names: PlatformNames
    key_alias_arn: pulumi.Input[str]
    """KMS key (alias reference, known at preview) encrypting the topic; its key policy must let
    events.amazonaws.com and cloudwatch.amazonaws.com use it (see `artifact_store.key_policy`)."""
    tags: Mapping[str, str]
    rule_names: Sequence[str]
    """Every EventBridge rule of the stack that targets the topic (`delivery_platform.topic_rule_names`):
    the topic policy lets EventBridge publish for exactly these."""
    email_addresses: Sequence[str] = ()
    """Email subscribers (each must confirm the subscription mail); none by default."""


class NotificationTopic(pulumi.ComponentResource):
    """KMS-encrypted SNS topic that only our rules and alarms (and IAM-allowed roles) publish to."""

    topic: aws.sns.Topic
    topic_arn: pulumi.Output[str]
    """Reference to the topic and its policy (known at preview): alarms and rules publish to it."""

    def __init__(
        self, name: str, args: NotificationTopicArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        names = args.names
        child = pulumi.ResourceOptions(parent=self)
        self.topic = aws.sns.Topic(
            f"{name}-topic",
            name=names.topic_name,
            kms_master_key_id=args.key_alias_arn,
            tags=dict(args.tags),
            opts=child,
        )
        topic = reference(names.topic_arn, self.topic)
        self.policy = aws.sns.TopicPolicy(
            f"{name}-topic-policy",
            arn=topic,
            policy=topic_policy(names, args.rule_names),
            opts=child,
        )
        self.subscriptions = [
            aws.sns.TopicSubscription(
                f"{name}-email-{hashlib.sha256(email.encode()).hexdigest()[:8]}",
                topic=topic,
                protocol="email",
                endpoint=email,
                opts=child,
            )
            for email in args.email_addresses
        ]
        # Publishers wait for the policy too: without it SNS refuses their messages.
        self.topic_arn = reference(names.topic_arn, self.topic, self.policy)
        self.register_outputs({"topic_arn": self.topic_arn})


SNS_POLICY_LIMIT_BYTES = 30 * 1024
"""SNS's limit on a topic policy ("Maximum size of a topic policy: 30 KB")."""


def topic_policy(names: PlatformNames, rule_names: Sequence[str]) -> str:
    """EventBridge rules and CloudWatch alarms of this stack may publish; nobody else via the policy.

    Rules are named one by one (`ArnEquals`), not by `rule/<prefix>-*`: a rule name is at most 64
    characters, so with a long project or stack name `bounded` shortens it to a head and a hash that
    no longer starts with `<project>-<stack>-`, and SNS would refuse its messages, silently. At 60
    services (three rules each) the list stays well under SNS's 30 KB (tests/program/
    test_name_patterns.py). Alarm names may be 255 characters, so they keep the `<project>-<stack>-`
    head even when shortened (`ServiceNames._alarm`) and are granted by that pattern.
    """
    if not rule_names:
        raise ValueError("the topic policy needs the rules that publish to the topic")
    same_account = {"aws:SourceAccount": names.account_id}
    return policy_document(
        [
            statement(
                "Allow",
                ["sns:Publish"],
                [names.topic_arn],
                conditions={
                    "StringEquals": same_account,
                    "ArnEquals": {"aws:SourceArn": [names.rule_arn(rule) for rule in rule_names]},
                },
                sid="OurFailureRulesPublish",
                principal={"Service": EVENTS_PRINCIPAL},
            ),
            statement(
                "Allow",
                ["sns:Publish"],
                [names.topic_arn],
                conditions={
                    "StringEquals": same_account,
                    "ArnLike": {"aws:SourceArn": names.alarm_arn_pattern},
                },
                sid="OurAlarmsPublish",
                principal={"Service": ALARMS_PRINCIPAL},
            ),
        ]
    )
