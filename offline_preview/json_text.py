"""JSON the user wrote (`--policy-pack-config`, a `.json` `--lookups` file), bounded like our YAML.

Python's `json` parser recurses once per nesting level and stops with RecursionError near 1,000
levels; we refuse anything deeper than `go_yaml.MAX_DEPTH` levels as one line naming the file, so a
value that the program, the packs or protobuf would have to nest again never gets further.
"""

import json
from typing import Any

from offline_preview.errors import PreviewError
from offline_preview.go_yaml import MAX_DEPTH


def load_json(text: str, what: str) -> Any:
    """The JSON document in `text`, or a one-line PreviewError naming `what` (and the line)."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PreviewError(f"{what}:{exc.lineno}:{exc.colno}: not valid JSON ({exc.msg})") from None
    except RecursionError:
        raise PreviewError(_too_deep(what)) from None
    if _depth_exceeds(document, MAX_DEPTH):
        raise PreviewError(_too_deep(what))
    return document


def _too_deep(what: str) -> str:
    return f"{what}: not valid JSON for this command (nested deeper than {MAX_DEPTH} levels)"


def _depth_exceeds(document: Any, limit: int) -> bool:
    """Whether arrays/objects nest more than `limit` deep (iterative: no recursion of our own)."""
    pending: list[tuple[Any, int]] = [(document, 0)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict):
            children: Any = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth + 1 > limit:
            return True
        pending.extend((child, depth + 1) for child in children)
    return False
