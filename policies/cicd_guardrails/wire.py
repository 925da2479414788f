"""Read resource properties as the engine sends them, deciding explicitly what an unknown means.

The SDK's proxy raises `UnknownValueError` on the first unknown a policy touches, which aborts the
whole policy: in a stack policy one unknown bucket name would hide every other bucket's violation.
So policies unwrap the proxy into plain data (`plain`) and test `is_unknown` where it matters.
"""

from collections.abc import Mapping, Sequence
from typing import Any, NoReturn

from pulumi_policy.proxy import (
    UNKNOWN_ARCHIVE_VALUE,
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_ASSET_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
    UnknownValueError,
)

UNKNOWN_SENTINELS = frozenset(
    {
        UNKNOWN_ARCHIVE_VALUE,
        UNKNOWN_ARRAY_VALUE,
        UNKNOWN_ASSET_VALUE,
        UNKNOWN_BOOLEAN_VALUE,
        UNKNOWN_NUMBER_VALUE,
        UNKNOWN_OBJECT_VALUE,
        UNKNOWN_STRING_VALUE,
    }
)

# The SDK's proxies hand out their wrapped container under this key (serialize_properties relies on it).
_PROXY_TARGET_KEY = "__target"


def is_unknown(value: Any) -> bool:
    """True for a value the engine could not know yet (a computed output during preview)."""
    return isinstance(value, str) and value in UNKNOWN_SENTINELS


def plain(value: Any) -> Any:
    """The value with every SDK proxy removed; unknowns stay as their sentinel strings.

    Whole numbers come back as ints, so messages say `7`, not `7.0`.
    """
    if isinstance(value, str | bytes):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)  # protobuf Struct carries every JSON number as a double
    if isinstance(value, Mapping):
        raw = value if isinstance(value, dict) else value[_PROXY_TARGET_KEY]
        return {key: plain(item) for key, item in raw.items()}
    if isinstance(value, Sequence):
        raw = value if isinstance(value, list | tuple) else value[_PROXY_TARGET_KEY]
        return [plain(item) for item in raw]
    return value


def as_list(value: Any) -> list[Any]:
    """A block that the provider shapes as an object in one version and a list in another."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def block(value: Any) -> dict[str, Any]:
    """A nested object, or an empty one when absent, unknown or not an object."""
    return value if isinstance(value, dict) else {}


def is_true(value: Any) -> bool:
    """Booleans arrive as JSON booleans; accept the strings a YAML program may pass through."""
    return value is True or (isinstance(value, str) and value.lower() == "true")


def is_false(value: Any) -> bool:
    return value is False or (isinstance(value, str) and value.lower() == "false")


def fail_undecided(resource_name: str, paths: Sequence[str]) -> NoReturn:
    """Report, through the SDK's own "can't run policy ... during preview" path, what stayed unknown.

    Raised only after every decidable violation has been reported, so nothing known is hidden.
    """
    raise UnknownValueError(UNKNOWN_STRING_VALUE, [f"{resource_name}: {', '.join(paths)}"])
