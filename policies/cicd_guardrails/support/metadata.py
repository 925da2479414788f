"""A policy's metadata as data: what it checks, its default level, its fix, and the same check elsewhere.

The pack declares it in `policy_metadata.toml`, apart from the rules (as cdk-nag's packs give each rule
its explanation and level): auditors map our policies to the rule IDs of other tools, so the IDs are
fields, not prose. Each rule builds its SDK policy from `policy_fields(name)`; the description the
engine shows and the README's table (`tools/readme_policies.py`) are rendered from the same object.
"""

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from pulumi_policy import EnforcementLevel

METADATA_PATH = Path(__file__).resolve().parent.parent / "policy_metadata.toml"
TOOL_KEYS = ("checkov", "cdk_nag", "security_hub", "aws_config")
REQUIRED_KEYS = ("checks", "level", "remediation")
OPTIONAL_KEYS = (*TOOL_KEYS, "other_tools", "nearest")

# The four tools auditors ask about, in the order they are shown.
TOOLS = ("Checkov", "cdk-nag", "Security Hub", "AWS Config")


@dataclass(frozen=True)
class Equivalents:
    """The rule IDs of other tools that check the same thing; an empty tuple means none was found."""

    checkov: tuple[str, ...] = ()
    cdk_nag: tuple[str, ...] = ()
    security_hub: tuple[str, ...] = ()
    aws_config: tuple[str, ...] = ()
    # Further tools (IAM Access Analyzer, Parliament), by tool name.
    other_tools: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Rules of the four tools that check something near it (narrower or wider), not the same.
    nearest: "Equivalents | None" = None

    def by_tool(self) -> dict[str, tuple[str, ...]]:
        """Tool name -> IDs, the four tools first, only the tools that have an equivalent."""
        four = (self.checkov, self.cdk_nag, self.security_hub, self.aws_config)
        ids = dict(zip(TOOLS, four, strict=True))
        ids.update(self.other_tools)
        return {tool: rule_ids for tool, rule_ids in ids.items() if rule_ids}

    def rendered(self, separator: str = "; ") -> str:
        """`Checkov A and B; cdk-nag C; ...`, naming the four tools when none of them has one."""
        parts = [f"{tool} {_joined(rule_ids)}" for tool, rule_ids in self.by_tool().items()]
        if not any((self.checkov, self.cdk_nag, self.security_hub, self.aws_config)):
            parts.append(f"no {', '.join(TOOLS[:-1])} or {TOOLS[-1]} equivalent found")
        if self.nearest is not None:
            parts.append(f"nearest: {self.nearest.rendered(separator=', ')}")
        return separator.join(parts)


@dataclass(frozen=True)
class PolicyMetadata:
    """Everything about a policy but its check: the pack builds the SDK policy from it."""

    name: str
    checks: str  # one sentence without its final period: what a compliant resource looks like
    level: EnforcementLevel  # the pack's default; `policies/config/<env>.json` may override it
    remediation: str
    equivalents: Equivalents

    @property
    def description(self) -> str:
        """The one sentence the engine shows: what it checks, then the equivalent rule IDs."""
        return f"{self.checks} ({self.equivalents.rendered()})."

    def policy_fields(self) -> dict[str, Any]:
        """The keyword arguments of `ResourceValidationPolicy`/`StackValidationPolicy` it supplies."""
        return {
            "name": self.name,
            "description": self.description,
            "enforcement_level": self.level,
            "remediation_steps": self.remediation,
        }


def _joined(rule_ids: tuple[str, ...]) -> str:
    if len(rule_ids) == 1:
        return rule_ids[0]
    return f"{', '.join(rule_ids[:-1])} and {rule_ids[-1]}"


class PolicyMetadataError(ValueError):
    """`policy_metadata.toml` lacks a policy or holds a bad value; the message is one line."""


def policy_fields(name: str) -> dict[str, Any]:
    """The SDK policy's name, description, level and remediation, from the pack's metadata."""
    return metadata_of(name).policy_fields()


def metadata_of(name: str) -> PolicyMetadata:
    metadata = pack_metadata().get(name)
    if metadata is None:
        raise PolicyMetadataError(
            f'{METADATA_PATH.name}: no ["{name}"] table; add one with {", ".join(REQUIRED_KEYS)}'
        )
    return metadata


@cache
def pack_metadata() -> dict[str, PolicyMetadata]:
    """Every table of the pack's `policy_metadata.toml`, by policy name, in file order."""
    return read_metadata(METADATA_PATH)


def read_metadata(path: Path) -> dict[str, PolicyMetadata]:
    try:
        tables = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise PolicyMetadataError(f"{path.name}: {error}; restore it from git") from None
    return {
        name: _metadata(f'{path.name} ["{name}"]', name, table) for name, table in tables.items()
    }


def _metadata(where: str, name: str, table: dict[str, Any]) -> PolicyMetadata:
    missing = [key for key in REQUIRED_KEYS if not isinstance(table.get(key), str)]
    unknown = sorted(set(table) - {*REQUIRED_KEYS, *OPTIONAL_KEYS})
    if missing or unknown:
        problems = [f"{key} is missing or not text" for key in missing]
        problems += [f"unknown key {key}" for key in unknown]
        raise PolicyMetadataError(
            f"{where}: {', '.join(problems)}; use {', '.join(REQUIRED_KEYS)} (text) and "
            f"optionally {', '.join(OPTIONAL_KEYS)}"
        )
    levels = [level.value for level in EnforcementLevel]
    if table["level"] not in levels:
        raise PolicyMetadataError(f"{where}.level is {table['level']!r}; use one of {levels}")
    nearest, other_tools = table.get("nearest"), table.get("other_tools", {})
    if nearest is not None and (not isinstance(nearest, dict) or set(nearest) - set(TOOL_KEYS)):
        raise PolicyMetadataError(
            f"{where}.nearest is {nearest!r}; use a table of {', '.join(TOOL_KEYS)}"
        )
    if not isinstance(other_tools, dict):
        raise PolicyMetadataError(f"{where}.other_tools is {other_tools!r}; use a table by tool")
    return PolicyMetadata(
        name=name,
        checks=table["checks"],
        level=EnforcementLevel(table["level"]),
        remediation=table["remediation"],
        equivalents=Equivalents(
            **_rule_ids(where, table, TOOL_KEYS),
            other_tools=_rule_ids(where, other_tools, None),
            nearest=None
            if nearest is None
            else Equivalents(**_rule_ids(where, nearest, TOOL_KEYS)),
        ),
    )


def _rule_ids(
    where: str, table: dict[str, Any], keys: tuple[str, ...] | None
) -> dict[str, tuple[str, ...]]:
    """`key -> tuple of IDs` for `keys` (every key of the table when None), each a list of text."""
    found: dict[str, tuple[str, ...]] = {}
    for key in table if keys is None else keys:
        ids = table.get(key, [])
        if not isinstance(ids, list) or not all(isinstance(rule_id, str) for rule_id in ids):
            raise PolicyMetadataError(f"{where}.{key} is {ids!r}; use a list of rule IDs (text)")
        found[key] = tuple(ids)
    return found
