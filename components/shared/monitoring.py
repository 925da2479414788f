"""Tell people when a pipeline breaks: failure events, and pipeline and build alarms, per service.

CDK creates no alarms at all; here every service gets a rule on failed pipeline executions and one on
failed actions (messages in `notifications.py`), the `PipelineFailure` alarm on the first rule's
matches, an alarm on CodeBuild's `FailedBuilds` and one on `ERROR` lines in its build log, all
publishing to the stack's KMS-encrypted topic (`notification_topic.py`).
"""

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.shared.alarms import notifying_alarm
from components.shared.naming import ServiceNames
from components.shared.notifications import (
    ACTION_PATHS,
    EXECUTION_PATHS,
    failed_action_message,
    failed_action_pattern,
    failed_execution_message,
    failed_execution_pattern,
)
from components.shared.references import reference
from components.shared.topic_rules import TopicRule, declare_topic_rule

ALARM_PERIOD_SECONDS = 300
BUILD_LOG_ERROR_PATTERN = "ERROR"
BUILD_LOG_METRIC_NAMESPACE = "GuardedDelivery/BuildLogs"
CODEBUILD_NAMESPACE = "AWS/CodeBuild"
EVENTS_NAMESPACE = "AWS/Events"
TRIGGERED_RULES = "TriggeredRules"
"""EventBridge's per-rule count of matched events, dimension `RuleName` ("Monitoring Amazon
EventBridge", EventBridge User Guide). CodePipeline reports executions as EventBridge events ("AWS
CodePipeline events", EventBridge events reference: Pipeline, Stage and Action Execution State Change),
not as a failure metric, so the failed executions are counted where the rule matches them."""


@dataclass(frozen=True)
class ServiceMonitoringArgs:
    """Inputs of one service's failure notifications and build alarms."""

    names: ServiceNames
    topic_arn: pulumi.Input[str]
    """Reference to the notification topic."""
    pipeline_name: pulumi.Input[str]
    """Reference to the pipeline whose failed executions the rule matches."""
    build_project_name: pulumi.Input[str] | None
    """Reference to the build project whose metrics the alarms watch (None: a promoted stack has no
    build, and no build alarms)."""
    log_group_name: pulumi.Input[str] | None
    """Reference to the build log group: CloudWatch Logs refuses a metric filter on a missing group
    (PutMetricFilter, ResourceNotFoundException) and the provider does not retry it."""
    tags: Mapping[str, str]
    failed_executions_threshold: int = 1
    """Failed executions within one period that raise the PipelineFailure alarm; any by default."""
    failed_builds_threshold: int = 1
    """Failed builds within one period that raise the alarm; any failure by default."""
    build_log_errors_threshold: int = 1
    """`ERROR` lines within one period that raise the alarm."""
    period_seconds: int = ALARM_PERIOD_SECONDS


class ServiceMonitoring(pulumi.ComponentResource):
    """Failure rules and messages, PipelineFailure and build alarms, ERROR-line filter for one service."""

    failure_rule_name: pulumi.Output[str]
    """Reference to the failed-execution rule (the dashboard graphs its matches)."""
    alarm_arns: list[pulumi.Output[str]]
    """References to this service's pipeline and build alarms (ARNs, known at preview)."""

    def __init__(
        self, name: str, args: ServiceMonitoringArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("guarded-delivery:monitoring:ServiceMonitoring", name, None, opts)
        names = args.names
        self._declare_failure_rules(name, args)
        self._declare_pipeline_failure_alarm(name, args)
        alarms = [(names.pipeline_failure_alarm, self.pipeline_failure_alarm)]
        if args.build_project_name is not None and args.log_group_name is not None:
            self._declare_build_alarms(name, args, args.build_project_name, args.log_group_name)
            alarms += [
                (names.failed_builds_alarm, self.failed_builds_alarm),
                (names.build_errors_alarm, self.build_errors_alarm),
            ]
        self.alarm_arns = [
            reference(names.alarm_arn(alarm_name), alarm) for alarm_name, alarm in alarms
        ]
        self.register_outputs(
            {
                "failure_rule_name": names.failure_rule_name,
                "action_failure_rule_name": names.action_failure_rule_name,
                "alarm_names": [alarm_name for alarm_name, _ in alarms],
            }
        )

    def _declare_failure_rules(self, name: str, args: ServiceMonitoringArgs) -> None:
        """Failed executions and failed actions of this pipeline, each with its message, to the topic."""
        names = args.names
        pipeline_name = pulumi.Output.from_input(args.pipeline_name)
        on_topic = {"topic_arn": args.topic_arn, "tags": args.tags, "parent": self}
        self.failure_rule_name = declare_topic_rule(
            f"{name}-failed-executions",
            TopicRule(
                rule_name=names.failure_rule_name,
                description=f"Pipeline {names.pipeline_name} execution failed",
                event_pattern=pipeline_name.apply(failed_execution_pattern),
                input_paths=EXECUTION_PATHS,
                input_template=failed_execution_message(names),
            ),
            **on_topic,
        )
        declare_topic_rule(
            f"{name}-failed-actions",
            TopicRule(
                rule_name=names.action_failure_rule_name,
                description=f"An action of pipeline {names.pipeline_name} failed",
                event_pattern=pipeline_name.apply(failed_action_pattern),
                input_paths=ACTION_PATHS,
                input_template=failed_action_message(names),
            ),
            **on_topic,
        )

    def _declare_pipeline_failure_alarm(self, name: str, args: ServiceMonitoringArgs) -> None:
        """PipelineFailure on the failure rule's matches: CodePipeline publishes no failure metric."""
        names = args.names
        self.pipeline_failure_alarm = notifying_alarm(
            f"{name}-pipeline-failure",
            name=names.pipeline_failure_alarm,
            description=(
                f"PipelineFailure: executions of {names.pipeline_name} failed; the failed-action "
                "message on this topic names the stage and action"
            ),
            topic_arn=args.topic_arn,
            threshold=args.failed_executions_threshold,
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self),
            namespace=EVENTS_NAMESPACE,
            metric_name=TRIGGERED_RULES,
            dimensions={"RuleName": self.failure_rule_name},
            statistic="Sum",
            period=args.period_seconds,
        )

    def _declare_build_alarms(
        self,
        name: str,
        args: ServiceMonitoringArgs,
        build_project_name: pulumi.Input[str],
        log_group_name: pulumi.Input[str],
    ) -> None:
        """Failed builds (CodeBuild's metric) and ERROR lines in the build log (our metric filter)."""
        names, tags = args.names, dict(args.tags)
        child = pulumi.ResourceOptions(parent=self)
        self.failed_builds_alarm = notifying_alarm(
            f"{name}-failed-builds",
            name=names.failed_builds_alarm,
            description=f"CodeBuild project {names.build_project_name} had failed builds",
            topic_arn=args.topic_arn,
            threshold=args.failed_builds_threshold,
            tags=tags,
            opts=child,
            namespace=CODEBUILD_NAMESPACE,
            metric_name="FailedBuilds",
            dimensions={"ProjectName": build_project_name},
            statistic="Sum",
            period=args.period_seconds,
        )
        self.build_errors_filter = aws.cloudwatch.LogMetricFilter(
            f"{name}-build-log-errors",
            name=names.build_errors_metric_filter,
            log_group_name=log_group_name,
            pattern=BUILD_LOG_ERROR_PATTERN,
            metric_transformation={
                "name": build_project_name,
                "namespace": BUILD_LOG_METRIC_NAMESPACE,
                "value": "1",
                "default_value": "0",
            },
            opts=child,
        )
        self.build_errors_alarm = notifying_alarm(
            f"{name}-build-log-errors-alarm",
            name=names.build_errors_alarm,
            description=f"ERROR lines in {names.log_group_name}",
            topic_arn=args.topic_arn,
            threshold=args.build_log_errors_threshold,
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.build_errors_filter]),
            namespace=BUILD_LOG_METRIC_NAMESPACE,
            metric_name=build_project_name,
            statistic="Sum",
            period=args.period_seconds,
        )
