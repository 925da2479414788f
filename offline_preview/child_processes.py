"""Children (program host, policy packs) that never outlive the preview.

Each child starts in its own session, so a Ctrl-C on the terminal reaches only us and we stop the
children in order; stopping a child signals its whole process group, so whatever it started goes too.
"""

import contextlib
import os
import signal
import subprocess
from typing import Any

from offline_preview.errors import PreviewError

SHUTDOWN_GRACE_SECONDS = 5.0


def start(command: list[str], **popen_options: Any) -> subprocess.Popen:
    try:
        return subprocess.Popen(command, start_new_session=True, **popen_options)
    except OSError as exc:  # a virtualenv's python that is gone or not executable
        raise PreviewError(
            f"cannot run {command[0]}: {exc.strerror or exc}; recreate that virtualenv or remove it"
        ) from None


def stop(process: subprocess.Popen, grace: float = SHUTDOWN_GRACE_SECONDS) -> None:
    """SIGTERM the child's process group, SIGKILL it after `grace` seconds; safe to call twice."""
    _signal_group(process, signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        _signal_group(process, signal.SIGKILL)
        process.wait()
    # The leader may be gone while a grandchild lingers in the group.
    _signal_group(process, signal.SIGKILL)


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signum)
