"""Which modules make up the pack: each concern module exports `POLICIES` and `REMEDIATIONS`."""

from importlib import import_module

from pulumi_policy import ResourceValidationPolicy, StackValidationPolicy

PACK_NAME = "cicd-guardrails"

# One module per concern; the order is the order policies are listed by the engine.
POLICY_MODULES = (
    # The mission's policies.
    "cicd_guardrails.s3_encryption",
    "cicd_guardrails.pipeline_artifacts",
    "cicd_guardrails.kms_keys",
    "cicd_guardrails.logs_and_notifications",
    "cicd_guardrails.execution_role",
    "cicd_guardrails.codedeploy_rollback",
    # Guardrails beyond the mission.
    "cicd_guardrails.codedeploy_action_platform",
    "cicd_guardrails.iam_hygiene",
    "cicd_guardrails.artifact_buckets",
    "cicd_guardrails.codebuild_hardening",
    "cicd_guardrails.log_retention",
    "cicd_guardrails.alarms",
    "cicd_guardrails.codecommit_encryption",
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
