"""Deployed releases of our stacks for `bin/releases`: real signed artifacts on moto, stubbed history.

moto holds what the command verifies (the artifact bucket with the release zip, the stacks' signing
keys and their aliases, the account); the release zip is made with the step package's own code
(`ReleaseManifest`, `sign_manifest` with moto's KMS, `DeploymentRecord`, `zip_files`). CodePipeline's
history (`list_pipeline_executions`, `list_action_executions`) comes from botocore's Stubber, which
checks every answer against the service model and every request against what the command must send.
"""

import hashlib
import itertools
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from components.release.release_names import StackReleaseNames
from components.release.steps.deployment_record import (
    RECORD_FILE,
    RECORD_SIGNATURE_FILE,
    CarriedRecords,
    DeploymentRecord,
    record_files,
    sign_record,
)
from components.release.steps.manifest import ReleaseManifest
from components.release.steps.pipeline_artifacts import zip_files
from components.release.steps.signature import sign_manifest
from components.shared.naming import PlatformNames
from tests.support.aws_test_account import REGION, AwsTestAccount

ACCOUNT = "123456789012"
PROJECT = "guarded-delivery"
T0 = datetime(2026, 12, 1, 18, 2, 11, tzinfo=UTC)
APPROVER = f"arn:aws:sts::{ACCOUNT}:assumed-role/release-manager/alice"
APPROVAL_COMMENT = "Checked the canary dashboard and the change ticket CHG-2291."
COMMIT = "3f2a1c9d0b8e4a7f9c6d5e4b3a2f1e0d9c8b7a6f"
ALTERED_COMMIT = "9" * 40
EXECUTIONS = {
    "dev": "1d2e3f40-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
    "staging": "7c1f9e2a-4b3d-4e5f-8a6b-9c0d1e2f3a4b",
    "prod": "5a3c6f1e-2b7d-4c8e-9f10-3d4b5a6c7e8f",
}
BUILD_UUID = "0f5e2d3c-8a41-4b7e-9c11-2d6f0e4b7a90"
ECS_SERVICE = "api"
IMAGE_DIGEST = "sha256:" + hashlib.sha256(b"api image").hexdigest()
BUILD_FILES = {"appspec.yml": "version: 0.0\nos: linux\n", "index.html": "<h1>spring sale</h1>\n"}


def names(stack: str) -> PlatformNames:
    return PlatformNames(PROJECT, stack, ACCOUNT, REGION)


def pipeline(stack: str, service: str) -> str:
    return names(stack).service(service, service).pipeline_name


def build_id(stack: str, service: str) -> str:
    return f"{names(stack).service(service, service).build_project_name}:{BUILD_UUID}"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def image(stack: str, service: str) -> dict[str, Any]:
    """The manifest's image entry: the image step's push, by digest, scanned."""
    repository = names(stack).service(service, service).prefix
    return {
        "repository": repository,
        "uri": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{repository}@{IMAGE_DIGEST}",
        "digest": IMAGE_DIGEST,
        "tag": COMMIT,
        "scanFindings": {"MEDIUM": 1},
    }


@dataclass
class ReleaseHistory:
    """The stacks' keys and buckets on moto, and the pipeline history the Stubber answers with."""

    aws: AwsTestAccount
    key_arns: dict[str, str] = field(default_factory=dict)
    """Stack -> its release-signing key ARN."""
    buckets: set[str] = field(default_factory=set)

    # moto ---------------------------------------------------------------------------------------
    def signing_key(self, stack: str) -> str:
        """The stack's release key (ECC_NIST_P256, SIGN_VERIFY) behind its alias; its alias ARN."""
        alias = StackReleaseNames(names(stack))
        if stack not in self.key_arns:
            kms = self.aws.client("kms")
            key = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
            kms.create_alias(AliasName=alias.signing_key_alias_name, TargetKeyId=key["KeyId"])
            self.key_arns[stack] = key["Arn"]
        return alias.signing_key_alias_arn

    def put(self, stack: str, key: str, data: bytes) -> tuple[str, str, str]:
        """Store an object in the stack's versioned artifact bucket: (bucket, key, version id)."""
        bucket = names(stack).artifact_bucket_name
        s3 = self.aws.client("s3")
        if bucket not in self.buckets:
            s3.create_bucket(Bucket=bucket)
            s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
            self.buckets.add(bucket)
        version = s3.put_object(Bucket=bucket, Key=key, Body=data)["VersionId"]
        return bucket, key, version

    def manifest(self, stack: str, service: str, execution_id: str) -> ReleaseManifest:
        """The manifest the sign step of `stack` writes for this execution's build (with the
        image for an ECS service, `api`)."""
        build = zip_files({name: text.encode() for name, text in BUILD_FILES.items()})
        bucket, key, version = self.put(
            stack, f"{pipeline(stack, service)[:20]}/BuildOutpu/{execution_id[:7]}", build
        )
        sbom = json.dumps({"bomFormat": "CycloneDX", "specVersion": "1.5", "components": []})
        return ReleaseManifest(
            stack=stack,
            service=service,
            pipeline=pipeline(stack, service),
            source={
                "repository": f"{PROJECT}-{stack}-MyDemoRepo",
                "branch": "main",
                "commitId": COMMIT,
            },
            pipeline_execution_id=execution_id,
            build_id=build_id(stack, service),
            artifacts={
                "BuildOutput": {
                    "sha256": sha256(build),
                    "bucket": bucket,
                    "key": key,
                    "versionId": version,
                }
            },
            image=image(stack, service) if service == ECS_SERVICE else None,
            sbom={
                "format": "CycloneDX",
                "specVersion": "1.5",
                "sha256": sha256(sbom.encode()),
                "components": 0,
            },
            scan={
                "scanner": "amazon-inspector-scan-sbom",
                "threshold": "HIGH",
                "verdict": "pass",
                "counts": {"CRITICAL": 0, "HIGH": 0, "MEDIUM": 1, "LOW": 2, "OTHER": 0},
                "reportSha256": sha256(b"{}"),
            },
            created_at=(T0 + timedelta(minutes=4)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        )

    def signed_files(
        self, stack: str, manifest: ReleaseManifest, altered: bool = False
    ) -> dict[str, bytes]:
        """manifest.json and manifest.sig.json as the sign step of `stack` writes them; `altered`
        changes the manifest after it was signed (another commit, same signature)."""
        data = manifest.to_bytes()
        envelope = sign_manifest(self.aws.client("kms"), self.signing_key(stack), data)
        if altered:
            document = manifest.to_dict()
            document["source"] = {**document["source"], "commitId": ALTERED_COMMIT}
            data = json.dumps(document, sort_keys=True, separators=(",", ":")).encode()
        return {"manifest.json": data, "manifest.sig.json": envelope.to_bytes()}

    def built(self, stack: str, service: str, altered: bool = False) -> dict[str, bytes]:
        """The release `stack` builds and signs for its own execution."""
        manifest = self.manifest(stack, service, EXECUTIONS[stack])
        return self.signed_files(stack, manifest, altered)

    def promoted(self, chain: list[str], service: str, **fields: Any) -> dict[str, bytes]:
        """The release `chain[0]` built, as each next stack received it: the manifest and its
        signature, the previous stack's signed deployment record, and the earlier records under
        `upstream/<stack>/` (the publish step's `CarriedRecords.carried`). `fields` override the
        last record's."""
        manifest = self.manifest(chain[0], service, EXECUTIONS[chain[0]])
        received, previous = CarriedRecords(), None
        for index, (upstream, downstream) in enumerate(itertools.pairwise(chain)):
            last = index == len(chain) - 2
            record = self.deployment_record(
                upstream, downstream, service, manifest, **(fields if last else {})
            )
            data, signature = self.record_files(upstream, record)
            carried = received.carried(previous) if previous else {}
            received, previous = CarriedRecords(data, signature, carried), record
        return {
            **self.signed_files(chain[0], manifest),
            RECORD_FILE: received.record or b"",
            RECORD_SIGNATURE_FILE: received.signature or b"",
            **received.upstream,
        }

    def deployment_record(
        self, upstream: str, downstream: str, service: str, manifest: ReleaseManifest, **fields: Any
    ) -> DeploymentRecord:
        """`upstream` deployed and baked the manifest, and publishes it to `downstream`."""
        values: dict[str, Any] = {
            "stack": upstream,
            "service": service,
            "pipeline": pipeline(upstream, service),
            "pipeline_execution_id": EXECUTIONS[upstream],
            "manifest_sha256": manifest.sha256(),
            "commit_id": manifest.commit_id,
            "deployed_at": (T0 + timedelta(minutes=20)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "bake": {"minutes": 30, "alarms": [], "allOk": True},
            "promoted_to": downstream,
        }
        return DeploymentRecord(**(values | fields))

    def record_files(self, stack: str, record: DeploymentRecord) -> tuple[bytes, bytes]:
        """deployment.json and deployment.sig.json as `stack`'s publish step signs them."""
        record, envelope = sign_record(self.aws.client("kms"), self.signing_key(stack), record)
        files = record_files(record, envelope)
        return files[RECORD_FILE], files[RECORD_SIGNATURE_FILE]

    def release_zip(
        self, stack: str, service: str, execution_id: str, files: dict[str, bytes]
    ) -> tuple[str, str]:
        """The ReleaseOutput artifact object: (bucket, key)."""
        bucket, key, _ = self.put(
            stack,
            f"{pipeline(stack, service)[:20]}/ReleaseOut/{execution_id[:7]}",
            zip_files(files),
        )
        return bucket, key

    # Stubbed CodePipeline -----------------------------------------------------------------------
    def stub_executions(
        self,
        stack: str,
        service: str,
        pages: list[list[dict]],
        page_sizes: list[int] | None = None,
        more: bool = False,
    ) -> None:
        """ListPipelineExecutions' pages (each but the last, or every one if `more`, says a next
        page exists), as requested with `page_sizes` (default 100 each)."""
        stubber = self.aws.stub("codepipeline")
        sizes = page_sizes or [100] * len(pages)
        for index, page in enumerate(pages):
            request: dict[str, Any] = {
                "pipelineName": pipeline(stack, service),
                "maxResults": sizes[index],
            }
            if index:
                request["nextToken"] = f"page-{index}"
            answer: dict[str, Any] = {"pipelineExecutionSummaries": page}
            if index + 1 < len(pages) or more:
                answer["nextToken"] = f"page-{index + 1}"
            stubber.add_response("list_pipeline_executions", answer, request)

    def stub_actions(self, stack: str, service: str, execution_id: str, details: list[dict]):
        self.aws.stub("codepipeline").add_response(
            "list_action_executions",
            {"actionExecutionDetails": details},
            {
                "pipelineName": pipeline(stack, service),
                "filter": {"pipelineExecutionId": execution_id},
            },
        )

    def deployed(
        self,
        stack: str,
        service: str,
        files: dict[str, bytes],
        approved: bool = False,
        approval_comment: str = APPROVAL_COMMENT,
        listed: dict | None = None,
    ) -> str:
        """`stack`'s pipeline for `service` ran one Succeeded execution releasing `files`: built
        and signed here when the files hold no deployment record, else promoted (S3 sources).
        `listed` replaces the execution's summary in ListPipelineExecutions (a rollback)."""
        execution_id = EXECUTIONS[stack]
        release = self.release_zip(stack, service, execution_id, files)
        self.stub_executions(stack, service, [[listed or summary(execution_id, "Succeeded")]])
        if "deployment.json" in files:
            details = [
                action(execution_id, "BuildOutput", "Source", "S3", 0, stage="Source"),
                action(
                    execution_id,
                    "ReleaseOutput",
                    "Source",
                    "S3",
                    0,
                    release=release,
                    stage="Source",
                ),
            ]
        else:
            details = [
                action(execution_id, "Source", "Source", "CodeCommit", 0),
                action(
                    execution_id,
                    "Build",
                    "Build",
                    "CodeBuild",
                    2,
                    external_id=build_id(stack, service),
                ),
                action(execution_id, "Sign", "Build", "CodeBuild", 4, release=release),
            ]
        if approved:
            details.append(
                action(
                    execution_id,
                    "Approval",
                    "Approval",
                    "Manual",
                    9,
                    summary=approval_comment,
                    updated_by=APPROVER,
                )
            )
        details.append(action(execution_id, "Verify", "Test", "CodeBuild", 10))
        details.append(action(execution_id, "Deploy", "Deploy", "CodeDeploy", 12))
        self.stub_actions(stack, service, execution_id, details)
        return execution_id


def summary(execution_id: str, status: str, minutes: int = 18) -> dict:
    return {
        "pipelineExecutionId": execution_id,
        "status": status,
        "startTime": T0,
        "lastUpdateTime": T0 + timedelta(minutes=minutes),
        "sourceRevisions": [
            {
                "actionName": "Source",
                "revisionId": COMMIT,
                "revisionSummary": "Apply the spring discount at checkout",
            }
        ],
        "trigger": {"triggerType": "CloudWatchEvent", "triggerDetail": "push to main"},
    }


def action(
    execution_id: str,
    name: str,
    category: str,
    provider: str,
    minutes: int,
    external_id: str = "",
    release: tuple[str, str] | None = None,
    summary: str = "",
    updated_by: str = "",
    stage: str = "",
) -> dict:
    """One action execution (its stage of the same name unless given) that succeeded `minutes`
    after the execution started."""
    result: dict[str, Any] = {}
    if external_id:
        result["externalExecutionId"] = external_id
    if summary:
        result["externalExecutionSummary"] = summary
    output: dict[str, Any] = {"executionResult": result, "outputArtifacts": []}
    if release:
        output["outputArtifacts"] = [
            {"name": "ReleaseOutput", "s3location": {"bucket": release[0], "key": release[1]}}
        ]
    detail = {
        "pipelineExecutionId": execution_id,
        "actionExecutionId": f"{name.lower()}-{execution_id[:8]}",
        "pipelineVersion": 3,
        "stageName": stage or name,
        "actionName": name,
        "startTime": T0 + timedelta(minutes=minutes - 1),
        "lastUpdateTime": T0 + timedelta(minutes=minutes),
        "status": "Succeeded",
        "input": {
            "actionTypeId": {
                "category": category,
                "owner": "AWS",
                "provider": provider,
                "version": "1",
            },
            "configuration": {},
        },
        "output": output,
    }
    if updated_by:
        detail["updatedBy"] = updated_by
    return detail
