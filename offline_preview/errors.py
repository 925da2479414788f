"""The two failures the command reports as one line: bad input (exit 2) and a failing program."""

from dataclasses import dataclass


class PreviewError(Exception):
    """A usage, config or environment problem; its message is the whole one-line report."""


@dataclass
class ProgramError(PreviewError):
    """The Pulumi program raised: keeps the exception and where in the user's code it happened."""

    exception_type: str
    message: str
    location: str  # "path/relative/to/project.py:42", or "" when no frame is in the project

    def __str__(self) -> str:
        where = f" at {self.location}" if self.location else ""
        return f"the program failed{where}: {self.exception_type}: {self.message}"
