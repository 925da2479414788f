"""Everything the operator commands write to a terminal passes one sanitising layer.

Build logs, AWS error messages, alarm reasons and names are text from outside: an escape sequence in
them could clear the screen (CSI 2J), retitle the window (OSC 0), write the clipboard (OSC 52) or hide
what follows. `SafeConsole` sanitises every string it is given, whatever the report code prints, so a
report line is safe even when the code that builds it forgets to be careful.
"""

import sys

from rich.console import Console

from components.release.steps.step_io import safe

KEPT_LAYOUT = ("\n", "\t")
"""Line breaks and tabs lay a report out; every other control character is escaped."""


def terminal_text(value: object) -> str:
    """`value` with escape sequences dropped and control characters escaped, newlines and tabs kept."""
    return "\n".join(
        "\t".join(safe(part) for part in line.split("\t")) for line in str(value).split("\n")
    )


class SafeConsole(Console):
    """A rich Console whose `print` sanitises every string, and whose broken pipe is the caller's.

    rich's own `on_broken_pipe` exits 1, which would read as "a failure was explained"; raising
    BrokenPipeError lets `interruptible` exit 141 as a tool killed by SIGPIPE does.
    """

    def print(self, *objects: object, **kwargs: object) -> None:  # type: ignore[override]
        cleaned = tuple(terminal_text(item) if isinstance(item, str) else item for item in objects)
        super().print(*cleaned, **kwargs)  # type: ignore[arg-type]

    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise BrokenPipeError


def stderr_line(message: str) -> None:
    """One sanitised line on stderr, flushed at once (progress lines come from a helper thread)."""
    print(safe(" ".join(message.split())), file=sys.stderr, flush=True)
