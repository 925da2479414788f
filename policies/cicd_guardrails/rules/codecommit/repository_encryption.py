"""`codecommit-repository-kms`: source repositories are encrypted under our own key.

CodeCommit otherwise uses the AWS-managed `aws/codecommit` key, which cannot be scoped or
audited separately from every other repository in the account.
"""

from pulumi_policy import (
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)

from cicd_guardrails.support.key_references import key_problem
from cicd_guardrails.support.metadata import policy_fields
from cicd_guardrails.support.wire import plain

NAME = "codecommit-repository-kms"
REPOSITORY = "aws:codecommit/repository:Repository"


def validate_codecommit_kms(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != REPOSITORY:
        return
    problem = key_problem(plain(args.props).get("kmsKeyId"))
    if problem:
        report(
            f"repository '{args.name}': kmsKeyId {problem}; set kmsKeyId to a customer-managed "
            "KMS key ARN"
        )


CODECOMMIT_REPOSITORY_KMS = ResourceValidationPolicy(
    **policy_fields(NAME),
    validate=validate_codecommit_kms,
)

POLICIES = [CODECOMMIT_REPOSITORY_KMS]
