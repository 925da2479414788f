"""`logs-and-notifications-kms`: build logs and pipeline notifications are encrypted under our key.

Build logs carry command output (sometimes secrets echoed by mistake) and pipeline notifications
carry commit messages and URLs; CloudWatch Logs is otherwise encrypted with a service key no one
controls, and `alias/aws/sns` cannot be granted to EventBridge or CodeStar notifications anyway.
"""

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)

from cicd_guardrails.key_references import key_problem
from cicd_guardrails.wire import plain

NAME = "logs-and-notifications-kms"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
SNS_TOPIC = "aws:sns/topic:Topic"

LOG_FIX = (
    "set kmsKeyId to a customer-managed KMS key ARN whose policy allows logs.<region>.amazonaws.com"
)
TOPIC_FIX = "set kmsMasterKeyId to a customer-managed KMS key ARN or alias (not alias/aws/sns)"


def validate_logs_and_notifications_kms(
    args: ResourceValidationArgs, report: ReportViolation
) -> None:
    if args.resource_type not in (LOG_GROUP, SNS_TOPIC):
        return
    props = plain(args.props)
    if args.resource_type == LOG_GROUP:
        problem = key_problem(props.get("kmsKeyId"))
        if problem:
            report(f"log group '{args.name}': kmsKeyId {problem}; {LOG_FIX}")
    elif args.resource_type == SNS_TOPIC:
        problem = key_problem(props.get("kmsMasterKeyId"))
        if problem:
            report(f"SNS topic '{args.name}': kmsMasterKeyId {problem}; {TOPIC_FIX}")


LOGS_AND_NOTIFICATIONS_KMS = ResourceValidationPolicy(
    name=NAME,
    description=(
        "Every CloudWatch log group and SNS topic is encrypted with a customer-managed KMS key "
        "(Checkov CKV_AWS_158 and CKV_AWS_26, cdk-nag AwsSolutions-SNS2, Security Hub SNS.1, "
        "AWS Config CLOUDWATCH_LOG_GROUP_ENCRYPTED and SNS_ENCRYPTED_KMS)."
    ),
    validate=validate_logs_and_notifications_kms,
    enforcement_level=EnforcementLevel.MANDATORY,
)

POLICIES = [LOGS_AND_NOTIFICATIONS_KMS]

REMEDIATIONS = {
    NAME: (
        "Set kmsKeyId on every aws.cloudwatch.LogGroup and kmsMasterKeyId on every aws.sns.Topic "
        "to a customer-managed key (key.arn); allow logs.<region>.amazonaws.com and the services "
        "that publish to the topic (events, codestar-notifications) in the key policy."
    ),
}
