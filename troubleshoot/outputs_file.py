"""Reading the `--outputs FILE` that `pulumi stack output --json > FILE` wrote, wherever it was written.

Windows PowerShell 5.1's `>` writes UTF-16 LE with a byte-order mark, and some editors save UTF-8 with
one (PowerShell's about_Redirection and about_Character_Encoding pages); both are accepted, any other
byte that is not UTF-8 is refused in one line. The file is small: a bounded read keeps `/dev/zero`
or a wrong multi-gigabyte file from exhausting memory, and JSON nested deeper than Python's recursion
limit (json's RecursionError) is refused like any other malformed file.
"""

import codecs
import json
from pathlib import Path
from typing import Any

from troubleshoot.errors import TroubleshootError

MAX_BYTES = 16 * 1024 * 1024
HINT = "write it with `pulumi stack output --json > FILE`"
BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE, whose mark is its prefix
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def read_outputs(path: Path) -> dict[str, Any]:
    """The JSON object of stack outputs in `path`; every problem is one TroubleshootError line."""
    text = _text(path)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise TroubleshootError(
            f"--outputs {path}:{error.lineno}: not JSON ({error.msg}); {HINT}"
        ) from None
    except RecursionError:
        raise TroubleshootError(
            f"--outputs {path}: JSON nested too deeply to be stack outputs; {HINT}"
        ) from None
    if not isinstance(document, dict):
        raise TroubleshootError(f"--outputs {path}: expected a JSON object of outputs; {HINT}")
    return document


def _text(path: Path) -> str:
    try:
        with path.open("rb") as file:
            data = file.read(MAX_BYTES + 1)
    except OSError as error:
        raise TroubleshootError(f"--outputs {path}: {error.strerror or error}; {HINT}") from None
    if len(data) > MAX_BYTES:
        raise TroubleshootError(
            f"--outputs {path}: larger than {MAX_BYTES // (1024 * 1024)} MiB, not stack outputs; {HINT}"
        )
    encoding = next((name for mark, name in BYTE_ORDER_MARKS if data.startswith(mark)), "utf-8")
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        raise TroubleshootError(
            f"--outputs {path}: byte 0x{data[error.start]:02x} at offset {error.start} is not "
            f"{encoding.upper().removesuffix('-SIG')} text; save the file as UTF-8 (in PowerShell: "
            "`pulumi stack output --json | Out-File -Encoding utf8 FILE`)"
        ) from None
