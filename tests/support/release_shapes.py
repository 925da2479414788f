"""The signed-release resources as the engine sends them: step projects, pipeline stages, signing key.

Shaped like what the program declares for one ECS service (`components/release/`): Source -> Build ->
Image -> Sign -> Approval -> Verify -> Deploy (CodeDeployToECS), each release step a CodeBuild project
with an inline buildspec, and the stack's SIGN_VERIFY key whose policy fences signing to the signer
roles and pins the algorithm. For promotion: a promoted stack's pipeline (S3 sources reading the
upstream's published objects -> Admit -> Verify -> Deploy -> Publish, no build), and the resource
policies of a stack (prod, account 123456789012) that promotes from staging in another account and
publishes to prod-eu in a third: exact downstream role ARNs, decrypt only through S3, verify only,
and a promotions bus admitting the upstream's root pinned to its forwarder role. Tests change one
thing and expect exactly that to be refused.
"""

import json
from typing import Any

from offline_preview.registration import RegisteredResource
from tests.support.analyzer_harness import resource

ACCOUNT = "123456789012"
ROOT_ARN = f"arn:aws:iam::{ACCOUNT}:root"
PROJECT = "aws:codebuild/project:Project"
PIPELINE = "aws:codepipeline/pipeline:Pipeline"
KMS_KEY = "aws:kms/key:Key"
KMS_GRANT = "aws:kms/grant:Grant"
SIGNING_ALGORITHM = "ECDSA_SHA_256"
PIPELINE_ROLE = f"arn:aws:iam::{ACCOUNT}:role/guarded-delivery-prod-api-pipeline"


def role_arn(purpose: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:role/guarded-delivery-prod-api-{purpose}"


def project_name(step: str) -> str:
    return f"guarded-delivery-prod-api-{step}"


def inline_buildspec(*commands: str) -> str:
    """An inline buildspec (YAML with phases), as `components/stages/buildspec.py` dumps one."""
    lines = ["version: 0.2", "env:", "  shell: bash", "phases:", "  build:", "    commands:"]
    lines += [f"      - {json.dumps(command)}" for command in commands]
    return "\n".join(lines) + "\n"


def step_command(step: str) -> str:
    return f'PYTHONPATH="/tmp/guarded-delivery" python3 -m release_steps.{step}'


STEP_BUILDSPECS = {
    "image": inline_buildspec("docker build --tag $IMAGE_REPOSITORY_URI:$COMMIT_ID ."),
    "sign": inline_buildspec(step_command("sign")),
    "verify": inline_buildspec(step_command("verify")),
    "admit": inline_buildspec(step_command("admit")),
    "publish": inline_buildspec(step_command("publish")),
}
STEP_ROLES = {
    "build": "build",
    "image": "image",
    "sign": "signer",
    "verify": "verifier",
    "admit": "verifier",
    "publish": "signer",
}


def project(
    step: str,
    buildspec: Any = None,
    service_role: Any = None,
    *,
    name: Any = None,
    provider: RegisteredResource | None = None,
) -> RegisteredResource:
    """The CodeBuild project of a step: `build` reads the repository's buildspec.yml."""
    default_spec = "buildspec.yml" if step == "build" else STEP_BUILDSPECS[step]
    props = {
        "name": project_name(step) if name is None else name,
        "serviceRole": role_arn(STEP_ROLES[step]) if service_role is None else service_role,
        "source": {
            "type": "CODEPIPELINE",
            "buildspec": default_spec if buildspec is None else buildspec,
        },
        "environment": {"privilegedMode": step == "image"},
    }
    return resource(PROJECT, f"api-{step}", props, provider=provider)


def step_projects(**overrides: RegisteredResource) -> list[RegisteredResource]:
    """The four projects of an ECS service; pass one by step name to replace it."""
    return [overrides.get(step) or project(step) for step in ("build", "image", "sign", "verify")]


def action(
    name: str,
    category: str,
    provider: str,
    inputs: Any = (),
    outputs: Any = (),
    *,
    owner: str = "AWS",
    run_order: Any = None,
    **configuration: Any,
) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "name": name,
        "category": category,
        "owner": owner,
        "provider": provider,
        "version": "1",
        "configuration": configuration,
    }
    if inputs is not None:
        fields["inputArtifacts"] = inputs if isinstance(inputs, str) else list(inputs)
    if outputs is not None:
        fields["outputArtifacts"] = outputs if isinstance(outputs, str) else list(outputs)
    if run_order is not None:
        fields["runOrder"] = run_order
    return fields


def step_action(
    name: str, step: str, inputs: Any, outputs: Any = (), category: str = "Build", **config: Any
) -> dict[str, Any]:
    return action(
        name, category, "CodeBuild", inputs, outputs, ProjectName=project_name(step), **config
    )


def stage(name: str, *actions: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "actions": list(actions)}


SOURCE = stage(
    "Source",
    action("Source", "Source", "CodeCommit", None, ["SourceOutput"], RepositoryName="api"),
)
BUILD = stage("Build", step_action("Build", "build", ["SourceOutput"], ["BuildOutput"]))
IMAGE = stage("Image", step_action("Image", "image", ["SourceOutput"], ["ImageOutput"]))
SIGN = stage(
    "Sign",
    step_action(
        "Sign",
        "sign",
        ["BuildOutput", "ImageOutput"],
        ["ReleaseOutput"],
        PrimarySource="BuildOutput",
    ),
)
APPROVAL = stage("Approval", action("Approval", "Approval", "Manual", None, None))
VERIFY_INPUTS = ("ReleaseOutput", "BuildOutput", "ImageOutput")


def verify_stage(inputs: Any = VERIFY_INPUTS, step: str = "verify") -> dict[str, Any]:
    return stage(
        "Verify",
        step_action("Verify", step, inputs, category="Test", PrimarySource="ReleaseOutput"),
    )


def ecs_deploy(**configuration: Any) -> dict[str, Any]:
    settings = {
        "ApplicationName": "guarded-delivery-prod-api",
        "DeploymentGroupName": "guarded-delivery-prod-api",
        "TaskDefinitionTemplateArtifact": "BuildOutput",
        "TaskDefinitionTemplatePath": "taskdef.json",
        "AppSpecTemplateArtifact": "BuildOutput",
        "AppSpecTemplatePath": "appspec.yaml",
        "Image1ArtifactName": "ImageOutput",
        "Image1ContainerName": "IMAGE1_NAME",
    }
    settings.update(configuration)
    settings = {key: value for key, value in settings.items() if value is not None}
    return action(
        "Deploy", "Deploy", "CodeDeployToECS", ["BuildOutput", "ImageOutput"], None, **settings
    )


DEPLOY = stage("Deploy", ecs_deploy())
RELEASE_STAGES = [SOURCE, BUILD, IMAGE, SIGN, APPROVAL, verify_stage(), DEPLOY]


def pipeline(
    stages: Any = None,
    role: Any = PIPELINE_ROLE,
    *,
    name: str = "api",
    provider: RegisteredResource | None = None,
) -> RegisteredResource:
    props = {
        "name": "guarded-delivery-prod-api",
        "pipelineType": "V2",
        "roleArn": role,
        "stages": RELEASE_STAGES if stages is None else stages,
    }
    return resource(PIPELINE, name, props, provider=provider)


# --- the signing key ----------------------------------------------------------------------------

SIGNERS = [role_arn("signer")]
VERIFIERS = [role_arn("verifier")]


def root_statement() -> dict[str, Any]:
    return {
        "Sid": "AccountRootAdministersKey",
        "Effect": "Allow",
        "Principal": {"AWS": ROOT_ARN},
        "Action": ["kms:*"],
        "Resource": ["*"],
    }


def signer_fence(signers: list[str] = SIGNERS) -> dict[str, Any]:
    return {
        "Sid": "OnlySignerRolesSign",
        "Effect": "Deny",
        "Principal": "*",
        "Action": ["kms:Sign"],
        "Resource": ["*"],
        "Condition": {"ArnNotEquals": {"aws:PrincipalArn": signers}},
    }


def algorithm_pin() -> dict[str, Any]:
    return {
        "Sid": "OnlyPinnedAlgorithm",
        "Effect": "Deny",
        "Principal": "*",
        "Action": ["kms:Sign"],
        "Resource": ["*"],
        "Condition": {"StringNotEquals": {"kms:SigningAlgorithm": SIGNING_ALGORITHM}},
    }


def signer_allow(principals: Any = None, pinned: bool = True) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Sid": "SignerRolesSignReleases",
        "Effect": "Allow",
        "Principal": {"AWS": SIGNERS} if principals is None else principals,
        "Action": ["kms:Sign"],
        "Resource": ["*"],
    }
    if pinned:
        statement["Condition"] = {"StringEquals": {"kms:SigningAlgorithm": SIGNING_ALGORITHM}}
    return statement


def verifier_allow() -> dict[str, Any]:
    return {
        "Sid": "VerifierRolesVerifyReleases",
        "Effect": "Allow",
        "Principal": {"AWS": VERIFIERS},
        "Action": ["kms:DescribeKey", "kms:GetPublicKey", "kms:Verify"],
        "Resource": ["*"],
    }


def signing_policy(*statements: dict[str, Any]) -> str:
    """The key policy the program writes; pass statements to write another."""
    if not statements:
        statements = (
            root_statement(),
            signer_fence(),
            algorithm_pin(),
            signer_allow(),
            verifier_allow(),
        )
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def signing_key(
    policy: Any = None,
    *,
    key_usage: Any = "SIGN_VERIFY",
    spec: Any = "ECC_NIST_P256",
    name: str = "release-signing-key",
) -> RegisteredResource:
    props: dict[str, Any] = {
        "description": "Signs the release manifests",
        "deletionWindowInDays": 30,
    }
    if key_usage is not None:
        props["keyUsage"] = key_usage
    if spec is not None:
        props["customerMasterKeySpec"] = spec
    if policy is not False:  # False: no policy, so KMS's default key policy
        props["policy"] = signing_policy() if policy is None else policy
    return resource(KMS_KEY, name, props)


# --- a promoted stack: S3 sources reading the upstream's published release, no build -------------

UPSTREAM_BUCKET = "guarded-delivery-staging-artifacts-123456789012-us-east-1"


def s3_source(artifact: str, **configuration: Any) -> dict[str, Any]:
    """An S3 source action reading one published object of the upstream, as the program declares it."""
    settings = {
        "S3Bucket": UPSTREAM_BUCKET,
        "S3ObjectKey": f"releases/api/prod/{artifact}.zip",
        "PollForSourceChanges": "false",
    }
    settings.update(configuration)
    return action(artifact, "Source", "S3", None, [artifact], **settings)


PROMOTED_INPUTS = ("ReleaseOutput", "BuildOutput", "ImageOutput")
PROMOTED_STAGES = [
    stage(
        "Source",
        *(s3_source(artifact) for artifact in ("BuildOutput", "ImageOutput", "ReleaseOutput")),
    ),
    stage(
        "Admit",
        step_action(
            "Admit", "admit", PROMOTED_INPUTS, category="Test", PrimarySource="ReleaseOutput"
        ),
    ),
    verify_stage(PROMOTED_INPUTS),
    DEPLOY,
    stage(
        "Publish",
        step_action("Publish", "publish", PROMOTED_INPUTS, PrimarySource="ReleaseOutput"),
    ),
]


def promoted_projects(**overrides: RegisteredResource) -> list[RegisteredResource]:
    """The projects of a promoted ECS service: admit, verify and publish, each stack-owned."""
    return [overrides.get(step) or project(step) for step in ("admit", "verify", "publish")]


# --- promotion across accounts: what this stack grants its downstream, and its upstream's forwarder -

DOWNSTREAM_ACCOUNT = "444455556666"
UPSTREAM_ACCOUNT = "111122223333"
REGION = "us-east-1"
DOWNSTREAM_ROOT = f"arn:aws:iam::{DOWNSTREAM_ACCOUNT}:root"
UPSTREAM_ROOT = f"arn:aws:iam::{UPSTREAM_ACCOUNT}:root"
ARTIFACT_BUCKET = f"guarded-delivery-prod-artifacts-{ACCOUNT}-{REGION}"
BUCKET_ARN = f"arn:aws:s3:::{ARTIFACT_BUCKET}"
PROMOTIONS_BUS = "guarded-delivery-prod-promotions"
KMS_KEY_POLICY = "aws:kms/keyPolicy:KeyPolicy"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
REPOSITORY_POLICY = "aws:ecr/repositoryPolicy:RepositoryPolicy"
BUS_POLICY = "aws:cloudwatch/eventBusPolicy:EventBusPolicy"
VIA_S3 = {"StringEquals": {"kms:ViaService": f"s3.{REGION}.amazonaws.com"}}


def downstream_role_arn(purpose: str) -> str:
    """A role of the downstream stack (prod-eu, in another account), derived from its names."""
    return f"arn:aws:iam::{DOWNSTREAM_ACCOUNT}:role/guarded-delivery-prod-eu-api-{purpose}"


DOWNSTREAM_PIPELINE_ROLE = downstream_role_arn("pipeline")
DOWNSTREAM_VERIFIER_ROLE = downstream_role_arn("verifier")
DOWNSTREAM_TASK_ROLE = f"arn:aws:iam::{DOWNSTREAM_ACCOUNT}:role/ecsTaskExecutionRole"
UPSTREAM_FORWARDER_ROLE = (
    f"arn:aws:iam::{UPSTREAM_ACCOUNT}:role/guarded-delivery-staging-promotion-forwarder"
)


def document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(
    sid: str, principal: Any, actions: Any, condition: Any = None, **extra: Any
) -> dict[str, Any]:
    """An Allow to `principal` (a value of `Principal`: "*", or {"AWS": ...})."""
    statement: dict[str, Any] = {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": principal,
        "Action": list(actions) if not isinstance(actions, str) else actions,
        **extra,
    }
    if condition is not None:
        statement["Condition"] = condition
    return statement


def downstream_decrypt(
    principal: Any = None, actions: Any = ("kms:Decrypt",), condition: Any = VIA_S3
) -> dict[str, Any]:
    """The artifact key's grant to the downstream pipeline roles: decrypt, through S3 only."""
    return allow(
        "DownstreamPipelinesDecryptPublishedReleasesThroughS3",
        {"AWS": [DOWNSTREAM_PIPELINE_ROLE]} if principal is None else principal,
        actions,
        condition,
        Resource=["*"],
    )


def artifact_key_statements() -> list[dict[str, Any]]:
    """The artifact key policy the program writes in a stack that publishes to another account."""
    return [
        {
            "Sid": "AccountRootDelegatesToIam",
            "Effect": "Allow",
            "Principal": {"AWS": ROOT_ARN},
            "Action": ["kms:*"],
            "Resource": ["*"],
        },
        allow(
            "PipelineRolesUseKey",
            {"AWS": [role_arn("pipeline"), role_arn("build")]},
            ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"],
            Resource=["*"],
        ),
        allow(
            "CloudWatchLogsEncryptsBuildLogs",
            {"Service": f"logs.{REGION}.amazonaws.com"},
            ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
            Resource=["*"],
        ),
        downstream_decrypt(),
    ]


def artifact_key(
    policy: Any = None, *, key_usage: Any = "ENCRYPT_DECRYPT", name: str = "artifacts-key"
) -> RegisteredResource:
    props: dict[str, Any] = {
        "description": "Encrypts the pipeline artifacts",
        "enableKeyRotation": True,
        "customerMasterKeySpec": "SYMMETRIC_DEFAULT",
        "policy": document(*artifact_key_statements()) if policy is None else policy,
    }
    if key_usage is not None:
        props["keyUsage"] = key_usage
    return resource(KMS_KEY, name, props)


def downstream_verify(principal: Any = None, actions: Any = None) -> dict[str, Any]:
    """The signing key's grant to the downstream verifier roles: verify, never sign."""
    return allow(
        "DownstreamVerifiersVerifyReleases",
        {"AWS": [DOWNSTREAM_VERIFIER_ROLE]} if principal is None else principal,
        ["kms:DescribeKey", "kms:GetPublicKey", "kms:Verify"] if actions is None else actions,
        Resource=["*"],
    )


def publishing_signing_key(*extra: dict[str, Any]) -> RegisteredResource:
    """The signing key of a stack that publishes: its own policy plus the downstream's verifiers."""
    return signing_key(
        signing_policy(
            root_statement(),
            signer_fence(),
            algorithm_pin(),
            signer_allow(),
            verifier_allow(),
            *(extra or (downstream_verify(),)),
        )
    )


def tls_deny() -> dict[str, Any]:
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": ["s3:*"],
        "Resource": [BUCKET_ARN, f"{BUCKET_ARN}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def downstream_object_read(principal: Any = None) -> dict[str, Any]:
    return allow(
        "ReadpublishedProdEuApi",
        {"AWS": DOWNSTREAM_PIPELINE_ROLE} if principal is None else principal,
        ["s3:GetObject", "s3:GetObjectVersion"],
        Resource=[f"{BUCKET_ARN}/releases/api/prod-eu/*"],
    )


def downstream_bucket_read(principal: Any = None) -> dict[str, Any]:
    return allow(
        "ReadbucketversioningProdEu",
        {"AWS": [DOWNSTREAM_PIPELINE_ROLE]} if principal is None else principal,
        ["s3:GetBucketLocation", "s3:GetBucketVersioning"],
        Resource=[BUCKET_ARN],
    )


def artifact_bucket_policy(policy: Any = None) -> RegisteredResource:
    statements = (tls_deny(), downstream_object_read(), downstream_bucket_read())
    return resource(
        BUCKET_POLICY,
        "artifacts-bucket-policy",
        {"bucket": ARTIFACT_BUCKET, "policy": document(*statements) if policy is None else policy},
    )


IMAGE_PULL = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]


def account_pulls() -> dict[str, Any]:
    return allow("AccountPullsThroughIam", {"AWS": [ROOT_ARN]}, IMAGE_PULL)


def downstream_pulls(principal: Any = None) -> dict[str, Any]:
    return allow(
        "DownstreamTasksPullImages",
        {"AWS": [DOWNSTREAM_TASK_ROLE]} if principal is None else principal,
        IMAGE_PULL,
    )


def repository_statements() -> list[dict[str, Any]]:
    """The image repository policy the program writes where a stack publishes to another account."""
    image_role = role_arn("image")
    push = ["ecr:CompleteLayerUpload", "ecr:InitiateLayerUpload", "ecr:PutImage"]
    return [
        allow("ImageStepPushes", {"AWS": image_role}, [*IMAGE_PULL, *push]),
        {
            "Sid": "NobodyElsePushes",
            "Effect": "Deny",
            "Principal": "*",
            "Action": push,
            "Condition": {"ArnNotEquals": {"aws:PrincipalArn": image_role}},
        },
        account_pulls(),
        allow(
            "DownstreamVerifiersReadImages",
            {"AWS": [DOWNSTREAM_VERIFIER_ROLE]},
            ["ecr:DescribeImageScanFindings", "ecr:DescribeImages"],
        ),
        downstream_pulls(),
    ]


def repository_policy(policy: Any = None) -> RegisteredResource:
    return resource(
        REPOSITORY_POLICY,
        "api-release-images-policy",
        {
            "repository": "guarded-delivery-prod-api",
            "policy": document(*repository_statements()) if policy is None else policy,
        },
    )


PINNED_FORWARDER = {"ArnEquals": {"aws:PrincipalArn": UPSTREAM_FORWARDER_ROLE}}


def forwarder_puts_events(
    principal: Any = None, condition: Any = PINNED_FORWARDER
) -> dict[str, Any]:
    """The promotions bus admits the upstream account's root, pinned to its forwarder role."""
    return allow(
        "UpstreamForwarderPutsEvents",
        {"AWS": UPSTREAM_ROOT} if principal is None else principal,
        ["events:PutEvents"],
        condition,
        Resource=[f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/{PROMOTIONS_BUS}"],
    )


def promotions_bus_policy(policy: Any = None) -> RegisteredResource:
    return resource(
        BUS_POLICY,
        "promotions-policy",
        {
            "eventBusName": PROMOTIONS_BUS,
            "policy": document(forwarder_puts_events()) if policy is None else policy,
        },
    )


def cross_account_stack(**overrides: RegisteredResource) -> list[RegisteredResource]:
    """A stack that promotes from another account and publishes to a third: its roles (step projects
    and pipeline, which make its own account known) and every resource policy that names another
    account. Pass one by name (artifact_key, signing_key, bucket_policy, repository_policy,
    bus_policy) to replace it."""
    policies = {
        "artifact_key": artifact_key(),
        "signing_key": publishing_signing_key(),
        "bucket_policy": artifact_bucket_policy(),
        "repository_policy": repository_policy(),
        "bus_policy": promotions_bus_policy(),
    }
    unknown = set(overrides) - set(policies)
    if unknown:
        raise ValueError(f"cross_account_stack has no {sorted(unknown)}; use {sorted(policies)}")
    policies.update(overrides)
    return [*step_projects(), pipeline(), *policies.values()]
