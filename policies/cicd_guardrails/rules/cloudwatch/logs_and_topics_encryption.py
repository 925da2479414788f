"""`logs-and-notifications-kms`: build logs and pipeline notifications are encrypted under our key.

Build logs carry command output (sometimes secrets echoed by mistake) and pipeline notifications
carry commit messages and URLs. What happens without a key differs, and the messages say so:

- A log group without `kmsKeyId` is still encrypted at rest, with keys AWS owns (CloudWatch Logs
  User Guide, "Encrypt log data in CloudWatch Logs using AWS KMS": "Log group data is always
  encrypted in CloudWatch Logs"), which no key policy of ours scopes and no CloudTrail entry of
  ours records.
- An SNS topic without `kmsMasterKeyId` has no server-side encryption at all: SSE is a per-topic
  setting that needs a KMS key (Amazon SNS Developer Guide, "Encryption at rest"). And
  `alias/aws/sns` cannot be granted to EventBridge or CodeStar notifications.
"""

from pulumi_policy import (
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)

from cicd_guardrails.support.key_references import key_problem
from cicd_guardrails.support.metadata import policy_fields
from cicd_guardrails.support.wire import plain

NAME = "logs-and-notifications-kms"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
SNS_TOPIC = "aws:sns/topic:Topic"

LOG_GROUP_WITHOUT_KEY = (
    "is not set, so CloudWatch Logs encrypts the group with keys AWS owns, which no key policy "
    "of ours scopes"
)
TOPIC_WITHOUT_KEY = "is not set, so the topic has no server-side encryption at all"
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
        problem = key_problem(props.get("kmsKeyId"), missing=LOG_GROUP_WITHOUT_KEY)
        if problem:
            report(f"log group '{args.name}': kmsKeyId {problem}; {LOG_FIX}")
    elif args.resource_type == SNS_TOPIC:
        problem = key_problem(props.get("kmsMasterKeyId"), missing=TOPIC_WITHOUT_KEY)
        if problem:
            report(f"SNS topic '{args.name}': kmsMasterKeyId {problem}; {TOPIC_FIX}")


LOGS_AND_NOTIFICATIONS_KMS = ResourceValidationPolicy(
    **policy_fields(NAME),
    validate=validate_logs_and_notifications_kms,
)

POLICIES = [LOGS_AND_NOTIFICATIONS_KMS]
