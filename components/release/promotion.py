"""Who a stack promotes from and to, and the exact grants promotion needs on each side.

Every principal is an exact role ARN derived from the other stack's names (project, stack, service,
account, region: `naming.py`), never an account root or `*`, so each document is known at the first
preview and names no computed output of another stack. A service is promoted to the service of the
same name downstream.

Upstream grants each downstream service (`upstream_*` statements):
- its **pipeline role**: read the objects published for it (`releases/<service>/<stack>/*`) and the
  bucket's versioning (CodePipeline's S3 source action reads the object version), and `kms:Decrypt`
  with the artifact key only through S3 (`kms:ViaService`), so the grant decrypts those objects and
  nothing else;
- its **verifier role**: `kms:Verify` with the signing key (the deployment record) and, for ECS, read
  the image's description in the repository;
- its **task execution role** (ECS): pull the image by digest.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from components.config import PlatformSettings
from components.iam.documents import statement
from components.iam.grants import Statement
from components.release.release_actions import IMAGE_READ_ACTIONS, SIGNING_KEY_VERIFY_ACTIONS
from components.release.release_names import ReleaseNames, StackReleaseNames
from components.shared.naming import PlatformNames, ServiceNames

OBJECT_READ_ACTIONS = ("s3:GetObject", "s3:GetObjectVersion")
BUCKET_READ_ACTIONS = ("s3:GetBucketLocation", "s3:GetBucketVersioning")
IMAGE_PULL_ACTIONS = (
    "ecr:BatchCheckLayerAvailability",
    "ecr:BatchGetImage",
    "ecr:GetDownloadUrlForLayer",
)
VIA_S3 = "kms:ViaService"


@dataclass(frozen=True)
class Downstream:
    """A stack this one publishes to, with the names of its roles in its account."""

    names: PlatformNames

    @property
    def stack(self) -> str:
        return self.names.stack

    def service(self, service_name: str) -> ServiceNames:
        return self.names.service(service_name, service_name)

    def pipeline_role_arn(self, service_name: str) -> str:
        return self.service(service_name).pipeline_role.arn

    def verifier_role_arn(self, service_name: str) -> str:
        return ReleaseNames(self.service(service_name)).verifier_role_arn

    def task_execution_role_arn(self, role_name: str) -> str:
        return self.names.role_arn(role_name)


@dataclass(frozen=True)
class Upstream:
    """The stack this one promotes from: where its releases are published and which key signs them."""

    names: PlatformNames
    signing_key_arn: str
    """The key ARN from config (another account), else empty: the alias is used."""

    @property
    def stack(self) -> str:
        return self.names.stack

    @property
    def same_account(self) -> bool:
        return not self.signing_key_arn

    @property
    def trusted_key_id(self) -> str:
        """What the verifier calls `kms:Verify` with: the alias here, the key ARN across accounts."""
        return self.signing_key_arn or StackReleaseNames(self.names).signing_key_alias_arn

    def service(self, service_name: str) -> ServiceNames:
        return self.names.service(service_name, service_name)

    def release(self, service_name: str) -> ReleaseNames:
        return ReleaseNames(self.service(service_name))


def downstreams(settings: PlatformSettings, names: PlatformNames) -> list[Downstream]:
    """The stacks `promoteTo` names, in this project and region, in their accounts."""
    return [
        Downstream(
            PlatformNames(
                names.project,
                target.stack,
                target.account_id or names.account_id,
                names.region,
                names.partition,
            )
        )
        for target in settings.promote_to
    ]


def upstream_of(settings: PlatformSettings, names: PlatformNames) -> Upstream | None:
    """The stack `promoteFrom` names, or None when this stack builds from its repositories."""
    if not settings.promotes:
        return None
    account = settings.promote_from_account_id or names.account_id
    foreign = account != names.account_id
    return Upstream(
        PlatformNames(names.project, settings.promote_from, account, names.region, names.partition),
        settings.promote_from_signing_key_arn if foreign else "",
    )


# Upstream side: resource-policy statements naming the downstream roles -------------------------


def upstream_bucket_statements(
    names: PlatformNames, targets: Sequence[Downstream], services: Sequence[str]
) -> list[Statement]:
    """Each downstream pipeline role reads the objects published for its service, and nothing else."""
    statements = []
    for target in targets:
        for service in services:
            published = ReleaseNames(names.service(service, service)).published_objects_arn(
                target.stack
            )
            reader = {"AWS": target.pipeline_role_arn(service)}
            statements.append(
                statement(
                    "Allow",
                    OBJECT_READ_ACTIONS,
                    [published],
                    sid=_sid("ReadPublished", target.stack, service),
                    principal=reader,
                )
            )
        statements.append(
            statement(
                "Allow",
                BUCKET_READ_ACTIONS,
                [names.artifact_bucket_arn],
                sid=_sid("ReadBucketVersioning", target.stack),
                principal={"AWS": [target.pipeline_role_arn(s) for s in services]},
            )
        )
    return statements


def upstream_artifact_key_statements(
    names: PlatformNames, targets: Sequence[Downstream], services: Sequence[str]
) -> list[Statement]:
    """Downstream pipeline roles decrypt with the artifact key only through S3 in this region."""
    if not targets:
        return []
    return [
        statement(
            "Allow",
            ["kms:Decrypt"],
            ["*"],
            conditions={"StringEquals": {VIA_S3: f"s3.{names.region}.amazonaws.com"}},
            sid="DownstreamPipelinesDecryptPublishedReleasesThroughS3",
            principal={
                "AWS": [target.pipeline_role_arn(s) for target in targets for s in services]
            },
        )
    ]


def upstream_signing_key_statements(
    targets: Sequence[Downstream], services: Sequence[str]
) -> list[Statement]:
    """Downstream verifier roles verify this stack's deployment records."""
    if not targets:
        return []
    return [
        statement(
            "Allow",
            SIGNING_KEY_VERIFY_ACTIONS,
            ["*"],
            sid="DownstreamVerifiersVerifyReleases",
            principal={
                "AWS": [target.verifier_role_arn(s) for target in targets for s in services]
            },
        )
    ]


def upstream_repository_statements(
    targets: Sequence[Downstream], service: str, task_execution_role_name: str
) -> list[Statement]:
    """Downstream verifiers read the image's description; their task execution roles pull it."""
    if not targets:
        return []
    return [
        statement(
            "Allow",
            IMAGE_READ_ACTIONS,
            None,
            sid="DownstreamVerifiersReadImages",
            principal={"AWS": [target.verifier_role_arn(service) for target in targets]},
        ),
        statement(
            "Allow",
            IMAGE_PULL_ACTIONS,
            None,
            sid="DownstreamTasksPullImages",
            principal={
                "AWS": [
                    target.task_execution_role_arn(task_execution_role_name) for target in targets
                ]
            },
        ),
    ]


def _sid(*parts: str) -> str:
    """A statement id from words and names (Sid allows only letters and digits)."""
    return "".join(
        "".join(ch for ch in word.title() if ch.isalnum())
        for part in parts
        for word in part.split("-")
    )


@dataclass(frozen=True)
class ReleasePlan:
    """How a stack's releases come and go: built here or promoted, published downstream or not."""

    upstream: Upstream | None
    downstreams: tuple[Downstream, ...] = ()
    bake_minutes: int = 30

    @property
    def builds(self) -> bool:
        """Whether releases are built, tested and signed here (no upstream)."""
        return self.upstream is None

    @property
    def publishes(self) -> bool:
        return bool(self.downstreams)


def release_plan(settings: PlatformSettings, names: PlatformNames) -> ReleasePlan:
    return ReleasePlan(
        upstream_of(settings, names),
        tuple(downstreams(settings, names)),
        settings.promotion_bake_minutes,
    )
