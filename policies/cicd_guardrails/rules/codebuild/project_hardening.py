"""CodeBuild hardening: no root-equivalent builds, logs kept, no secrets in project definitions.

A build runs whatever its buildspec says, and a buildspec read from the repository is whatever was
pushed, so a build project is the easiest place for an attacker with commit access to escalate:
privileged mode hands them the Docker daemon, disabled logs hide what they ran, and plaintext
variables or URL credentials are readable by anyone allowed `codebuild:BatchGetProjects`. A setting
not known at preview is reported as "can't run during preview", after what is known has been judged,
instead of being passed.

`codebuild-privileged-mode` accepts a privileged project whose buildspec is inline
(`source.buildspec` holds the YAML, `support/buildspecs.py`): the stack declares what runs with the
Docker daemon, and changing it takes a change to the stack (`codebuild:UpdateProject`), not a push.
Such a buildspec may still build the repository's Dockerfile; its `RUN` steps run in containers the
daemon starts, not privileged ones. A privileged project that reads its buildspec from the source (a
path, or none set: `buildspec.yml`) or from S3 is refused unless `allowPrivileged` is set.
"""

import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from pulumi_policy import (
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)

from cicd_guardrails.support.buildspecs import BuildspecKind, project_buildspec
from cicd_guardrails.support.metadata import policy_fields
from cicd_guardrails.support.native_twins import NATIVE_BUILD_PROJECT, twin_of
from cicd_guardrails.support.policy_config import PolicyConfigError, config_bool
from cicd_guardrails.support.wire import (
    as_list,
    block,
    fail_undecided,
    is_true,
    is_unknown,
    nested,
    plain,
)

BUILD_PROJECT = "aws:codebuild/project:Project"
# aws-native declares the project with CloudFormation's names, which are the `aws` project's
# (support/native_twins.py), so every check here judges both.
PROJECT_TYPES = frozenset({BUILD_PROJECT, NATIVE_BUILD_PROJECT})
PRIVILEGED = "codebuild-privileged-mode"
LOGS = "codebuild-logs-enabled"
PLAINTEXT_SECRETS = "codebuild-no-plaintext-secrets"
SOURCE_CREDENTIALS = "codebuild-source-no-credentials"

PLAINTEXT = "PLAINTEXT"
DISABLED = "DISABLED"
# Name parts that mark a variable as a credential; KEY only as a whole word (API_KEY, KEY),
# so CACHE_KEY-like names are caught too: prefer PARAMETER_STORE over guessing intent.
SECRET_NAME_RE = re.compile(
    r"(^|_)(PASSWORD|PASSWD|PWD|SECRET|SECRETS|TOKEN|CREDENTIAL|CREDENTIALS|KEY|APIKEY|PASSPHRASE)(_|$)",
    re.IGNORECASE,
)
SECRET_VALUE_RES = (
    re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"),  # AWS access key id
    re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),  # GitHub token
    re.compile(r"\bgithub_pat_[A-Za-z0-9_]{22,}\b"),
    re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}\b"),  # Slack token
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
)
ARN_PREFIX = "arn:"
URL_SCHEMES = ("http", "https")
# Query parameters that carry a credential: GitLab's `private_token`, OAuth's `access_token`
# (RFC 6750 section 2.3 allows it in the query), generic token/password/secret/api-key names, and
# presigned-URL signatures (S3 SigV4 `X-Amz-Credential`/`X-Amz-Signature`/`X-Amz-Security-Token`,
# SigV2 `AWSAccessKeyId`/`Signature`, Google `X-Goog-Signature`, Azure SAS `sig`). Names are compared
# case-insensitively with `-` and `_` ignored, and only with a non-empty value.
CREDENTIAL_PARAM_RE = re.compile(
    r"(token|secret|passw|passwd|pwd|apikey|accesskey|credential|signature|^sig$|^auth$"
    r"|^authorization$|^clientsecret$)",
    re.IGNORECASE,
)


def _project_props(args: ResourceValidationArgs) -> dict[str, Any]:
    return twin_of(args.resource_type, plain(args.props)).props


def validate_privileged_mode(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type not in PROJECT_TYPES:
        return
    try:
        allowed = config_bool(PRIVILEGED, args.get_config(), "allowPrivileged", False)
    except PolicyConfigError as error:
        report(str(error))
        return
    if allowed:
        return
    props = _project_props(args)
    privileged = nested(props, "environment", "privilegedMode")
    if not is_unknown(privileged) and not is_true(privileged):
        return
    buildspec = project_buildspec(props)
    if buildspec.stack_owned:
        return  # the stack, not a push, decides what runs privileged
    undecided = ["environment.privilegedMode"] if is_unknown(privileged) else []
    if buildspec.kind is BuildspecKind.NOT_YET_KNOWN:
        undecided.append("source.buildspec")
    elif not undecided:
        report(
            f"build project '{args.name}': environment.privilegedMode is true and "
            f"{buildspec.described()}, so something other than the stack decides what runs "
            "with root on the build host; set privilegedMode to false, or declare the buildspec "
            "inline in source.buildspec (stack-owned) if the project must build Docker images, or "
            "set allowPrivileged in this policy's config"
        )
    if undecided:
        fail_undecided(args.name, undecided)


def validate_logs_enabled(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type not in PROJECT_TYPES:
        return
    status = nested(_project_props(args), "logsConfig", "cloudwatchLogs", "status")
    if is_unknown(status):
        fail_undecided(args.name, ["logsConfig.cloudwatchLogs.status"])
    if isinstance(status, str) and status.upper() == DISABLED:
        report(
            f"build project '{args.name}': logsConfig.cloudwatchLogs.status is DISABLED; set it "
            "to ENABLED with a groupName of a KMS-encrypted log group that has a retention"
        )


def validate_no_plaintext_secrets(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type not in PROJECT_TYPES:
        return
    variables = nested(_project_props(args), "environment", "environmentVariables")
    undecided = ["environment.environmentVariables"] if is_unknown(variables) else []
    for index, variable in enumerate(as_list(variables) if not is_unknown(variables) else []):
        if is_unknown(variable) or is_unknown(block(variable).get("type")):
            undecided.append(f"environment.environmentVariables[{index}]")
            continue
        reason = _plaintext_secret_reason(block(variable))
        if reason:
            name = block(variable).get("name")
            report(
                f"build project '{args.name}': environment.environmentVariables[{index}] "
                f"({name}) {reason}; store the value in SSM Parameter Store or Secrets Manager "
                "and set type PARAMETER_STORE or SECRETS_MANAGER with the parameter name as value"
            )
    if undecided:
        fail_undecided(args.name, undecided)


def _plaintext_secret_reason(variable: dict[str, Any]) -> str:
    kind = variable.get("type") or PLAINTEXT
    if is_unknown(kind) or kind != PLAINTEXT:
        return ""
    name, value = variable.get("name"), variable.get("value")
    if isinstance(value, str) and not is_unknown(value):
        if any(pattern.search(value) for pattern in SECRET_VALUE_RES):
            return "holds a credential-shaped PLAINTEXT value"
        if value.startswith(ARN_PREFIX):
            return ""  # an ARN names a secret, it is not one
    if isinstance(name, str) and SECRET_NAME_RE.search(name):
        return "has a secret-looking name and type PLAINTEXT"
    return ""


def validate_source_no_credentials(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type not in PROJECT_TYPES:
        return
    props = _project_props(args)
    locations = [("source.location", nested(props, "source", "location"))]
    secondary = props.get("secondarySources")
    for index, source in enumerate(as_list(secondary) if not is_unknown(secondary) else []):
        locations.append((f"secondarySources[{index}].location", nested(source, "location")))
    undecided = [path for path, location in locations if is_unknown(location)]
    if is_unknown(secondary):
        undecided.append("secondarySources")
    for path, location in locations:
        if isinstance(location, str) and not is_unknown(location) and _has_credentials(location):
            report(
                f"build project '{args.name}': {path} embeds credentials in the URL "
                f"({_credential_part(location)}); remove them from the URL and use a "
                "CodeConnections connection or aws.codebuild.SourceCredential stored in Secrets "
                "Manager"
            )
    if undecided:
        fail_undecided(args.name, undecided)


def _has_credentials(location: str) -> bool:
    return bool(_credential_part(location))


def _credential_part(location: str) -> str:
    """Where the URL carries a credential (its user:password@ part or a query parameter's name,
    never the value), or "" when it carries none."""
    try:
        parts = urlsplit(location)
    except ValueError:
        return ""
    if parts.scheme.lower() not in URL_SCHEMES:
        return ""
    if parts.username or parts.password:
        return "the user:password@ part"
    # The fragment is stored with the URL as the query is (OAuth's implicit flow puts
    # `access_token` there), and `;` separates parameters as `&` does for many servers.
    for where, text in (("query", parts.query), ("fragment", parts.fragment)):
        for name, value in parse_qsl(text.replace(";", "&"), keep_blank_values=True):
            if not value.strip():
                continue
            if CREDENTIAL_PARAM_RE.search(re.sub(r"[-_]", "", name)) or any(
                pattern.search(value) for pattern in SECRET_VALUE_RES
            ):
                return f"{where} parameter {name!r}"
    return ""


CODEBUILD_PRIVILEGED_MODE = ResourceValidationPolicy(
    **policy_fields(PRIVILEGED),
    validate=validate_privileged_mode,
    config_schema=PolicyConfigSchema(
        properties={
            "allowPrivileged": {
                "type": "boolean",
                "default": False,
                "description": (
                    "Accept privilegedMode with a buildspec read from the source or S3 (a project "
                    "whose buildspec is inline is accepted anyway)."
                ),
            }
        }
    ),
)

CODEBUILD_LOGS_ENABLED = ResourceValidationPolicy(
    **policy_fields(LOGS),
    validate=validate_logs_enabled,
)

CODEBUILD_NO_PLAINTEXT_SECRETS = ResourceValidationPolicy(
    **policy_fields(PLAINTEXT_SECRETS),
    validate=validate_no_plaintext_secrets,
)

CODEBUILD_SOURCE_NO_CREDENTIALS = ResourceValidationPolicy(
    **policy_fields(SOURCE_CREDENTIALS),
    validate=validate_source_no_credentials,
)

POLICIES = [
    CODEBUILD_PRIVILEGED_MODE,
    CODEBUILD_LOGS_ENABLED,
    CODEBUILD_NO_PLAINTEXT_SECRETS,
    CODEBUILD_SOURCE_NO_CREDENTIALS,
]
