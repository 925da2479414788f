"""Where the user's code declared each resource: the `file:line` a code-scanning alert points at.

The Python SDK sends the engine a `sourcePosition` with every RegisterResourceRequest, computed in
`pulumi/runtime/resource.py` (`_get_stack_trace` / `_get_source_position`) as the frame below the
third `__init__` on the stack. That is the SDK's frame for the root stack and a library's frame for a
resource a packaged component creates. We answer that position ourselves: the innermost frame that
lies in the user's project (not the SDK, not a provider SDK or anything in a virtualenv or
site-packages, not this package), so a resource made inside one of the project's ComponentResources
points at its line in `components/`. It travels to the monitor in the request, where
`CaptureMonitor` records it.

Cheap on purpose (it runs once per resource): a walk up `sys._getframe()` with a per-file cache,
no `inspect.stack()` and no source lines read.
"""

import sys
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import unquote, urlparse

import pulumi.runtime.resource as sdk_resource
from pulumi.runtime.proto import source_pb2

from offline_preview.user_code import is_user_code

# The SDK's own function, kept so a second install in one process wraps the original once.
SDK_SOURCE_POSITION = getattr(sdk_resource, "_get_source_position", None)
REGISTERED_LOCAL = "res"  # the resource being registered, in the SDK function that asks us


class DeclarationSites:
    """Finds the user's innermost frame; remembers which files are the user's."""

    def __init__(self, project_dir: Path) -> None:
        self.project_dir = project_dir
        self._file_uris: dict[str, str] = {}  # filename -> file URI, "" = not the user's

    def innermost_user_frame(
        self, frame: FrameType | None, resource: object = None
    ) -> tuple[str, int] | None:
        """(file URI, line) of the first frame outward from `frame` in the user's code, skipping
        the user's own constructor of `resource` (a ComponentResource's `super().__init__`): the
        line that declared it is the one that called that constructor."""
        while frame is not None:
            uri = self._user_file_uri(frame.f_code.co_filename)
            if uri and not (
                resource is not None
                and frame.f_code.co_name == "__init__"
                and frame.f_locals.get("self") is resource
            ):
                return uri, frame.f_lineno
            frame = frame.f_back
        return None

    def source_position(self, _stack_trace: Any = None) -> source_pb2.SourcePosition | None:
        """Drop-in for the SDK's `_get_source_position(stack_trace)`: the caller's user frame.

        The caller is the SDK's `register_resource(res, ...)` / `read_resource(res, ...)`.
        """
        caller = sys._getframe(1)
        found = self.innermost_user_frame(caller, caller.f_locals.get(REGISTERED_LOCAL))
        if found is None:
            return None
        uri, line = found
        return source_pb2.SourcePosition(uri=uri, line=line)

    def _user_file_uri(self, filename: str) -> str:
        uri = self._file_uris.get(filename)
        if uri is None:
            path = Path(filename)
            uri = path.resolve().as_uri() if is_user_code(path, self.project_dir) else ""
            self._file_uris[filename] = uri
        return uri


def install(project_dir: Path) -> DeclarationSites | None:
    """Make the SDK send our position with each registration; None if this SDK has no such hook
    (then its own position, if any, still reaches the monitor)."""
    if SDK_SOURCE_POSITION is None:
        return None
    sites = DeclarationSites(project_dir)
    sdk_resource._get_source_position = sites.source_position  # type: ignore[attr-defined]
    return sites


def position_of(uri: str, line: int) -> tuple[str, int]:
    """A request's `sourcePosition` as (absolute path, line); ("", 0) when it names no file."""
    if not uri.startswith("file://") or line <= 0:
        return "", 0
    return unquote(urlparse(uri).path), line
