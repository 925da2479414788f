"""YAML read the way the Pulumi CLI reads Pulumi.yaml and stack files: Go's gopkg.in/yaml.v3.

PyYAML implements YAML 1.1, where `on`, `yes`, `no` and `off` are booleans, `1:20` is 80 and a repeated
key silently wins. yaml.v3 (resolve.go, decode.go) resolves a plain scalar as: `true`/`True`/`TRUE` and
the `false` spellings as booleans, `~`/`null`/`Null`/`NULL`/empty as null, `.inf`/`.nan` spellings as
floats, numbers by Go's `strconv.ParseInt(s, 0, 64)` after dropping `_` (so `0x1F`, `0o17`, `0b101` and
the 1.1 octal `017`), then `ParseFloat` for YAML-style floats; everything else, timestamps included when
decoded into an untyped value, is a string. A key repeated in one mapping is an error
("mapping key ... already defined"). Merge keys (`<<`) work as in yaml.v3.

Bounded like yaml.v3, so a hostile or broken file fails fast with one line instead of exhausting
memory: an alias whose anchor contains it ("anchor ... value contains itself") and a document that is
mostly alias expansion ("document contains excessive aliasing": yaml.v3 decode.go `allowedAliasRatio`,
more than 99% of the decoded nodes below 400,000 decodes, scaling down to 10% at 4,000,000; a
"billion laughs" fails after about a thousand nodes) are refused before any Python value is built.
Nesting is bounded at `MAX_DEPTH` levels: yaml.v3 allows 10,000, but PyYAML composes recursively and
Python stops at 1,000 frames; no stack, project or lookups file comes near 100 levels.
"""

import json
import math
import re
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.events import AliasEvent
from yaml.nodes import CollectionNode, MappingNode, Node, ScalarNode

from offline_preview.errors import PreviewError
from offline_preview.text_files import read_text

BOOL_TAG = "tag:yaml.org,2002:bool"
NULL_TAG = "tag:yaml.org,2002:null"
MERGE_TAG = "tag:yaml.org,2002:merge"
BINARY_TAG = "tag:yaml.org,2002:binary"
TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"  # explicit only; yaml.v3 keeps it a string
NUMBER_TAG = "tag:offline-preview:go-number"  # resolved by `_go_number`, may stay a string

_FIXED_VALUES: dict[str, Any] = {
    **dict.fromkeys(("true", "True", "TRUE"), True),
    **dict.fromkeys(("false", "False", "FALSE"), False),
    **dict.fromkeys((".nan", ".NaN", ".NAN"), math.nan),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), math.inf),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), -math.inf),
}
_YAML_STYLE_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_GO_INT = re.compile(r"^[-+]?(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$")
_INT64_RANGE = (-(2**63), 2**64 - 1)  # ParseInt, then ParseUint
MAX_DEPTH = 100
# yaml.v3 decode.go: alias_ratio_range_low / _high, and the counts below which it never refuses.
ALIAS_RATIO_RANGE = (400_000, 4_000_000)
ALIAS_CHECK_FLOOR = (100, 1000)  # aliased decodes, all decodes


class BoundExceeded(yaml.YAMLError):
    """A bound above: what yaml.v3 refuses too (`as_in_go`), or our nesting limit."""

    def __init__(self, problem: str, mark: Any, as_in_go: bool = True) -> None:
        super().__init__(problem)
        self.problem = problem
        self.line = mark.line + 1 if mark is not None else 0
        self.as_in_go = as_in_go


class GoYamlLoader(yaml.SafeLoader):
    """SafeLoader with yaml.v3's implicit types and its refusal of duplicate keys."""

    yaml_implicit_resolvers: dict = {}

    depth = 0

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict:
        _refuse_duplicate_keys(self, node)
        return super().construct_mapping(node, deep=deep)

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        if self.check_event(AliasEvent):
            return super().compose_node(parent, index)
        if self.depth >= MAX_DEPTH:
            raise BoundExceeded(
                f"exceeded max depth of {MAX_DEPTH} nested values",
                self.peek_event().start_mark,
                as_in_go=False,
            )
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def load(text: str) -> Any:
    """One YAML document as yaml.v3 decodes it into an untyped Go value.

    Raises `yaml.YAMLError` (a `MarkedYAMLError` with the line where it can) for what yaml.v3
    refuses, the bounds above included.
    """
    loader = GoYamlLoader(text)  # a SafeLoader subclass: no arbitrary objects
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _refuse_unbounded_aliasing(node)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _refuse_unbounded_aliasing(root: Node) -> None:
    """yaml.v3's decode-time checks, on the composed graph (where an alias is its anchor's node).

    Walks the document as yaml.v3 decodes it, depth-first in document order, without recursion: a
    node met again is reached through an alias (anchors precede their aliases), one met on its own
    path contains itself. Stops at the first refusal, so the work stays bounded.
    """
    decodes = aliased = 0
    seen: set[int] = set()
    on_path: set[int] = set()
    pending: list[tuple[Node, bool, bool]] = [(root, False, False)]  # node, via alias, leaving
    while pending:
        node, via_alias, leaving = pending.pop()
        if leaving:
            on_path.discard(id(node))
            continue
        if id(node) in on_path:
            raise BoundExceeded("an anchor's value contains itself", node.start_mark)
        via_alias = via_alias or id(node) in seen
        seen.add(id(node))
        decodes += 1
        aliased += via_alias
        if (
            aliased > ALIAS_CHECK_FLOOR[0]
            and decodes > ALIAS_CHECK_FLOOR[1]
            and aliased / decodes > _allowed_alias_ratio(decodes)
        ):
            raise BoundExceeded("document contains excessive aliasing", node.start_mark)
        if isinstance(node, CollectionNode):
            on_path.add(id(node))
            pending.append((node, via_alias, True))
            children = (
                [part for pair in node.value for part in pair]
                if isinstance(node, MappingNode)
                else list(node.value)
            )
            pending.extend((child, via_alias, False) for child in reversed(children))


def _allowed_alias_ratio(decodes: int) -> float:
    low, high = ALIAS_RATIO_RANGE
    if decodes <= low:
        return 0.99
    if decodes >= high:
        return 0.10
    return 0.99 - 0.89 * (decodes - low) / (high - low)


def _refuse_duplicate_keys(loader: GoYamlLoader, node: MappingNode) -> None:
    # yaml.v3 compares the keys' node kind and source text: `1` and "1" are the same key.
    seen: dict[str, int] = {}
    for key_node, _ in node.value:
        if not isinstance(key_node, ScalarNode) or key_node.tag == MERGE_TAG:
            continue
        if key_node.value in seen:
            raise ConstructorError(
                None,
                None,
                f'mapping key "{key_node.value}" already defined at line {seen[key_node.value]}',
                key_node.start_mark,
            )
        seen[key_node.value] = key_node.start_mark.line + 1


def _go_number(loader: GoYamlLoader, node: ScalarNode) -> Any:
    text = loader.construct_scalar(node)
    assert isinstance(text, str)
    if text in _FIXED_VALUES:
        return _FIXED_VALUES[text]
    plain = text.replace("_", "")
    if _GO_INT.match(plain):
        value = _parse_go_int(plain)
        if _INT64_RANGE[0] <= value <= _INT64_RANGE[1]:
            return value
    if _YAML_STYLE_FLOAT.match(plain) or (text.startswith(".") and _is_float(text)):
        return float(plain)
    return text


def _go_bool(loader: GoYamlLoader, node: ScalarNode) -> bool:
    value = _FIXED_VALUES.get(node.value)
    if not isinstance(value, bool):  # `!!bool yes`: yaml.v3 refuses it too
        raise ConstructorError(
            None, None, f"cannot decode !!str `{node.value}` as a !!bool", node.start_mark
        )
    return value


def _parse_go_int(plain: str) -> int:
    sign = -1 if plain.startswith("-") else 1
    digits = plain.lstrip("+-").lower()
    if digits.startswith(("0x", "0o", "0b")):
        return sign * int(digits, 0)
    if len(digits) > 1 and digits.startswith("0"):  # Go's legacy octal 017
        return sign * int(digits, 8)
    return sign * int(digits)


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


GoYamlLoader.add_implicit_resolver(
    BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
GoYamlLoader.add_implicit_resolver(
    NULL_TAG, re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)
GoYamlLoader.add_implicit_resolver(MERGE_TAG, re.compile(r"^<<$"), ["<"])
GoYamlLoader.add_implicit_resolver(NUMBER_TAG, re.compile(r"^[-+.0-9]"), list("-+.0123456789"))
GoYamlLoader.add_constructor(BOOL_TAG, _go_bool)
# yaml.v3 decodes `!!binary` into a string of the decoded bytes.
GoYamlLoader.add_constructor(
    BINARY_TAG,
    lambda loader, node: loader.construct_yaml_binary(node).decode("utf-8", errors="replace"),
)
GoYamlLoader.add_constructor(TIMESTAMP_TAG, lambda loader, node: loader.construct_scalar(node))
GoYamlLoader.add_constructor(NUMBER_TAG, _go_number)


def load_text(text: str, what: str) -> Any:
    """`load`, with every refusal a one-line PreviewError naming `what` and the line."""
    try:
        return load(text)
    except BoundExceeded as exc:
        also = "; yaml.v3 refuses it too" if exc.as_in_go else ""
        raise PreviewError(f"{what}: {exc.problem} (line {exc.line}{also})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise PreviewError(f"{what}{where}: not valid YAML ({problem})") from None


def read_mapping(path: Path, what: str | None = None) -> dict:
    """A YAML file whose top level must be a mapping, or a one-line PreviewError naming the file."""
    what = what or path.name
    document = load_text(read_text(path, what), what)
    if document is None:
        return {}
    try:
        json.dumps(document)
    except ValueError:  # json's "Circular reference detected"
        raise PreviewError(
            f"{what}: an anchor's value contains itself (yaml.v3 refuses that too)"
        ) from None
    if not isinstance(document, dict):
        raise PreviewError(
            f"{what}: expected a mapping (key: value) at the top level, got {_kind(document)}"
        )
    return document


def _kind(value: Any) -> str:
    return {list: "a list", str: "a string"}.get(type(value), f"a {type(value).__name__}")
