"""The CodeDeploy role's permissions: what a deployment to this compute platform runs, nothing more.

Split from `role_policies.py` because each platform needs its own set (Server resolves instances by tag,
ECS shifts listeners between task sets). Lambda services have no CodeDeploy role: CodePipeline's Lambda
deploy action shifts the alias as the pipeline role. Every `"Resource": "*"` is an action AWS
gives no resource ARN for, named in a comment next to it.
"""

from components.config import ServiceSettings
from components.iam.documents import policy_document, statement
from components.role_policies import (
    ANY_RESOURCE,
    ARTIFACT_READ_ACTIONS,
    Statement,
    kms_use_statement,
    pass_task_roles_statement,
)
from components.rollback_alarms import rollback_alarm_names
from components.shared.naming import PlatformNames, ServiceNames


def deploy_role_policy(
    service: ServiceSettings, names: ServiceNames, *, alarm_rollback: bool
) -> str:
    """What CodeDeploy runs for this compute platform, plus reading its own rollback alarms."""
    statements: list[Statement]
    if service.compute_platform == "ECS":
        statements = _ecs_deploy_statements(service, names)
    elif service.compute_platform == "Lambda":
        raise ValueError(
            f"service {service.name!r} deploys to Lambda through CodePipeline, not CodeDeploy"
        )
    else:
        statements = [
            # ec2:DescribeInstances, ec2:DescribeInstanceStatus and tag:GetResources have no
            # resource-level permissions (AWS requires "*"); CodeDeploy resolves the tag filters with them.
            statement(
                "Allow",
                ["ec2:DescribeInstanceStatus", "ec2:DescribeInstances", "tag:GetResources"],
                [ANY_RESOURCE],
                sid="FindInstancesByTag",
            )
        ]
    if alarm_rollback:
        # DescribeAlarms takes resource-level permissions on alarm ARNs (Service Authorization
        # Reference, Amazon CloudWatch: DescribeAlarms, resource type "alarm"), and CodeDeploy polls
        # the alarms by the names in the group's alarm configuration, so these ARNs suffice. Were a
        # poll ever refused, `ignorePollAlarmFailure: false` stops the deployment (fails safe).
        alarms = [names.alarm_arn(name) for name in rollback_alarm_names(service, names)]
        statements.append(
            statement("Allow", ["cloudwatch:DescribeAlarms"], alarms, sid="ReadRollbackAlarms")
        )
    return policy_document(statements)


def ecs_service_arn(platform: PlatformNames, cluster: str, service: str) -> str:
    return platform.arn("ecs", f"service/{cluster}/{service}")


def listener_rules_arn(listener_arn: str) -> str:
    """`.../listener/app/<lb>/<id>/<listener>` -> the ARN pattern of that listener's rules."""
    return f"{listener_arn.replace(':listener/', ':listener-rule/', 1)}/*"


def _ecs_deploy_statements(service: ServiceSettings, names: ServiceNames) -> list[Statement]:
    ecs = service.ecs
    if ecs is None:
        raise ValueError(f"service {service.name!r} deploys to ECS but has no ecs settings")
    platform = names.platform
    listeners = [ecs.prod_listener_arn, *([ecs.test_listener_arn] if ecs.test_listener_arn else [])]
    service_arn = ecs_service_arn(platform, ecs.cluster_name, ecs.service_name)
    task_sets = platform.arn("ecs", f"task-set/{ecs.cluster_name}/{ecs.service_name}/*")
    return [
        statement(
            "Allow",
            ["ecs:DescribeServices", "ecs:UpdateServicePrimaryTaskSet"],
            [service_arn],
            sid="ShiftOwnService",
        ),
        statement(
            "Allow", ["ecs:CreateTaskSet", "ecs:DeleteTaskSet"], [task_sets], sid="OwnTaskSets"
        ),
        # elasticloadbalancing:Describe{Listeners,Rules,TargetGroups} have no resource-level
        # permissions (AWS requires "*"); CodeDeploy reads the listener/target-group wiring with them.
        statement(
            "Allow",
            [
                "elasticloadbalancing:DescribeListeners",
                "elasticloadbalancing:DescribeRules",
                "elasticloadbalancing:DescribeTargetGroups",
            ],
            [ANY_RESOURCE],
            sid="ReadLoadBalancerWiring",
        ),
        statement(
            "Allow",
            ["elasticloadbalancing:ModifyListener"],
            listeners,
            sid="ShiftOwnListeners",
        ),
        statement(
            "Allow",
            ["elasticloadbalancing:ModifyRule"],
            [listener_rules_arn(listener) for listener in listeners],
            sid="ShiftOwnListenerRules",
        ),
        pass_task_roles_statement(platform),
        *_revision_read_statements(platform),
    ]


def _revision_read_statements(platform: PlatformNames) -> list[Statement]:
    """ECS and Lambda deployments read the appspec revision from the artifact bucket themselves."""
    return [
        statement(
            "Allow", ARTIFACT_READ_ACTIONS, [platform.artifact_objects_arn], sid="ReadRevisions"
        ),
        kms_use_statement(platform),
    ]
