"""The resource policies of a stack that can let another account in: key, bucket, repository, bus.

Each resource type below carries its document in `policy` (a JSON string, or an object), which
`policy_model.parse_policy_document` reads. A KMS key without `policy` gets KMS's default key policy
(the own account's root, `kms:*`), which lets no other account in, so it yields nothing here.
An `aws-native:kms:Key` carries the same document as `keyPolicy` and is read as its `aws` twin
(`support/native_twins.py`), so a foreign principal it lets in is judged like the `aws` key's.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from pulumi_policy import PolicyResource

from cicd_guardrails.support.native_twins import NATIVE_KMS_KEY, twin_of
from cicd_guardrails.support.wire import plain

KMS_KEY = "aws:kms/key:Key"
KMS_KEY_POLICY = "aws:kms/keyPolicy:KeyPolicy"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
REPOSITORY_POLICY = "aws:ecr/repositoryPolicy:RepositoryPolicy"
EVENT_BUS_POLICY = "aws:cloudwatch/eventBusPolicy:EventBusPolicy"
POLICY_PROPERTY = "policy"
NATIVE_POLICY_PROPERTY = {NATIVE_KMS_KEY: "keyPolicy"}
KMS_KEY_TYPES = frozenset({KMS_KEY, NATIVE_KMS_KEY})

# How a message names each kind of resource.
LABELS = {
    KMS_KEY: "KMS key",
    NATIVE_KMS_KEY: "KMS key",
    KMS_KEY_POLICY: "KMS key policy",
    BUCKET_POLICY: "bucket policy",
    REPOSITORY_POLICY: "ECR repository policy",
    EVENT_BUS_POLICY: "event bus policy",
}
KEY_POLICY_TYPES = frozenset({*KMS_KEY_TYPES, KMS_KEY_POLICY})


@dataclass(frozen=True)
class ResourcePolicy:
    """One resource's policy document as the engine sent it (plain data; parts may be unknown);
    `props` are in the `aws` twin's shape."""

    resource: PolicyResource
    props: dict[str, Any]
    document: Any

    @property
    def label(self) -> str:
        return f"{LABELS[self.resource.resource_type]} '{self.resource.name}'"

    @property
    def path(self) -> str:
        prop = NATIVE_POLICY_PROPERTY.get(self.resource.resource_type, POLICY_PROPERTY)
        return f"{self.resource.name}.{prop}"


def resource_policies(
    resources: Iterable[PolicyResource], types: Iterable[str] = LABELS
) -> Iterator[ResourcePolicy]:
    """Every resource of `types` that carries a policy document."""
    wanted = frozenset(types)
    for resource in resources:
        if resource.resource_type not in wanted:
            continue
        props = twin_of(resource.resource_type, plain(resource.props)).props
        document = props.get(POLICY_PROPERTY)
        if document is not None:
            yield ResourcePolicy(resource, props, document)
