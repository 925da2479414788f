"""Typed readers for stack config values that fail with one line naming the full key.

A key is spelled as the user wrote it in the stack file, e.g. `guarded-delivery:services[1].ecs.targetGroups`,
so the message points at the exact line to fix.
"""

import difflib
import json
import re
from collections.abc import Collection, Mapping, Sequence
from typing import Any

MAX_SHOWN_VALUE = 80


class ConfigError(ValueError):
    """A bad stack setting; the message is one line: key, bad value, what is allowed."""

    def __init__(self, key: str, value: Any, problem: str) -> None:
        self.key = key
        self.value = value
        super().__init__(f"{key}: {shown(value)} {problem}")


class MissingKey(ConfigError):
    def __init__(self, key: str, what: str) -> None:
        self.key = key
        self.value = None
        ValueError.__init__(self, f"{key}: missing; {what}")


def shown(value: Any) -> str:
    """The value as the user would write it, on one line and short."""
    text = json.dumps(value, default=str) if not isinstance(value, str) else repr(value)
    text = " ".join(text.split())
    return text if len(text) <= MAX_SHOWN_VALUE else text[: MAX_SHOWN_VALUE - 3] + "..."


def did_you_mean(word: str, choices: Collection[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    if not close:
        close = [c for c in choices if c.lower() == word.lower()]
    return f"did you mean {close[0]!r}? " if close else ""


class FieldReader:
    """Reads values under one key path and raises ConfigError naming that path."""

    def __init__(self, path: str) -> None:
        self.path = path

    def key(self, name: str) -> "FieldReader":
        separator = ":" if ":" not in self.path else "."
        return FieldReader(f"{self.path}{separator}{name}")

    def item(self, index: int) -> "FieldReader":
        return FieldReader(f"{self.path}[{index}]")

    def error(self, value: Any, problem: str) -> ConfigError:
        return ConfigError(self.path, value, problem)

    def missing(self, what: str) -> ConfigError:
        return MissingKey(self.path, what)

    # Structure
    def mapping(self, value: Any, allowed_keys: Collection[str]) -> Mapping[str, Any]:
        value = _decoded(value)
        if not isinstance(value, Mapping):
            raise self.error(value, "is not an object; expected keys " + ", ".join(allowed_keys))
        for name in value:
            if name not in allowed_keys:
                hint = did_you_mean(str(name), allowed_keys)
                raise self.key(str(name)).error(
                    value[name], f"is an unknown key; {hint}allowed: {', '.join(allowed_keys)}"
                )
        return value

    def sequence(self, value: Any, min_items: int = 0, max_items: int | None = None) -> list[Any]:
        value = _decoded(value)
        if isinstance(value, str) or not isinstance(value, Sequence):
            raise self.error(value, "is not a list")
        if len(value) < min_items:
            raise self.error(value, f"needs at least {min_items} item(s)")
        if max_items is not None and len(value) > max_items:
            raise self.error(value, f"has more than {max_items} items")
        return list(value)

    # Scalars
    def string(self, value: Any, pattern: re.Pattern[str] | None = None, allowed: str = "") -> str:
        if not isinstance(value, str) or not value:
            raise self.error(value, f"is not a non-empty string{'; ' + allowed if allowed else ''}")
        if pattern is not None and not pattern.fullmatch(value):
            raise self.error(value, f"is not valid; {allowed}")
        return value

    def choice(self, value: Any, choices: Sequence[str]) -> str:
        if not isinstance(value, str) or value not in choices:
            hint = did_you_mean(value, choices) if isinstance(value, str) else ""
            raise self.error(value, f"is not allowed; {hint}allowed: {', '.join(choices)}")
        return value

    def integer(self, value: Any, allowed: Collection[int] | range) -> int:
        number = _as_int(value)
        if number is None or number not in allowed:
            raise self.error(value, f"is not allowed; {_describe(allowed)}")
        return number

    def boolean(self, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise self.error(value, "is not a boolean; use true or false")


def _decoded(value: Any) -> Any:
    """Lists and objects arrive from the CLI as JSON text."""
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    return None


def _describe(allowed: Collection[int] | range) -> str:
    if isinstance(allowed, range):
        return f"an integer from {allowed.start} to {allowed.stop - 1}"
    return "one of " + ", ".join(str(number) for number in sorted(allowed))
