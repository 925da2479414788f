"""The one idiom by which a resource names another: a value known at preview that carries the dependency.

AWS resolves some references when a resource is created (a role named as a service role or as a
key-policy principal, the log group of a metric filter, the bucket of a bucket-side resource, the rule of
a target, the topic of a subscription), so the engine must create the referenced resource first. A
`depends_on` on a component is not inherited by the component's children (the Python SDK passes only
`protect` and providers down: pulumi/pulumi#1743, #8721), and a name built as a plain string carries no
dependency at all. Taking the referenced resource's computed `arn` would carry it, but is unknown on a
first preview, so the policy pack could not judge the documents built from it.

`reference` keeps both: the value is the name or ARN `naming.py` derived from config (known at preview),
wrapped in an Output built from the referenced resources' URNs. A URN is known as soon as the resource is
registered (also during preview), and during `pulumi up` the engine answers the registration only once
the resource exists; every resource that takes the Output as an input therefore lists the referenced
resources among its dependencies and property dependencies, and the engine creates it after them.
"""

from collections.abc import Callable, Sequence
from typing import TypeVar

import pulumi

T = TypeVar("T")
U = TypeVar("U")


def reference(value: T, *referenced: pulumi.Resource) -> pulumi.Output[T]:
    """`value`, known at preview, as an input that makes its holder wait for `referenced`."""
    if not referenced:
        raise ValueError("a reference names at least one resource it waits for")
    return pulumi.Output.all(*(resource.urn for resource in referenced)).apply(lambda _: value)


def combine(
    build: Callable[[list[T]], U], references: Sequence[pulumi.Input[T]]
) -> pulumi.Output[U]:
    """`build(values)` (a document naming several referenced resources) with all their dependencies."""
    return pulumi.Output.all(*references).apply(lambda values: build(list(values)))
