"""The source of a stack that promotes: the release its upstream published, never the repository.

The Source stage has one S3 source action per published object (`BuildOutput`, `ImageOutput` for ECS,
`ReleaseOutput`), each producing the artifact of the same name, so the Verify and Deploy stages read
what they read in the upstream; CodePipeline's S3 source action takes the object's version at the start
of the execution (CodePipeline "Action structure reference", Amazon S3 source action), so a release
published later never changes an execution already running. The pipeline is started by a rule on
this stack's promotions bus, where the upstream forwards S3's "Object Created" event for the
`ReleaseOutput.zip` it writes last (EventBridge's "Sending and receiving events between AWS accounts").
"""

import json

import pulumi
import pulumi_aws as aws

from components.config import ServiceSettings
from components.iam.documents import service_assume_role_policy, statement
from components.iam.grants import RoleGrants, Statement
from components.iam.principals import EVENTS_PRINCIPAL
from components.release.promotion import (
    BUCKET_READ_ACTIONS,
    OBJECT_READ_ACTIONS,
    VIA_S3,
    Upstream,
)
from components.release.release_names import ReleaseNames, StackReleaseNames
from components.shared.naming import ServiceNames
from components.shared.references import reference
from components.stages.origins import Origin, TriggerInputs
from components.stages.stage_args import RELEASE_OUTPUT
from components.targets import DeployTarget

S3_OBJECT_CREATED = "Object Created"


class PromotionOrigin(Origin):
    """The upstream's published release of this service, started by the promotions bus."""

    def __init__(
        self,
        service: ServiceSettings,
        names: ServiceNames,
        upstream: Upstream,
        target: DeployTarget,
    ) -> None:
        super().__init__(service)
        self.names, self.upstream, self.target = names, upstream, target

    @property
    def description(self) -> str:
        return f"the release of {self.service.name} promoted from {self.upstream.stack}"

    @property
    def provenance(self) -> str:
        return f"the release of {self.service.name} deployed and baked in {self.upstream.stack}"

    def repository_id(self, names: ServiceNames) -> str:
        return self.upstream.service(self.service.name).pipeline_name

    @property
    def artifacts(self) -> tuple[str, ...]:
        """The published objects, `ReleaseOutput` (the trigger) last."""
        return (*self.target.deploy_artifacts, RELEASE_OUTPUT)

    def published_key(self, artifact: str) -> str:
        """Where the upstream publishes `artifact` of this service for this stack."""
        upstream_release = self.upstream.release(self.service.name)
        return upstream_release.published_key(self.names.platform.stack, artifact)

    def source_stage(
        self, repository_name: pulumi.Input[str] | None
    ) -> aws.codepipeline.PipelineStageArgs:
        """One S3 source action per published object, in the upstream's artifact bucket."""
        bucket = self.upstream.names.artifact_bucket_name
        return aws.codepipeline.PipelineStageArgs(
            name="Source",
            actions=[
                aws.codepipeline.PipelineStageActionArgs(
                    name=artifact,
                    category="Source",
                    owner="AWS",
                    provider="S3",
                    version="1",
                    output_artifacts=[artifact],
                    configuration={
                        "S3Bucket": bucket,
                        "S3ObjectKey": self.published_key(artifact),
                        "PollForSourceChanges": "false",
                    },
                )
                for artifact in self.artifacts
            ],
        )

    def declare_push_trigger(self, name: str, inputs: TriggerInputs) -> pulumi.Resource:
        if inputs.events_role_arn is None or inputs.event_bus_name is None:
            raise ValueError(f"service {self.service.name!r} needs its events role and bus")
        names = inputs.names
        rule_name = ReleaseNames(names).intake_rule_name
        opts = pulumi.ResourceOptions(parent=inputs.parent)
        rule = aws.cloudwatch.EventRule(
            f"{name}-promotion",
            name=rule_name,
            event_bus_name=inputs.event_bus_name,
            description=(
                f"Start {names.pipeline_name} when {self.upstream.stack} publishes a release."
            ),
            event_pattern=published_event_pattern(
                self.upstream.names.artifact_bucket_name,
                self.published_key(RELEASE_OUTPUT),
            ),
            tags=inputs.tags,
            opts=opts,
        )
        aws.cloudwatch.EventTarget(
            f"{name}-promotion-pipeline",
            rule=reference(rule_name, rule),
            event_bus_name=inputs.event_bus_name,
            arn=inputs.pipeline_arn,
            role_arn=inputs.events_role_arn,
            target_id="start-pipeline",
            opts=opts,
        )
        return rule

    def events_role(self, names: ServiceNames) -> RoleGrants:
        """EventBridge may start this pipeline and nothing else, only for the intake rule."""
        release = ReleaseNames(names)
        bus = StackReleaseNames(names.platform).promotions_bus_name
        rule_arn = names.platform.arn("events", f"rule/{bus}/{release.intake_rule_name}")
        trust = service_assume_role_policy(EVENTS_PRINCIPAL, names.platform.account_id, rule_arn)
        start = statement(
            "Allow",
            ["codepipeline:StartPipelineExecution"],
            [names.pipeline_arn],
            sid="StartOwnPipeline",
        )
        return RoleGrants("events", trust, [start])

    def pipeline_statements(self, names: ServiceNames) -> list[Statement]:
        """Read the objects published for this stack, and decrypt them only through S3."""
        upstream = self.upstream.names
        published = self.upstream.release(self.service.name).published_objects_arn(
            names.platform.stack
        )
        return [
            statement("Allow", OBJECT_READ_ACTIONS, [published], sid="ReadPromotedRelease"),
            statement(
                "Allow",
                BUCKET_READ_ACTIONS,
                [upstream.artifact_bucket_arn],
                sid="ReadUpstreamBucketVersioning",
            ),
            statement(
                "Allow",
                ["kms:Decrypt"],
                [upstream.key_arn_pattern],
                conditions={"StringEquals": {VIA_S3: f"s3.{upstream.region}.amazonaws.com"}},
                sid="DecryptPromotedReleaseThroughS3",
            ),
        ]


def published_event_pattern(bucket: str, key: str) -> str:
    """S3's EventBridge event for one object written in one bucket ("Amazon S3 Event Notifications")."""
    return json.dumps(
        {
            "source": ["aws.s3"],
            "detail-type": [S3_OBJECT_CREATED],
            "detail": {"bucket": {"name": [bucket]}, "object": {"key": [key]}},
        },
        sort_keys=True,
    )
