"""Public API: run a Pulumi Python program as on a first `pulumi preview` and return what it registered.

Each run happens in a child interpreter (`offline_preview.program_host`). The SDK keeps its settings,
config, root stack and callback server in module globals and the program's modules stay cached in
`sys.modules`, so a second in-process run (another stack, another project, the same pytest session)
would see the first one's state. A child costs the interpreter start and the SDK imports once per run
(measured in the README), which buys isolation and lets the program run in its own virtualenv.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from offline_preview import child_processes
from offline_preview.capture import LogMessage
from offline_preview.errors import PreviewError, ProgramError
from offline_preview.lookups.recorded import RecordedLookups
from offline_preview.project import Project, load_project
from offline_preview.registration import STACK_TYPE, RegisteredResource

FIXTURE_ACCOUNT_ID = "123456789012"
FIXTURE_REGION = "us-east-1"
REGION_CONFIG_KEY = "aws:region"
DEFAULT_PROGRAM_TIMEOUT_SECONDS = 600.0
POLL_SECONDS = 0.5
# Shorter texts are not worth a dictionary lookup (see `share_repeated_texts`).
SHARED_TEXT_MIN_CHARS = 1024
# The directory that holds the `offline_preview` package, so the child can import it.
PACKAGE_ROOT = Path(__file__).resolve().parent.parent


@dataclass
class ProgramRun:
    """Everything one preview of the program registered, in registration order.

    `resources` are the registrations, the engine's `news`; reads (`Resource.get`, StackReference)
    are kept apart in `steps` because the engine keeps them apart: a read step never reaches
    Analyze (pulumi/pulumi pkg/resource/deploy/step_generator.go, `GenerateReadSteps`, calls no
    analyzer) nor AnalyzeStack (step_executor.go stores a read's state in `deployment.reads`, and
    `AnalyzeResources` ranges over `deployment.news` only).
    """

    project: Project
    account_id: str
    region: str
    resources: list[RegisteredResource]
    outputs: dict[str, Any] = field(default_factory=dict)  # stack outputs, wire form
    diagnostics: list[LogMessage] = field(default_factory=list)
    # Registrations and reads in the order the monitor got them (empty: `resources` alone).
    steps: list[RegisteredResource] = field(default_factory=list)

    @property
    def reads(self) -> list[RegisteredResource]:
        return [r for r in self.steps if r.read]

    def all_steps(self) -> list[RegisteredResource]:
        """Registrations and reads, interleaved as the program made them."""
        return self.steps or self.resources

    @property
    def stack_resource(self) -> RegisteredResource:
        return next(r for r in self.resources if r.type == STACK_TYPE)

    def of_type(self, type_token: str) -> list[RegisteredResource]:
        return [r for r in self.resources if r.type == type_token]

    def named(self, name: str) -> RegisteredResource:
        matches = [r for r in self.resources if r.name == name]
        if len(matches) != 1:
            raise KeyError(f"expected one resource named {name!r}, found {len(matches)}")
        return matches[0]

    def by_urn(self, urn: str) -> RegisteredResource:
        return next(r for r in self.resources if r.urn == urn)

    @property
    def errors(self) -> list[LogMessage]:
        return [d for d in self.diagnostics if d.severity == "error"]


def run_program(
    project_dir: Path,
    stack: str,
    *,
    account_id: str = FIXTURE_ACCOUNT_ID,
    region: str | None = None,
    invoke_answers: Mapping[str, dict] | None = None,
    timeout: float = DEFAULT_PROGRAM_TIMEOUT_SECONDS,
    lookups: RecordedLookups | None = None,
) -> ProgramRun:
    """Run `project_dir`'s program for `stack` under preview-mode mocks.

    `region` defaults to the stack's `aws:region`, else us-east-1; it answers getRegion only (the
    program's config is the stack's). Raises PreviewError for project/config problems and
    ProgramError when the program raises, PreviewError when it runs longer than `timeout` seconds.
    `lookups` answers the cloud reads the program makes (`--lookups`).
    """
    project = load_project(Path(project_dir), stack)
    region = region or str(project.config.get(REGION_CONFIG_KEY) or FIXTURE_REGION)
    request = host_request(project, project.stack, account_id, region, invoke_answers, lookups)
    result, output_lines = _run_child(project, request, timeout)
    if result["failure"]:
        raise ProgramError(**result["failure"])
    texts: dict[str, str] = {}
    for record in result["resources"]:
        share_repeated_texts(record["inputs"], texts)
        share_repeated_texts(record["outputs"], texts)
    steps = [RegisteredResource.from_json(r) for r in result["resources"]]
    resources = [r for r in steps if not r.read]
    stack_urn = next((r.urn for r in resources if r.type == STACK_TYPE), "")
    diagnostics = [LogMessage(**m) for m in result["logs"]]
    diagnostics += [LogMessage("info", line, stack_urn) for line in output_lines]
    stack_outputs = next((r.outputs for r in resources if r.type == STACK_TYPE), None)
    return ProgramRun(
        project, account_id, region, resources, stack_outputs or {}, diagnostics, steps
    )


def share_repeated_texts(value: Any, seen: dict[str, str]) -> None:
    """Makes every long string inside `value` (lists and dicts, changed in place) one shared object.

    Why: the program renders a text once and hands it to many resources (every CodeBuild project of a
    kind carries the same ~120 KB buildspec), but JSON gives each occurrence its own copy: 43 MB of
    copies of 1.8 MB of distinct text at 100 services, held for the whole policy run. Equal strings
    are interchangeable, so sharing them changes no value."""
    items = value.items() if isinstance(value, dict) else enumerate(value or ())
    for key, item in items:
        if isinstance(item, str):
            if len(item) >= SHARED_TEXT_MIN_CHARS:
                value[key] = seen.setdefault(item, item)
        elif isinstance(item, dict | list):
            share_repeated_texts(item, seen)


def host_request(
    project: Project,
    stack: str,
    account_id: str,
    region: str,
    invoke_answers: Mapping[str, dict] | None = None,
    lookups: RecordedLookups | None = None,
) -> dict[str, Any]:
    """What the child's `program_host.run` needs: the program, its config and the fixture answers."""
    return {
        "project_dir": str(project.directory),
        "main": str(project.main),
        "project": project.name,
        "stack": stack,
        "config": project.config_env(),
        "secret_keys": project.secret_keys,
        "account_id": account_id,
        "region": region,
        "invoke_answers": dict(invoke_answers or {}),
        "recorded_lookups": lookups.to_json() if lookups else [],
        "package_root": str(PACKAGE_ROOT),
    }


def _run_child(
    project: Project, request: dict[str, Any], timeout: float
) -> tuple[dict[str, Any], list[str]]:
    with tempfile.TemporaryDirectory(prefix="offline-preview-") as scratch:
        request_path = Path(scratch) / "request.json"
        result_path = Path(scratch) / "result.json"
        # The config travels in this file, not in one environment variable: a large config would
        # exceed the kernel's limit on one variable (MAX_ARG_STRLEN, 128 KiB) and fail the exec.
        request_path.write_text(json.dumps(request))
        process = child_processes.start(
            [
                project.python(),
                "-u",
                "-m",
                "offline_preview.program_host",
                str(request_path),
                str(result_path),
            ],
            cwd=project.directory,
            env=_child_env(project),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        try:
            stdout, stderr = _communicate(process, timeout)
        finally:
            child_processes.stop(process)
        if not result_path.exists():
            last = _last_line(stderr.decode(errors="replace"))
            raise PreviewError(
                f"the program host ({project.python()}) failed to run: "
                f"{last or f'exit code {process.returncode}'}"
            )
        result = json.loads(result_path.read_text())
    # What the program printed: the CLI shows it as diagnostics of the stack.
    lines = [line for line in stdout.decode(errors="replace").splitlines() if line.strip()]
    return result, lines


def _communicate(process: subprocess.Popen, timeout: float) -> tuple[bytes, bytes]:
    """The host's output once it exits, even if something it started still holds its pipes."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return process.communicate(timeout=POLL_SECONDS)
        except subprocess.TimeoutExpired:
            if process.poll() is not None:  # exited; a leftover child keeps the pipe open
                child_processes.stop(process)
                try:
                    return process.communicate(timeout=child_processes.SHUTDOWN_GRACE_SECONDS)
                except subprocess.TimeoutExpired as left_open:  # it left our process group
                    return left_open.stdout or b"", left_open.stderr or b""
            if time.monotonic() > deadline:
                raise PreviewError(
                    f"the program did not finish within {timeout:g}s; raise --timeout if it is "
                    "just slow"
                ) from None


def _child_env(project: Project) -> dict[str, str]:
    """The variables the language host sets for a program (no engine or monitor address).

    PULUMI_CONFIG is set by the host itself, from the request file (see `_run_child`).
    """
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(PACKAGE_ROOT), env.get("PYTHONPATH", "")) if p
    )
    env.update(
        {
            "PULUMI_PROJECT": project.name,
            "PULUMI_STACK": project.stack,
            "PULUMI_ORGANIZATION": "organization",
            "PULUMI_DRY_RUN": "true",
        }
    )
    for name in ("PULUMI_MONITOR", "PULUMI_ENGINE", "PULUMI_CONFIG", "PULUMI_CONFIG_SECRET_KEYS"):
        env.pop(name, None)
    return env


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


if __name__ == "__main__":  # a quick look: python -m offline_preview.program_runner DIR STACK
    try:
        run = run_program(Path(sys.argv[1]), sys.argv[2])
    except PreviewError as exc:
        sys.exit(f"error: {exc}")
    for resource in run.resources:
        print(resource.urn)
