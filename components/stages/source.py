"""The CodeCommit repository of one service and the EventBridge rule that starts its pipeline on a push.

The pipeline does not poll (`PollForSourceChanges` false): EventBridge starts it on a push to the
configured branch, through the events role that may start this one pipeline and nothing else. Two
components, because the engine must create them on either side of the pipeline: the repository before
(the Source action names it), the push trigger after (its target is the pipeline).
"""

import json
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.config import ServiceSettings
from components.shared.naming import ServiceNames
from components.shared.references import reference

PUSH_EVENTS = ("referenceCreated", "referenceUpdated")
"""A new branch (first push) or new commits on it; deletions do not start a release."""


@dataclass(frozen=True)
class SourceArgs:
    """Inputs of one service's source repository."""

    service: ServiceSettings
    """The service the repository holds."""
    names: ServiceNames
    """The repository's stack-scoped name."""
    key_arn: pulumi.Input[str]
    """The artifact key; the repository is encrypted with it (a key ARN, as CodeCommit requires)."""
    protect: bool = False
    """Protect and retain the repository (prod): a `pulumi destroy` must never delete history."""
    tags: dict[str, str] = field(default_factory=dict)
    """Tags of the repository."""


class Source(pulumi.ComponentResource):
    """The service's KMS-encrypted CodeCommit repository."""

    repository: aws.codecommit.Repository
    repository_name: pulumi.Output[str]
    """Reference to the repository (known at preview): the pipeline's Source action names it."""
    repository_arn: pulumi.Output[str]
    """Reference to the repository (known at preview): the push rule matches its events."""

    def __init__(
        self, name: str, args: SourceArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("guarded-delivery:source:Source", name, None, opts)
        service, names = args.service, args.names
        self.repository = aws.codecommit.Repository(
            f"{name}-repository",
            repository_name=names.repository_name,
            description=f"Source of {service.name}; pushes to {service.branch} release it.",
            kms_key_id=args.key_arn,
            tags=args.tags,
            opts=pulumi.ResourceOptions(
                parent=self, protect=args.protect, retain_on_delete=args.protect
            ),
        )
        self.repository_name = reference(names.repository_name, self.repository)
        self.repository_arn = reference(names.repository_arn, self.repository)
        self.register_outputs({"repository_name": self.repository_name})


@dataclass(frozen=True)
class PushTriggerArgs:
    """Inputs of the rule that starts one service's pipeline on a push."""

    service: ServiceSettings
    """The branch that releases."""
    names: ServiceNames
    """Rule name and the pipeline named in the description."""
    repository_arn: pulumi.Input[str]
    """Reference to the repository whose pushes start the pipeline."""
    pipeline_arn: pulumi.Input[str]
    """Reference to the pipeline the rule starts."""
    events_role_arn: pulumi.Input[str]
    """Reference to the role EventBridge assumes to start the pipeline (from `ServiceRoles`)."""
    tags: dict[str, str] = field(default_factory=dict)
    """Tags of the rule."""


class PushTrigger(pulumi.ComponentResource):
    """EventBridge rule on a push to the branch -> StartPipelineExecution through the events role."""

    push_rule: aws.cloudwatch.EventRule
    push_rule_name: str

    def __init__(
        self, name: str, args: PushTriggerArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("guarded-delivery:source:PushTrigger", name, None, opts)
        service, names = args.service, args.names
        self.push_rule_name = names.source_rule_name
        self.push_rule = aws.cloudwatch.EventRule(
            f"{name}-push",
            name=self.push_rule_name,
            description=f"Start {names.pipeline_name} on a push to {service.branch}.",
            event_pattern=pulumi.Output.from_input(args.repository_arn).apply(
                lambda repository_arn: push_event_pattern(repository_arn, service.branch)
            ),
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.cloudwatch.EventTarget(
            f"{name}-push-pipeline",
            rule=reference(self.push_rule_name, self.push_rule),
            arn=args.pipeline_arn,
            role_arn=args.events_role_arn,
            target_id="start-pipeline",
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"push_rule_name": self.push_rule_name})


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
