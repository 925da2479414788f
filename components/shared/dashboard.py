"""One CloudWatch dashboard per stack: the pipelines' health at a glance, instead of `get-metric-data`.

Per service one row of graphs (failed executions, builds and failed builds, build duration, ERROR lines
in the build log) and one alarm status widget (the PipelineFailure and build alarms and the deployment's
rollback alarms). The body is JSON built from names known at preview, through references to the rules,
projects and alarms it shows, so the dashboard is created after them. Widget and metric syntax:
"Dashboard Body Structure and Syntax" (CloudWatch User Guide); CodeBuild's `Builds`, `FailedBuilds`
and `Duration` (seconds) with dimension `ProjectName`: "CodeBuild CloudWatch metrics" (CodeBuild User
Guide); EventBridge's `TriggeredRules` by `RuleName`: "Monitoring Amazon EventBridge".
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.shared.monitoring import (
    BUILD_LOG_METRIC_NAMESPACE,
    CODEBUILD_NAMESPACE,
    EVENTS_NAMESPACE,
    TRIGGERED_RULES,
)
from components.shared.naming import PlatformNames
from components.shared.references import combine

GRID_WIDTH = 24
"""A dashboard is 24 units wide."""
GRAPH_WIDTH = 6
GRAPH_HEIGHT = 6
ALARM_ROW_HEIGHT = 3
PERIOD_SECONDS = 300
DEFAULT_RANGE = "-PT24H"
"""The last day: a day's releases and their failures fit one view."""


@dataclass(frozen=True)
class ServicePanel:
    """What the dashboard shows for one service; every input a reference (known at preview)."""

    service_name: str
    failure_rule_name: pulumi.Input[str]
    build_project_name: pulumi.Input[str] | None
    """Also the name of the ERROR-line metric the log metric filter publishes (None: no build)."""
    alarm_arns: Sequence[pulumi.Input[str]]
    """Pipeline, build and deployment alarms, shown by their state."""


@dataclass(frozen=True)
class ResolvedPanel:
    service_name: str
    failure_rule_name: str
    build_project_name: str | None
    alarm_arns: tuple[str, ...]


def delivery_dashboard(
    resource_name: str,
    names: PlatformNames,
    panels: Sequence[ServicePanel],
    opts: pulumi.ResourceOptions,
) -> aws.cloudwatch.Dashboard:
    """The stack's dashboard, created after every rule, project and alarm it shows."""
    resolved = [_resolve(panel) for panel in panels]
    return aws.cloudwatch.Dashboard(
        resource_name,
        dashboard_name=names.dashboard_name,
        dashboard_body=combine(lambda values: dashboard_body(names.region, values), resolved),
        opts=opts,
    )


def dashboard_body(region: str, panels: Sequence[ResolvedPanel]) -> str:
    """The dashboard's JSON: per service a row of graphs, then a row with its alarms' state."""
    widgets: list[dict[str, Any]] = []
    y = 0
    for panel in panels:
        for column, graph in enumerate(_graphs(region, panel)):
            widgets.append(_placed(graph, column * GRAPH_WIDTH, y, GRAPH_WIDTH, GRAPH_HEIGHT))
        y += GRAPH_HEIGHT
        widgets.append(_placed(_alarm_status(panel), 0, y, GRID_WIDTH, ALARM_ROW_HEIGHT))
        y += ALARM_ROW_HEIGHT
    return json.dumps({"start": DEFAULT_RANGE, "widgets": widgets}, sort_keys=True)


def _graphs(region: str, panel: ResolvedPanel) -> list[dict[str, Any]]:
    service, project = panel.service_name, panel.build_project_name
    sums = {"stat": "Sum"}
    failed = _graph(
        region,
        f"{service}: failed executions",
        [[EVENTS_NAMESPACE, TRIGGERED_RULES, "RuleName", panel.failure_rule_name,
          {**sums, "label": "failed executions"}]],
    )  # fmt: skip
    if project is None:
        return [failed]  # a promoted release is not built here
    return [
        failed,
        _graph(
            region,
            f"{service}: builds",
            [[CODEBUILD_NAMESPACE, "Builds", "ProjectName", project, {**sums, "label": "builds"}],
             [CODEBUILD_NAMESPACE, "FailedBuilds", "ProjectName", project,
              {**sums, "label": "failed builds"}]],
        ),
        _graph(
            region,
            f"{service}: build duration (s)",
            [[CODEBUILD_NAMESPACE, "Duration", "ProjectName", project,
              {"stat": "Average", "label": "average"}],
             [CODEBUILD_NAMESPACE, "Duration", "ProjectName", project,
              {"stat": "Maximum", "label": "longest"}]],
        ),
        _graph(
            region,
            f"{service}: ERROR lines in build logs",
            [[BUILD_LOG_METRIC_NAMESPACE, project, {**sums, "label": "ERROR lines"}]],
        ),
    ]  # fmt: skip


def _graph(region: str, title: str, metrics: list[list[Any]]) -> dict[str, Any]:
    return {
        "type": "metric",
        "properties": {
            "title": title,
            "region": region,
            "view": "timeSeries",
            "stacked": False,
            "period": PERIOD_SECONDS,
            "metrics": metrics,
        },
    }


def _alarm_status(panel: ResolvedPanel) -> dict[str, Any]:
    return {
        "type": "alarm",
        "properties": {
            "title": f"{panel.service_name}: alarms",
            "alarms": list(panel.alarm_arns),
        },
    }


def _placed(widget: dict[str, Any], x: int, y: int, width: int, height: int) -> dict[str, Any]:
    return {**widget, "x": x, "y": y, "width": width, "height": height}


def _resolve(panel: ServicePanel) -> pulumi.Output[ResolvedPanel]:
    return pulumi.Output.all(
        panel.failure_rule_name, panel.build_project_name or "", *panel.alarm_arns
    ).apply(
        lambda values: ResolvedPanel(
            panel.service_name, values[0], values[1] or None, tuple(values[2:])
        )
    )
