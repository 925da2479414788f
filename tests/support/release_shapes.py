"""The signed-release resources as the engine sends them: step projects, pipeline stages, signing key.

Shaped like what the program declares for one ECS service (`components/release/`): Source -> Build ->
Image -> Sign -> Approval -> Verify -> Deploy (CodeDeployToECS), each release step a CodeBuild project
with an inline buildspec, and the stack's SIGN_VERIFY key whose policy fences signing to the signer
roles and pins the algorithm. Tests change one thing and expect exactly that to be refused.
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
}
STEP_ROLES = {"build": "build", "image": "image", "sign": "signer", "verify": "verifier"}


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
