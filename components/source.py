"""The CodeCommit repository of one service and the EventBridge rule that starts its pipeline on a push.

The pipeline does not poll (`PollForSourceChanges` false): EventBridge starts it on a push to the
configured branch, through the events role that may start this one pipeline and nothing else.
"""

import json
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.config import ServiceSettings
from components.naming import ServiceNames

PUSH_EVENTS = ("referenceCreated", "referenceUpdated")
"""A new branch (first push) or new commits on it; deletions do not start a release."""


@dataclass(frozen=True)
class SourceArgs:
    """Inputs of one service's source."""

    service: ServiceSettings
    """Repository name (from config, as is) and the branch that releases."""
    names: ServiceNames
    """Repository/rule/pipeline names and ARNs."""
    key_arn: pulumi.Input[str]
    """The artifact key; the repository is encrypted with it (a key ARN, as CodeCommit requires)."""
    events_role_arn: str
    """The role EventBridge assumes to start the pipeline (from `ServiceRoles`)."""
    protect: bool = False
    """Protect and retain the repository (prod): a `pulumi destroy` must never delete history."""
    tags: dict[str, str] = field(default_factory=dict)
    """Tags of the repository and the rule."""


class Source(pulumi.ComponentResource):
    """CodeCommit repository + push rule -> pipeline."""

    repository: aws.codecommit.Repository
    push_rule: aws.cloudwatch.EventRule
    repository_name: str
    repository_arn: str
    push_rule_name: str

    def __init__(
        self, name: str, args: SourceArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("guarded-delivery:source:Source", name, None, opts)
        service, names = args.service, args.names
        self.repository_name = names.repository_name
        self.repository_arn = names.repository_arn
        self.push_rule_name = names.source_rule_name

        self.repository = aws.codecommit.Repository(
            f"{name}-repository",
            repository_name=self.repository_name,
            description=f"Source of {service.name}; pushes to {service.branch} release it.",
            kms_key_id=args.key_arn,
            tags=args.tags,
            opts=pulumi.ResourceOptions(
                parent=self, protect=args.protect, retain_on_delete=args.protect
            ),
        )
        self.push_rule = aws.cloudwatch.EventRule(
            f"{name}-push",
            name=self.push_rule_name,
            description=f"Start {names.pipeline_name} on a push to {service.branch}.",
            event_pattern=push_event_pattern(names.repository_arn, service.branch),
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.cloudwatch.EventTarget(
            f"{name}-push-pipeline",
            rule=self.push_rule_name,
            arn=names.pipeline_arn,
            role_arn=args.events_role_arn,
            target_id="start-pipeline",
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.push_rule]),
        )
        self.register_outputs(
            {"repository_name": self.repository_name, "push_rule_name": self.push_rule_name}
        )


def push_event_pattern(repository_arn: str, branch: str) -> str:
    """EventBridge pattern: a branch `branch` of this repository was created or moved."""
    return json.dumps(
        {
            "source": ["aws.codecommit"],
            "detail-type": ["CodeCommit Repository State Change"],
            "resources": [repository_arn],
            "detail": {
                "event": list(PUSH_EVENTS),
                "referenceType": ["branch"],
                "referenceName": [branch],
            },
        },
        sort_keys=True,
    )
