"""The registrations a program made, as plain JSON: what the floor replays and the pack alone judges.

The file holds `offline_preview`'s records (`RegisteredResource.to_json()`, the root stack included);
`load` keeps what the floor and the comparison need: one record per resource, the root stack excluded,
in registration order. The order
matters: a parent and every dependency are registered before the resources that name them, so a replay
in this order always finds them already created.
"""

import json
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

STACK_TYPE = "pulumi:pulumi:Stack"


@dataclass(frozen=True)
class Registration:
    """Everything the engine (and so the policy pack) learns of one resource."""

    type: str
    name: str
    urn: str
    parent: str
    custom: bool
    inputs: dict[str, Any]  # wire form: camelCase keys, unknown sentinels, secret envelopes
    dependencies: list[str] = field(default_factory=list)
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    provider: str = ""
    protect: bool = False


FIELDS = tuple(f.name for f in fields(Registration))


def save(records: list[dict[str, Any]], path: Path) -> None:
    path.write_text(json.dumps(records))


def load(path: Path) -> list[Registration]:
    return [
        Registration(**{name: record[name] for name in FIELDS})
        for record in json.loads(path.read_text())
        if record["type"] != STACK_TYPE
    ]


def shape(registrations: list[Registration]) -> list[tuple[Any, ...]]:
    """What must be equal between our run and the floor's, in URN order (registration order is async)."""
    return sorted(
        (
            r.type,
            r.name,
            r.urn,
            r.parent,
            r.custom,
            json.dumps(r.inputs, sort_keys=True),
            sorted(r.dependencies),
            {k: sorted(v) for k, v in sorted(r.property_dependencies.items())},
            r.protect,
        )
        for r in registrations
    )
