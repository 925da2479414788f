"""The failures the command reports as one line, each with its exit code.

Exit codes are the Pulumi CLI's (https://www.pulumi.com/docs/iac/cli/exit-codes/, since v3.226.1):
2 "configuration and validation error" for what the user must fix in the command, the project, the
stack or the policy config (and a lookup missing from `--lookups`), 1 "generic error" for a program
that raises (the CLI's `ExitCodeFor` classifies a failed program as nothing more specific).
"""

from dataclasses import dataclass

EXIT_GENERIC = 1
EXIT_CONFIG = 2


class PreviewError(Exception):
    """A usage, config or environment problem; its message is the whole one-line report."""

    exit_code = EXIT_CONFIG


@dataclass
class ProgramError(PreviewError):
    """The Pulumi program raised: keeps the exception and where in the user's code it happened.

    `unanswered` is the lookup the offline preview could not answer, when that is why it raised:
    then the fix is an entry in `--lookups` (configuration, exit 2), not a change to the program.
    """

    exception_type: str
    message: str
    location: str  # "path/relative/to/project.py:42", or "" when no frame is in the project
    unanswered: str = ""

    @property
    def exit_code(self) -> int:  # type: ignore[override]
        return EXIT_CONFIG if self.unanswered else EXIT_GENERIC

    def __str__(self) -> str:
        where = f" at {self.location}" if self.location else ""
        return f"the program failed{where}: {self.exception_type}: {self.message}"
