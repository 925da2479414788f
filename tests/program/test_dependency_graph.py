"""Every resource that names another (by name or ARN) waits for it: the engine's order is AWS's.

The program runs as on a first `pulumi preview` (the offline preview's program runner, whole
RegisterResourceRequests), for each shipped stack and for a generated stack with many services on
every platform. `reference_graph` finds the references by the shape of names and ARNs, so a resource
type added later is covered without editing this file.
"""

from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from bench.stack_config import SERVICES_KEY, make_project
from offline_preview.program_runner import run_program
from offline_preview.registration import RegisteredResource
from tests.support.dependency_graph import unordered
from tests.support.reference_graph import Reference, describe, find_references

REPO = Path(__file__).resolve().parents[2]
STACKS = ("dev", "staging", "prod")
# prod has every optional part (approval, alarm rollback, S3 build cache); 12 services put four on
# each compute platform.
GENERATED_BASE = "prod"
GENERATED_SERVICES = 12
GENERATED = f"{GENERATED_BASE}-{GENERATED_SERVICES}-services"
# Each service names at least its roles (service roles, role policies, key-policy principals), its
# log group, application, deployment group and build project; a detector that finds fewer is broken.
MIN_REFERENCES_PER_SERVICE = 10


@dataclass(frozen=True)
class DeclaredStack:
    label: str
    services: int
    resources: list[RegisteredResource]
    references: list[Reference]


@pytest.fixture(scope="module", params=[*STACKS, GENERATED])
def declared(request, tmp_path_factory) -> DeclaredStack:
    """One run of the program per stack and module (each takes about a second)."""
    if request.param == GENERATED:
        work_dir = tmp_path_factory.mktemp("generated")
        project_dir = make_project(REPO, work_dir, GENERATED_BASE, GENERATED_SERVICES)
        stack, services = GENERATED_BASE, GENERATED_SERVICES
    else:
        project_dir, stack = REPO, request.param
        services = len(_stack_config(stack)[SERVICES_KEY])
    resources = run_program(project_dir, stack).resources
    return DeclaredStack(request.param, services, resources, find_references(resources))


def test_every_reference_has_a_dependency_path_to_what_it_names(declared):
    missing = unordered(declared.resources, declared.references)
    lines = sorted(line for r in missing for line in describe(declared.resources, r))
    assert not lines, (
        f"{declared.label}: {len(missing)} of {len(declared.references)} references have no "
        "dependency path to what they name:\n" + "\n".join(lines)
    )


def test_every_reference_names_exactly_one_resource(declared):
    ambiguous = [r for r in declared.references if len(r.targets) > 1]
    lines = sorted(line for r in ambiguous for line in describe(declared.resources, r))
    assert not lines, (
        f"{declared.label}: {len(ambiguous)} references name more than one resource "
        "(make the names unique):\n" + "\n".join(lines)
    )


def test_the_detector_finds_the_references_of_every_service(declared):
    """So the graph test cannot pass by finding nothing, in plain inputs or in policy documents."""
    found = len(declared.references)
    assert found >= MIN_REFERENCES_PER_SERVICE * declared.services, (
        f"{declared.label}: only {found} references for {declared.services} services"
    )
    assert any(".Principal." in r.path for r in declared.references), declared.label


def _stack_config(stack: str) -> dict:
    return yaml.safe_load((REPO / f"Pulumi.{stack}.yaml").read_text())["config"]
