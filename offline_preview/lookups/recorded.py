"""`--lookups FILE`: answers the user recorded for lookups that need the cloud.

The file is YAML or JSON, a list of entries (or `{lookups: [...]}`), each
`{token: <invoke token or resource type>, args: {...}?, result: {...}}`. An invoke (`getAmi`,
`getVpc`, `getAvailabilityZones`, `getZone`...) matches an entry with its token whose `args` are all
equal to the call's (an entry without `args` matches any call); the first match in file order wins.
A read (`Resource.get`, `pulumi.StackReference`) is looked up the same way with the resource type as
token and `{"id": ...}` (a StackReference: `{"name": ...}`) as arguments; its result is the resource's
state (a StackReference's: `{"outputs": {...}}`).

An unquoted number where the call passes a string (`owners: [099720109477]`, an account id) matches
the string of its decimal digits, as a user means it. YAML has already lost what a leading zero said
(`099720109477` is the float 99720109477, `012345670123` the octal 1402433619): such an entry cannot
match, and the unanswered lookup's error names the argument and says to quote it.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from offline_preview import go_yaml
from offline_preview.errors import PreviewError
from offline_preview.json_text import load_json
from offline_preview.text_files import read_text

ENTRY_KEYS = {"token", "args", "result"}
STACK_REFERENCE = "pulumi:pulumi:StackReference"


@dataclass
class RecordedLookup:
    token: str
    args: dict[str, Any] | None
    result: dict[str, Any]

    def matches(self, token: str, args: dict[str, Any]) -> bool:
        if token != self.token:
            return False
        if self.args is None:
            return True
        return all(key in args and _same(args[key], value) for key, value in self.args.items())


@dataclass
class RecordedLookups:
    entries: list[RecordedLookup] = field(default_factory=list)

    def answer(self, token: str, args: dict[str, Any]) -> dict[str, Any] | None:
        plain = plain_args(args)
        return next((dict(e.result) for e in self.entries if e.matches(token, plain)), None)

    def near_miss(self, token: str, args: dict[str, Any]) -> str:
        """Why the first entry for `token` did not answer this call ("" if none has the token)."""
        plain = plain_args(args)
        for index, entry in enumerate(self.entries):
            if entry.token != token or entry.args is None:
                continue
            for key, recorded in entry.args.items():
                reason = (
                    _difference(plain[key], recorded, f"args.{key}")
                    if key in plain
                    else f"args.{key} is in the entry but the call does not pass it"
                )
                if reason:
                    return f"entry {index + 1} has this token but {reason}"
        return ""

    def to_json(self) -> list[dict[str, Any]]:
        return [{"token": e.token, "args": e.args, "result": e.result} for e in self.entries]

    @classmethod
    def from_json(cls, data: list[dict[str, Any]]) -> "RecordedLookups":
        return cls([RecordedLookup(d["token"], d["args"], d["result"]) for d in data])


def read_lookups(path: Path) -> RecordedLookups:
    what = f"--lookups {path}"
    text = read_text(path, what)
    # Both bounded (nesting, alias expansion): see go_yaml and json_text.
    if path.suffix.lower() == ".json":
        document = load_json(text, what)
    else:
        document = go_yaml.load_text(text, what)
    if isinstance(document, dict) and set(document) == {"lookups"}:
        document = document["lookups"]
    if document is None:
        document = []
    if not isinstance(document, list):
        raise PreviewError(f"{what}: expected a list of {{token, args, result}} entries")
    return RecordedLookups([_entry(what, index, raw) for index, raw in enumerate(document)])


def how_to_record(token: str, args: dict[str, Any]) -> str:
    """The entry to add, as one line of JSON, for an unanswered lookup."""
    result = {"outputs": {"...": "..."}} if token == STACK_REFERENCE else {"...": "..."}
    entry = {"token": token, "args": plain_args(args), "result": result}
    return json.dumps(entry, separators=(", ", ": "), sort_keys=True, default=str)


def plain_args(args: dict[str, Any]) -> dict[str, Any]:
    """Call arguments as JSON values (the SDK hands over None for unset ones: dropped)."""
    plain = json.loads(json.dumps(args, default=str))
    return {key: value for key, value in plain.items() if value is not None}


def _entry(what: str, index: int, raw: Any) -> RecordedLookup:
    where = f"{what}: entry {index + 1}"
    if not isinstance(raw, dict):
        raise PreviewError(f"{where}: expected a mapping with token, args and result")
    unknown = sorted(set(map(str, raw)) - ENTRY_KEYS)
    if unknown:
        raise PreviewError(f"{where}: unknown key {unknown[0]!r} (allowed: args, result, token)")
    token = raw.get("token")
    if not isinstance(token, str) or token.count(":") < 2:
        raise PreviewError(
            f"{where}: token {token!r} is not a Pulumi token such as aws:ec2/getAmi:getAmi"
        )
    args = raw.get("args")
    if args is not None and not isinstance(args, dict):
        raise PreviewError(f"{where}: args must be a mapping of argument: value")
    result = raw.get("result")
    if not isinstance(result, dict):
        raise PreviewError(
            f"{where}: result must be a mapping of output: value (the lookup's result)"
        )
    return RecordedLookup(token, args, result)


def _same(actual: Any, recorded: Any) -> bool:
    """JSON equality: 1 and 1.0 are the same argument, true and 1 are not; a whole number written
    where the call passes a string is that string's decimal digits."""
    if isinstance(actual, bool) or isinstance(recorded, bool):
        return type(actual) is type(recorded) and actual == recorded
    if isinstance(actual, str) and _is_number(recorded):
        return actual == _digits(recorded)
    if isinstance(actual, dict) and isinstance(recorded, dict):
        return actual.keys() == recorded.keys() and all(
            _same(actual[key], recorded[key]) for key in actual
        )
    if isinstance(actual, list) and isinstance(recorded, list):
        return len(actual) == len(recorded) and all(map(_same, actual, recorded))
    return actual == recorded


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _digits(number: int | float) -> str | None:
    """The decimal digits of a whole number (None for 1.5, inf, nan: no string field means those)."""
    if isinstance(number, float) and not number.is_integer():
        return None
    return str(int(number))


def _difference(actual: Any, recorded: Any, path: str) -> str:
    """The first place where `recorded` (the entry) fails to match `actual` (the call), or ""."""
    if _same(actual, recorded):
        return ""
    if isinstance(actual, dict) and isinstance(recorded, dict):
        for key in recorded.keys() | actual.keys():
            if key not in actual or key not in recorded:
                side = "the entry" if key in recorded else "the call"
                return f"{path}.{key} is only in {side}"
            reason = _difference(actual[key], recorded[key], f"{path}.{key}")
            if reason:
                return reason
    if isinstance(actual, list) and isinstance(recorded, list):
        if len(actual) != len(recorded):
            return f"{path} has {len(recorded)} item(s) in the entry, {len(actual)} in the call"
        for index, (one, other) in enumerate(zip(actual, recorded, strict=True)):
            reason = _difference(one, other, f"{path}[{index}]")
            if reason:
                return reason
    if isinstance(actual, str) and _is_number(recorded) and actual.isdigit():
        if actual.startswith("0") and actual.lstrip("0") == (_digits(recorded) or "").lstrip("0"):
            lost = "dropped its leading zero"
        elif (
            actual.startswith("0") and set(actual) <= set("01234567") and recorded == int(actual, 8)
        ):
            lost = f"read it as the octal number {int(actual, 8)}"
        else:
            lost = ""
        if lost:
            return (
                f'{path} is the string "{actual}" in the call, and YAML {lost} in the file: '
                f'quote it ("{actual}")'
            )
    return f"{path} is {_shown(recorded)} in the entry, {_shown(actual)} in the call"


def _shown(value: Any) -> str:
    return json.dumps(value, default=str)
