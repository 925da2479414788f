"""The resource policies of a stack that can let another account in: key, bucket, repository, bus.

Each resource type below carries its document in `policy` (a JSON string, or an object), which
`policy_model.parse_policy_document` reads. A KMS key without `policy` gets KMS's default key policy
(the own account's root, `kms:*`), which lets no other account in, so it yields nothing here.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from pulumi_policy import PolicyResource

from cicd_guardrails.support.wire import plain

KMS_KEY = "aws:kms/key:Key"
KMS_KEY_POLICY = "aws:kms/keyPolicy:KeyPolicy"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
REPOSITORY_POLICY = "aws:ecr/repositoryPolicy:RepositoryPolicy"
EVENT_BUS_POLICY = "aws:cloudwatch/eventBusPolicy:EventBusPolicy"
POLICY_PROPERTY = "policy"

# How a message names each kind of resource.
LABELS = {
    KMS_KEY: "KMS key",
    KMS_KEY_POLICY: "KMS key policy",
    BUCKET_POLICY: "bucket policy",
    REPOSITORY_POLICY: "ECR repository policy",
    EVENT_BUS_POLICY: "event bus policy",
}
KEY_POLICY_TYPES = frozenset({KMS_KEY, KMS_KEY_POLICY})


@dataclass(frozen=True)
class ResourcePolicy:
    """One resource's policy document as the engine sent it (plain data; parts may be unknown)."""

    resource: PolicyResource
    props: dict[str, Any]
    document: Any

    @property
    def label(self) -> str:
        return f"{LABELS[self.resource.resource_type]} '{self.resource.name}'"

    @property
    def path(self) -> str:
        return f"{self.resource.name}.{POLICY_PROPERTY}"


def resource_policies(
    resources: Iterable[PolicyResource], types: Iterable[str] = LABELS
) -> Iterator[ResourcePolicy]:
    """Every resource of `types` that carries a policy document."""
    wanted = frozenset(types)
    for resource in resources:
        if resource.resource_type not in wanted:
            continue
        props = plain(resource.props)
        document = props.get(POLICY_PROPERTY)
        if document is not None:
            yield ResourcePolicy(resource, props, document)
