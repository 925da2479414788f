"""Which modules make up the pack: each concern module exports `POLICIES` and `REMEDIATIONS`."""

from importlib import import_module

from pulumi_policy import ResourceValidationPolicy, StackValidationPolicy

PACK_NAME = "cicd-guardrails"

# One module per concern; the order is the order policies are listed by the engine.
POLICY_MODULES = (
    # The mission's policies.
    "cicd_guardrails.rules.s3.bucket_encryption",
    "cicd_guardrails.rules.codepipeline.artifact_encryption",
    "cicd_guardrails.rules.kms.key_lifecycle",
    "cicd_guardrails.rules.cloudwatch.logs_and_topics_encryption",
    "cicd_guardrails.rules.iam.execution_role",
    "cicd_guardrails.rules.codedeploy.auto_rollback",
    # Guardrails beyond the mission.
    "cicd_guardrails.rules.codepipeline.codedeploy_action_platform",
    "cicd_guardrails.rules.iam.policy_hygiene",
    "cicd_guardrails.rules.s3.bucket_hardening",
    "cicd_guardrails.rules.codebuild.project_hardening",
    "cicd_guardrails.rules.cloudwatch.log_retention",
    "cicd_guardrails.rules.cloudwatch.alarm_actions",
    "cicd_guardrails.rules.codecommit.repository_encryption",
)

Policy = ResourceValidationPolicy | StackValidationPolicy


def all_policies() -> list[Policy]:
    """Every policy of the pack, in module order, carrying its module's remediation steps.

    Copying REMEDIATIONS onto `remediation_steps` makes the engine show them (GetAnalyzerInfo).
    """
    remediations = all_remediations()
    policies: list[Policy] = []
    for module_name in POLICY_MODULES:
        for policy in import_module(module_name).POLICIES:
            if policy.remediation_steps is None and policy.name in remediations:
                policy.remediation_steps = remediations[policy.name]
            policies.append(policy)
    return policies


def all_remediations() -> dict[str, str]:
    """Policy name -> remediation steps, merged from every module's REMEDIATIONS."""
    remediations: dict[str, str] = {}
    for module_name in POLICY_MODULES:
        remediations.update(getattr(import_module(module_name), "REMEDIATIONS", {}))
    return remediations
