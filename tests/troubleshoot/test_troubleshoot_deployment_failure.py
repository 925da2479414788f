"""A failed ECS deployment: its error, the rollback and what it restored, and which alarms fired."""

import json

from tests.support.troubleshoot_scenarios import (
    FAILED_DEPLOYMENT,
    ROLLBACK_DEPLOYMENT,
    STAGING_ALARMS,
    seed_deployment_alarms,
    stage_deployment_failure,
)

TARGET_5XX, UNHEALTHY = STAGING_ALARMS
ECS_UPDATE_ERROR = {
    "code": "ECS_UPDATE_ERROR",
    "message": "The ECS service could not be updated: the replacement task set failed its health checks",
}
ALARM_ACTIVE = {
    "code": "ALARM_ACTIVE",
    "message": f"One or more alarms have been activated: {TARGET_5XX}",
}


def test_failed_ecs_deployment_says_why_and_what_it_rolled_back_to(aws, run_command):
    seed_deployment_alarms(aws)
    stage_deployment_failure(aws, ECS_UPDATE_ERROR)

    code, out, err = run_command("staging", "--service", "api")

    assert (code, err) == (1, "")
    assert (
        "Pipeline guarded-delivery-staging-api (stack staging, service api, us-east-1): failed"
        in out
    )
    assert "FAILED stage Deploy, action Deploy (CodeDeployToECS)" in out
    assert f"AWS: JobFailed: Deployment {FAILED_DEPLOYMENT} failed" in out
    assert f"Deployment {FAILED_DEPLOYMENT} (ECS): Failed" in out
    assert f"ECS_UPDATE_ERROR: {ECS_UPDATE_ERROR['message']}" in out
    assert (
        f"Rolled back: deployment {ROLLBACK_DEPLOYMENT} Succeeded, back to AppSpec sha256:9a01d2e3f4b5"
        in out
    )
    assert f"Deployment {FAILED_DEPLOYMENT} was rolled back by {ROLLBACK_DEPLOYMENT}" in out
    assert "Alarms of guarded-delivery-staging-api-deployment: 0 of 2 in ALARM" in out
    assert (
        f"aws deploy get-deployment --deployment-id {FAILED_DEPLOYMENT} --region us-east-1" in out
    )
    assert (
        "aws deploy get-deployment-group --application-name guarded-delivery-staging-api "
        "--deployment-group-name guarded-delivery-staging-api-deployment --region us-east-1"
    ) in out
    assert (
        f"aws cloudwatch describe-alarms --alarm-names {TARGET_5XX} {UNHEALTHY} --region us-east-1"
        in out
    )
    aws.assert_all_stubs_used()


def test_alarm_triggered_rollback_names_the_alarm_that_fired(aws, run_command):
    seed_deployment_alarms(aws, firing=(TARGET_5XX,))
    stage_deployment_failure(aws, ALARM_ACTIVE)

    code, out, _ = run_command("staging", "--service", "api")

    assert code == 1
    assert f"ALARM_ACTIVE: One or more alarms have been activated: {TARGET_5XX}" in out
    assert "Alarms of guarded-delivery-staging-api-deployment: 1 of 2 in ALARM" in out
    fired = next(line for line in out.splitlines() if line.split()[:2] == ["ALARM", TARGET_5XX])
    assert "Threshold Crossed: 1 datapoint [17.0]" in fired
    assert [line.split() for line in out.splitlines() if line.split()[1:2] == [UNHEALTHY]] == [
        ["OK", UNHEALTHY]
    ]


def test_alarm_triggered_rollback_in_json(aws, run_command):
    seed_deployment_alarms(aws, firing=(TARGET_5XX,))
    stage_deployment_failure(aws, ALARM_ACTIVE)

    code, out, _ = run_command("staging", "--service", "api", "--json")

    document = json.loads(out)
    assert code == document["exitCode"] == 1
    deployment = document["failedActions"][0]["deployment"]
    assert deployment["error"] == ALARM_ACTIVE
    assert deployment["rollback"]["deploymentId"] == ROLLBACK_DEPLOYMENT
    assert deployment["rollback"]["status"] == "Succeeded"
    assert deployment["firedAlarms"] == [TARGET_5XX]
    assert [(alarm["name"], alarm["state"]) for alarm in deployment["alarms"]] == [
        (TARGET_5XX, "ALARM"),
        (UNHEALTHY, "OK"),
    ]
