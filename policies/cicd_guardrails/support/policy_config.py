"""Read a policy's `--policy-pack-config` properties, refusing bad values with a one-line message.

The CLI validates the file against each policy's `config_schema` before `Configure`; these readers
are the second line for callers that skip it (tests, the offline preview), so a mistyped value is
reported as a violation naming the key and the fix instead of surfacing as a traceback.
"""

from collections.abc import Mapping
from typing import Any


class PolicyConfigError(ValueError):
    """A policy config value of the wrong type or range; the message is one line."""


def config_bool(policy: str, config: Mapping[str, Any], key: str, default: bool) -> bool:
    value = config.get(key, default)
    if not isinstance(value, bool):
        raise PolicyConfigError(
            f"policy config {policy}.{key} is {value!r}; set it to true or false"
        )
    return value


def config_int(
    policy: str, config: Mapping[str, Any], key: str, default: int, minimum: int, maximum: int
) -> int:
    value = config.get(key, default)
    # JSON numbers arrive as floats through the protobuf Struct.
    whole = isinstance(value, int | float) and not isinstance(value, bool) and value == int(value)
    if not whole or not minimum <= int(value) <= maximum:
        raise PolicyConfigError(
            f"policy config {policy}.{key} is {value!r}; set it to a whole number "
            f"from {minimum} to {maximum}"
        )
    return int(value)
