"""`--policy-pack-config` files, reconciled and validated against the pack's schemas as the CLI does.

Format (the CLI's): `{"<policy>": "<level>"}` or `{"<policy>": {"enforcementLevel"?: "<level>",
"<property>": <value>, ...}}`, plus `"all": "<level>"` for every policy. As in the CLI's
ReconcilePolicyPackConfig (pkg/resource/analyzer/config.go): start from each policy's declared level and
its schema defaults, apply the pack's initial config, then the file; within one layer `all` sets every
policy's level first and a policy's own entry wins over it. The result is validated against each
policy's config schema with a JSON-schema validator (the CLI uses gojsonschema, draft 7 here), so a
value the schema refuses (`minItems`, `pattern`, `not`, `format`...) is a bad config, exit 2, before any
policy runs. We also refuse a policy the pack does not have and a property its schema does not declare:
those are typos that the CLI would silently ignore.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema

from offline_preview.errors import PreviewError
from offline_preview.json_text import load_json
from offline_preview.text_files import read_text

ENFORCEMENT_LEVELS = ("advisory", "mandatory", "remediate", "disabled")
ENFORCEMENT_KEY = "enforcementLevel"
ALL_POLICIES = "all"


@dataclass
class PolicySchema:
    """What GetAnalyzerInfo says about one policy."""

    name: str
    enforcement_level: str
    properties: dict[str, dict[str, Any]]
    required: list[str]
    description: str = ""
    remediation: str = ""
    url: str = ""
    kind: str = ""  # "resource" or "stack" (PolicyInfo.policy_type); "" when the pack does not say


@dataclass
class PolicySetting:
    enforcement_level: str
    properties: dict[str, Any]


@dataclass
class ConfigLayer:
    """One source of policy config (the pack's initial config, or a file) and how errors name it."""

    source: str
    document: dict[str, Any]


def read_config_file(path: Path) -> dict[str, Any]:
    what = f"--policy-pack-config {path}"
    text = read_text(path, what)
    if not text.strip():
        # Stricter than the CLI, whose parsePolicyPackConfig ("Gracefully allow empty content",
        # sdk/go/common/resource/plugin/analyzer_plugin.go) applies no config at all: a config file
        # named on the command line and left empty is a failed or truncated write, and silently
        # running every policy at its default level would hide that.
        raise PreviewError(
            f'{what}: the file is empty; write a JSON object of policy settings ("{{}}" for none)'
        )
    document = load_json(text, what)
    if not isinstance(document, dict):
        raise PreviewError(f"{what}: expected a JSON object of policy names")
    return document


def resolve_settings(
    layers: list[ConfigLayer], pack: str, schemas: list[PolicySchema]
) -> dict[str, PolicySetting]:
    """The Configure payload for every policy of the pack, or a one-line error."""
    by_name = {schema.name: schema for schema in schemas}
    settings = {
        schema.name: PolicySetting(
            schema.enforcement_level,
            {k: d["default"] for k, d in schema.properties.items() if "default" in d},
        )
        for schema in schemas
    }
    for layer in layers:
        _apply(layer, pack, by_name, settings)
    for schema in schemas:
        _validate(layers[-1].source if layers else pack, schema, settings[schema.name].properties)
    return settings


def _apply(
    layer: ConfigLayer,
    pack: str,
    by_name: dict[str, PolicySchema],
    settings: dict[str, PolicySetting],
) -> None:
    unknown = [name for name in layer.document if name not in by_name and name != ALL_POLICIES]
    if unknown:
        raise PreviewError(
            f"{layer.source}: policy {unknown[0]!r} is not in policy pack {pack} "
            f"(its policies: {', '.join(sorted(by_name))})"
        )
    if ALL_POLICIES in layer.document:
        entry = _entry(layer.source, ALL_POLICIES, layer.document[ALL_POLICIES])
        if ENFORCEMENT_KEY in entry:
            level = _level(layer.source, ALL_POLICIES, entry[ENFORCEMENT_KEY])
            for setting in settings.values():
                setting.enforcement_level = level
    for name, raw in layer.document.items():
        if name == ALL_POLICIES:
            continue
        entry = _entry(layer.source, name, raw)
        setting = settings[name]
        if ENFORCEMENT_KEY in entry:
            setting.enforcement_level = _level(layer.source, name, entry[ENFORCEMENT_KEY])
        for key, value in entry.items():
            if key == ENFORCEMENT_KEY:
                continue
            if key not in by_name[name].properties:
                declared = ", ".join(sorted(by_name[name].properties)) or "none"
                raise PreviewError(
                    f"{layer.source}: {name}: unknown property {key!r} (the policy declares: "
                    f"{declared})"
                )
            setting.properties[key] = value


def _entry(source: str, policy: str, raw: Any) -> dict[str, Any]:
    if isinstance(raw, str):
        return {ENFORCEMENT_KEY: raw}
    if isinstance(raw, dict):
        return raw
    raise PreviewError(
        f"{source}: {policy}: expected an enforcement level or an object, got {raw!r}"
    )


def _level(source: str, policy: str, value: Any) -> str:
    if value not in ENFORCEMENT_LEVELS:
        raise PreviewError(
            f"{source}: {policy}: enforcementLevel {value!r} is not one of "
            f"{', '.join(ENFORCEMENT_LEVELS)}"
        )
    return str(value)


def _validate(source: str, schema: PolicySchema, properties: dict[str, Any]) -> None:
    document_schema: dict[str, Any] = {"type": "object", "properties": schema.properties}
    if schema.required:
        document_schema["required"] = schema.required
    validator = jsonschema.Draft7Validator(
        document_schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
    )
    try:
        error = jsonschema.exceptions.best_match(validator.iter_errors(properties))
    except (jsonschema.exceptions.SchemaError, jsonschema.exceptions.UnknownType) as bad:
        raise PreviewError(
            f"{schema.name}: the pack declares a config schema that is not valid JSON schema "
            f"({str(bad).splitlines()[0]})"
        ) from None
    if error is None:
        return
    where = "".join(
        f"[{part}]" if isinstance(part, int) else f".{part}" for part in error.absolute_path
    )
    raise PreviewError(f"{source}: {schema.name}{where}: {error.message}")
