"""An EventBridge rule whose matches are announced on the topic, in words EventBridge fills in itself.

Failed executions, failed actions and AWS Config findings all take this shape: a rule, and a target on the
topic with an input transformer (no Lambda). The target names its rule by a `reference`, so the engine
creates the rule first (PutTargets on a missing rule fails: EventBridge API reference, PutTargets,
ResourceNotFoundException).
"""

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.shared.references import reference


@dataclass(frozen=True)
class TopicRule:
    """What the rule matches and what its readers are told."""

    rule_name: str
    description: str
    event_pattern: pulumi.Input[str]
    input_paths: Mapping[str, str]
    input_template: str
    """JSON text with `<path>` placeholders (EventBridge input transformation)."""


def declare_topic_rule(
    resource_name: str,
    rule: TopicRule,
    *,
    topic_arn: pulumi.Input[str],
    tags: Mapping[str, str],
    parent: pulumi.Resource,
) -> pulumi.Output[str]:
    """Declare the rule and its topic target; return a reference to the rule (its name)."""
    child = pulumi.ResourceOptions(parent=parent)
    declared = aws.cloudwatch.EventRule(
        resource_name,
        name=rule.rule_name,
        description=rule.description,
        event_pattern=rule.event_pattern,
        tags=dict(tags),
        opts=child,
    )
    rule_reference = reference(rule.rule_name, declared)
    aws.cloudwatch.EventTarget(
        f"{resource_name}-to-topic",
        rule=rule_reference,
        arn=topic_arn,
        input_transformer={
            "input_paths": dict(rule.input_paths),
            "input_template": rule.input_template,
        },
        opts=child,
    )
    return rule_reference
