"""`pipeline-artifacts-kms`: pipeline and build artifacts are encrypted under a customer-managed key.

Without an `encryptionKey`, CodePipeline and CodeBuild fall back to the AWS-managed `aws/s3` key,
whose key policy no one can scope: any principal in the account with S3 access can read artifacts.
"""

from typing import Any

from pulumi_policy import (
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)

from cicd_guardrails.support.key_references import key_problem
from cicd_guardrails.support.metadata import policy_fields
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
KMS_KEY_TYPE = "KMS"

STORE_FIX = "set encryptionKey {type: 'KMS', id: <customer-managed KMS key ARN>}"
PROJECT_KEY_FIX = "set encryptionKey to a customer-managed KMS key ARN"
ENCRYPTION_DISABLED_FIX = "remove encryptionDisabled (or set it to false)"


def validate_pipeline_artifacts_kms(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type not in (PIPELINE, BUILD_PROJECT):
        return
    props = plain(args.props)
    undecided: list[str] = []
    if args.resource_type == PIPELINE:
        _judge_pipeline(args.name, props, report, undecided)
    elif args.resource_type == BUILD_PROJECT:
        _judge_build_project(args.name, props, report, undecided)
    if undecided:
        fail_undecided(args.name, undecided)


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


PIPELINE_ARTIFACTS_KMS = ResourceValidationPolicy(
    **policy_fields(NAME),
    validate=validate_pipeline_artifacts_kms,
)

POLICIES = [PIPELINE_ARTIFACTS_KMS]
