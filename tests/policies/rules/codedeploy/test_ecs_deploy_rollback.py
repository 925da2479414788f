"""codedeploy-auto-rollback on CodePipeline's ECS rolling deploy action, judged on the ECS service."""

from cicd_guardrails.rules.codedeploy.auto_rollback import POLICIES
from tests.support.analyzer_harness import (
    UNKNOWN,
    analyze,
    assert_no_violations,
    assert_skipped,
    assert_violation,
    resource,
)

NAME = "codedeploy-auto-rollback"
STRICT = {NAME: {"requireAlarmRollback": True}}
PIPELINE = "aws:codepipeline/pipeline:Pipeline"
NATIVE_PIPELINE = "aws-native:codepipeline:Pipeline"
SERVICE = "aws:ecs/service:Service"
NATIVE_SERVICE = "aws-native:ecs:Service"
CLUSTER = "aws:ecs/cluster:Cluster"
ACTION = "pipeline 'web': stages[1].actions[0] ('Deploy') (an ECS rolling deploy action)"
BREAKER = {"enable": True, "rollback": True}
ALARMS = {"enable": True, "rollback": True, "alarmNames": ["web-5xx"]}


def ecs_pipeline(cluster="prod", service="web"):
    configuration = {
        "ClusterName": cluster,
        "ServiceName": service,
        "FileName": "imagedefinitions.json",
    }
    return resource(
        PIPELINE,
        "web",
        {
            "stages": [
                {
                    "name": "Source",
                    "actions": [
                        {
                            "name": "Source",
                            "category": "Source",
                            "owner": "AWS",
                            "provider": "S3",
                            "version": "1",
                        }
                    ],
                },
                {
                    "name": "Deploy",
                    "actions": [
                        {
                            "name": "Deploy",
                            "category": "Deploy",
                            "owner": "AWS",
                            "provider": "ECS",
                            "version": "1",
                            "configuration": configuration,
                            "inputArtifacts": ["BuildOutput"],
                        }
                    ],
                },
            ]
        },
    )


def service(breaker=BREAKER, cluster="arn:aws:ecs:us-east-1:123456789012:cluster/prod", **extra):
    props = {"name": "web", "cluster": cluster, **extra}
    if breaker is not None:
        props["deploymentCircuitBreaker"] = breaker
    return resource(SERVICE, "web-service", props)


def test_an_ecs_deploy_to_a_service_without_circuit_breaker_rollback_is_refused():
    result = analyze(
        POLICIES, [ecs_pipeline(), service(breaker={"enable": True, "rollback": False})]
    )
    violation = assert_violation(
        result,
        NAME,
        f"{ACTION}: its service 'web-service' has deploymentCircuitBreaker {{enable: True, "
        "rollback: False}, so a failed rolling deployment is not rolled back; set "
        "deploymentCircuitBreaker {enable: true, rollback: true} on the ECS service",
        level="mandatory",
    )
    assert violation.urn.endswith("::web")
    missing = analyze(POLICIES, [ecs_pipeline(), service(breaker=None)])
    assert_violation(missing, NAME, "has deploymentCircuitBreaker not set")
    assert_no_violations(analyze(POLICIES, [ecs_pipeline(), service()]), NAME)


def test_an_ecs_deploy_to_a_service_the_stack_does_not_declare_is_refused_saying_so():
    result = analyze(POLICIES, [ecs_pipeline(service="other"), service()])
    assert_violation(
        result,
        NAME,
        f"{ACTION} updates ECS service 'other' in cluster 'prod', which this stack does not "
        "declare, so the pack cannot see whether a failed deployment rolls back",
        level="mandatory",
    )
    wrong_cluster = analyze(POLICIES, [ecs_pipeline(cluster="staging"), service()])
    assert_violation(wrong_cluster, NAME, "which this stack does not declare")


def test_the_service_is_found_by_cluster_name_default_cluster_or_cluster_dependency():
    assert_no_violations(analyze(POLICIES, [ecs_pipeline(), service(cluster="prod")]), NAME)
    assert_no_violations(
        analyze(POLICIES, [ecs_pipeline(cluster=None), service(cluster=None)]), NAME
    )
    cluster = resource(CLUSTER, "prod-cluster", {"name": "prod"})
    by_dependency = resource(
        SERVICE,
        "web-service",
        {
            "name": "web",
            "cluster": UNKNOWN,
            "deploymentCircuitBreaker": {"enable": True, "rollback": False},
        },
        property_dependencies={"cluster": [cluster]},
    )
    assert_violation(
        analyze(POLICIES, [ecs_pipeline(), cluster, by_dependency]),
        NAME,
        "its service 'web-service' has deploymentCircuitBreaker",
    )


def test_a_service_or_action_not_known_yet_is_not_passed():
    assert_skipped(
        analyze(POLICIES, [ecs_pipeline(service=UNKNOWN), service()]),
        NAME,
        "stages[1].actions[0].configuration.ServiceName",
    )
    unknown_cluster = service(cluster=UNKNOWN)
    assert_skipped(
        analyze(POLICIES, [ecs_pipeline(), unknown_cluster]), NAME, "which service it deploys"
    )
    assert_skipped(
        analyze(POLICIES, [ecs_pipeline(), service(breaker={"enable": True, "rollback": UNKNOWN})]),
        NAME,
        "web-service.deploymentCircuitBreaker",
    )


def test_alarm_rollback_on_the_service_is_required_where_configured():
    result = analyze(POLICIES, [ecs_pipeline(), service()], STRICT)
    assert_violation(
        result,
        NAME,
        f"{ACTION}: its service 'web-service' has alarms not set but alarm rollback is required; "
        "set alarms {enable: true, rollback: true, alarmNames: [<CloudWatch alarm names>]}",
    )
    no_rollback = service(alarms={**ALARMS, "rollback": False})
    assert_violation(
        analyze(POLICIES, [ecs_pipeline(), no_rollback], STRICT), NAME, "rollback: False"
    )
    assert_no_violations(analyze(POLICIES, [ecs_pipeline(), service(alarms=ALARMS)], STRICT), NAME)


def test_aws_native_pipeline_and_service_are_judged_like_their_aws_twins():
    def native_service(breaker):
        return resource(
            NATIVE_SERVICE,
            "web-service",
            {
                "serviceName": "web",
                "cluster": "prod",
                "deploymentConfiguration": {"deploymentCircuitBreaker": breaker},
            },
        )

    stages = [
        {
            "name": "Deploy",
            "actions": [
                {
                    "name": "Deploy",
                    "actionTypeId": {
                        "category": "Deploy",
                        "owner": "AWS",
                        "provider": "ECS",
                        "version": "1",
                    },
                    "configuration": {"ClusterName": "prod", "ServiceName": "web"},
                    "inputArtifacts": [{"name": "BuildOutput"}],
                }
            ],
        }
    ]
    pipeline = resource(
        NATIVE_PIPELINE, "web", {"roleArn": "arn:aws:iam::1:role/p", "stages": stages}
    )
    result = analyze(POLICIES, [pipeline, native_service({"enable": True, "rollback": False})])
    assert_violation(
        result,
        NAME,
        "pipeline 'web': stages[0].actions[0] ('Deploy') (an ECS rolling deploy action): its service "
        "'web-service' has deploymentConfiguration.deploymentCircuitBreaker {enable: True, rollback: "
        "False}, so a failed rolling deployment is not rolled back; set "
        "deploymentConfiguration.deploymentCircuitBreaker {enable: true, rollback: true}",
    )
    assert_no_violations(analyze(POLICIES, [pipeline, native_service(BREAKER)]), NAME)
