"""The floor: a bare Pulumi program replaying recorded registrations with no component logic.

Copied as `__main__.py` into a generated project next to `registrations.json`. Each record becomes one
generic `CustomResource` (or `ComponentResource`) with the recorded type, name, parent, dependencies and
inputs, so the SDK does exactly the per-resource work our program makes it do (serialising inputs,
awaiting dependencies, one `RegisterResource` each) and nothing else. It imports the provider modules of
the recorded types, as any program declaring them pays that import.
"""

import asyncio
import importlib
import json
from pathlib import Path
from typing import Any

import pulumi

REGISTRATIONS_FILE = "registrations.json"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
PROVIDER_PREFIX = "pulumi:providers:"
STACK_TYPE = "pulumi:pulumi:Stack"
SDK_MODULE = {"aws": "pulumi_aws"}


def main() -> None:
    records = json.loads((Path(__file__).parent / REGISTRATIONS_FILE).read_text())
    created: dict[str, pulumi.Resource] = {}
    for record in records:
        if record["type"] == STACK_TYPE:
            continue  # the runtime registers the root stack itself
        _load_type(record["type"])
        created[record["urn"]] = _replay(record, created)


class _Replayed(pulumi.CustomResource):
    """A generic resource shaped like a generated SDK class (its own `__init__` over CustomResource's),
    so the SDK records its source position as it does for every typed resource of a real program."""

    def __init__(
        self, type_: str, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions
    ) -> None:
        super().__init__(type_, name, props, opts)


def _replay(record: dict[str, Any], created: dict[str, pulumi.Resource]) -> pulumi.Resource:
    # Property dependencies already make the request's `dependencies`: depend explicitly on the rest.
    implied = {urn for urns in record["property_dependencies"].values() for urn in urns}
    explicit = [urn for urn in record["dependencies"] if urn not in implied]
    opts = pulumi.ResourceOptions(
        parent=created.get(record["parent"]),
        depends_on=[created[urn] for urn in explicit if urn in created],
        protect=record["protect"] or None,
    )
    props = {
        key: _with_dependencies(
            _from_wire(value, created),
            [created[u] for u in record["property_dependencies"].get(key, []) if u in created],
        )
        for key, value in record["inputs"].items()
    }
    type_ = record["type"]
    if type_.startswith(PROVIDER_PREFIX):
        return pulumi.ProviderResource(
            type_.removeprefix(PROVIDER_PREFIX), record["name"], props, opts
        )
    if record["custom"]:
        return _Replayed(type_, record["name"], props, opts)
    component = pulumi.ComponentResource(type_, record["name"], props, opts)
    component.register_outputs({})
    return component


def _from_wire(value: Any, created: dict[str, pulumi.Resource]) -> Any:
    """Wire value back to a program value: unknowns become unknown outputs, secrets secret outputs."""
    if value == UNKNOWN:
        return _output(None, known=False)
    if isinstance(value, list):
        return [_from_wire(item, created) for item in value]
    if isinstance(value, dict):
        signature = value.get(SIG_KEY)
        if signature == SECRET_SIG:
            inner = value.get("value")
            return _output(_from_wire(inner, created), known=inner != UNKNOWN, secret=True)
        if signature == RESOURCE_SIG and value.get("urn") in created:
            return created[value["urn"]]
        return {key: _from_wire(item, created) for key, item in value.items()}
    return value


def _with_dependencies(value: Any, resources: list[pulumi.Resource]) -> Any:
    """The value as an output of `resources`, so the request carries the same property dependencies."""
    if not resources:
        return value
    return pulumi.Output(set(resources), _resolved(value), _resolved(True))


def _output(value: Any, *, known: bool, secret: bool = False) -> pulumi.Output:
    return pulumi.Output(set(), _resolved(value), _resolved(known), _resolved(secret))


def _resolved(value: Any) -> asyncio.Future:
    future = asyncio.get_event_loop().create_future()
    future.set_result(value)
    return future


def _load_type(type_token: str) -> None:
    """Load the SDK class of `type_token` (provider modules are lazy), as a typed program would."""
    package, _, rest = type_token.partition(":")
    module_name = SDK_MODULE.get(package)
    if module_name is None or "/" not in rest:
        return
    submodule = rest.split("/")[0]
    class_name = rest.split(":")[-1]
    if submodule != "index":
        module_name = f"{module_name}.{submodule}"
    getattr(importlib.import_module(module_name), class_name, None)


main()
