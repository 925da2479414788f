"""Read an `aws-native` resource in the shape of its `aws` twin, so one rule judges both.

Pulumi's `aws-native` provider declares the same AWS resources from the CloudFormation schema: the
engine sends its properties as CloudFormation names camel-cased (`bucketEncryption`,
`artifactStore`, `actionTypeId`), not as the `aws` provider's. The checks are the same (an SSE-KMS
default under our key, an artifact store with a KMS `encryptionKey`, an enabled rollback), so instead
of writing every rule twice each rule asks `twin_of` for the `aws`-shaped properties and reports
through `NativeTwin.say`, which rewrites the property paths and fixes of a message back into the
native resource's own names, so the user reads the path they wrote.

Type tokens and property names are those of the pulumi-aws-native 1.84.0 Python SDK
(`@pulumi.type_token(...)` and `@pulumi.getter(name=...)` in `pulumi_aws_native/<service>/`), which
follow the CloudFormation resource reference (docs.aws.amazon.com/AWSCloudFormation/latest/
TemplateReference/aws-resource-*.html). A value not known at preview stays the engine's unknown
sentinel at the twin's place, so rules keep deciding what an unknown means.
"""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cicd_guardrails.support.bucket_links import Resource
from cicd_guardrails.support.wire import as_list, block, is_unknown

NATIVE_BUCKET = "aws-native:s3:Bucket"
NATIVE_DIRECTORY_BUCKET = "aws-native:s3express:DirectoryBucket"
NATIVE_KMS_KEY = "aws-native:kms:Key"
NATIVE_PIPELINE = "aws-native:codepipeline:Pipeline"
NATIVE_DEPLOYMENT_GROUP = "aws-native:codedeploy:DeploymentGroup"
NATIVE_BUILD_PROJECT = "aws-native:codebuild:Project"
NATIVE_REPORT_GROUP = "aws-native:codebuild:ReportGroup"
NATIVE_ECS_SERVICE = "aws-native:ecs:Service"

AWS_BUCKET = "aws:s3/bucket:Bucket"
AWS_DIRECTORY_BUCKET = "aws:s3/directoryBucket:DirectoryBucket"
AWS_KMS_KEY = "aws:kms/key:Key"
AWS_PIPELINE = "aws:codepipeline/pipeline:Pipeline"
AWS_DEPLOYMENT_GROUP = "aws:codedeploy/deploymentGroup:DeploymentGroup"
AWS_BUILD_PROJECT = "aws:codebuild/project:Project"
AWS_REPORT_GROUP = "aws:codebuild/reportGroup:ReportGroup"
AWS_ECS_SERVICE = "aws:ecs/service:Service"

Rename = tuple[re.Pattern[str], str]


@dataclass(frozen=True)
class NativeTwin:
    """The `aws`-shaped properties of a resource, and how to word a message in its own names."""

    type: str  # the `aws` twin's type token
    props: dict[str, Any]
    renames: tuple[Rename, ...] = field(default=())

    def say(self, message: str) -> str:
        """`message` (written for the `aws` twin) with paths and fixes in the native names."""
        for pattern, replacement in self.renames:
            message = pattern.sub(replacement, message)
        return message


def _renames(*pairs: tuple[str, str]) -> tuple[Rename, ...]:
    return tuple((re.compile(pattern), replacement) for pattern, replacement in pairs)


def _keep(value: Any, convert: Callable[[Any], Any]) -> Any:
    """`convert(value)`, except that absent stays absent and unknown stays unknown."""
    if value is None or is_unknown(value):
        return value
    return convert(value)


def _each(value: Any, convert: Callable[[Any], Any]) -> Any:
    """Convert every element of a list, keeping unknown elements (and an unknown list) as they are."""
    return _keep(value, lambda items: [_keep(item, convert) for item in as_list(items)])


# --- S3 ---------------------------------------------------------------------------------------

# AWS::S3::Bucket BucketEncryption {ServerSideEncryptionConfiguration: [ServerSideEncryptionRule
# {ServerSideEncryptionByDefault {SSEAlgorithm, KMSMasterKeyID}, BucketKeyEnabled}]}; the same shape
# on AWS::S3Express::DirectoryBucket (CloudFormation "AWS::S3Express::DirectoryBucket
# BucketEncryption"). pulumi-aws-native camel-cases them as sseAlgorithm / kmsMasterKeyId.
_BUCKET_RENAMES = _renames(
    (
        r"add an aws\.s3\.BucketServerSideEncryptionConfiguration for it with "
        r"rules\[0\]\.applyServerSideEncryptionByDefault",
        "set bucketEncryption.serverSideEncryptionConfiguration[0].serverSideEncryptionByDefault",
    ),
    (
        r"serverSideEncryptionConfiguration\.rules\[(\d+)\]",
        r"bucketEncryption.serverSideEncryptionConfiguration[\1]",
    ),
    (
        r"serverSideEncryptionConfiguration\.rules",
        "bucketEncryption.serverSideEncryptionConfiguration",
    ),
    (r"applyServerSideEncryptionByDefault", "serverSideEncryptionByDefault"),
    (r"versioning\.enabled", "versioningConfiguration.status"),
)


def _encryption_rules(encryption: Any) -> Any:
    """`bucketEncryption` as the `aws` Bucket's inline `serverSideEncryptionConfiguration`."""

    def rule(native_rule: Any) -> dict[str, Any]:
        native = block(native_rule)
        return {
            "applyServerSideEncryptionByDefault": native.get("serverSideEncryptionByDefault"),
            "bucketKeyEnabled": native.get("bucketKeyEnabled"),
        }

    def configuration(native: Any) -> Any:
        rules = block(native).get("serverSideEncryptionConfiguration")
        if is_unknown(rules):
            return rules
        return {"rules": _each(rules, rule) or []}

    return _keep(encryption, configuration)


def _bucket(props: dict[str, Any]) -> dict[str, Any]:
    twin: dict[str, Any] = {"bucket": props.get("bucketName")}
    encryption = _encryption_rules(props.get("bucketEncryption"))
    if encryption is not None:
        twin["serverSideEncryptionConfiguration"] = encryption
    versioning = props.get("versioningConfiguration")
    if versioning is not None:
        # VersioningConfiguration {Status: Enabled | Suspended} (CloudFormation AWS::S3::Bucket).
        status = versioning if is_unknown(versioning) else block(versioning).get("status")
        twin["versioning"] = (
            status if is_unknown(status) else {"enabled": status == "Enabled", "status": status}
        )
    if props.get("publicAccessBlockConfiguration") is not None:
        twin["publicAccessBlockConfiguration"] = props["publicAccessBlockConfiguration"]
    return twin


# --- KMS --------------------------------------------------------------------------------------


def _kms_key(props: dict[str, Any]) -> dict[str, Any]:
    """AWS::KMS::Key: `PendingWindowInDays` is the `aws` key's `deletionWindowInDays`, `KeyPolicy`
    an object where the `aws` key's `policy` is a JSON string; the rest share their names."""
    twin = {
        key: props.get(key)
        for key in ("enableKeyRotation", "keySpec", "keyUsage", "rotationPeriodInDays", "origin")
        if props.get(key) is not None
    }
    if props.get("pendingWindowInDays") is not None:
        twin["deletionWindowInDays"] = props["pendingWindowInDays"]
    policy = props.get("keyPolicy")
    if policy is not None:
        twin["policy"] = policy if isinstance(policy, str) else json.dumps(policy)
    return twin


_KMS_RENAMES = _renames(
    (r"deletionWindowInDays", "pendingWindowInDays"),
    (r"aws\.kms\.Key", "aws-native kms.Key"),
)


# --- CodePipeline -----------------------------------------------------------------------------


def _artifact_names(artifacts: Any) -> Any:
    """`[{name}]` (AWS::CodePipeline::Pipeline InputArtifact / OutputArtifact) as a list of names."""
    return _each(artifacts, lambda artifact: block(artifact).get("name"))


def _action(native: Any) -> dict[str, Any]:
    fields = block(native)
    type_id = fields.get("actionTypeId")
    twin = {
        key: fields.get(key)
        for key in ("name", "configuration", "runOrder", "region", "roleArn", "namespace")
    }
    for key in ("category", "owner", "provider", "version"):
        twin[key] = type_id if is_unknown(type_id) else block(type_id).get(key)
    twin["inputArtifacts"] = _artifact_names(fields.get("inputArtifacts"))
    twin["outputArtifacts"] = _artifact_names(fields.get("outputArtifacts"))
    return twin


def _stage(native: Any) -> dict[str, Any]:
    fields = block(native)
    return {"name": fields.get("name"), "actions": _each(fields.get("actions"), _action)}


def _pipeline(props: dict[str, Any]) -> dict[str, Any]:
    """AWS::CodePipeline::Pipeline: `ArtifactStore` (one region) or `ArtifactStores` [{Region,
    ArtifactStore}], each store {Location, Type, EncryptionKey {Id, Type}}; actions name their kind
    in `ActionTypeId` {Category, Owner, Provider, Version}."""
    single, mapped = props.get("artifactStore"), props.get("artifactStores")
    if mapped is not None:
        stores = _each(
            mapped,
            lambda entry: (
                {
                    **block(block(entry).get("artifactStore")),
                    "region": block(entry).get("region"),
                }
                if not is_unknown(block(entry).get("artifactStore"))
                else block(entry).get("artifactStore")
            ),
        )
    else:
        stores = _keep(single, lambda store: [store])
    return {
        "artifactStores": stores,
        "stages": _each(props.get("stages"), _stage),
        "pipelineType": props.get("pipelineType"),
        "name": props.get("name"),
    }


def _pipeline_renames(props: dict[str, Any]) -> tuple[Rename, ...]:
    if props.get("artifactStores") is not None:
        store = _renames((r"artifactStores\[(\d+)\]\.", r"artifactStores[\1].artifactStore."))
    else:
        store = _renames((r"artifactStores\[0\]", "artifactStore"))
    return store


# --- CodeDeploy -------------------------------------------------------------------------------


def _deployment_group(props: dict[str, Any]) -> dict[str, Any]:
    """AWS::CodeDeploy::DeploymentGroup: `AlarmConfiguration.Alarms` is a list of {Name}."""
    alarms = props.get("alarmConfiguration")

    def alarm_configuration(native: Any) -> dict[str, Any]:
        fields = dict(block(native))
        fields["alarms"] = _each(fields.get("alarms"), lambda alarm: block(alarm).get("name"))
        return fields

    return {
        "autoRollbackConfiguration": props.get("autoRollbackConfiguration"),
        "alarmConfiguration": _keep(alarms, alarm_configuration),
        "deploymentStyle": props.get("deploymentStyle"),
        "deploymentGroupName": props.get("deploymentGroupName"),
        "appName": props.get("applicationName"),
    }


_DEPLOYMENT_GROUP_RENAMES = _renames(
    (r"alarms: \[<CloudWatch alarm name>\]", "alarms: [{name: <CloudWatch alarm name>}]"),
)


# --- CodeBuild --------------------------------------------------------------------------------


def _build_project(props: dict[str, Any]) -> dict[str, Any]:
    """AWS::CodeBuild::Project shares the `aws` project's names (encryptionKey, artifacts,
    secondaryArtifacts, logsConfig.s3Logs, source.location, secondarySources, environment) except
    `Source.BuildSpec`, which the `aws` project calls `buildspec`."""
    twin = dict(props)
    source = props.get("source")
    if isinstance(source, dict) and "buildSpec" in source:
        twin["source"] = {**source, "buildspec": source["buildSpec"]}
    return twin


_BUILD_PROJECT_RENAMES = _renames((r"source\.buildspec", "source.buildSpec"))


def _report_group(props: dict[str, Any]) -> dict[str, Any]:
    """AWS::CodeBuild::ReportGroup ReportExportConfig {ExportConfigType, S3Destination
    {Bucket, EncryptionDisabled, EncryptionKey, ...}}; the `aws` group calls the type `type`."""
    export = props.get("exportConfig")

    def config(native: Any) -> dict[str, Any]:
        fields = block(native)
        return {
            "type": fields.get("exportConfigType"),
            "s3Destination": fields.get("s3Destination"),
        }

    return {"exportConfig": _keep(export, config), "name": props.get("name")}


_REPORT_GROUP_RENAMES = _renames((r"exportConfig\.type\b", "exportConfig.exportConfigType"))


# --- ECS --------------------------------------------------------------------------------------


def _ecs_service(props: dict[str, Any]) -> dict[str, Any]:
    """AWS::ECS::Service keeps the circuit breaker and alarms inside `DeploymentConfiguration`
    (`DeploymentCircuitBreaker {Enable, Rollback}`, `Alarms {AlarmNames, Enable, Rollback}`);
    the `aws` service has them at the top level, and calls `ServiceName` `name`."""
    deployment = props.get("deploymentConfiguration")
    return {
        "name": props.get("serviceName"),
        "cluster": props.get("cluster"),
        "deploymentController": props.get("deploymentController"),
        "deploymentCircuitBreaker": deployment
        if is_unknown(deployment)
        else block(deployment).get("deploymentCircuitBreaker"),
        "alarms": deployment if is_unknown(deployment) else block(deployment).get("alarms"),
    }


_ECS_SERVICE_RENAMES = _renames(
    (r"(?<!\.)deploymentCircuitBreaker", "deploymentConfiguration.deploymentCircuitBreaker"),
    (r"\balarms(?=\.\w| \{)", "deploymentConfiguration.alarms"),
)

# native type -> (twin type, props translation, message renames for those props)
_TWINS: dict[
    str,
    tuple[str, Callable[[dict[str, Any]], dict[str, Any]], Callable[[dict[str, Any]], Any]],
] = {
    NATIVE_BUCKET: (AWS_BUCKET, _bucket, lambda _: _BUCKET_RENAMES),
    NATIVE_DIRECTORY_BUCKET: (AWS_DIRECTORY_BUCKET, _bucket, lambda _: _BUCKET_RENAMES),
    NATIVE_KMS_KEY: (AWS_KMS_KEY, _kms_key, lambda _: _KMS_RENAMES),
    NATIVE_PIPELINE: (AWS_PIPELINE, _pipeline, _pipeline_renames),
    NATIVE_DEPLOYMENT_GROUP: (
        AWS_DEPLOYMENT_GROUP,
        _deployment_group,
        lambda _: _DEPLOYMENT_GROUP_RENAMES,
    ),
    NATIVE_BUILD_PROJECT: (AWS_BUILD_PROJECT, _build_project, lambda _: _BUILD_PROJECT_RENAMES),
    NATIVE_REPORT_GROUP: (AWS_REPORT_GROUP, _report_group, lambda _: _REPORT_GROUP_RENAMES),
    NATIVE_ECS_SERVICE: (AWS_ECS_SERVICE, _ecs_service, lambda _: _ECS_SERVICE_RENAMES),
}

NATIVE_TYPES = frozenset(_TWINS)


def natives_of(aws_types: frozenset[str] | set[str]) -> frozenset[str]:
    """The aws-native types whose twins are among `aws_types`."""
    return frozenset(native for native, (twin, _, _) in _TWINS.items() if twin in aws_types)


def twin_of(resource_type: str, props: dict[str, Any]) -> NativeTwin:
    """`props` (plain data) of a resource of `resource_type` in its `aws` twin's shape; an `aws`
    resource is returned as it is."""
    entry = _TWINS.get(resource_type)
    if entry is None:
        return NativeTwin(resource_type, props)
    twin_type, translate, renames = entry
    return NativeTwin(twin_type, translate(props), renames(props))


@dataclass
class TwinResource(Resource):
    """A stack resource read through its twin: `type` is the twin's, `props` the twin's shape."""

    twin_type: str = ""
    renames: tuple[Rename, ...] = ()

    @property
    def type(self) -> str:
        return self.twin_type

    def say(self, message: str) -> str:
        return NativeTwin(self.twin_type, self.props, self.renames).say(message)


def as_twin(resource: Resource) -> Resource:
    """`resource` (unwrapped) as its `aws` twin when it is an aws-native one, else itself."""
    if resource.source.resource_type not in _TWINS:
        return resource
    twin = twin_of(resource.source.resource_type, resource.props)
    return TwinResource(resource.source, twin.props, twin.type, twin.renames)


def say(resource: Resource, message: str) -> str:
    """`message` in the names of `resource` (unchanged for an `aws` resource)."""
    return resource.say(message) if isinstance(resource, TwinResource) else message
