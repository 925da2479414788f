"""The pack: which rule modules make it up, in which order (each exports `POLICIES`), and their metadata."""

from importlib import import_module

from pulumi_policy import ResourceValidationPolicy, StackValidationPolicy

from cicd_guardrails.support.metadata import PolicyMetadata, metadata_of

PACK_NAME = "cicd-guardrails"

# One module per resource-type concern; the order is the order the engine lists the policies in.
# Policy names are kebab-case and lead with the AWS service or pipeline object they judge; the engine,
# `policies/config/<env>.json` and users' `--policy-pack-config` files know a policy by its name.
POLICY_MODULES = (
    # The core guardrails: encryption under our key, an IP-restricted start, automatic rollback,
    # and the signed release: verified before every deploy, signable only by the signing step,
    # deployed by image digest.
    "cicd_guardrails.rules.s3.bucket_encryption",
    "cicd_guardrails.rules.codepipeline.artifact_encryption",
    "cicd_guardrails.rules.kms.key_lifecycle",
    "cicd_guardrails.rules.cloudwatch.logs_and_topics_encryption",
    "cicd_guardrails.rules.iam.execution_role",
    "cicd_guardrails.rules.codedeploy.auto_rollback",
    "cicd_guardrails.rules.codepipeline.artifact_verification",
    "cicd_guardrails.rules.kms.signing_key",
    "cicd_guardrails.rules.codepipeline.image_by_digest",
    # Further guardrails: hygiene (advisory; ECR's is mandatory in prod through its config), and
    # two exact checks (mandatory).
    "cicd_guardrails.rules.codepipeline.codedeploy_action_platform",
    "cicd_guardrails.rules.iam.policy_hygiene",
    "cicd_guardrails.rules.s3.bucket_hardening",
    "cicd_guardrails.rules.codebuild.project_hardening",
    "cicd_guardrails.rules.cloudwatch.log_retention",
    "cicd_guardrails.rules.cloudwatch.alarm_actions",
    "cicd_guardrails.rules.codecommit.repository_encryption",
    "cicd_guardrails.rules.ecr.repository_hardening",
    # Promotion between stacks and accounts: a stack that promotes never builds from source (advisory;
    # mandatory where a stack promotes, through its config), and what a stack grants another account
    # names exact roles and lets them only decrypt through S3 or verify (mandatory).
    "cicd_guardrails.rules.codepipeline.promoted_no_source_build",
    "cicd_guardrails.rules.iam.cross_account_principals",
    "cicd_guardrails.rules.kms.cross_account_key",
)

Policy = ResourceValidationPolicy | StackValidationPolicy


def all_policies() -> list[Policy]:
    """Every policy of the pack, in module order (the order the engine lists them)."""
    return [
        policy for module_name in POLICY_MODULES for policy in import_module(module_name).POLICIES
    ]


def all_metadata() -> dict[str, PolicyMetadata]:
    """Policy name -> its metadata (level, remediation, equivalent rule IDs), in the pack's order."""
    return {policy.name: metadata_of(policy.name) for policy in all_policies()}
