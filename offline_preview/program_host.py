"""Child-process side of `run_program`: runs one Pulumi program as the Python language host would.

Run as `python -m offline_preview.program_host REQUEST.json RESULT.json`. The program gets a fresh
interpreter (the SDK keeps its settings, config and root stack in module globals, and the program's
own modules stay cached in `sys.modules`), cwd = its project directory and its directory first on
`sys.path`, exactly like `pulumi-language-python-exec`.
"""

import asyncio
import gc
import json
import os
import runpy
import sys
import traceback
from pathlib import Path
from typing import Any

import pulumi.runtime
from google.protobuf import empty_pb2
from pulumi.runtime import set_all_config
from pulumi.runtime.mocks import MockSettings
from pulumi.runtime.settings import configure
from pulumi.runtime.stack import run_in_stack

from offline_preview import cycle_breaker, declaration_sites
from offline_preview.capture import CaptureMonitor, FixtureMocks, RecordingEngine
from offline_preview.lookups.recorded import RecordedLookups
from offline_preview.user_code import InvokeSites, user_location

ORGANIZATION = "organization"  # what the CLI passes for a DIY backend
# The SDK's own functions, wrapped afresh by each run (a second run in one process must not wrap twice).
SDK_INVOKE, SDK_INVOKE_OUTPUT = pulumi.runtime.invoke, pulumi.runtime.invoke_output

# The SDK keeps a web of outputs, futures and tasks alive per resource for the whole run. With CPython's
# default generation-0 threshold (700) the cyclic collector re-walks that ever-growing heap again and
# again: a third of the run at 100 services (bench/README.md). This process lives for one run and frees
# everything on exit, so it collects rarely; the program's behaviour is unchanged. When registrations
# finish, the SDK leaves their tasks, futures and outputs as cyclic garbage (750k objects at 100
# services): at 50_000 the collector freed them at ~2 us each during the run, 20% of the host's CPU at
# 100 services and 2% at 10. At 500_000 it runs 6 times instead of 57 and the rest is left to exit
# (`main`), for 12 MiB more peak here; at most ~500k dead container objects wait for a collection.
GC_THRESHOLDS = (500_000, 20, 100)


def main(request_path: str, result_path: str) -> None:
    request = json.loads(Path(request_path).read_text())
    write_result(run(request), Path(result_path))
    # Everything below is done; the interpreter's shutdown would still run a full collection over all
    # the SDK kept alive (1.5 million objects at 100 services: 2.6 s, a sixth of the run) only to free
    # memory the OS reclaims at exit. Frozen objects are left out of collections (Python docs, gc.freeze),
    # and Python never promised `__del__` at exit for what still exists then (reference manual,
    # "object.__del__"): the program's atexit handlers and the module teardown still run.
    gc.freeze()


def write_result(result: dict[str, Any], path: Path) -> None:
    """`result` as JSON, one registration at a time: the whole document as one string (57 MB at 100
    services, mostly buildspecs) next to a JSON copy of every registration raised the host's peak."""
    with path.open("w", encoding="utf-8") as out:
        out.write('{"logs": ' + json.dumps(result["logs"]))
        out.write(', "failure": ' + json.dumps(result["failure"]) + ', "resources": [')
        for index, registration in enumerate(result["resources"]):
            out.write((", " if index else "") + json.dumps(registration.to_json()))
        out.write("]}")


def run(request: dict[str, Any]) -> dict[str, Any]:
    """Runs the program; `resources` holds the `RegisteredResource`s in registration order (written
    out by `write_result`), `logs` and `failure` are JSON-ready."""
    project_dir = Path(request["project_dir"])
    main_path = Path(request["main"])
    os.chdir(project_dir)
    # Our own package root was only needed to import this module: the program must not see it.
    package_root = request.get("package_root")
    sys.path[:] = [p for p in sys.path if p not in (package_root, "")]
    sys.path.insert(0, str(main_path.parent))
    sys.argv = [str(main_path)]

    recorded = RecordedLookups.from_json(request.get("recorded_lookups") or [])
    mocks = FixtureMocks(
        request["account_id"], request["region"], request.get("invoke_answers"), recorded
    )
    monitor = CaptureMonitor(mocks, request["project"], request["stack"])
    engine = RecordingEngine()
    configure(
        MockSettings(
            monitor=monitor,
            monitor_features=set(monitor.GetDeploymentInfo(empty_pb2.Empty()).supportedFeatures),
            engine=engine,
            project=request["project"],
            stack=request["stack"],
            dry_run=True,
            organization=ORGANIZATION,
            callbacks=None,
        )
    )
    set_all_config(request["config"], request["secret_keys"])
    # What the language host puts in the program's environment; set here, not through exec (the
    # runner explains why), so code that reads the variables directly sees them too.
    os.environ["PULUMI_CONFIG"] = json.dumps(request["config"])
    os.environ["PULUMI_CONFIG_SECRET_KEYS"] = json.dumps(request["secret_keys"])

    sites = InvokeSites(project_dir)
    pulumi.runtime.invoke = sites.wrap(SDK_INVOKE)
    pulumi.runtime.invoke_output = sites.wrap(SDK_INVOKE_OUTPUT)
    declaration_sites.install(project_dir)  # each registration carries the user's file:line

    failure: dict[str, str] | None = None
    # The SDK's cycle check, answered without walking whole dependency closures (same answers; the
    # SDK's own walk is kept on any other SDK version): offline_preview/cycle_breaker.py.
    cycle_breaker.install()
    gc.set_threshold(*GC_THRESHOLDS)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(
            run_in_stack(lambda: runpy.run_path(str(main_path), run_name="__main__"))
        )
    except BaseException as exc:  # reported as a ProgramError, never a traceback
        failure = describe_failure(exc, project_dir, mocks.unanswered, sites)
    finally:
        loop.close()

    return {
        "resources": list(monitor.registrations),
        "logs": [vars(m) for m in engine.messages],
        "failure": failure,
    }


def describe_failure(
    exc: BaseException, project_dir: Path, unanswered: list[str], sites: InvokeSites | None = None
) -> dict[str, str]:
    """The exception's type, message and the innermost frame that lies in the user's project
    (for a failed output-form invoke, whose traceback has none: the line that called it)."""
    location = user_location(traceback.extract_tb(exc.__traceback__), project_dir)
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if not location and sites is not None:
        location = sites.site_named_in(message)
    if isinstance(exc, SystemExit):
        message = f"the program called sys.exit({exc.code!r})"
    if unanswered and not any(token in message for token in unanswered):
        message = f"{message} (the offline preview could not answer {unanswered[-1]})"
    return {
        "exception_type": type(exc).__name__,
        "message": message,
        "location": location,
        "unanswered": unanswered[-1] if unanswered else "",
    }


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
