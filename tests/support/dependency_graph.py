"""What the engine waits for before it creates a resource, from the registrations it receives.

The engine creates a resource once every resource in its dependencies and property dependencies
exists, so a resource waits for everything reachable through them. A dependency on a component
stands for every custom resource under it (the SDK expands it so); a component's own dependencies
do not pass to its children (the Python SDK passes only protect and providers down:
pulumi/pulumi#1743, #8721).
"""

from collections.abc import Iterable, Iterator

from offline_preview.registration import RegisteredResource
from tests.support.reference_graph import Reference


class DependencyGraph:
    """The resources each registered resource waits for (see module docstring)."""

    def __init__(self, resources: Iterable[RegisteredResource]) -> None:
        self._by_urn = {r.urn: r for r in resources}
        self._children: dict[str, list[str]] = {}
        for resource in self._by_urn.values():
            self._children.setdefault(resource.parent, []).append(resource.urn)

    def waits_for(self, urn: str) -> set[str]:
        """Every custom resource created before `urn`, through dependencies, transitively."""
        seen: set[str] = set()
        pending = list(self._direct(urn))
        while pending:
            current = pending.pop()
            if current not in seen:
                seen.add(current)
                pending.extend(self._direct(current))
        return seen

    def _direct(self, urn: str) -> set[str]:
        resource = self._by_urn.get(urn)
        if resource is None:
            return set()
        named = set(resource.dependencies)
        for urns in resource.property_dependencies.values():
            named.update(urns)
        return {custom for dependency in named for custom in self._custom_under(dependency)}

    def _custom_under(self, urn: str) -> Iterator[str]:
        resource = self._by_urn.get(urn)
        if resource is None or resource.is_provider:
            return
        if resource.custom:
            yield urn
            return
        for child in self._children.get(urn, ()):
            yield from self._custom_under(child)


def unordered(resources: list[RegisteredResource], references: list[Reference]) -> list[Reference]:
    """The references none of whose targets the holder waits for."""
    graph = DependencyGraph(resources)
    waits: dict[str, set[str]] = {}
    for holder in {r.holder for r in references}:
        waits[holder] = graph.waits_for(holder)
    return [r for r in references if not waits[r.holder].intersection(r.targets)]
