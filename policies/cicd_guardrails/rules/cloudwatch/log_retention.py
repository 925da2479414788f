"""`log-group-retention`: log groups expire, after at least the configured number of days.

A log group without retention keeps build output forever (cost, and secrets echoed by mistake
never age out); a too-short one loses the evidence an incident review needs.
"""

from pulumi_policy import (
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)

from cicd_guardrails.support.metadata import policy_fields
from cicd_guardrails.support.policy_config import PolicyConfigError, config_int
from cicd_guardrails.support.wire import fail_undecided, is_unknown, plain, shown

NAME = "log-group-retention"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
NEVER_EXPIRE = 0
DEFAULT_MINIMUM_RETENTION_DAYS = 1
MAX_RETENTION_DAYS = 3653


def validate_log_retention(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != LOG_GROUP:
        return
    try:
        minimum = config_int(
            NAME,
            args.get_config(),
            "minimumRetentionDays",
            DEFAULT_MINIMUM_RETENTION_DAYS,
            1,
            MAX_RETENTION_DAYS,
        )
    except PolicyConfigError as error:
        report(str(error))
        return
    retention = plain(args.props).get("retentionInDays")
    if is_unknown(retention):
        fail_undecided(args.name, ["retentionInDays"])
    fix = f"set retentionInDays to a supported value of at least {minimum}"
    if retention is None or retention == NEVER_EXPIRE:
        report(f"log group '{args.name}': retentionInDays is not set, so logs never expire; {fix}")
    elif not isinstance(retention, int | float) or retention < minimum:
        report(
            f"log group '{args.name}': retentionInDays is {shown(retention)}, below {minimum}; {fix}"
        )


LOG_GROUP_RETENTION = ResourceValidationPolicy(
    **policy_fields(NAME),
    validate=validate_log_retention,
    config_schema=PolicyConfigSchema(
        properties={
            "minimumRetentionDays": {
                "type": "integer",
                "minimum": 1,
                "maximum": MAX_RETENTION_DAYS,
                "default": DEFAULT_MINIMUM_RETENTION_DAYS,
                "description": "Shortest acceptable retentionInDays.",
            }
        }
    ),
)

POLICIES = [LOG_GROUP_RETENTION]
