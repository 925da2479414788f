"""A release on the moto account: signing keys, a versioned artifact bucket, an image repository.

moto holds the S3 objects, KMS keys, ECR images and Lambda functions the release steps read; what
it does not implement (`codepipeline.list_action_executions`, `inspector-scan.scan_sbom`) is
answered by botocore Stubbers on clients of the same server, which validate every answer against
the service model. `ReleaseAccount` records the action executions of one pipeline execution as a
real pipeline would, so each step finds its artifacts exactly as it does in CodeBuild.

Promotion: `add_downstream()` adds the staging environment (its own signing key, artifact bucket and
pipeline) to the same moto account; `record_sources()` records a downstream execution whose S3 source
actions copied what the upstream published, as CodePipeline's S3 source action does.
"""

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from botocore.stub import ANY

from components.release.steps.step_io import Clients
from tests.support.aws_test_account import REGION, AwsTestAccount

ACCOUNT = "123456789012"
STACK, SERVICE = "dev", "api"
PIPELINE = "guarded-delivery-dev-api"
EXECUTION = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
COMMIT = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
OTHER_COMMIT = "9fceb02d0ae598e95dc970b74767f19372d61af8"
BUCKET = "guarded-delivery-dev-artifacts"
IMAGE_REPOSITORY = "guarded-delivery-dev-api"
REGISTRY = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com"
SIGNING_ALIAS = "alias/guarded-delivery-dev-release-signing"
OTHER_ALIAS = "alias/someone-elses-key"
BUILD_ID = "guarded-delivery-dev-api-build:0d8e4a57-8a6d-4c6c-9a55-37a4c1b3bb01"
FUNCTION, FUNCTION_ALIAS = "guarded-delivery-dev-api", "live"
ARTIFACT_ALIAS = "alias/guarded-delivery-dev-artifacts"
STAGING, PROD = "staging", "prod"
STAGING_PIPELINE = "guarded-delivery-staging-api"
STAGING_EXECUTION = "8d1f1f9e-2b1c-4d55-9e57-0a6c3b1f7a11"
STAGING_BUCKET = "guarded-delivery-staging-artifacts"
STAGING_ALIAS = "alias/guarded-delivery-staging-release-signing"
STAGING_ARTIFACT_ALIAS = "alias/guarded-delivery-staging-artifacts"
RELEASE_ARTIFACTS = ("BuildOutput", "ImageOutput", "ReleaseOutput")
T0 = datetime(2025, 5, 1, 9, 0, tzinfo=UTC)

BUILD_FILES: dict[str, str] = {
    "handler.py": "def handler(event, context):\n    return {'ok': True}\n",
    "requests-2.32.3.dist-info/METADATA": "Metadata-Version: 2.1\nName: requests\nVersion: 2.32.3\n",
    "requirements.txt": "urllib3==2.2.2\nidna>=3.7\n",
}


def zip_bytes(files: dict[str, str | bytes]) -> bytes:
    """A zip as CodePipeline stores an artifact (fixed timestamps: same files, same bytes)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in sorted(files.items()):
            archive.writestr(zipfile.ZipInfo(name, date_time=(2025, 1, 1, 0, 0, 0)), content)
    return buffer.getvalue()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """The extracted primary input of the sign step (CODEBUILD_SRC_DIR)."""
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    return root


@dataclass
class ReleaseAccount:
    """One pipeline execution's world on moto, and the action executions CodePipeline reports."""

    aws: AwsTestAccount
    actions: list[dict[str, Any]] = field(default_factory=list)
    keys: dict[str, str] = field(default_factory=dict)
    """Alias name -> key ARN."""
    image_digest: str = ""
    _clock: int = 0

    @property
    def alias_arn(self) -> str:
        return f"arn:aws:kms:{REGION}:{ACCOUNT}:{SIGNING_ALIAS}"

    @property
    def other_alias_arn(self) -> str:
        return f"arn:aws:kms:{REGION}:{ACCOUNT}:{OTHER_ALIAS}"

    @property
    def image_uri(self) -> str:
        return f"{REGISTRY}/{IMAGE_REPOSITORY}@{self.image_digest}"

    def clients(self) -> Clients:
        client = self.aws.client
        return Clients(
            codepipeline=client("codepipeline"),
            s3=client("s3"),
            kms=client("kms"),
            ecr=client("ecr"),
            inspector_scan=client("inspector-scan"),
            lambda_=client("lambda"),
            cloudwatch=client("cloudwatch"),
        )

    def arn(self, alias: str) -> str:
        """The alias ARN of `alias` (what a stack configures as a key id)."""
        return f"arn:aws:kms:{REGION}:{ACCOUNT}:{alias}"

    # Account ----------------------------------------------------------------------------------
    def create(self) -> "ReleaseAccount":
        kms, s3 = self.aws.client("kms"), self.aws.client("s3")
        for alias in (SIGNING_ALIAS, OTHER_ALIAS):
            key = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
            kms.create_alias(AliasName=alias, TargetKeyId=key["KeyId"])
            self.keys[alias] = key["Arn"]
        s3.create_bucket(Bucket=BUCKET)
        s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
        self.aws.client("ecr").create_repository(
            repositoryName=IMAGE_REPOSITORY,
            imageTagMutability="IMMUTABLE",
            imageScanningConfiguration={"scanOnPush": True},
        )
        self.image_digest = self.push_image(COMMIT)
        return self

    def add_downstream(self) -> "ReleaseAccount":
        """Artifact keys for dev and staging, and staging's signing key and artifact bucket."""
        kms, s3 = self.aws.client("kms"), self.aws.client("s3")
        for alias, usage in (
            (STAGING_ALIAS, "SIGN_VERIFY"),
            (ARTIFACT_ALIAS, "ENCRYPT_DECRYPT"),
            (STAGING_ARTIFACT_ALIAS, "ENCRYPT_DECRYPT"),
        ):
            spec = "ECC_NIST_P256" if usage == "SIGN_VERIFY" else "SYMMETRIC_DEFAULT"
            key = kms.create_key(KeySpec=spec, KeyUsage=usage)["KeyMetadata"]
            kms.create_alias(AliasName=alias, TargetKeyId=key["KeyId"])
            self.keys[alias] = key["Arn"]
        s3.create_bucket(Bucket=STAGING_BUCKET)
        s3.put_bucket_versioning(
            Bucket=STAGING_BUCKET, VersioningConfiguration={"Status": "Enabled"}
        )
        return self

    def create_alarm(self, name: str) -> None:
        """A metric alarm of the stack (moto starts it in OK)."""
        self.aws.client("cloudwatch").put_metric_alarm(
            AlarmName=name,
            Namespace="AWS/ApplicationELB",
            MetricName="HTTPCode_Target_5XX_Count",
            Statistic="Sum",
            Period=60,
            EvaluationPeriods=1,
            Threshold=5,
            ComparisonOperator="GreaterThanOrEqualToThreshold",
        )

    def push_image(self, tag: str, layer: str = "1") -> str:
        """Push a small image manifest under `tag` and complete its scan; its digest."""
        ecr = self.aws.client("ecr")
        manifest = {
            "schemaVersion": 2,
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": {
                "mediaType": "application/vnd.docker.container.image.v1+json",
                "size": 7023,
                "digest": "sha256:" + sha256(f"config {layer}".encode()),
            },
            "layers": [
                {
                    "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                    "size": 32654,
                    "digest": "sha256:" + sha256(f"layer {layer}".encode()),
                }
            ],
        }
        image = ecr.put_image(
            repositoryName=IMAGE_REPOSITORY, imageManifest=json.dumps(manifest), imageTag=tag
        )["image"]
        digest = image["imageId"]["imageDigest"]
        ecr.start_image_scan(repositoryName=IMAGE_REPOSITORY, imageId={"imageDigest": digest})
        return digest

    # Artifacts and action executions ------------------------------------------------------------
    def put_object(self, key: str, data: bytes, bucket: str = BUCKET) -> str:
        return self.aws.client("s3").put_object(Bucket=bucket, Key=key, Body=data)["VersionId"]

    def get_object(self, key: str, bucket: str = BUCKET) -> bytes:
        return self.aws.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()

    def record_action(
        self,
        stage: str,
        action: str,
        outputs: dict[str, bytes],
        external_id: str | None = None,
        status: str = "Succeeded",
        updated: datetime | None = None,
        execution: str = EXECUTION,
        pipeline: str = PIPELINE,
        bucket: str = BUCKET,
    ) -> dict[str, str]:
        """Store `outputs` as artifact objects and record the action execution that wrote them."""
        self._clock += 1
        when = updated or T0 + timedelta(minutes=self._clock)
        keys = {}
        for name, data in outputs.items():
            keys[name] = f"{pipeline[:20]}/{name[:10]}/{action}-{self._clock}.zip"
            self.put_object(keys[name], data, bucket)
        output: dict[str, Any] = {
            "outputArtifacts": [
                {"name": name, "s3location": {"bucket": bucket, "key": key}}
                for name, key in keys.items()
            ]
        }
        if external_id:
            output["executionResult"] = {"externalExecutionId": external_id}
        self.actions.append(
            {
                "pipelineExecutionId": execution,
                "actionExecutionId": f"action-{self._clock}",
                "stageName": stage,
                "actionName": action,
                "startTime": when - timedelta(seconds=30),
                "lastUpdateTime": when,
                "status": status,
                "output": output,
            }
        )
        return keys

    def record_build(self, files: dict[str, str] = BUILD_FILES, **options: Any) -> bytes:
        data = zip_bytes(dict(files))
        self.record_action("Build", "Build", {"BuildOutput": data}, BUILD_ID, **options)
        return data

    def record_image(self, image_uri: str | None = None, **options: Any) -> bytes:
        detail = json.dumps({"ImageURI": image_uri or self.image_uri})
        data = zip_bytes({"imageDetail.json": detail})
        self.record_action("Image", "Image", {"ImageOutput": data}, "image:6f1c", **options)
        return data

    def record_release(
        self, output: Path, leave_out: tuple[str, ...] = (), **options: Any
    ) -> bytes:
        """The sign step's output directory as the ReleaseOutput artifact (as CodeBuild zips it)."""
        files = {p.name: p.read_bytes() for p in output.iterdir() if p.name not in leave_out}
        data = zip_bytes(files)
        self.record_action("Sign", "Sign", {"ReleaseOutput": data}, "sign:2a7e", **options)
        return data

    def record_sources(
        self,
        execution: str = STAGING_EXECUTION,
        published: str = STAGING,
        source_bucket: str = BUCKET,
        pipeline: str = STAGING_PIPELINE,
    ) -> dict[str, bytes]:
        """A downstream execution's S3 source actions: each copies what the upstream published
        for `published` (`releases/api/<published>/<name>.zip` of `source_bucket`) into the
        downstream's artifact store (staging's bucket)."""
        copied = {}
        for name in RELEASE_ARTIFACTS:
            copied[name] = self.get_object(published_key(published, name), source_bucket)
            self.record_action(
                "Source",
                f"Source{name[:-6]}",
                {name: copied[name]},
                execution=execution,
                pipeline=pipeline,
                bucket=STAGING_BUCKET,
            )
        return copied

    def artifact_key(self, name: str, execution: str = EXECUTION) -> str:
        """The key of the newest recorded object of artifact `name` in `execution`."""
        for action in reversed(self.actions):
            if action["pipelineExecutionId"] != execution:
                continue
            for artifact in action["output"].get("outputArtifacts", []):
                if artifact["name"] == name:
                    return artifact["s3location"]["key"]
        raise KeyError(name)

    # Stubs --------------------------------------------------------------------------------------
    def queue_action_executions(
        self,
        pages: list[list[dict]] | None = None,
        pipeline: str = PIPELINE,
        execution: str = EXECUTION,
    ) -> None:
        """One step run's ListActionExecutions answers (the execution's actions on one page)."""
        pages = pages or [[a for a in self.actions if a["pipelineExecutionId"] == execution]]
        stubber = self.aws.stub("codepipeline")
        for index, page in enumerate(pages):
            request: dict[str, Any] = {
                "pipelineName": pipeline,
                "filter": {"pipelineExecutionId": execution},
            }
            if index:
                request["nextToken"] = f"page-{index}"
            answer: dict[str, Any] = {"actionExecutionDetails": page}
            if index + 1 < len(pages):
                answer["nextToken"] = f"page-{index + 1}"
            stubber.add_response("list_action_executions", answer, request)

    def queue_scan(self, vulnerabilities: list[dict] | None = None) -> None:
        """Inspector's ScanSbom answer: a CycloneDX 1.5 document with these vulnerabilities."""
        answer = {
            "bomFormat": "CycloneDX",
            "specVersion": "1.5",
            "components": [
                {
                    "bom-ref": "comp-1",
                    "type": "library",
                    "name": "urllib3",
                    "version": "2.2.2",
                    "purl": "pkg:pypi/urllib3@2.2.2",
                },
            ],
            "vulnerabilities": vulnerabilities or [],
        }
        self.aws.stub("inspector-scan").add_response(
            "scan_sbom", {"sbom": answer}, {"sbom": ANY, "outputFormat": "CYCLONE_DX_1_5"}
        )

    # Environments -------------------------------------------------------------------------------
    def sign_environ(self, source: Path, output: Path, **overrides: str) -> dict[str, str]:
        environ = {
            "PIPELINE_NAME": PIPELINE,
            "STACK": STACK,
            "SERVICE": SERVICE,
            "REPOSITORY": "example/api",
            "BRANCH": "main",
            "COMMIT_ID": COMMIT,
            "EXECUTION_ID": EXECUTION,
            "SIGNING_KEY_ID": self.alias_arn,
            "RELEASE_ARTIFACTS": "BuildOutput,ImageOutput",
            "IMAGE_ARTIFACT": "ImageOutput",
            "IMAGE_REPOSITORY": IMAGE_REPOSITORY,
            "VULNERABILITY_GATE": "CRITICAL",
            "CODEBUILD_SRC_DIR": str(source),
            "OUTPUT_DIRECTORY": str(output),
        }
        return _apply(environ, overrides)

    def verify_environ(self, **overrides: str) -> dict[str, str]:
        environ = {
            "PIPELINE_NAME": PIPELINE,
            "COMMIT_ID": COMMIT,
            "EXECUTION_ID": EXECUTION,
            "SIGNING_KEY_ID": self.alias_arn,
            "RELEASE_ARTIFACT": "ReleaseOutput",
            "DEPLOY_ARTIFACTS": "BuildOutput,ImageOutput",
            "IMAGE_ARTIFACT": "ImageOutput",
            "IMAGE_REPOSITORY": IMAGE_REPOSITORY,
        }
        return _apply(environ, overrides)

    def confirm_environ(self, **overrides: str) -> dict[str, str]:
        environ = {
            "PIPELINE_NAME": PIPELINE,
            "EXECUTION_ID": EXECUTION,
            "SIGNING_KEY_ID": self.alias_arn,
            "RELEASE_ARTIFACT": "ReleaseOutput",
            "PACKAGE_ARTIFACT": "BuildOutput",
            "FUNCTION_NAME": FUNCTION,
            "FUNCTION_ALIAS": FUNCTION_ALIAS,
        }
        return _apply(environ, overrides)

    def publish_environ(self, **overrides: str) -> dict[str, str]:
        """Dev's publish step after its deploy: bake, then publish to staging."""
        environ = {
            "PIPELINE_NAME": PIPELINE,
            "EXECUTION_ID": EXECUTION,
            "STACK": STACK,
            "SERVICE": SERVICE,
            "SIGNING_KEY_ID": self.alias_arn,
            "RELEASE_ARTIFACT": "ReleaseOutput",
            "RELEASE_ARTIFACTS": "BuildOutput,ImageOutput",
            "ALARM_NAMES": "api-5xx,api-latency",
            "BAKE_MINUTES": "1",
            "PUBLISH_BUCKET": BUCKET,
            "PUBLISH_KEY_ID": self.arn(ARTIFACT_ALIAS),
            "PUBLISH_TARGETS": STAGING,
        }
        return _apply(environ, overrides)

    def promoted_verify_environ(self, **overrides: str) -> dict[str, str]:
        """Staging's verify step in promotion mode: the release comes from dev."""
        environ = {
            "PIPELINE_NAME": STAGING_PIPELINE,
            "EXECUTION_ID": STAGING_EXECUTION,
            "STACK": STAGING,
            "UPSTREAM_STACK": STACK,
            "UPSTREAM_PIPELINE": PIPELINE,
            "TRUSTED_KEY_ID": self.alias_arn,
            "RELEASE_ARTIFACT": "ReleaseOutput",
            "DEPLOY_ARTIFACTS": "BuildOutput,ImageOutput",
            "IMAGE_ARTIFACT": "ImageOutput",
            "IMAGE_REPOSITORY": IMAGE_REPOSITORY,
            "IMAGE_REGISTRY_ID": ACCOUNT,
        }
        return _apply(environ, overrides)


def published_key(target: str, artifact: str) -> str:
    """Where dev publishes `artifact` for `target` in its artifact bucket."""
    return f"releases/{SERVICE}/{target}/{artifact}.zip"


def _apply(environ: dict[str, str], overrides: dict[str, str]) -> dict[str, str]:
    """Overrides; an override of "" removes the variable."""
    for name, value in overrides.items():
        if value == "":
            environ.pop(name, None)
        else:
            environ[name] = value
    return environ
