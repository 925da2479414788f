"""What the command prints must reach any terminal: symbols degrade where the encoding lacks them.

The text report draws with ✅ ❌ ⚠️ and box-drawing tree glyphs (as the Pulumi CLI does). Under
`PYTHONIOENCODING=ascii`, a `LANG=C` shell or a CI log that is not UTF-8, writing them raises
UnicodeEncodeError halfway through the report. Instead of teaching every report module an ASCII
variant, the streams get an encoding error handler that writes each known symbol's ASCII stand-in
(`[ok]`, `[x]`, `[!]`, `+-`, `|`...) and `?` for anything else, only when their encoding cannot
carry the symbols. Escaping of control sequences in text from outside is `step_io.safe`'s job.
"""

import codecs
from typing import Any

ERROR_HANDLER = "offline-preview-ascii"
ASCII_STAND_INS = {
    "✅": "[ok]",
    "✓": "v",
    "✔": "v",
    "❌": "[x]",
    "✗": "x",
    "✖": "x",
    "⚠": "[!]",
    "\ufe0f": "",  # the emoji variation selector after ⚠
    "├": "+",
    "└": "`",
    "│": "|",
    "─": "-",
    "…": "...",
    "•": "*",
    "→": "->",
    "\u2018": "'",  # quotation marks
    "\u2019": "'",
    "\u201c": '"',
    "\u201d": '"',
}
PROBE = "".join(ASCII_STAND_INS)


def _stand_in(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    unencodable = error.object[error.start : error.end]
    return "".join(ASCII_STAND_INS.get(char, "?") for char in unencodable), error.end


codecs.register_error(ERROR_HANDLER, _stand_in)


def degrade_unencodable_symbols(*streams: Any) -> None:
    """Give each text stream whose encoding cannot write our symbols the ASCII stand-ins."""
    for stream in streams:
        encoding = getattr(stream, "encoding", None) or "ascii"
        try:
            PROBE.encode(encoding)
            continue
        except (UnicodeEncodeError, LookupError):
            pass
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:  # io.TextIOWrapper; anything else is left as it is
            reconfigure(errors=ERROR_HANDLER)
