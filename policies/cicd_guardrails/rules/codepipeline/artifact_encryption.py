"""`pipeline-artifacts-kms`: pipeline and build artifacts are encrypted under a customer-managed key.

Without an `encryptionKey`, CodePipeline and CodeBuild fall back to the AWS-managed `aws/s3` key,
whose key policy no one can scope: any principal in the account with S3 access can read artifacts.

CodeBuild report groups that export test reports to S3 are judged too: `exportConfig {type: "S3",
s3Destination {encryptionDisabled, encryptionKey}}` writes raw reports (test names, failure output,
paths) next to the artifacts, so they need the same key ("ReportExportConfig" / "S3ReportExportConfig",
AWS CodeBuild API Reference: `encryptionKey` is the key that encrypts the exported reports,
`encryptionDisabled` turns it off). Pipelines, projects and report groups declared through
aws-native are read as their `aws` twins (`support/native_twins.py`).
"""

from typing import Any

from pulumi_policy import (
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)

from cicd_guardrails.support.key_references import key_problem
from cicd_guardrails.support.metadata import policy_fields
from cicd_guardrails.support.native_twins import NativeTwin, natives_of, twin_of
from cicd_guardrails.support.wire import (
    as_list,
    block,
    fail_undecided,
    is_true,
    is_unknown,
    nested,
    plain,
    shown,
)

NAME = "pipeline-artifacts-kms"
PIPELINE = "aws:codepipeline/pipeline:Pipeline"
BUILD_PROJECT = "aws:codebuild/project:Project"
REPORT_GROUP = "aws:codebuild/reportGroup:ReportGroup"
AWS_TYPES = frozenset({PIPELINE, BUILD_PROJECT, REPORT_GROUP})
JUDGED_TYPES = AWS_TYPES | natives_of(AWS_TYPES)
KMS_KEY_TYPE = "KMS"
S3_EXPORT = "S3"

STORE_FIX = "set encryptionKey {type: 'KMS', id: <customer-managed KMS key ARN>}"
PROJECT_KEY_FIX = "set encryptionKey to a customer-managed KMS key ARN"
ENCRYPTION_DISABLED_FIX = "remove encryptionDisabled (or set it to false)"
REPORT_KEY_FIX = (
    "set exportConfig.s3Destination.encryptionKey to a customer-managed KMS key ARN and remove "
    "encryptionDisabled"
)


def validate_pipeline_artifacts_kms(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type not in JUDGED_TYPES:
        return
    twin = twin_of(args.resource_type, plain(args.props))
    undecided: list[str] = []
    in_names = _in_names_of(twin, report)
    if twin.type == PIPELINE:
        _judge_pipeline(args.name, twin.props, in_names, undecided)
    elif twin.type == BUILD_PROJECT:
        _judge_build_project(args.name, twin.props, in_names, undecided)
    elif twin.type == REPORT_GROUP:
        _judge_report_group(args.name, twin.props, in_names, undecided)
    if undecided:
        fail_undecided(args.name, [twin.say(path) for path in undecided])


def _in_names_of(twin: NativeTwin, report: ReportViolation) -> ReportViolation:
    def report_in_names(message: str, urn: str | None = None) -> None:
        report(twin.say(message), urn)

    return report_in_names


def _judge_pipeline(
    name: str, props: dict[str, Any], report: ReportViolation, undecided: list[str]
) -> None:
    stores = props.get("artifactStores")
    if is_unknown(stores):
        undecided.append("artifactStores")
        return
    for index, store in enumerate(as_list(stores)):
        path = f"artifactStores[{index}]"
        if is_unknown(store):
            undecided.append(path)  # may be a store without a customer-managed key
            continue
        region = block(store).get("region")
        where = f" (region {region})" if isinstance(region, str) and not is_unknown(region) else ""
        key = block(store).get("encryptionKey")
        if is_unknown(key):
            undecided.append(f"{path}.encryptionKey")
            continue
        if not isinstance(key, dict):
            report(
                f"pipeline '{name}': {path}.encryptionKey{where} is not set, so artifacts use the "
                f"AWS-managed aws/s3 key; {STORE_FIX}"
            )
            continue
        key_type = key.get("type")
        if is_unknown(key_type):
            undecided.append(f"{path}.encryptionKey.type")
        elif key_type != KMS_KEY_TYPE:
            report(
                f"pipeline '{name}': {path}.encryptionKey.type{where} is {shown(key_type)}; {STORE_FIX}"
            )
        problem = key_problem(key.get("id"))
        if problem:
            report(f"pipeline '{name}': {path}.encryptionKey.id{where} {problem}; {STORE_FIX}")


def _judge_build_project(
    name: str, props: dict[str, Any], report: ReportViolation, undecided: list[str]
) -> None:
    problem = key_problem(props.get("encryptionKey"))
    if problem:
        report(f"build project '{name}': encryptionKey {problem}; {PROJECT_KEY_FIX}")

    flags: list[tuple[str, Any]] = [
        ("artifacts.encryptionDisabled", nested(props, "artifacts", "encryptionDisabled")),
        (
            "logsConfig.s3Logs.encryptionDisabled",
            nested(props, "logsConfig", "s3Logs", "encryptionDisabled"),
        ),
    ]
    secondary = props.get("secondaryArtifacts")
    if is_unknown(secondary):
        undecided.append("secondaryArtifacts")
    for index, artifact in enumerate(as_list(secondary) if not is_unknown(secondary) else []):
        flags.append(
            (
                f"secondaryArtifacts[{index}].encryptionDisabled",
                artifact if is_unknown(artifact) else block(artifact).get("encryptionDisabled"),
            )
        )
    for path, value in flags:
        if is_unknown(value):
            undecided.append(path)
        elif is_true(value):
            report(f"build project '{name}': {path} is true; {ENCRYPTION_DISABLED_FIX}")


def _judge_report_group(
    name: str, props: dict[str, Any], report: ReportViolation, undecided: list[str]
) -> None:
    """A report group that exports to S3 encrypts the exported reports under our key."""
    export = props.get("exportConfig")
    export_type = nested(export, "type")
    if is_unknown(export_type):
        undecided.append("exportConfig.type")
        return
    if not isinstance(export_type, str) or export_type.upper() != S3_EXPORT:
        return  # NO_EXPORT: the reports stay in CodeBuild
    label = f"report group '{name}'"
    disabled = nested(export, "s3Destination", "encryptionDisabled")
    if is_unknown(disabled):
        undecided.append("exportConfig.s3Destination.encryptionDisabled")
    elif is_true(disabled):
        report(
            f"{label}: exportConfig.s3Destination.encryptionDisabled is true, so test reports are "
            f"exported to S3 unencrypted; {REPORT_KEY_FIX}"
        )
        return
    key = nested(export, "s3Destination", "encryptionKey")
    if is_unknown(key):
        undecided.append("exportConfig.s3Destination.encryptionKey")
        return
    problem = key_problem(
        key, missing="is not set, so exported reports are not under a customer-managed key"
    )
    if problem:
        report(f"{label}: exportConfig.s3Destination.encryptionKey {problem}; {REPORT_KEY_FIX}")


PIPELINE_ARTIFACTS_KMS = ResourceValidationPolicy(
    **policy_fields(NAME),
    validate=validate_pipeline_artifacts_kms,
)

POLICIES = [PIPELINE_ARTIFACTS_KMS]
