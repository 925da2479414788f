"""The registrations a program made, as plain JSON: what the floor replays and the pack alone judges.

The file holds `offline_preview`'s records (`RegisteredResource.to_json()`, the root stack included);
`load` reads them back as `RegisteredResource`s, one per resource, the root stack excluded, in
registration order. The order matters: a parent and every dependency are registered before the
resources that name them, so a replay in this order always finds them already created.
"""

import json
from pathlib import Path
from typing import Any

from offline_preview.registration import STACK_TYPE, RegisteredResource


def save(records: list[dict[str, Any]], path: Path) -> None:
    path.write_text(json.dumps(records))


def load(path: Path) -> list[RegisteredResource]:
    return [
        RegisteredResource.from_json(record)
        for record in json.loads(path.read_text())
        if record["type"] != STACK_TYPE
    ]


def shape(registrations: list[RegisteredResource]) -> list[tuple[Any, ...]]:
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
