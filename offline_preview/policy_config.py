"""`--policy-pack-config` files, read and checked against the pack's schemas as the CLI does.

Format (the CLI's): `{"<policy>": "<level>"}` or `{"<policy>": {"enforcementLevel"?: "<level>",
"<property>": <value>, ...}}`. Every policy gets an entry in Configure: its configured level, else the
level the pack declares; its properties, with the schema's defaults filled in. A policy the pack does
not have, a bad level, a property the schema does not declare or a value of the wrong type is a
one-line error naming the file, the policy and the key.
"""

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from offline_preview.errors import PreviewError

ENFORCEMENT_LEVELS = ("advisory", "mandatory", "remediate", "disabled")
ENFORCEMENT_KEY = "enforcementLevel"
JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "number": (int, float),
    "integer": (int,),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
    "null": (type(None),),
}


@dataclass
class PolicySchema:
    """What GetAnalyzerInfo says about one policy."""

    name: str
    enforcement_level: str
    properties: dict[str, dict[str, Any]]
    required: list[str]


@dataclass
class PolicySetting:
    enforcement_level: str
    properties: dict[str, Any]


def read_config_file(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text())
    except FileNotFoundError:
        raise PreviewError(f"--policy-pack-config {path}: no such file") from None
    except json.JSONDecodeError as exc:
        raise PreviewError(
            f"--policy-pack-config {path}:{exc.lineno}:{exc.colno}: not valid JSON ({exc.msg})"
        ) from None
    if not isinstance(document, dict):
        raise PreviewError(f"--policy-pack-config {path}: expected a JSON object of policy names")
    return document


def resolve_settings(
    source: str, document: dict[str, Any], pack: str, schemas: list[PolicySchema]
) -> dict[str, PolicySetting]:
    """The Configure payload for every policy of the pack, or a one-line error."""
    by_name = {schema.name: schema for schema in schemas}
    unknown = [name for name in document if name not in by_name and name != "all"]
    if unknown:
        raise PreviewError(
            f"{source}: policy {unknown[0]!r} is not in policy pack {pack} "
            f"(its policies: {', '.join(sorted(by_name))})"
        )
    pack_level = _level(source, "all", document.get("all")) if "all" in document else None
    settings: dict[str, PolicySetting] = {}
    for schema in schemas:
        entry = document.get(schema.name, {})
        if isinstance(entry, str):
            entry = {ENFORCEMENT_KEY: entry}
        if not isinstance(entry, dict):
            raise PreviewError(
                f"{source}: {schema.name}: expected an enforcement level or an object, got {entry!r}"
            )
        level = entry.get(ENFORCEMENT_KEY)
        level = _level(source, schema.name, level) if level is not None else None
        properties = {k: v for k, v in entry.items() if k != ENFORCEMENT_KEY}
        properties = _validated_properties(source, schema, properties)
        settings[schema.name] = PolicySetting(
            level or pack_level or schema.enforcement_level, properties
        )
    return settings


def _level(source: str, policy: str, value: Any) -> str:
    if value not in ENFORCEMENT_LEVELS:
        raise PreviewError(
            f"{source}: {policy}: enforcementLevel {value!r} is not one of {', '.join(ENFORCEMENT_LEVELS)}"
        )
    return str(value)


def _validated_properties(
    source: str, schema: PolicySchema, properties: dict[str, Any]
) -> dict[str, Any]:
    for key, value in properties.items():
        if key not in schema.properties:
            declared = ", ".join(sorted(schema.properties)) or "none"
            raise PreviewError(
                f"{source}: {schema.name}: unknown property {key!r} (the policy declares: {declared})"
            )
        problem = schema_problem(schema.properties[key], value)
        if problem:
            raise PreviewError(f"{source}: {schema.name}.{key}: {problem}")
    resolved = {
        key: definition["default"]
        for key, definition in schema.properties.items()
        if "default" in definition and key not in properties
    }
    resolved.update(properties)
    missing = [key for key in schema.required if key not in resolved]
    if missing:
        raise PreviewError(f"{source}: {schema.name}: required property {missing[0]!r} is missing")
    return resolved


def schema_problem(schema: dict[str, Any], value: Any, path: str = "") -> str:
    """The first way `value` breaks the JSON-schema subset packs use, or "" when it conforms."""
    where = f" at {path}" if path else ""
    declared = schema.get("type")
    types = declared if isinstance(declared, list) else [declared] if declared else []
    if types and not any(_is_type(value, t) for t in types):
        return f"{value!r}{where} is not of type {' or '.join(types)}"
    if "enum" in schema and value not in schema["enum"]:
        return f"{value!r}{where} is not one of {schema['enum']}"
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            return f"{value!r}{where} is shorter than {schema['minLength']}"
        if "pattern" in schema and not re.search(schema["pattern"], value):
            return f"{value!r}{where} does not match {schema['pattern']!r}"
    if isinstance(value, int | float) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            return f"{value!r}{where} is less than the minimum {schema['minimum']}"
        if "maximum" in schema and value > schema["maximum"]:
            return f"{value!r}{where} is more than the maximum {schema['maximum']}"
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            return f"{path or 'the list'} has fewer than {schema['minItems']} items"
        for index, item in enumerate(value):
            problem = schema_problem(schema.get("items", {}), item, f"{path}[{index}]")
            if problem:
                return problem
    if isinstance(value, dict):
        for key in schema.get("required", []):
            if key not in value:
                return f"{path or 'the object'} is missing {key!r}"
        for key, item in value.items():
            if key in schema.get("properties", {}):
                problem = schema_problem(schema["properties"][key], item, f"{path}.{key}")
                if problem:
                    return problem
    return ""


def _is_type(value: Any, name: str) -> bool:
    if isinstance(value, bool) and name in ("number", "integer"):
        return False
    if name == "integer" and isinstance(value, float):
        return value.is_integer()
    return isinstance(value, JSON_TYPES.get(name, (object,)))
