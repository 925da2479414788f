"""Find the side resources (encryption, versioning, public access block, policy) of each bucket.

A side resource names its bucket in its `bucket` property. When the program passes `bucket.id`,
that value is unknown at preview, so the engine's property dependencies (`bucket` -> bucket URN)
are the link instead. A side resource that is linked by neither is "unlinked": policies must not
call a bucket non-compliant while such a resource might still be its configuration. That includes a
side resource naming a bucket no known bucket name matches while some bucket's name is not known.

A known name always wins over the dependencies: S3 applies the configuration to the bucket the
request names, and a dependency only says which resources the value was computed from
(`bucket=other.id.apply(lambda _: "artifacts")` depends on `other` but configures `artifacts`).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pulumi_policy import PolicyResource

from cicd_guardrails.support.wire import is_unknown, plain

BUCKET_TYPES = frozenset({"aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"})
BUCKET_PROPERTY = "bucket"


@dataclass
class Resource:
    """A stack resource with its properties unwrapped into plain data."""

    source: PolicyResource
    props: dict[str, Any]

    @property
    def name(self) -> str:
        return self.source.name

    @property
    def urn(self) -> str:
        return self.source.urn

    @property
    def type(self) -> str:
        return self.source.resource_type


@dataclass
class BucketSide:
    """Side resources of one kind for each bucket, plus those that could not be linked."""

    by_bucket: dict[str, list[Resource]] = field(default_factory=dict)
    unlinked: list[Resource] = field(default_factory=list)

    def of(self, bucket: Resource) -> list[Resource]:
        return self.by_bucket.get(bucket.urn, [])


def unwrap(resources: Iterable[PolicyResource], side_types: Iterable[str]) -> list[Resource]:
    """Buckets and their `side_types` as plain data; a stack's other resources are not copied."""
    wanted = BUCKET_TYPES | frozenset(side_types)
    return [Resource(r, plain(r.props)) for r in resources if r.resource_type in wanted]


def buckets(
    resources: Sequence[Resource], bucket_types: frozenset[str] = BUCKET_TYPES
) -> list[Resource]:
    return [r for r in resources if r.type in bucket_types]


def link_side_resources(
    resources: Sequence[Resource],
    side_types: Iterable[str],
    bucket_types: frozenset[str] = BUCKET_TYPES,
) -> BucketSide:
    """Group every resource of `side_types` under the bucket (of `bucket_types`) it configures."""
    side_types = frozenset(side_types)
    all_buckets = buckets(resources, bucket_types)
    by_name = {
        b.props.get(BUCKET_PROPERTY): b
        for b in all_buckets
        if isinstance(b.props.get(BUCKET_PROPERTY), str)
        and not is_unknown(b.props[BUCKET_PROPERTY])
    }
    bucket_urns = {b.urn for b in all_buckets}
    # A bucket whose name is not known yet may be the one a side resource names.
    unnamed_bucket = any(is_unknown(b.props.get(BUCKET_PROPERTY)) for b in all_buckets)
    result = BucketSide()
    for side in resources:
        if side.type not in side_types:
            continue
        target = _linked_bucket(side, by_name, bucket_urns)
        if target is None:
            named = side.props.get(BUCKET_PROPERTY)
            if is_unknown(named) or (unnamed_bucket and isinstance(named, str)):
                result.unlinked.append(side)
            continue
        result.by_bucket.setdefault(target, []).append(side)
    return result


def _linked_bucket(
    side: Resource, by_name: dict[Any, Resource], bucket_urns: set[str]
) -> str | None:
    named = side.props.get(BUCKET_PROPERTY)
    if is_unknown(named):
        for dependency in side.source.property_dependencies.get(BUCKET_PROPERTY, []):
            if dependency.urn in bucket_urns:
                return dependency.urn
        return None
    if isinstance(named, str) and named in by_name:
        return by_name[named].urn
    return None
