"""The SDK's dependency cycle check, answered from an incrementally kept topological order.

Why: before the Python SDK records that resource R depends on D (`depends_on`, or a component's
children in its place), `pulumi.runtime.resource_cycle_breaker.declare_dependency` asks whether R is
reachable from D, walking D's *whole* transitive dependency closure recursively (`_reachable` ->
`_with_transitive_deps`, pulumi 3.272.0). In our stacks every create-time reference is a dependency
and the key policy names every role, so closures span the stack: at 100 services the walk is 23
million generator calls, a quarter of the program host's run (README "## Performance").

This module answers the same question -- is there a path D -> ... -> R over the dependencies declared
so far, or is D R itself -- with Pearce and Kelly's dynamic topological order ("A dynamic topological
sort algorithm for directed acyclic graphs", ACM JEA 11, 2006): every resource has a position with
each dependency below its dependents. When D already sits below R no such path can exist and the
answer is immediate; otherwise only the resources positioned between them are searched, and the
order is repaired locally. The dependency sets themselves stay where the SDK keeps them (it still
records each edge with its own `_add_dep`), so the graph is the SDK's, only the search differs.

Installed by the offline preview's program host only, before the program runs, and only on the SDK
version whose functions were read (`PINNED_SDK_VERSION`); any other version keeps the SDK's own walk.
Under the real CLI the program runs with the SDK's unchanged.
"""

import inspect
from collections.abc import Callable, Hashable
from importlib import metadata
from typing import Any

from pulumi.runtime import resource_cycle_breaker, rpc

# The SDK release whose `resource_cycle_breaker` and `rpc._add_dependency` this mirrors (requirements.txt).
PINNED_SDK_VERSION = "3.272.0"
SDK_DEPENDENCIES_ATTRIBUTE = "_direct_computed_dependencies"
SDK_SIGNATURE = ("from_resource", "to_resource")

Declare = Callable[[Any, Any], bool]


class DependencyOrder:
    """`declare_dependency` with the SDK's contract, over a dynamic topological order.

    Invariant: for every dependency declared through this object, the dependency's position is below
    its dependent's. It holds because every edge of the graph is declared here: the host installs
    this before the program creates its first resource, and the SDK adds edges nowhere else.
    """

    def __init__(self, add_dependency: Callable[[Any, Any], None]) -> None:
        self._add_dependency = add_dependency  # the SDK's `_add_dep`: the graph stays the SDK's
        self._position: dict[Hashable, int] = {}
        self._dependents: dict[Hashable, set[Hashable]] = {}
        self._lowest = 0
        self._highest = 0

    def declare_dependency(self, from_resource: Any, to_resource: Any) -> bool:
        """Records that `from_resource` depends on `to_resource`, unless that closes a cycle
        (`to_resource` already depends on `from_resource`, or they are one resource): then `False`
        and nothing is recorded, as the SDK does."""
        if from_resource is to_resource:
            return False
        below = self._position.get(to_resource)
        above = self._position.get(from_resource)
        # A resource not seen yet has no dependency and no dependent, so it may go anywhere: a new
        # dependency at the bottom, a new dependent at the top.
        if below is None:
            self._lowest -= 1
            below = self._position[to_resource] = self._lowest
        if above is None:
            self._highest += 1
            above = self._position[from_resource] = self._highest
        if below > above and not self._reorder(from_resource, to_resource):
            return False
        self._add_dependency(from_resource, to_resource)
        self._dependents.setdefault(to_resource, set()).add(from_resource)
        return True

    def _reorder(self, from_resource: Any, to_resource: Any) -> bool:
        """Moves `to_resource`'s dependencies that sit above `from_resource` below its dependents
        that sit below `to_resource`; `False` (order untouched) if `from_resource` is among them."""
        floor = self._position[from_resource]
        ceiling = self._position[to_resource]
        sinking = self._reach(to_resource, _dependencies, lambda p: p >= floor)
        if from_resource in sinking:
            return False
        rising = self._reach(from_resource, self._dependents_of, lambda p: p < ceiling)
        moved = sorted(sinking, key=self._position.__getitem__) + sorted(
            rising, key=self._position.__getitem__
        )
        slots = sorted(self._position[r] for r in moved)
        for resource, slot in zip(moved, slots, strict=True):
            self._position[resource] = slot
        return True

    def _reach(
        self, start: Any, neighbours: Callable[[Any], set], within: Callable[[int], bool]
    ) -> set:
        """`start` and what it reaches through `neighbours` while positions stay `within`."""
        seen = {start}
        stack = [start]
        while stack:
            for neighbour in neighbours(stack.pop()):
                if neighbour not in seen and within(self._position[neighbour]):
                    seen.add(neighbour)
                    stack.append(neighbour)
        return seen

    def _dependents_of(self, resource: Any) -> set:
        return self._dependents.get(resource, set())


def _dependencies(resource: Any) -> set:
    """The SDK's record of what `resource` depends on (`resource_cycle_breaker._deps`)."""
    return getattr(resource, SDK_DEPENDENCIES_ATTRIBUTE, set())


def sdk_version() -> str:
    return metadata.version("pulumi")


def refusal() -> str | None:
    """Why the installed SDK is not the one this mirrors, or None when it is."""
    version = sdk_version()
    if version != PINNED_SDK_VERSION:
        return f"pulumi {version} is not {PINNED_SDK_VERSION}"
    declare = resource_cycle_breaker.declare_dependency
    if rpc.declare_dependency is not declare:
        return "pulumi.runtime.rpc no longer calls resource_cycle_breaker.declare_dependency"
    if tuple(inspect.signature(declare).parameters) != SDK_SIGNATURE:
        return f"declare_dependency takes {tuple(inspect.signature(declare).parameters)}"
    if getattr(resource_cycle_breaker, "_DEPENDENCIES_PROPERTY", None) != (
        SDK_DEPENDENCIES_ATTRIBUTE
    ) or not callable(getattr(resource_cycle_breaker, "_add_dep", None)):
        return "resource_cycle_breaker keeps its dependencies differently"
    return None


def install() -> DependencyOrder | None:
    """Answers the SDK's cycle check from a `DependencyOrder` for the rest of this process; None
    (the SDK's own walk kept) when the installed SDK is not the pinned one."""
    if refusal() is not None:
        return None
    order = DependencyOrder(resource_cycle_breaker._add_dep)
    # rpc imported the function by name (`from .resource_cycle_breaker import declare_dependency`):
    # that name is the one `_add_dependency` calls.
    declare = order.declare_dependency  # one object in both places: `refusal` compares them
    rpc.declare_dependency = declare
    resource_cycle_breaker.declare_dependency = declare
    return order
