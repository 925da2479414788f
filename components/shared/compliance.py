"""Continuous compliance (opt-in `complianceRules`): AWS Config managed rules that check after deploy what
the policy pack checks at preview, with their NON_COMPLIANT findings sent to the notification topic.

The pack judges what `pulumi preview` declares; a change made later in the console or by another tool
passes it by. AWS Config re-evaluates the recorded resources, so a key whose rotation was turned off or a
bucket whose default encryption was replaced is reported. Each rule's identifier, resource type, trigger
and parameters come from its page in AWS Config's managed rules list ("List of AWS Config Managed
Rules", AWS Config Developer Guide, one page per rule, e.g. "sns-encrypted-kms").

Scope ("Scope", AWS Config API Reference): one resource type with one resource id, or a tag key and
value. The artifact bucket is the stack's only bucket, so its rule names it; the per-service resources
are scoped by this project's `project` tag (every resource carries it, `tagging.py`), which also covers
other stacks of the project in the same account and region. A periodic rule (key rotation, log group
encryption) is not triggered by configuration changes, which is all a scope constrains, so it evaluates
every key or log group of the region; the findings rule still only forwards our rules' findings.

Prerequisite: AWS Config must be recording in the account and region (a configuration recorder and a
delivery channel); without one, PutConfigRule fails with NoAvailableConfigurationRecorderException
(PutConfigRule, AWS Config API Reference). The stack does not create a recorder: there is one per
account and region, usually owned by the organisation's landing zone.
"""

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.shared.naming import PlatformNames
from components.shared.references import combine, reference
from components.shared.topic_rules import TopicRule, declare_topic_rule

CONFIG_SOURCE = "aws.config"
COMPLIANCE_CHANGE = "Config Rules Compliance Change"
NON_COMPLIANT = "NON_COMPLIANT"
SCOPE_TAG_KEY = "project"
"""The tag every resource of this project carries (`tagging.resource_tags`)."""
FINDING_PATHS = {
    "rule": "$.detail.configRuleName",
    "resourceType": (
        "$.detail.newEvaluationResult.evaluationResultIdentifier.evaluationResultQualifier."
        "resourceType"
    ),
    "resourceId": "$.detail.resourceId",
    "time": "$.time",
}
"""Fields of a "Config Rules Compliance Change" event ("Monitoring AWS Config with Amazon
EventBridge", AWS Config Developer Guide)."""


@dataclass(frozen=True)
class ManagedRule:
    """One AWS Config managed rule and the pack policy that checks the same at preview."""

    identifier: str
    resource_type: str
    pack_policy: str
    periodic: bool = False
    """Periodic rules ignore a scope; configuration-change rules are scoped to our resources."""
    scope: str = "tag"
    """`tag` (this project's resources) or `bucket` (the artifact bucket by name)."""


KEY_ROTATION = ManagedRule(
    "CMK_BACKING_KEY_ROTATION_ENABLED", "AWS::KMS::Key", "kms-key-rotation", periodic=True
)
BUCKET_SSE_KMS = ManagedRule(
    "S3_DEFAULT_ENCRYPTION_KMS", "AWS::S3::Bucket", "s3-sse-kms", scope="bucket"
)
LOG_GROUP_ENCRYPTED = ManagedRule(
    "CLOUDWATCH_LOG_GROUP_ENCRYPTED",
    "AWS::Logs::LogGroup",
    "logs-and-notifications-kms",
    periodic=True,
)
TOPIC_ENCRYPTED = ManagedRule("SNS_ENCRYPTED_KMS", "AWS::SNS::Topic", "logs-and-notifications-kms")
BUILD_ARTIFACTS_ENCRYPTED = ManagedRule(
    "CODEBUILD_PROJECT_ARTIFACT_ENCRYPTION", "AWS::CodeBuild::Project", "pipeline-artifacts-kms"
)
BUILD_NO_PLAINTEXT_CREDENTIALS = ManagedRule(
    "CODEBUILD_PROJECT_ENVVAR_AWSCRED_CHECK",
    "AWS::CodeBuild::Project",
    "codebuild-no-plaintext-secrets",
)
DEPLOYMENT_ROLLBACK_ON_ALARM = ManagedRule(
    "CODEDEPLOY_AUTO_ROLLBACK_MONITOR_ENABLED",
    "AWS::CodeDeploy::DeploymentGroup",
    "codedeploy-auto-rollback",
)
"""NON_COMPLIANT without alarms attached, so only declared where deployments roll back on alarms."""


def managed_rules(codedeploy_with_alarms: bool) -> tuple[ManagedRule, ...]:
    """The rules a stack gets; the CodeDeploy rule only where its groups stop on alarms."""
    rules = (
        KEY_ROTATION,
        BUCKET_SSE_KMS,
        LOG_GROUP_ENCRYPTED,
        TOPIC_ENCRYPTED,
        BUILD_ARTIFACTS_ENCRYPTED,
        BUILD_NO_PLAINTEXT_CREDENTIALS,
    )
    return (*rules, DEPLOYMENT_ROLLBACK_ON_ALARM) if codedeploy_with_alarms else rules


@dataclass(frozen=True)
class ComplianceArgs:
    """Inputs of the stack's Config rules and their findings rule."""

    names: PlatformNames
    rules: Sequence[ManagedRule]
    bucket_name: pulumi.Input[str]
    """Reference to the artifact bucket, the scope of its encryption rule."""
    key_alias_arn: pulumi.Input[str]
    """Reference to the key alias the topic must be encrypted with (`kmsKeyIds` accepts alias ARNs)."""
    topic_arn: pulumi.Input[str]
    """Reference to the notification topic, where findings go."""
    tags: dict[str, str]


class Compliance(pulumi.ComponentResource):
    """AWS Config managed rules for this stack and an EventBridge rule sending their findings on."""

    rule_names: list[str]
    """The Config rules' names (known at preview), for the stack outputs."""

    def __init__(
        self, name: str, args: ComplianceArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("guarded-delivery:compliance:Compliance", name, None, opts)
        names = args.names
        child = pulumi.ResourceOptions(parent=self)
        self.rules = {
            rule.identifier: aws.cfg.Rule(
                names.compliance_rule_name(rule.identifier),
                name=names.compliance_rule_name(rule.identifier),
                description=(
                    f"{rule.identifier} on {rule.resource_type}: what policy {rule.pack_policy} "
                    f"checks at preview, re-checked after deploy ({names.prefix})."
                ),
                source={"owner": "AWS", "source_identifier": rule.identifier},
                scope=_scope(rule, names, args.bucket_name),
                input_parameters=_parameters(rule, args.key_alias_arn),
                tags=args.tags,
                opts=child,
            )
            for rule in args.rules
        }
        self.rule_names = [names.compliance_rule_name(rule.identifier) for rule in args.rules]
        rule_names = [
            reference(names.compliance_rule_name(identifier), resource)
            for identifier, resource in self.rules.items()
        ]
        declare_topic_rule(
            f"{name}-findings",
            TopicRule(
                rule_name=names.compliance_findings_rule_name,
                description=f"NON_COMPLIANT findings of the AWS Config rules of {names.prefix}",
                event_pattern=combine(findings_pattern, rule_names),
                input_paths=FINDING_PATHS,
                input_template=finding_message(names),
            ),
            topic_arn=args.topic_arn,
            tags=args.tags,
            parent=self,
        )
        self.register_outputs({"rule_names": self.rule_names})


def findings_pattern(rule_names: Sequence[str]) -> str:
    """A NON_COMPLIANT evaluation by one of our rules."""
    return json.dumps(
        {
            "source": [CONFIG_SOURCE],
            "detail-type": [COMPLIANCE_CHANGE],
            "detail": {
                "configRuleName": sorted(rule_names),
                "newEvaluationResult": {"complianceType": [NON_COMPLIANT]},
            },
        },
        sort_keys=True,
    )


def finding_message(names: PlatformNames) -> str:
    """Which rule found which resource non-compliant, and the command listing all its findings."""
    text = (
        "AWS Config rule <rule> found <resourceType> <resourceId> NON_COMPLIANT at <time> "
        f"(stack {names.stack}). All findings of the rule: aws configservice "
        "get-compliance-details-by-config-rule --config-rule-name <rule> "
        f"--compliance-types {NON_COMPLIANT} --region {names.region}"
    )
    return json.dumps(text)


def _scope(
    rule: ManagedRule, names: PlatformNames, bucket_name: pulumi.Input[str]
) -> dict[str, Any] | None:
    if rule.periodic:
        return None
    if rule.scope == "bucket":
        return {
            "compliance_resource_types": [rule.resource_type],
            "compliance_resource_id": bucket_name,
        }
    return {"tag_key": SCOPE_TAG_KEY, "tag_value": names.project}


_PARAMETERS: dict[str, Callable[[str], dict[str, str]]] = {
    # "sns-encrypted-kms": kmsKeyIds, CSV of key ARNs, alias ARNs, alias names or key ids.
    TOPIC_ENCRYPTED.identifier: lambda alias_arn: {"kmsKeyIds": alias_arn},
}


def _parameters(rule: ManagedRule, key_alias_arn: pulumi.Input[str]) -> pulumi.Output[str] | None:
    """The rule's InputParameters JSON; only the SNS rule can name our key before it exists
    (S3_DEFAULT_ENCRYPTION_KMS and CLOUDWATCH_LOG_GROUP_ENCRYPTED want the key's ARN, unknown at
    preview, so they check for any KMS key)."""
    build = _PARAMETERS.get(rule.identifier)
    if build is None:
        return None
    return pulumi.Output.from_input(key_alias_arn).apply(lambda arn: json.dumps(build(arn)))
