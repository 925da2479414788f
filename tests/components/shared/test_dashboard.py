"""One dashboard per stack: every service's failures, builds, durations, ERROR lines and alarm states."""

import json
from typing import Any

import pytest

from components.shared.dashboard import GRID_WIDTH, ResolvedPanel, dashboard_body
from components.shared.naming import PlatformNames
from offline_preview.program_runner import FIXTURE_ACCOUNT_ID, FIXTURE_REGION, run_program
from tests.support.dependency_graph import DependencyGraph
from tests.support.program_runs import PROJECT_DIR

DASHBOARD = "aws:cloudwatch/dashboard:Dashboard"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
PANELS = [
    ResolvedPanel("web", "web-failed", "web-build", ("arn:web-1", "arn:web-2")),
    ResolvedPanel("api", "api-failed", "api-build", ("arn:api-1",)),
]


def widgets(body: str) -> list[dict[str, Any]]:
    return json.loads(body)["widgets"]


def metrics_of(widget: dict[str, Any]) -> list[list[Any]]:
    return widget["properties"]["metrics"]


def test_each_service_gets_its_graphs_and_alarm_states():
    found = widgets(dashboard_body("eu-west-1", PANELS))
    for panel in PANELS:
        mine = [w for w in found if w["properties"]["title"].startswith(f"{panel.service_name}:")]
        graphs = {w["properties"]["title"]: w for w in mine if w["type"] == "metric"}
        name = panel.service_name
        assert metrics_of(graphs[f"{name}: failed executions"])[0][:4] == [
            "AWS/Events", "TriggeredRules", "RuleName", panel.failure_rule_name,
        ]  # fmt: skip
        assert [m[1] for m in metrics_of(graphs[f"{name}: builds"])] == ["Builds", "FailedBuilds"]
        duration = metrics_of(graphs[f"{name}: build duration (s)"])
        assert {(m[1], m[4]["stat"]) for m in duration} == {
            ("Duration", "Average"),
            ("Duration", "Maximum"),
        }
        errors = metrics_of(graphs[f"{name}: ERROR lines in build logs"])
        assert errors[0][:2] == ["GuardedDelivery/BuildLogs", panel.build_project_name]
        for title in (f"{name}: builds", f"{name}: build duration (s)"):
            assert {m[3] for m in metrics_of(graphs[title])} == {panel.build_project_name}
        (status,) = [w for w in mine if w["type"] == "alarm"]
        assert status["properties"]["alarms"] == list(panel.alarm_arns)
        assert all(w["properties"].get("region", "eu-west-1") == "eu-west-1" for w in mine)


def test_widgets_fit_the_grid_without_overlapping():
    found = widgets(dashboard_body("us-east-1", PANELS))
    cells: set[tuple[int, int]] = set()
    for widget in found:
        assert widget["x"] + widget["width"] <= GRID_WIDTH
        mine = {
            (x, y)
            for x in range(widget["x"], widget["x"] + widget["width"])
            for y in range(widget["y"], widget["y"] + widget["height"])
        }
        assert not cells & mine, widget["properties"]["title"]
        cells |= mine


@pytest.fixture(scope="module")
def prod_run():
    return run_program(PROJECT_DIR, "prod").resources


def test_the_prod_dashboard_shows_every_alarm_and_service(prod_run):
    (dashboard,) = [r for r in prod_run if r.type == DASHBOARD]
    names = PlatformNames("guarded-delivery", "prod", FIXTURE_ACCOUNT_ID, FIXTURE_REGION)
    assert dashboard.inputs["dashboardName"] == names.dashboard_name
    body = dashboard.inputs["dashboardBody"]
    assert isinstance(body, str), "known at preview"
    found = widgets(body)
    shown = {arn for w in found if w["type"] == "alarm" for arn in w["properties"]["alarms"]}
    alarms = {r.inputs["name"] for r in prod_run if r.type == ALARM}
    assert shown == {f"arn:aws:cloudwatch:us-east-1:{FIXTURE_ACCOUNT_ID}:alarm:{a}" for a in alarms}
    for service in ("web", "api", "worker"):
        svc = names.service(service, service)
        assert f"{service}: failed executions" in {w["properties"]["title"] for w in found}
        assert svc.failure_rule_name in body
        # prod promotes what staging baked: nothing is built there, so no build graphs.
        assert svc.build_project_name not in body
        assert svc.deployment_alarm("x").removesuffix("-x") in body


def test_a_stack_that_builds_graphs_its_builds():
    body = next(r for r in run_program(PROJECT_DIR, "dev").resources if r.type == DASHBOARD)
    names = PlatformNames("guarded-delivery", "dev", FIXTURE_ACCOUNT_ID, FIXTURE_REGION)
    for service in ("web", "api", "worker"):
        assert names.service(service, service).build_project_name in body.inputs["dashboardBody"]


def test_the_dashboard_waits_for_the_rules_projects_and_alarms_it_shows(prod_run):
    graph = DependencyGraph(prod_run)
    (dashboard,) = [r for r in prod_run if r.type == DASHBOARD]
    waits = graph.waits_for(dashboard.urn)
    shown_types = (ALARM,)
    assert {r.urn for r in prod_run if r.type in shown_types} <= waits
    failure_rules = {r.urn for r in prod_run if r.name.endswith("-monitoring-failed-executions")}
    assert len(failure_rules) == 3 and failure_rules <= waits


def test_stack_outputs_name_the_dashboard_alarms_and_commands():
    outputs = run_program(PROJECT_DIR, "staging").outputs
    names = PlatformNames("guarded-delivery", "staging", FIXTURE_ACCOUNT_ID, FIXTURE_REGION)
    assert outputs["dashboardName"] == names.dashboard_name
    assert outputs["dashboardUrl"] == (
        "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1"
        "#dashboards/dashboard/guarded-delivery-staging-delivery"
    )
    api = outputs["services"]["api"]
    assert api["pipelineFailureAlarm"] == "guarded-delivery-staging-api-pipeline-failure"
    assert api["troubleshootCommand"] == "bin/troubleshoot staging --service api"
    assert outputs["troubleshootCommand"] == "bin/troubleshoot staging --service web"
    assert "complianceRules" not in outputs, "staging does not opt in"
    prod = run_program(PROJECT_DIR, "prod").outputs
    assert prod["complianceRules"] == sorted(
        f"guarded-delivery-prod-{r}"
        for r in (
            "cmk-backing-key-rotation-enabled", "s3-default-encryption-kms",
            "cloudwatch-log-group-encrypted", "sns-encrypted-kms",
            "codebuild-project-artifact-encryption", "codebuild-project-envvar-awscred-check",
            "codedeploy-auto-rollback-monitor-enabled",
        )
    )  # fmt: skip
