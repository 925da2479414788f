"""The deployment on its own: platform wiring and rollback, with the alarms it rolls back on."""

import dataclasses
import json

import pytest

from components.stages.deploy import Deploy, DeployArgs
from components.targets import target_for
from components.targets.ecs import load_balancer_dimension
from components.targets.server import instance_failure_rule_name
from tests.support.mocked_program import declare
from tests.support.service_fixtures import TAGS, names_of, service_of

GROUP = "aws:codedeploy/deploymentGroup:DeploymentGroup"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:guarded-delivery-prod-notifications"


def declared_deploy(platform: str, alarm_rollback: bool = True):
    service = service_of(platform)
    names = names_of(service)
    args = DeployArgs(
        target=target_for(service),
        names=names,
        service_role_arn=names.deploy_role.arn if target_for(service).uses_codedeploy else None,
        topic_arn=TOPIC_ARN,
        alarm_rollback=alarm_rollback,
        tags=TAGS,
    )
    return declare(lambda: Deploy("deploy", args)), service, names


def deploy(platform: str, alarm_rollback: bool = True):
    mocks, service, names = declared_deploy(platform, alarm_rollback)
    [group] = mocks.of_type(GROUP)
    return mocks, group.inputs, service, names


@pytest.mark.parametrize("platform", ["Server", "ECS"])
def test_rolls_back_on_failure_and_on_its_own_alarms(platform):
    mocks, group, service, names = deploy(platform)
    rollback = group["autoRollbackConfiguration"]
    assert rollback["enabled"] is True
    assert rollback["events"] == ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]
    alarms = group["alarmConfiguration"]
    assert alarms["enabled"] is True
    assert alarms["ignorePollAlarmFailure"] is False
    created = [alarm.inputs["name"] for alarm in mocks.of_type(ALARM)]
    assert alarms["alarms"] and sorted(alarms["alarms"]) == sorted(created)
    for alarm in mocks.of_type(ALARM):
        assert alarm.inputs["alarmActions"] == [TOPIC_ARN]
        assert alarm.inputs["tags"] == TAGS
    assert group["deploymentConfigName"] == service.deployment_config
    assert group["serviceRoleArn"] == names.deploy_role.arn


@pytest.mark.parametrize("platform", ["Server", "ECS"])
def test_without_alarm_rollback_still_rolls_back_failures(platform):
    mocks, group, _, _ = deploy(platform, alarm_rollback=False)
    assert group["autoRollbackConfiguration"]["events"] == ["DEPLOYMENT_FAILURE"]
    assert "alarmConfiguration" not in group
    assert mocks.of_type(ALARM) == []


def test_server_deploys_in_place_to_tagged_instances():
    _, group, service, _ = deploy("Server")
    assert group["deploymentStyle"] == {
        "deploymentOption": "WITHOUT_TRAFFIC_CONTROL",
        "deploymentType": "IN_PLACE",
    }
    expected = [
        {"key": t.key, "value": t.value, "type": "KEY_AND_VALUE"} for t in service.ec2_tag_filters
    ]
    assert group["ec2TagFilters"] == expected


def test_server_alarm_counts_instance_failures_of_this_group():
    mocks, _, _, names = deploy("Server")
    [rule] = mocks.of_type("aws:cloudwatch/eventRule:EventRule")
    pattern = json.loads(rule.inputs["eventPattern"])
    assert pattern["detail"] == {
        "application": [names.deploy_application_name],
        "deploymentGroup": [names.deployment_group_name],
        "state": ["FAILURE"],
    }
    [alarm] = mocks.of_type(ALARM)
    assert alarm.inputs["namespace"] == "AWS/Events"
    assert alarm.inputs["dimensions"] == {"RuleName": instance_failure_rule_name(names)}
    [target] = mocks.of_type("aws:cloudwatch/eventTarget:EventTarget")
    assert target.inputs["rule"] == rule.inputs["name"] == instance_failure_rule_name(names)


def test_ecs_is_blue_green_behind_the_configured_listeners_and_target_groups():
    _, group, service, _ = deploy("ECS")
    ecs = service.ecs
    assert group["deploymentStyle"] == {
        "deploymentOption": "WITH_TRAFFIC_CONTROL",
        "deploymentType": "BLUE_GREEN",
    }
    assert group["ecsService"] == {"clusterName": ecs.cluster_name, "serviceName": ecs.service_name}
    pair = group["loadBalancerInfo"]["targetGroupPairInfo"]
    assert pair["prodTrafficRoute"] == {"listenerArns": [ecs.prod_listener_arn]}
    assert pair["testTrafficRoute"] == {"listenerArns": [ecs.test_listener_arn]}
    assert pair["targetGroups"] == [{"name": ecs.target_groups[0]}, {"name": ecs.target_groups[1]}]
    blue_green = group["blueGreenDeploymentConfig"]
    assert blue_green["terminateBlueInstancesOnDeploymentSuccess"]["action"] == "TERMINATE"
    assert (
        blue_green["terminateBlueInstancesOnDeploymentSuccess"]["terminationWaitTimeInMinutes"] > 0
    )


def test_ecs_alarms_watch_the_production_load_balancer():
    mocks, _, service, _ = deploy("ECS")
    balancer = load_balancer_dimension(service.ecs.prod_listener_arn)
    assert balancer == "app/prod-alb/50dc6c495c0c9188"
    by_metric = {a.inputs.get("metricName", "query"): a.inputs for a in mocks.of_type(ALARM)}
    assert by_metric["HTTPCode_Target_5XX_Count"]["dimensions"] == {"LoadBalancer": balancer}
    [query] = by_metric["query"]["metricQueries"]
    assert "UnHealthyHostCount" in query["expression"] and f"'{balancer}'" in query["expression"]


def test_ecs_behind_a_network_load_balancer_watches_metrics_it_publishes():
    """An NLB publishes under AWS/NetworkELB and has no HTTPCode_Target_5XX_Count: an ALB-namespace
    alarm on it would never leave OK, and the deployment would never roll back on it."""
    service = service_of("ECS")
    nlb = service.ecs.prod_listener_arn.replace("listener/app/prod-alb/", "listener/net/prod-nlb/")
    service = dataclasses.replace(
        service, ecs=dataclasses.replace(service.ecs, prod_listener_arn=nlb)
    )
    names = names_of(service)
    args = DeployArgs(
        target=target_for(service),
        names=names,
        service_role_arn=names.deploy_role.arn,
        topic_arn=TOPIC_ARN,
        tags=TAGS,
    )
    mocks = declare(lambda: Deploy("deploy", args))
    [alarm] = mocks.of_type(ALARM)
    [query] = alarm.inputs["metricQueries"]
    assert 'SCHEMA("AWS/NetworkELB", LoadBalancer, TargetGroup)' in query["expression"]
    assert "'net/prod-nlb/50dc6c495c0c9188'" in query["expression"]
    [group] = mocks.of_type(GROUP)
    assert group.inputs["alarmConfiguration"]["alarms"] == [alarm.inputs["name"]]
    assert target_for(service).rollback_alarm_names(names) == (alarm.inputs["name"],)


@pytest.mark.parametrize("alarm_rollback", [True, False])
def test_lambda_has_no_codedeploy_group_only_its_rollback_alarms(alarm_rollback):
    # CodePipeline has no CodeDeploy action for a Lambda group: the pipeline's Lambda action deploys.
    mocks, _, _ = declared_deploy("Lambda", alarm_rollback)
    assert mocks.of_type(GROUP) == []
    assert mocks.of_type("aws:codedeploy/application:Application") == []
    assert len(mocks.of_type(ALARM)) == (1 if alarm_rollback else 0)


def test_lambda_watches_the_errors_of_the_alias_being_shifted():
    mocks, service, _ = declared_deploy("Lambda")
    [alarm] = mocks.of_type(ALARM)
    function, alias = service.lambda_.function_name, service.lambda_.alias_name
    assert alarm.inputs["metricName"] == "Errors"
    assert alarm.inputs["dimensions"] == {
        "FunctionName": function,
        "Resource": f"{function}:{alias}",
    }


def test_load_balancer_dimension_rejects_a_non_listener_arn():
    with pytest.raises(ValueError, match="not a load balancer listener ARN"):
        load_balancer_dimension("arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/x/y")
