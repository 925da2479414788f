"""Starts a Python policy pack the way the engine does and talks to it over the Analyzer service.

The engine runs `python -u -m pulumi.policy <engine-address> .` with the pack directory as working
directory, in the pack's virtualenv (`<pack>/venv`, or the `virtualenv` runtime option of
PulumiPolicy.yaml), reads the port from the first line of stdout and connects over gRPC. Without a
virtualenv we use the current interpreter, which must have pulumi-policy installed. Python packs never
call back into the engine, so the engine address we pass is a placeholder that nothing listens on.
"""

import contextlib
import json
import os
import queue
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import grpc
from google.protobuf import empty_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

from offline_preview import child_processes, go_yaml
from offline_preview.errors import PreviewError

PACK_FILE = "PulumiPolicy.yaml"
UNUSED_ENGINE_ADDRESS = "127.0.0.1:0"
# A pack prints its port once its modules are imported (ours: about 2 s); a minute is generous.
DEFAULT_START_TIMEOUT_SECONDS = 60.0
DEFAULT_CALL_TIMEOUT_SECONDS = 300.0
SHUTDOWN_GRACE_SECONDS = 5.0
PIPE_CHUNK_BYTES = 65536
EXIT_WAIT_SECONDS = 2.0
# Linux refuses to exec with one environment string longer than MAX_ARG_STRLEN (32 pages).
MAX_ENV_STRING_BYTES = 32 * 4096
_GRPC_OPTIONS = [("grpc.max_receive_message_length", 400 * 1024 * 1024)]


# grpcio's text for an exception a servicer raised (grpc/_server.py): only `str(exception)` follows,
# which is all the engine gets too.
GRPC_EXCEPTION_PREFIX = "Exception calling application: "


class AnalyzerCallError(PreviewError):
    """An analyzer call the pack failed (a policy raised): `detail` is the pack's own message."""

    def __init__(self, message: str, *, method: str, detail: str) -> None:
        super().__init__(message)
        self.method = method
        self.detail = detail


@dataclass
class PackManifest:
    directory: Path
    version: str  # PulumiPolicy.yaml's version overrides the SDK's "0.0.1", as in the engine
    virtualenv: str


def read_manifest(pack_dir: Path) -> PackManifest:
    directory = pack_dir.resolve()
    manifest = directory / PACK_FILE
    if not manifest.is_file():
        raise PreviewError(
            f"--policy-pack {pack_dir}: no {PACK_FILE} there (create one with `pulumi policy new "
            "aws-python`, or point at the pack directory)"
        )
    document = go_yaml.read_mapping(manifest, str(manifest))
    runtime = document.get("runtime")
    name = runtime.get("name") if isinstance(runtime, dict) else runtime
    if name != "python":
        raise PreviewError(
            f"{manifest}: runtime is {name!r}; only Python policy packs are supported"
        )
    options = (runtime.get("options") if isinstance(runtime, dict) else None) or {}
    if not isinstance(options, dict):
        raise PreviewError(f"{manifest}: `runtime.options` must be a mapping")
    return PackManifest(
        directory, str(document.get("version") or ""), str(options.get("virtualenv") or "venv")
    )


class PolicyPackProcess:
    """A running policy pack and its Analyzer stub; use as a context manager so it always stops."""

    def __init__(
        self,
        manifest: PackManifest,
        env: dict[str, str],
        start_timeout: float = DEFAULT_START_TIMEOUT_SECONDS,
        call_timeout: float = DEFAULT_CALL_TIMEOUT_SECONDS,
    ) -> None:
        self.manifest = manifest
        self.python = pack_python(manifest)
        self._env = env
        self._start_timeout = start_timeout
        self._call_timeout = call_timeout
        self._process: subprocess.Popen[bytes] | None = None
        self._channel: grpc.Channel | None = None
        self._stderr: list[str] = []
        self.stub: analyzer_pb2_grpc.AnalyzerStub | None = None

    def __enter__(self) -> "PolicyPackProcess":
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def start(self) -> None:
        self._process = child_processes.start(
            [self.python, "-u", "-m", "pulumi.policy", UNUSED_ENGINE_ADDRESS, "."],
            cwd=self.manifest.directory,
            env=self._env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert self._process.stdout is not None and self._process.stderr is not None
        self._stderr_thread = threading.Thread(
            target=self._drain_stderr, args=(self._process.stderr,), daemon=True
        )
        self._stderr_thread.start()
        try:
            self._connect(self._read_port(self._process.stdout))
        except BaseException:  # Ctrl-C or SIGTERM while it starts: it must not outlive us
            self.stop()
            raise

    def _connect(self, port: int) -> None:
        self._channel = grpc.insecure_channel(f"127.0.0.1:{port}", options=_GRPC_OPTIONS)
        try:
            grpc.channel_ready_future(self._channel).result(timeout=self._start_timeout)
        except grpc.FutureTimeoutError:
            raise PreviewError(
                f"policy pack {self.manifest.directory}: port {port} never answered"
            ) from None
        self.stub = analyzer_pb2_grpc.AnalyzerStub(self._channel)

    def stop(self) -> None:
        if self._channel is not None:
            self._channel.close()
            self._channel = None
        if self._process is not None:
            child_processes.stop(self._process)
        self._process = None

    def call(self, method: str, request: Any) -> Any:
        """One RPC; a policy that crashes becomes a one-line error naming the pack and the call."""
        assert self.stub is not None, "start() the pack first"
        try:
            return getattr(self.stub, method)(request, timeout=self._call_timeout)
        except grpc.RpcError as exc:
            if exc.code() == grpc.StatusCode.UNIMPLEMENTED:
                return None
            if exc.code() == grpc.StatusCode.DEADLINE_EXCEEDED:
                raise PreviewError(
                    f"policy pack {self.manifest.directory.name}: {method} did not answer within "
                    f"{self._call_timeout:g}s; raise --timeout if the pack is just slow"
                ) from None
            if exc.code() == grpc.StatusCode.UNAVAILABLE and self.exited():
                code = self._process.returncode if self._process else None
                reason = self._last_stderr_line() or f"exit code {code}"
                raise PreviewError(
                    f"policy pack {self.manifest.directory.name} exited during {method}: {reason}"
                ) from None
            lines = (exc.details() or str(exc.code())).strip().splitlines()
            detail = (lines[-1] if lines else str(exc.code())).removeprefix(GRPC_EXCEPTION_PREFIX)
            raise AnalyzerCallError(
                f"policy pack {self.manifest.directory.name} failed in {method}: {detail}",
                method=method,
                detail=detail,
            ) from None

    def exited(self) -> bool:
        """Whether the pack's process has ended (waiting a moment: its socket closes first)."""
        if self._process is None:
            return True
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._process.wait(timeout=EXIT_WAIT_SECONDS)
        return self._process.poll() is not None

    def info(self) -> analyzer_pb2.AnalyzerInfo:
        return self.call("GetAnalyzerInfo", empty_pb2.Empty())

    def _read_port(self, stdout: IO[bytes]) -> int:
        lines: queue.Queue[bytes] = queue.Queue()
        threading.Thread(target=_first_line_then_drain, args=(stdout, lines), daemon=True).start()
        try:
            first = lines.get(timeout=self._start_timeout).decode(errors="replace").strip()
        except queue.Empty:
            self.stop()
            raise PreviewError(
                f"policy pack {self.manifest.directory} printed no port within "
                f"{self._start_timeout:g}s; check that its __main__.py constructs a PolicyPack, or "
                "raise --timeout"
            ) from None
        if first.isdigit():
            return int(first)
        assert self._process is not None
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._process.wait(timeout=SHUTDOWN_GRACE_SECONDS)
        reason = self._last_stderr_line() or (
            f"printed {first!r} instead of a port" if first else ""
        )
        self.stop()
        raise PreviewError(
            f"policy pack {self.manifest.directory} failed to start ({self.python}): "
            f"{reason or 'it exited without printing a port'}"
        )

    def _drain_stderr(self, stderr: IO[bytes]) -> None:
        for raw in iter(stderr.readline, b""):
            self._stderr.append(raw.decode(errors="replace").rstrip())

    def _last_stderr_line(self) -> str:
        # The process has exited: its stderr ends, and the drain thread with it.
        self._stderr_thread.join(timeout=SHUTDOWN_GRACE_SECONDS)
        lines = [line.strip() for line in self._stderr if line.strip()]
        return lines[-1] if lines else ""


def _first_line_then_drain(stdout: IO[bytes], first: "queue.Queue[bytes]") -> None:
    """Hands over the port line, then keeps reading: a policy that prints must never block on a
    full pipe (the engine reads a plugin's stdout for the whole run too)."""
    first.put(stdout.readline())
    for _ in iter(lambda: stdout.read(PIPE_CHUNK_BYTES), b""):
        pass


def pack_python(manifest: PackManifest) -> str:
    candidate = manifest.directory / manifest.virtualenv / "bin" / "python"
    return str(candidate) if candidate.exists() else sys.executable


def pack_environment(
    project: str, stack: str, config: dict[str, str], secret_keys: list[str]
) -> dict[str, str]:
    """What the CLI puts in a pack's environment, so `pulumi.get_stack()` works inside policies."""
    env = dict(os.environ)
    env.update(
        {
            "PULUMI_PROJECT": project,
            "PULUMI_STACK": stack,
            "PULUMI_ORGANIZATION": "organization",
            "PULUMI_DRY_RUN": "true",
        }
    )
    env.pop("PULUMI_CONFIG", None)
    env.pop("PULUMI_CONFIG_SECRET_KEYS", None)
    # ConfigureStack carries the whole config; the variables only when they fit in one string.
    for name, value in (
        ("PULUMI_CONFIG", json.dumps(config)),
        ("PULUMI_CONFIG_SECRET_KEYS", json.dumps(secret_keys)),
    ):
        if len(f"{name}={value}".encode()) < MAX_ENV_STRING_BYTES:
            env[name] = value
    return env
