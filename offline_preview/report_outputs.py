"""The `Outputs:` block of the text report, printed as `pulumi preview` prints the stack's outputs.

Compared with pulumi/pulumi pkg/backend/display/progress.go `printOutputs` and object_diff.go
`getResourceOutputsPropertiesString` / `propertyPrinter` (`printObject`, `printPropertyTitle`,
`printPropertyValueRecurse`, `printPrimitivePropertyValue`, `decodeValue`, `truncatePropertyString`),
with the values as pkg/engine/events.go `filterPropertyValue` hands them to the display:
- top level: keys sorted, aligned to the longest key (`maxKey`, in bytes, over every key), indent 1
  (four spaces); `__` keys, nulls, empty strings, empty arrays and empty objects are not printed
  (`shouldPrintPropertyValue`);
- an object prints `{`, its properties one level deeper (every non-`__` key, nulls as `<null>`),
  aligned among themselves, then `}` at the property's indentation; an array `[`, then `[i]: value`
  one level deeper, then `]`; empty ones print `{}` / `[]`;
- strings Go-quoted (`%q`), truncated to three lines of at most 150 bytes with `...` (the CLI's
  default, no `--show-full-output`); a string holding a JSON object or array, or a multi-line one
  holding a YAML mapping or sequence, prints as `(json) ` / `(yaml) ` and the decoded value, followed
  by the blank line the CLI's nested `printPropertyValue` leaves;
- numbers: integral ones without a fraction or exponent (`%.f`), others Go's `%g`; booleans
  `true`/`false`; unknowns `[unknown]` (the CLI printed `output<T>` before v3.163.0, pulumi/pulumi
  commit 2c7a830 "Display [unknown] rather than output<T>"); secrets `[secret]`; a resource
  reference as `{URN, ID, PackageVersion}`.
"""

import json
import math
from typing import Any

import yaml

from offline_preview import go_yaml
from offline_preview.registration import RESOURCE_REF_SIG, SECRET_SIG, SIG_KEY, UNKNOWN

INDENT = "    "
OUTPUT_VALUE_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4"  # pulumi.runtime.rpc._OUTPUT_VALUE_SIG
CONTEXT_LINES, MAX_LINE_BYTES = 3, 150  # object_diff.go, truncatePropertyString
UNKNOWN_TEXT, SECRET_TEXT, NULL_TEXT = "[unknown]", "[secret]", "<null>"
GO_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
GO_ESCAPES |= {"\v": "\\v", '"': '\\"', "\\": "\\\\"}


def outputs_text(outputs: dict[str, Any]) -> str:
    """The lines under `Outputs:` (each ending in a newline); "" when nothing is printable."""
    printer = _Printer()
    width = _max_key(outputs)
    for key in sorted(outputs):
        value = outputs[key]
        if not _internal(key) and _printable_at_top(value):
            printer.property(key, value, width, 1)
    return "".join(printer.parts)


class _Printer:
    def __init__(self) -> None:
        self.parts: list[str] = []

    def property(self, key: str, value: Any, width: int, indent: int) -> None:
        """printObjectProperty: `%-<width>s: ` at `indent`, then the value and a newline."""
        title = _truncate(key)
        pad = " " * max(0, width - len(title))  # `%-*s` pads runes; `width` counts bytes
        self.parts.append(f"{INDENT * indent}{title}{pad}: ")
        self.value_line(value, indent)

    def value_line(self, value: Any, indent: int) -> None:
        """printPropertyValue: the value, then a newline."""
        self.value(value, indent)
        self.parts.append("\n")

    def value(self, value: Any, indent: int) -> None:
        """printPropertyValueRecurse."""
        if value is None:
            self.parts.append(NULL_TEXT)
        elif value == UNKNOWN:
            self.parts.append(UNKNOWN_TEXT)
        elif isinstance(value, bool):
            self.parts.append("true" if value else "false")
        elif isinstance(value, int | float):
            self.parts.append(_go_number(float(value)))
        elif isinstance(value, str):
            self.string(value, indent)
        elif isinstance(value, list):
            self.array(value, indent)
        elif isinstance(value, dict):
            self.mapping(value, indent)
        else:
            self.parts.append(str(value))

    def string(self, text: str, indent: int) -> None:
        decoded = _decoded(text)
        if decoded is not None:
            kind, value = decoded
            self.parts.append(f"({kind}) ")
            self.value_line(value, indent)  # the inner printPropertyValue's newline, then ours
            return
        self.parts.append(_go_quote(_truncate(text)))

    def array(self, items: list[Any], indent: int) -> None:
        if not items:
            self.parts.append("[]")
            return
        self.parts.append("[\n")
        for index, item in enumerate(items):
            self.parts.append(f"{INDENT * indent}{INDENT}[{index}]: ")
            self.value_line(item, indent + 1)
        self.parts.append(f"{INDENT * indent}]")

    def mapping(self, value: dict[str, Any], indent: int) -> None:
        signature = value.get(SIG_KEY)
        if signature == SECRET_SIG:  # filterPropertyValue: MakeSecret("[secret]")
            self.parts.append(SECRET_TEXT)
        elif signature == OUTPUT_VALUE_SIG:  # filterPropertyValue: any output becomes computed
            self.parts.append(UNKNOWN_TEXT)
        elif signature == RESOURCE_REF_SIG:
            self.parts.append("{\n")
            inner = INDENT * (indent + 1)
            self.parts.append(f"{inner}URN: {_go_quote(str(value.get('urn', '')))}\n")
            self.parts.append(f"{inner}ID : ")
            self.value_line(value.get("id", ""), indent + 1)
            package_version = str(value.get("packageVersion", ""))
            self.parts.append(f"{inner}PackageVersion: {_go_quote(package_version)}\n")
            self.parts.append(f"{INDENT * indent}}}")
        elif not value:
            self.parts.append("{}")
        else:
            self.parts.append("{\n")
            width = _max_key(value)
            for key in sorted(value):
                if not _internal(key):
                    self.property(key, value[key], width, indent + 1)
            self.parts.append(f"{INDENT * indent}}}")


def _internal(key: str) -> bool:
    """resource.IsInternalPropertyKey."""
    return key.startswith("__")


def _max_key(mapping: dict[str, Any]) -> int:
    """maxKey: Go's len(), bytes, over every key (printed or not)."""
    return max((len(k.encode("utf-8", "surrogatepass")) for k in mapping), default=0)


def _printable_at_top(value: Any) -> bool:
    """shouldPrintPropertyValue(v, outs=true)."""
    return value is not None and value not in ("", [], {})


def _decoded(text: str) -> tuple[str, Any] | None:
    """decodeValue: a JSON (or, over several lines, YAML) array or object held in a string."""
    stripped = text.strip()
    try:
        return "json", _only_containers(json.loads(stripped, parse_constant=_no_constant))
    except (ValueError, RecursionError):
        pass
    if "\r" not in stripped and "\n" not in stripped:
        return None
    try:
        value = _string_keys(go_yaml.load(stripped))
    except (yaml.YAMLError, ValueError, RecursionError):
        return None
    return ("yaml", value) if isinstance(value, list | dict) else None


def _no_constant(name: str) -> Any:
    raise ValueError(f"Go's encoding/json has no {name}")  # NaN, Infinity


def _only_containers(value: Any) -> Any:
    if not isinstance(value, list | dict):
        raise ValueError("not an array or object")
    return value


def _string_keys(value: Any) -> Any:
    """translateYAMLValue: numeric mapping keys become strings; any other non-string key refuses."""
    if isinstance(value, list):
        return [_string_keys(v) for v in value]
    if isinstance(value, dict):
        result: dict[str, Any] = {}
        for key, item in value.items():
            if isinstance(key, bool) or not isinstance(key, str | int | float):
                raise ValueError("a YAML mapping key the CLI does not translate")
            result[key if isinstance(key, str) else _go_number(float(key))] = _string_keys(item)
        return result
    return value


def _truncate(text: str) -> str:
    """truncatePropertyString: three lines at most, each cut at 150 bytes, marked with `...`."""
    lines = text.split("\n")
    shown = min(len(lines), CONTEXT_LINES)
    truncated = len(lines) > CONTEXT_LINES
    for index in range(shown):
        raw = lines[index].encode("utf-8", "surrogatepass")
        if len(raw) > MAX_LINE_BYTES:
            # Go slices bytes: a cut character shows as `\x..` escapes once quoted.
            lines[index] = raw[:MAX_LINE_BYTES].decode("utf-8", "surrogateescape") + "..."
            truncated = True
    if not truncated:
        return text
    if len(lines) <= CONTEXT_LINES:
        return "\n".join(lines)
    return "\n".join(lines[:shown]) + "\n..."


def _go_quote(text: str) -> str:
    """strconv.Quote: printable runes kept, Go's escapes, `\\x` for bytes that are not UTF-8."""
    out = ['"']
    for char in text:
        code = ord(char)
        if char in GO_ESCAPES:
            out.append(GO_ESCAPES[char])
        elif 0xDC80 <= code <= 0xDCFF:  # a byte `surrogateescape` kept: not valid UTF-8
            out.append(f"\\x{code - 0xDC00:02x}")
        elif char == " " or (char.isprintable() and not char.isspace()):
            out.append(char)
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}")
        elif 0xD800 <= code <= 0xDFFF:
            out.append("\\ufffd")
        elif code < 0x10000:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    out.append('"')
    return "".join(out)


def _go_number(number: float) -> str:
    """`%.f` for an integral number, else `%g` (shortest digits, exponent below 1e-4 or from 1e6)."""
    if math.isfinite(number) and math.trunc(number) == number:
        return f"{number:.0f}"
    if not math.isfinite(number):
        return "NaN" if math.isnan(number) else ("+Inf" if number > 0 else "-Inf")
    digits, exponent = _shortest(number)
    point = len(digits) + exponent  # digits.dp
    sign = "-" if number < 0 else ""
    if point - 1 < -4 or point - 1 >= EXPONENT_FROM:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{mantissa}e{'-' if point - 1 < 0 else '+'}{abs(point - 1):02d}"
    if point <= 0:
        return f"{sign}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return f"{sign}{digits}{'0' * (point - len(digits))}"
    return f"{sign}{digits[:point]}.{digits[point:]}"


# fmt's `%g` is strconv.FormatFloat(f, 'g', -1, 64): for the shortest digits `eprec` is 6
# (strconv/ftoa.go), so an exponent from 1e6 on (`fmt.Println(1234567.5)` is `1.2345675e+06`).
EXPONENT_FROM = 6


def _shortest(number: float) -> tuple[str, int]:
    """The shortest round-tripping decimal digits of `number` and their exponent (repr's, as Go's)."""
    mantissa, _, exponent = repr(abs(number)).partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = (whole + fraction).lstrip("0")
    scale = int(exponent or 0) - len(fraction)
    stripped = digits.rstrip("0")
    scale += len(digits) - len(stripped)
    return stripped or "0", scale
