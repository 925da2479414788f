"""An overall deadline for the AWS reads, and a progress line while one call goes unanswered.

An endpoint that accepts the connection and never answers (a stuck proxy, a firewall that drops
packets) would otherwise keep the command silent for botocore's read timeout times its retries. The
per-call bounds are in `troubleshoot.aws_calls.CLIENT_CONFIG`; this module bounds the whole run
(`--timeout`) and says what it is waiting for every few seconds, on stderr.

The deadline is a SIGALRM in the main thread: Python retries a system call interrupted by a signal
unless the handler raises (PEP 475), so raising from the handler ends even a blocked socket read.
`DeadlineExceeded` derives from BaseException so that botocore's `except Exception` around the HTTP
send cannot take it for a retryable connection error.
"""

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType

from troubleshoot.terminal import stderr_line

DEFAULT_TIMEOUT_SECONDS = 120.0
PROGRESS_EVERY_SECONDS = 5.0
"""How long a call may go unanswered before the first "still waiting" line, and between lines."""


@dataclass(frozen=True)
class PendingCall:
    service: str
    operation: str
    endpoint: str
    since: float

    def describe(self) -> str:
        return f"{self.service} {self.operation} at {self.endpoint}"


class DeadlineExceeded(BaseException):
    """The run did not finish within `--timeout` seconds."""

    def __init__(self, seconds: float, pending: PendingCall | None) -> None:
        self.seconds = seconds
        self.pending = pending
        super().__init__(seconds)

    def message(self) -> str:
        limit = f"{self.seconds:g} s"
        if self.pending is None:
            return f"did not finish within --timeout {limit}; pass a larger --timeout SECONDS"
        return (
            f"no answer from {self.pending.describe()} within --timeout {limit}: check the "
            "network, HTTPS_PROXY/NO_PROXY and AWS_ENDPOINT_URL, or pass a larger --timeout SECONDS"
        )


class Deadline:
    """While entered: SIGALRM after `seconds` raises DeadlineExceeded; a helper thread prints
    "still waiting for ..." on stderr every PROGRESS_EVERY_SECONDS a call goes unanswered."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._pending: PendingCall | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._report_progress, daemon=True)
        self._previous_handler: object = None
        self._armed = False

    def __enter__(self) -> "Deadline":
        global _active
        _active = self
        if (
            threading.current_thread() is threading.main_thread()
        ):  # signals reach the main thread only
            self._previous_handler = signal.signal(signal.SIGALRM, self._expired)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)
            self._armed = True
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        global _active
        if self._armed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self._previous_handler)  # type: ignore[arg-type]
        self._stop.set()
        self._thread.join()
        _active = None

    @contextmanager
    def waiting_for(self, service: str, operation: str, endpoint: str) -> Iterator[None]:
        self._pending = PendingCall(service, operation, endpoint, time.monotonic())
        try:
            yield
        finally:
            self._pending = None

    def _expired(self, _signum: int, _frame: FrameType | None) -> None:
        raise DeadlineExceeded(self.seconds, self._pending)

    def _report_progress(self) -> None:
        reported: tuple[PendingCall, int] | None = None
        while not self._stop.wait(min(0.25, PROGRESS_EVERY_SECONDS)):
            pending = self._pending
            if pending is None:
                continue
            waited = time.monotonic() - pending.since
            ticks = int(waited // PROGRESS_EVERY_SECONDS)
            if ticks and (reported is None or reported != (pending, ticks)):
                reported = (pending, ticks)
                stderr_line(f"still waiting for {pending.describe()} ({waited:.0f} s)…")


_active: Deadline | None = None


@contextmanager
def waiting_for(service: str, operation: str, endpoint: str) -> Iterator[None]:
    """Mark one AWS call as pending for the active deadline's progress lines (none: no effect)."""
    deadline = _active
    if deadline is None:
        yield
        return
    with deadline.waiting_for(service, operation, endpoint):
        yield
