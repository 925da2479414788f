"""The ECR repository of one ECS service: the only place its images come from.

Tags are immutable, so `<commit id>` names one image forever, and the deploy takes the image by digest
anyway (`imageDetail.json`, written by the image step). Images are encrypted with the stack's
customer-managed key and scanned on push (ECR basic scanning; "Image scanning" in the ECR user guide),
and the signing step reads that scan before it signs. The repository policy lets only the image step's
role push (an explicit Deny for every other principal, so an admin's `ecr:*` does not either) and the
account's principals pull (the account root delegates to IAM: the task execution roles that run the
service need `ecr:BatchGetImage` and `ecr:GetDownloadUrlForLayer` in their own policies, as AWS's
`AmazonECSTaskExecutionRolePolicy` grants). A downstream stack's task execution role pulls by digest
across accounts with the repository policy's grant alone: ECR decrypts the layers itself through the
KMS grant it adds to the key when the repository is created ("Encryption at rest", ECR user guide), so
the key policy gives other accounts nothing for images.
"""

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.iam.documents import policy_document, statement
from components.iam.grants import Statement
from components.release.release_actions import IMAGE_PUSH_ACTIONS
from components.release.release_names import ReleaseNames
from components.shared.references import combine, reference

PULL_ACTIONS = (
    "ecr:BatchCheckLayerAvailability",
    "ecr:BatchGetImage",
    "ecr:GetDownloadUrlForLayer",
)
WRITE_ACTIONS = (
    "ecr:CompleteLayerUpload",
    "ecr:InitiateLayerUpload",
    "ecr:PutImage",
    "ecr:UploadLayerPart",
)
UNTAGGED_IMAGE_DAYS = 14
"""Layers of a push that never got its tag (an interrupted build) go after two weeks."""
KEPT_IMAGES = 200
"""The last 200 commits' images stay, so any recent release can be redeployed or rolled back to."""


@dataclass(frozen=True)
class ImageRepositoryArgs:
    """Inputs of one service's image repository."""

    names: ReleaseNames
    key_arn: pulumi.Input[str]
    """The stack's customer-managed key (ECR needs the key itself, not an alias)."""
    pusher_role_arn: pulumi.Input[str]
    """Reference to the image step's role, the only principal that may push."""
    puller_principals: Sequence[pulumi.Input[str]]
    """Who may pull: the account root by default (IAM then decides which task roles)."""
    tags: Mapping[str, str]
    downstream_grants: Sequence[Statement] = ()
    """Statements letting downstream stacks' verifier and task execution roles read and pull."""
    protect: bool = True
    """Protect and retain the repository (prod): its images are what the releases deployed."""


class ImageRepository(pulumi.ComponentResource):
    """Immutable, scanned, KMS-encrypted ECR repository with a push-only-by-the-build policy."""

    repository: aws.ecr.Repository
    repository_name: pulumi.Output[str]
    """Reference to the repository, its policy and lifecycle (known at preview)."""
    repository_uri: pulumi.Output[str]
    """Reference to the same, as the image URI prefix (`<registry>/<name>`)."""

    def __init__(
        self, name: str, args: ImageRepositoryArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("guarded-delivery:release:ImageRepository", name, None, opts)
        names = args.names
        self.repository = aws.ecr.Repository(
            f"{name}-repository",
            name=names.image_repository_name,
            image_tag_mutability="IMMUTABLE",
            image_scanning_configuration=aws.ecr.RepositoryImageScanningConfigurationArgs(
                scan_on_push=True
            ),
            encryption_configurations=[
                aws.ecr.RepositoryEncryptionConfigurationArgs(
                    encryption_type="KMS", kms_key=args.key_arn
                )
            ],
            force_delete=False,
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(
                parent=self, protect=args.protect, retain_on_delete=args.protect
            ),
        )
        repository_name = reference(names.image_repository_name, self.repository)
        self.policy = aws.ecr.RepositoryPolicy(
            f"{name}-policy",
            repository=repository_name,
            policy=combine(
                lambda arns: repository_policy(arns[0], arns[1:], args.downstream_grants),
                [args.pusher_role_arn, *args.puller_principals],
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.lifecycle = aws.ecr.LifecyclePolicy(
            f"{name}-lifecycle",
            repository=repository_name,
            policy=lifecycle_policy(),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.repository_name = reference(
            names.image_repository_name, self.repository, self.policy, self.lifecycle
        )
        self.repository_uri = reference(
            names.image_repository_uri, self.repository, self.policy, self.lifecycle
        )
        self.register_outputs(
            {"repository_name": self.repository_name, "repository_uri": self.repository_uri}
        )


def repository_policy(
    pusher_role_arn: str,
    puller_principals: Sequence[str],
    downstream_grants: Sequence[Statement] = (),
) -> str:
    """The image step pushes; nobody else writes; the account's principals (through IAM) pull."""
    return policy_document(
        [
            statement(
                "Allow",
                IMAGE_PUSH_ACTIONS,
                None,
                sid="ImageStepPushes",
                principal={"AWS": pusher_role_arn},
            ),
            statement(
                "Deny",
                WRITE_ACTIONS,
                None,
                conditions={"ArnNotEquals": {"aws:PrincipalArn": pusher_role_arn}},
                sid="NobodyElsePushes",
                principal="*",
            ),
            statement(
                "Allow",
                PULL_ACTIONS,
                None,
                sid="AccountPullsThroughIam",
                principal={"AWS": list(puller_principals)},
            ),
            *downstream_grants,
        ]
    )


def lifecycle_policy() -> str:
    """Expire untagged leftovers; keep the last `KEPT_IMAGES` images (ECR lifecycle policies)."""
    return json.dumps(
        {
            "rules": [
                {
                    "rulePriority": 1,
                    "description": "Expire untagged layers of interrupted pushes",
                    "selection": {
                        "tagStatus": "untagged",
                        "countType": "sinceImagePushed",
                        "countUnit": "days",
                        "countNumber": UNTAGGED_IMAGE_DAYS,
                    },
                    "action": {"type": "expire"},
                },
                {
                    "rulePriority": 2,
                    "description": f"Keep the last {KEPT_IMAGES} images",
                    "selection": {
                        "tagStatus": "any",
                        "countType": "imageCountMoreThan",
                        "countNumber": KEPT_IMAGES,
                    },
                    "action": {"type": "expire"},
                },
            ]
        },
        sort_keys=True,
    )
