"""The deployment of one service: what deploys it and the alarms that roll it back.

A deployment that fails always rolls back. Where the environment asks for it (`alarmRollback`), a
deployment also stops and rolls back when one of the alarms this component creates fires. What deploys
(a CodeDeploy application and group, or nothing because the pipeline's own Lambda action deploys) and
which alarms a platform watches are the deploy target's (`components/targets/`).
"""

from dataclasses import dataclass, field

import pulumi
from pulumi_aws.cloudwatch import MetricAlarm

from components.shared.naming import ServiceNames
from components.shared.references import reference
from components.targets import Deployment, DeployTarget
from components.targets.base import AlarmInputs, DeploymentInputs


@dataclass(frozen=True)
class DeployArgs:
    """Inputs of one service's deployment."""

    target: DeployTarget
    """Where and how the service deploys."""
    names: ServiceNames
    """Application, group and alarm names."""
    service_role_arn: pulumi.Input[str] | None
    """Reference to the CodeDeploy role (CodeDeploy checks it can assume it); None when the
    pipeline's own action deploys (Lambda)."""
    topic_arn: pulumi.Input[str]
    """Reference to the topic the rollback alarms notify."""
    alarm_rollback: bool = True
    """Also stop and roll back on this component's alarms. Default: on (the safe choice)."""
    tags: dict[str, str] = field(default_factory=dict)
    """Tags of every taggable resource."""


class Deploy(pulumi.ComponentResource):
    """The deploy target's deployment resources and rollback alarms."""

    alarms: list[MetricAlarm]
    alarm_names: list[str]
    alarm_references: list[pulumi.Output[str]]
    """References to the rollback alarms, in `alarm_names` order."""
    deployment: Deployment
    """References to what the Deploy action names (CodeDeploy application and group, or none)."""

    def __init__(
        self, name: str, args: DeployArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("guarded-delivery:deploy:Deploy", name, None, opts)
        target, names = args.target, args.names
        self.alarms = (
            target.declare_rollback_alarms(AlarmInputs(names, args.topic_arn, args.tags, self))
            if args.alarm_rollback
            else []
        )
        self.alarm_names = list(target.rollback_alarm_names(names)) if args.alarm_rollback else []
        self.alarm_references = [
            reference(alarm_name, alarm)
            for alarm_name, alarm in zip(self.alarm_names, self.alarms, strict=True)
        ]
        self.deployment = target.declare_deployment(
            name,
            DeploymentInputs(
                names=names,
                service_role_arn=args.service_role_arn,
                alarm_rollback=args.alarm_rollback,
                alarms=self.alarm_references,
                tags=args.tags,
                parent=self,
            ),
        )
        self.register_outputs(
            {
                "application_name": self.deployment.application_name,
                "deployment_group_name": self.deployment.deployment_group_name,
                "alarm_names": self.alarm_names,
            }
        )

    @property
    def application_name(self) -> pulumi.Output[str] | None:
        return self.deployment.application_name

    @property
    def deployment_group_name(self) -> pulumi.Output[str] | None:
        return self.deployment.deployment_group_name
