"""The program host's cycle check gives the SDK's answers, and the host really uses it."""

import re
from importlib import metadata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pulumi.runtime import resource_cycle_breaker, rpc

from offline_preview import cycle_breaker
from offline_preview.errors import ProgramError
from offline_preview.program_runner import run_program
from tests.support.preview_runs import write_project

REPO = Path(__file__).resolve().parents[2]
# The SDK's own function, as shipped (captured before any test could install ours in this process).
SDK_DECLARE = resource_cycle_breaker.declare_dependency


class Node:
    """What the cycle check touches of a resource: identity and an attribute the SDK sets."""

    def __init__(self, index: int) -> None:
        self.index = index

    def __repr__(self) -> str:
        return f"Node({self.index})"


def sdk_edges(nodes: list[Node]) -> set[tuple[int, int]]:
    return {
        (node.index, dep.index)
        for node in nodes
        for dep in getattr(node, cycle_breaker.SDK_DEPENDENCIES_ATTRIBUTE, set())
    }


declarations = st.integers(min_value=2, max_value=14).flatmap(
    lambda size: st.tuples(
        st.just(size),
        st.lists(
            st.tuples(
                st.integers(min_value=0, max_value=size - 1),
                st.integers(min_value=0, max_value=size - 1),
            ),
            max_size=80,
        ),
    )
)


@settings(max_examples=400, deadline=None)
@given(declarations)
def test_every_answer_and_the_recorded_graph_are_the_sdks(case):
    size, pairs = case
    theirs = [Node(i) for i in range(size)]
    ours = [Node(i) for i in range(size)]
    order = cycle_breaker.DependencyOrder(resource_cycle_breaker._add_dep)
    for source, target in pairs:
        expected = SDK_DECLARE(theirs[source], theirs[target])
        assert order.declare_dependency(ours[source], ours[target]) is expected, (source, target)
        assert sdk_edges(ours) == sdk_edges(theirs)


def test_a_long_chain_closed_into_a_cycle_is_refused_and_a_shortcut_is_accepted():
    nodes = [Node(i) for i in range(2000)]
    order = cycle_breaker.DependencyOrder(resource_cycle_breaker._add_dep)
    # Declared dependents first, so every edge after the first needs the order repaired.
    for index in range(1999, 0, -1):
        assert order.declare_dependency(nodes[index - 1], nodes[index]) is True
    assert order.declare_dependency(nodes[1999], nodes[0]) is False  # 0 -> ... -> 1999 exists
    assert order.declare_dependency(nodes[0], nodes[1999]) is True  # already implied: no cycle
    assert order.declare_dependency(nodes[7], nodes[7]) is False


def test_the_pin_is_the_sdk_version_the_project_requires():
    pins = dict(
        re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)$", (REPO / "requirements.txt").read_text(), re.M)
    )
    assert cycle_breaker.PINNED_SDK_VERSION == pins["pulumi"] == metadata.version("pulumi")
    assert cycle_breaker.refusal() is None


def test_on_the_pinned_sdk_both_names_the_sdk_calls_answer_from_one_order(monkeypatch):
    # Restored after the test: other tests run programs under the SDK's mocks in this process.
    monkeypatch.setattr(rpc, "declare_dependency", SDK_DECLARE)
    monkeypatch.setattr(resource_cycle_breaker, "declare_dependency", SDK_DECLARE)

    order = cycle_breaker.install()

    assert order is not None
    assert rpc.declare_dependency == order.declare_dependency
    assert resource_cycle_breaker.declare_dependency is rpc.declare_dependency
    first, second = Node(1), Node(2)
    assert rpc.declare_dependency(first, second) is True
    assert rpc.declare_dependency(second, first) is False
    assert getattr(first, cycle_breaker.SDK_DEPENDENCIES_ATTRIBUTE) == {second}


def test_another_sdk_version_keeps_the_sdks_own_walk(monkeypatch):
    monkeypatch.setattr(cycle_breaker, "sdk_version", lambda: "3.999.0")
    assert cycle_breaker.refusal() == "pulumi 3.999.0 is not 3.272.0"
    assert cycle_breaker.install() is None
    assert rpc.declare_dependency is SDK_DECLARE
    assert resource_cycle_breaker.declare_dependency is SDK_DECLARE


def test_a_changed_sdk_signature_keeps_the_sdks_own_walk(monkeypatch):
    def declare_dependency(from_resource, to_resource, strict):  # a future SDK's shape
        return True

    monkeypatch.setattr(resource_cycle_breaker, "declare_dependency", declare_dependency)
    monkeypatch.setattr(rpc, "declare_dependency", declare_dependency)
    assert "takes" in (cycle_breaker.refusal() or "")
    assert cycle_breaker.install() is None
    assert rpc.declare_dependency is declare_dependency


HOST_PROGRAM = """\
import pulumi
from pulumi.runtime import rpc


class Group(pulumi.ComponentResource):
    def __init__(self, name, opts=None):
        super().__init__("scratch:index:Group", name, None, opts)


first = Group("first")
second = Group("second", pulumi.ResourceOptions(depends_on=[first]))
# A child that depends on its own parent component depends on itself: the SDK refuses it. Its name
# says which function answered the SDK's cycle check.
checker = rpc.declare_dependency.__qualname__
Group(f"loop-{checker}", pulumi.ResourceOptions(parent=second, depends_on=[second]))
"""


def test_the_host_answers_the_sdks_cycle_check_and_still_refuses_a_cycle(tmp_path):
    project = write_project(tmp_path / "cycle", HOST_PROGRAM)
    with pytest.raises(ProgramError) as caught:
        run_program(project, "test")
    assert "We have detected a circular dependency involving a resource of type" in str(
        caught.value
    )
    assert "scratch:index:Group named loop-DependencyOrder.declare_dependency" in str(caught.value)
