"""Child-process entry: where a policy pack's evaluation time goes, per policy and inside the SDK.

`python -m bench.profile_pack PROJECT_DIR STACK RECORDS.json PACK_DIR CONFIG.json OUT.prof` prints a
summary. The engine talks to the pack over gRPC, whose server threads cProfile cannot follow, so the pack
is evaluated in-process: its `__main__.py` is run with `PolicyPack` replaced by a recorder (no server),
and the SDK's analyzer servicer (`pulumi_policy.policy._PolicyAnalyzerServicer`, private: the same one
the server wraps) gets the engine's requests built by `offline_preview.engine_view`. Each policy's
`validate` is timed on its own, so a policy's own logic and the SDK's work around it are told apart.
"""

import cProfile
import json
import os
import pstats
import runpy
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi_policy
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy.policy import _PolicyAnalyzerServicer

from offline_preview.engine_view import analyze_request, analyze_stack_request, engine_resources
from offline_preview.program_runner import FIXTURE_ACCOUNT_ID, FIXTURE_REGION, ProgramRun
from offline_preview.project import load_project
from offline_preview.registration import RegisteredResource

PACK_VERSION = "0.0.1"
LEVELS = {
    "advisory": analyzer_pb2.ADVISORY,
    "mandatory": analyzer_pb2.MANDATORY,
    "remediate": analyzer_pb2.REMEDIATE,
    "disabled": analyzer_pb2.DISABLED,
}
# The SDK's per-call work that does not depend on which policy runs.
SDK_WORK = (
    ("pulumi_policy/deserialize.py", "deserialize_properties", "deserialising properties"),
    ("google/protobuf/json_format.py", "MessageToDict", "protobuf Struct -> dict"),
    ("pulumi_policy/policy.py", "_get_resource_options", "resource options"),
    ("pulumi_policy/policy.py", "_get_provider_resource", "provider resource"),
)


class _RecordedPack:
    """Stands in for `PolicyPack`: keeps its arguments instead of starting a server."""

    arguments: dict[str, Any] = {}

    def __init__(self, name: str, policies: list[Any], **options: Any) -> None:
        _RecordedPack.arguments = {"name": name, "policies": policies, **options}


def main(
    project_dir: Path, stack: str, records: Path, pack_dir: Path, config: Path, out: Path
) -> None:
    resources = [RegisteredResource.from_json(r) for r in json.loads(records.read_text())]
    run = ProgramRun(
        load_project(project_dir, stack), FIXTURE_ACCOUNT_ID, FIXTURE_REGION, resources
    )
    engine_view = engine_resources(run)
    servicer, policy_seconds = _servicer(pack_dir, json.loads(config.read_text()))
    requests = [analyze_request(resource) for resource in engine_view]
    stack_request = analyze_stack_request(engine_view)

    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for request in requests:
        servicer.Analyze(request, None)
    analyzed = time.perf_counter()
    servicer.AnalyzeStack(stack_request, None)
    profiler.disable()
    done = time.perf_counter()
    profiler.dump_stats(out)
    print(_summary(out, len(requests), analyzed - started, done - analyzed, policy_seconds))


def _servicer(
    pack_dir: Path, config: dict[str, Any]
) -> tuple[_PolicyAnalyzerServicer, dict[str, float]]:
    pulumi_policy.PolicyPack = _RecordedPack  # type: ignore[misc,assignment]
    sys.path.insert(0, str(pack_dir))
    cwd = Path.cwd()
    os.chdir(pack_dir)
    try:
        runpy.run_path(str(pack_dir / "__main__.py"), run_name="__main__")
    finally:
        os.chdir(cwd)
    arguments = _RecordedPack.arguments
    policy_seconds: dict[str, float] = defaultdict(float)
    for policy in arguments["policies"]:
        policy.validate = _timed(policy.validate, policy.name, policy_seconds)
    level = arguments.get("enforcement_level") or pulumi_policy.EnforcementLevel.ADVISORY
    servicer = _PolicyAnalyzerServicer(
        arguments["name"],
        PACK_VERSION,
        arguments["policies"],
        level,
        arguments.get("initial_config"),
    )
    request = analyzer_pb2.ConfigureAnalyzerRequest()
    for name, settings in config.items():
        settings = {"enforcementLevel": settings} if isinstance(settings, str) else dict(settings)
        entry = request.policyConfig[name]
        entry.enforcementLevel = LEVELS[settings.pop("enforcementLevel", "advisory")]
        entry.properties.update(settings)
    servicer.Configure(request, None)
    return servicer, policy_seconds


def _timed(
    validate: Callable[..., Any], name: str, seconds: dict[str, float]
) -> Callable[..., Any]:
    def timed(*args: Any) -> Any:
        started = time.perf_counter()
        try:
            return validate(*args)
        finally:
            seconds[name] += time.perf_counter() - started

    return timed


def _summary(
    prof: Path, resources: int, analyze_s: float, stack_s: float, policy_seconds: dict[str, float]
) -> str:
    raw = pstats.Stats(str(prof)).stats  # type: ignore[attr-defined]
    total = analyze_s + stack_s
    lines = [
        f"== policy pack in-process (cProfile on, so slower than over gRPC): {resources} Analyze "
        f"calls {analyze_s:.2f} s ({1000 * analyze_s / resources:.2f} ms each), AnalyzeStack "
        f"{stack_s:.2f} s ({prof}) ==",
        "  SDK work around the policies (cumulative; calls):",
    ]
    for path, function, meaning in SDK_WORK:
        cumtime, calls = next(
            ((entry[3], entry[1]) for key, entry in raw.items()
             if key[2] == function and key[0].endswith(path)),
            (0.0, 0),
        )  # fmt: skip
        lines.append(f"    {cumtime / total:6.1%}  {cumtime:6.2f} s  {calls:7d}  {meaning}")
    own = sum(policy_seconds.values())
    lines.append(f"  policies' own validate functions: {own:.2f} s = {own / total:.1%}; by policy:")
    for name, seconds in sorted(policy_seconds.items(), key=lambda item: -item[1])[:10]:
        lines.append(f"    {seconds / total:6.1%}  {seconds:6.2f} s  {name}")
    return "\n".join(lines)


if __name__ == "__main__":
    project, stack_name, records_file, pack, config_file, out_file = sys.argv[1:7]
    main(Path(project), stack_name, Path(records_file), Path(pack).resolve(),
         Path(config_file).resolve(), Path(out_file).resolve())  # fmt: skip
