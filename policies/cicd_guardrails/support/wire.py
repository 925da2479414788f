"""Read resource properties as the engine sends them, deciding explicitly what an unknown means.

The SDK's proxy raises `UnknownValueError` on the first unknown a policy touches, which aborts the
whole policy: in a stack policy one unknown bucket name would hide every other bucket's violation.
So policies unwrap the proxy into plain data (`plain`) and test `is_unknown` where it matters.
Where any unknown makes the whole value unusable (an IAM document), `known_plain` raises the SDK's
`UnknownValueError` instead, naming the path of the first unknown part.
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
from pulumi_policy.secret import Secret

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
# The wire form of a secret, in case a caller hands us a value the SDK has not deserialized.
SECRET_SIGNATURE_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270"


def is_unknown(value: Any) -> bool:
    """True for a value the engine could not know yet (a computed output during preview)."""
    return isinstance(value, str) and value in UNKNOWN_SENTINELS


def plain(value: Any) -> Any:
    """The value with every SDK proxy and secret wrapper removed; unknowns stay as their sentinels.

    Whole numbers come back as ints, so messages say `7`, not `7.0`.
    """
    return _copy(value, (), raise_unknown=False)


def known_plain(value: Any, path: tuple[str, ...] = ()) -> Any:
    """Like `plain`, but raise UnknownValueError (with the path) on the first unknown part."""
    return _copy(value, path, raise_unknown=True)


def _copy(value: Any, path: tuple[str, ...], *, raise_unknown: bool) -> Any:
    if isinstance(value, Secret):
        return _copy(value.value, path, raise_unknown=raise_unknown)
    if isinstance(value, str):
        if raise_unknown and value in UNKNOWN_SENTINELS:
            raise UnknownValueError(value, list(path))
        return value
    if isinstance(value, bytes):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)  # protobuf Struct carries every JSON number as a double
    if isinstance(value, Mapping):
        raw = _unproxied(value, dict, raise_unknown)
        if raw.get(SECRET_SIGNATURE_KEY) == SECRET_SIGNATURE and "value" in raw:
            return _copy(raw["value"], path, raise_unknown=raise_unknown)
        return {
            str(key): _copy(raw[key], (*path, str(key)), raise_unknown=raise_unknown) for key in raw
        }
    if isinstance(value, Sequence):
        raw = _unproxied(value, list | tuple, raise_unknown)
        return [
            _copy(raw[index], (*path, str(index)), raise_unknown=raise_unknown)
            for index in range(len(raw))
        ]
    return value


def _unproxied(value: Any, plain_types: Any, raise_unknown: bool) -> Any:
    """The container to read items from: the proxy itself when unknowns must raise (its item
    access raises with the full property path, `policy.Statement.0`), else its wrapped target."""
    if isinstance(value, plain_types) or raise_unknown:
        return value
    return value[_PROXY_TARGET_KEY]


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


def nested(value: Any, *path: str) -> Any:
    """The value at `path` inside nested objects, None when a block on the way is absent, or the
    unknown sentinel when a block on the way is not known yet (so the caller cannot mistake an
    unknown block for an absent setting)."""
    for key in path:
        if is_unknown(value):
            return value
        value = block(value).get(key)
    return value


def is_true(value: Any) -> bool:
    """Booleans arrive as JSON booleans; accept the strings a YAML program may pass through."""
    return value is True or (isinstance(value, str) and value.lower() == "true")


def is_false(value: Any) -> bool:
    return value is False or (isinstance(value, str) and value.lower() == "false")


def shown(value: Any) -> str:
    """A property value as a violation message shows it: "not set" rather than Python's `None`."""
    return "not set" if value is None else repr(value)


def fail_undecided(resource_name: str, paths: Sequence[str]) -> NoReturn:
    """Report, through the SDK's own "can't run policy ... during preview" path, what stayed unknown.

    Raised only after every decidable violation has been reported, so nothing known is hidden.
    """
    raise UnknownValueError(UNKNOWN_STRING_VALUE, [f"{resource_name}: {', '.join(paths)}"])
