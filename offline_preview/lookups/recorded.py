"""`--lookups FILE`: answers the user recorded for lookups that need the cloud.

The file is YAML or JSON, a list of entries (or `{lookups: [...]}`), each
`{token: <invoke token or resource type>, args: {...}?, result: {...}}`. An invoke (`getAmi`,
`getVpc`, `getAvailabilityZones`, `getZone`...) matches an entry with its token whose `args` are all
equal to the call's (an entry without `args` matches any call); the first match in file order wins.
A read (`Resource.get`, `pulumi.StackReference`) is looked up the same way with the resource type as
token and `{"id": ...}` (a StackReference: `{"name": ...}`) as arguments; its result is the resource's
state (a StackReference's: `{"outputs": {...}}`).
"""

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from offline_preview import go_yaml
from offline_preview.errors import PreviewError
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

    def to_json(self) -> list[dict[str, Any]]:
        return [{"token": e.token, "args": e.args, "result": e.result} for e in self.entries]

    @classmethod
    def from_json(cls, data: list[dict[str, Any]]) -> "RecordedLookups":
        return cls([RecordedLookup(d["token"], d["args"], d["result"]) for d in data])


def read_lookups(path: Path) -> RecordedLookups:
    what = f"--lookups {path}"
    text = read_text(path, what)
    try:
        document = json.loads(text) if path.suffix == ".json" else go_yaml.load(text)
    except (json.JSONDecodeError, ValueError) as exc:
        raise PreviewError(
            f"{what}: not valid {path.suffix.lstrip('.') or 'YAML'} ({exc})".splitlines()[0]
        ) from None
    except Exception as exc:  # PyYAML's errors
        raise PreviewError(f"{what}: not valid YAML ({str(exc).splitlines()[0]})") from None
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
    """JSON equality: 1 and 1.0 are the same argument, true and 1 are not."""
    if isinstance(actual, bool) or isinstance(recorded, bool):
        return type(actual) is type(recorded) and actual == recorded
    if isinstance(actual, dict) and isinstance(recorded, dict):
        return actual.keys() == recorded.keys() and all(
            _same(actual[key], recorded[key]) for key in actual
        )
    if isinstance(actual, list) and isinstance(recorded, list):
        return len(actual) == len(recorded) and all(map(_same, actual, recorded))
    return actual == recorded
