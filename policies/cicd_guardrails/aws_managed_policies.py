"""AWS-managed policies we know grant `codepipeline:StartPipelineExecution`, with the statement that does.

An attachment names a managed policy only by ARN, so its document is not in the stack. For the
AWS-managed ones we keep the granting statement, copied from the published default version (AWS
Managed Policy Reference Guide, docs.aws.amazon.com/aws-managed-policy/latest/reference/, as
mirrored by the zoph-io/MAMIP history; versions noted below). Keeping the statement rather than a
bare name lets the same IAM model judge it, and lets the tests prove each entry really grants the
action. The table is a list of known grants, not of all AWS-managed policies: a policy missing
from it is not judged. `AWSCodePipeline_ReadOnlyAccess` (only `codepipeline:List*`/`Get*`) and
`AWSCodePipelineApproverAccess` (`PutApprovalResult`) do not grant the action and are absent.

Customer-managed policies (`arn:aws:iam::<account>:policy/...`) are judged where they are
declared, as `aws:iam/policy:Policy` resources, not at the attachment.
"""

import re

from cicd_guardrails.iam_policy_model import PolicyDocument, parse_policy_document

_EVERYTHING = {"Effect": "Allow", "Action": "*", "Resource": "*"}
_ALL_CODEPIPELINE = {"Effect": "Allow", "Action": ["codepipeline:*"], "Resource": "*"}

# Path-qualified name (as after `policy/` in the ARN) -> the statements that grant the action.
GRANTING_STATEMENTS: dict[str, list[dict[str, object]]] = {
    # v1: the whole policy.
    "AdministratorAccess": [_EVERYTHING],
    # v12 (2026): everything except IAM, Organizations and Account management.
    "PowerUserAccess": [
        {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"}
    ],
    # v3 (2024), Sid CodePipelineAuthoringAccess.
    "AWSCodePipeline_FullAccess": [_ALL_CODEPIPELINE],
    # Deprecated predecessor of AWSCodePipeline_FullAccess, still attachable where already in use.
    "AWSCodePipelineFullAccess": [_ALL_CODEPIPELINE],
    # v6 (2020): the system-administrator job function lists codepipeline:* among its services.
    "job-function/SystemAdministrator": [_ALL_CODEPIPELINE],
}

_AWS_MANAGED_ARN = re.compile(r"^arn:aws[a-z-]*:iam::aws:policy/(?P<name>.+)$")
_BY_LOWER_NAME = {name.lower(): name for name in GRANTING_STATEMENTS}


def aws_managed_policy_name(arn: str) -> str | None:
    """The path-qualified name of an AWS-managed policy ARN (any partition), or None."""
    match = _AWS_MANAGED_ARN.match(arn)
    return match.group("name") if match else None


def granting_document(arn: str) -> tuple[str, PolicyDocument] | None:
    """The known granting statements of an attached AWS-managed policy, or None if we know none.

    Matched case-insensitively: an ARN with odd casing is either the same policy or an attachment
    IAM refuses, and refusing it here costs nothing.
    """
    name = aws_managed_policy_name(arn)
    if name is None:
        return None
    canonical = _BY_LOWER_NAME.get(name.lower())
    if canonical is None:
        return None
    return canonical, parse_policy_document({"Statement": GRANTING_STATEMENTS[canonical]})
