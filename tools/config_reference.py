"""The project config schema (`Pulumi.yaml`) and the README's config reference, from the key table.

Both are renderings of `components.config.keys.STACK_KEYS`, so a key's type, default and meaning are
written once; `tools/generate_config_files.py` writes them and checks them for drift.
"""

import copy
import json
from typing import Any

import yaml

from components.config.keys import STACK_KEYS, ConfigKey

SCHEMA_HEADER = (
    "# Project config schema, generated from components/config/keys.py by\n"
    "# `venv/bin/python -m tools.generate_config_files` (keep this section last; edit the table, not\n"
    "# this). The program re-checks every key and stops with a one-line error naming the key;\n"
    "# `allowedCidrs` and `services` have no default and must be set per stack. `services` uses the\n"
    "# `object` item type, which the Pulumi CLI accepts since mid-2025 (pulumi/pulumi#20129).\n"
)
SCHEMA_TYPES: dict[str, dict[str, Any]] = {
    "boolean": {"type": "boolean"},
    "integer": {"type": "integer"},
    "string": {"type": "string"},
    "choice": {"type": "string"},
    "strings": {"type": "array", "items": {"type": "string"}},
    "objects": {"type": "array", "items": {"type": "object"}},
}
README_TYPES = {
    "choice": "string",
    "strings": "list of strings",
    "objects": "list of objects",
}
TABLE_START, TABLE_END = "<!-- config-keys:start -->", "<!-- config-keys:end -->"
TABLE_HEADER = "| key | type | default | meaning |\n|---|---|---|---|"
YAML_WIDTH = 100


def project_schema() -> dict[str, dict[str, Any]]:
    """`config:` of Pulumi.yaml: per key its type (and item type), description and default."""
    return {key.name: _schema_entry(key) for key in STACK_KEYS}


def _schema_entry(key: ConfigKey) -> dict[str, Any]:
    entry: dict[str, Any] = {
        **copy.deepcopy(SCHEMA_TYPES[key.kind]),
        "description": key.description,
    }
    if not key.required:
        entry["default"] = list(key.default) if isinstance(key.default, tuple) else key.default
    return entry


def schema_section() -> str:
    """The generated tail of Pulumi.yaml: the header comment and the `config:` mapping."""
    body = yaml.safe_dump(
        {"config": project_schema()}, sort_keys=False, width=YAML_WIDTH, allow_unicode=True
    )
    return SCHEMA_HEADER + body


def with_schema(pulumi_yaml: str) -> str:
    """`pulumi_yaml` with its config section (and the comment lines just above it) regenerated."""
    lines = pulumi_yaml.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.startswith("config:")), len(lines))
    while start > 0 and lines[start - 1].startswith("#"):
        start -= 1
    return "".join(lines[:start]) + schema_section()


def readme_table() -> str:
    """The README's config reference: one row per key, in the table's order."""
    rows = [TABLE_HEADER]
    for key in STACK_KEYS:
        shown_type = key.shown_type or README_TYPES.get(key.kind, key.kind)
        cells = (f"`{key.name}`", shown_type, _shown_default(key), key.description)
        rows.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(rows)


def _shown_default(key: ConfigKey) -> str:
    if key.required:
        return "**required**"
    value = key.default
    if isinstance(value, tuple):
        shown = json.dumps(list(value))
    elif isinstance(value, bool):
        shown = "true" if value else "false"
    elif value == "":
        shown = '""'
    else:
        shown = str(value)
    return f"`{shown}` = {key.default_meaning}" if key.default_meaning else f"`{shown}`"


def with_readme_table(readme: str) -> str:
    """`readme` with the text between the config-keys markers regenerated."""
    start, end = readme.index(TABLE_START), readme.index(TABLE_END) + len(TABLE_END)
    return readme[:start] + TABLE_START + "\n" + readme_table() + "\n" + TABLE_END + readme[end:]
