"""Where in the user's project something happened: the `file:line` an error report names.

An invoke in output form (`get_vpc_output`) fails later, in a task, with no user frame in its
traceback; so the host also records where each invoke token was first called from.
"""

import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

OWN_PACKAGE = Path(__file__).resolve().parent
DEPENDENCY_DIRS = {"venv", ".venv", "site-packages"}


def user_location(frames: Iterable[traceback.FrameSummary], project_dir: Path) -> str:
    """`path:line` (relative to the project) of the innermost frame in the user's code, or ""."""
    for frame in reversed(list(frames)):
        path = Path(frame.filename)
        if is_user_code(path, project_dir):
            return f"{path.resolve().relative_to(project_dir.resolve())}:{frame.lineno}"
    return ""


def is_user_code(path: Path, project_dir: Path) -> bool:
    if str(path).startswith("<"):  # "<frozen runpy>", "<string>": no file of the user's
        return False
    resolved = path.resolve()
    if resolved.is_relative_to(OWN_PACKAGE):  # our own frames, even inside the project
        return False
    try:
        relative = resolved.relative_to(project_dir.resolve())
    except ValueError:
        return False
    return not any(part in DEPENDENCY_DIRS for part in relative.parts)


class InvokeSites:
    """Remembers, per invoke token, the user's line that first called it."""

    def __init__(self, project_dir: Path) -> None:
        self.project_dir = project_dir
        self.sites: dict[str, str] = {}

    def wrap(self, invoke: Callable[..., Any]) -> Callable[..., Any]:
        def recording(token: str, *args: Any, **kwargs: Any) -> Any:
            if token not in self.sites:
                self.sites[token] = user_location(traceback.extract_stack(), self.project_dir)
            return invoke(token, *args, **kwargs)

        return recording

    def site_named_in(self, message: str) -> str:
        return next((site for token, site in self.sites.items() if site and token in message), "")
