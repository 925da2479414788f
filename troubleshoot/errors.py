"""Failures the command reports as one line with exit code 2, and how AWS errors become them."""

import re

from botocore.exceptions import ClientError

# The error codes AWS answers for a missing permission, across the JSON, CBOR and query protocols.
ACCESS_DENIED_CODES = frozenset(
    {"AccessDeniedException", "AccessDenied", "UnauthorizedOperation", "AuthorizationError"}
)
# Credentials that exist but are wrong or expired (AWS STS / signature errors).
BAD_CREDENTIAL_CODES = frozenset(
    {
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "ExpiredToken",
        "ExpiredTokenException",
        "InvalidSignatureException",
        "SignatureDoesNotMatch",
        "IncompleteSignature",
    }
)
# AWS names the action in the message: "... is not authorized to perform: codepipeline:GetPipelineState
# on resource: ..." (IAM User Guide, "Troubleshoot access denied error messages").
_DENIED_ACTION = re.compile(r"not authorized to perform:? ([a-z0-9-]+:[A-Za-z0-9]+)")
_DENIED_RESOURCE = re.compile(r"on resource:? (\S+?)[,.]?(?:\s|$)")


class TroubleshootError(Exception):
    """A usage, credential, permission or lookup problem; the message is the whole report."""


class MissingPermissionError(TroubleshootError):
    """AWS refused a read: the message names the IAM action to grant."""

    def __init__(self, permission: str, resource: str | None, operation: str) -> None:
        self.permission = permission
        where = f" on {resource}" if resource else ""
        super().__init__(
            f"missing permission {permission}{where} ({operation} was denied): grant it to the "
            "identity you run as, or run with a role that has it"
        )


def from_client_error(error: ClientError, iam_prefix: str, context: str) -> TroubleshootError:
    """One line for an AWS error answer; `context` says what was being read."""
    code = error.response.get("Error", {}).get("Code", "")
    message = error.response.get("Error", {}).get("Message", "")
    operation = error.operation_name
    if code in ACCESS_DENIED_CODES:
        action = _DENIED_ACTION.search(message)
        resource = _DENIED_RESOURCE.search(message)
        return MissingPermissionError(
            action.group(1) if action else f"{iam_prefix}:{operation}",
            resource.group(1) if resource else None,
            operation,
        )
    if code in BAD_CREDENTIAL_CODES:
        return TroubleshootError(
            f"AWS rejected the credentials ({code}: {message}): refresh them "
            "(e.g. `aws sso login` or new keys) and check `aws sts get-caller-identity`"
        )
    return TroubleshootError(f"{context}: {operation} failed with {code}: {message}")
