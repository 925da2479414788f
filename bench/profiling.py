"""Where a run spends its time: cProfile of our program, the floor and our pack at the largest size.

Each run is the offline preview's program host under cProfile in a child process (`bench.profile_host`:
the same program run the preview does, without the pack). The summary splits own time (tottime) by origin — our program, the
offline preview's runner, the Pulumi SDK, pulumi_aws, protobuf/gRPC, asyncio — and lists our program's
most expensive functions by cumulative time: the avoidable work, if any, is there.
"""

import io
import json
import pstats
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.floor import make_floor_project
from bench.stack_config import make_project
from bench.suite import BenchError, Settings

# First match wins: a path is classified by the first fragment it contains.
ORIGINS = (
    ("our program (components/)", "/components/"),
    ("offline preview runner", "/offline_preview/"),
    ("bench capture/replay", "/bench/"),
    ("pulumi_aws", "/pulumi_aws/"),
    ("pulumi SDK", "/pulumi/"),
    ("protobuf / gRPC", "/google/protobuf/"),
    ("protobuf / gRPC", "/grpc/"),
    ("asyncio", "/asyncio/"),
)
OUR_MAIN = "__main__.py"
# The SDK's per-resource work, by cumulative time (stdlib time they cause is counted in them).
SDK_HOTSPOTS = (
    ("pulumi/runtime/resource.py", "_get_stack_trace", "source stack trace of every resource"),
    ("pulumi/runtime/rpc.py", "transfer_properties", "output futures for every input"),
    ("pulumi/runtime/rpc.py", "serialize_properties", "serialising inputs"),
    ("pulumi/runtime/resource.py", "prepare_resource", "awaiting parent/dependency URNs"),
    ("pulumi/runtime/stack.py", "wait_for_rpcs", "waiting for outstanding outputs"),
    ("pulumi/output.py", "__init__", "Output objects (one asyncio task each)"),
)
STACK_FRAME_FUNCTION = ("pulumi/runtime/resource.py", "rpc_frame")
TOP_FUNCTIONS = 12
# importlib's outermost frame for one import: its cumulative time is the whole import cost.
IMPORT_FUNCTION = "_find_and_load"


def profile_largest(settings: Settings, out_dir: Path) -> str:
    """Profile ours and the floor at the largest size; write .prof files; return the summary text."""
    services = max(settings.sizes)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as tmp:
        work = Path(tmp)
        ours_dir = make_project(settings.repo, work, settings.stack, services)
        ours_records = work / "ours.json"
        _run(settings.repo, "bench.capture", str(ours_dir), settings.stack, str(ours_records))
        ours_prof = out_dir / f"profile-ours-{services}.prof"
        _run(settings.repo, "bench.profile_host", str(ours_dir), settings.stack, str(ours_prof))
        floor_dir = make_floor_project(ours_dir, ours_records, work, settings.stack)
        floor_prof = out_dir / f"profile-floor-{services}.prof"
        _run(settings.repo, "bench.profile_host", str(floor_dir), settings.stack, str(floor_prof))
        gc_lines = [
            _gc_share(settings, project, name)
            for project, name in ((ours_dir, "ours"), (floor_dir, "floor"))
        ]
        pack_prof = out_dir / f"profile-pack-{services}.prof"
        pack_summary = _run(
            settings.repo, "bench.profile_pack", str(ours_dir), settings.stack, str(ours_records),
            str(settings.pack_dir), str(settings.pack_config), str(pack_prof),
        )  # fmt: skip
    parts = [
        summarize(ours_prof, f"our program, N={services}", mains=_mains(ours_dir, settings.repo)),
        summarize(floor_prof, f"floor, N={services}", mains=()),
        f"== cyclic GC, N={services} (program host CPU, collector on vs off) ==",
        *gc_lines,
        pack_summary,
    ]
    return "\n".join(parts)


def _gc_share(settings: Settings, project: Path, name: str) -> str:
    """One line: the program run's CPU with the collector on and off, and the collector's share."""
    runs = {}
    for collector in ("on", "off"):
        output = _run(settings.repo, "bench.gc_share", str(project), settings.stack, collector)
        runs[collector] = json.loads(output)
    on, off = runs["on"]["cpu_s"], runs["off"]["cpu_s"]
    return (
        f"  {name}: {on:.2f} s with GC, {off:.2f} s without: the collector is {(on - off) / on:.0%} "
        f"(collections per generation {runs['on']['collections']})"
    )


def _run(repo: Path, module: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", module, *args], cwd=repo, capture_output=True, text=True
    )
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(no stderr)"])[-1]
        raise BenchError(f"{module} failed for {Path(args[0]).name}: {last}")
    return done.stdout.strip()


def _mains(project_dir: Path, repo: Path) -> tuple[str, ...]:
    """Our `__main__.py` as the profiler names it: in the generated project, or the repo's (cap shim)."""
    return (str(project_dir / OUR_MAIN), str(repo / OUR_MAIN))


def summarize(prof: Path, title: str, *, mains: tuple[str, ...]) -> str:
    stats = pstats.Stats(str(prof))
    raw = stats.stats  # type: ignore[attr-defined]  # {(file, line, func): (cc, nc, tt, ct, callers)}
    total = sum(entry[2] for entry in raw.values())
    by_origin: dict[str, float] = {}
    ours: list[tuple[float, float, int, str]] = []
    for (filename, line, function), (_, calls, tottime, cumtime, _) in raw.items():
        origin = _origin(filename, mains)
        by_origin[origin] = by_origin.get(origin, 0.0) + tottime
        if origin.startswith("our program"):
            ours.append((cumtime, tottime, calls, f"{_short(filename)}:{line} {function}"))
    imports = max(
        (entry[3] for key, entry in raw.items() if key[2] == IMPORT_FUNCTION), default=0.0
    )
    lines = [
        f"== cProfile, {title}: {total:.2f} s of own time ({prof}) ==",
        f"  imports (cumulative, all origins): {imports:.2f} s = {imports / total:.1%}",
    ]
    for origin, seconds in sorted(by_origin.items(), key=lambda item: -item[1]):
        lines.append(f"  {seconds / total:6.1%}  {seconds:6.2f} s  {origin}")
    lines.append("  SDK per-resource work (cumulative; calls):")
    for path, function, meaning in SDK_HOTSPOTS:
        cumtime, calls = _cumulative(raw, path, function)
        lines.append(
            f"    {cumtime / total:6.1%}  {cumtime:6.2f} s  {calls:7d}  {function}: {meaning}"
        )
    frames, _ = _cumulative(raw, *STACK_FRAME_FUNCTION, count_only=True)
    _, traces = _cumulative(raw, "pulumi/runtime/resource.py", "_get_stack_trace")
    if traces:
        lines.append(f"    stack frames captured per resource: {frames / traces:.1f}")
    if ours:
        lines.append(f"  our program's functions by cumulative time (top {TOP_FUNCTIONS}):")
        for cumtime, tottime, calls, where in sorted(ours, reverse=True)[:TOP_FUNCTIONS]:
            lines.append(
                f"    cum {cumtime:6.3f} s  own {tottime:6.3f} s  {calls:6d} calls  {where}"
            )
    lines.append(_top_own_time(stats))
    return "\n".join(lines)


def _cumulative(
    raw: dict, path: str, function: str, *, count_only: bool = False
) -> tuple[float, int]:
    """(cumulative seconds, calls) of one function; with count_only, (calls, calls)."""
    for (filename, _, name), (_, calls, _, cumtime, _) in raw.items():
        if name == function and filename.endswith(path):
            return (float(calls) if count_only else cumtime), calls
    return 0.0, 0


def _origin(filename: str, mains: tuple[str, ...]) -> str:
    if filename in mains:
        return "our program (__main__.py)"
    for label, fragment in ORIGINS:
        if fragment in filename:
            return label
    return "other (stdlib, builtins)"


def _short(filename: str) -> str:
    for marker in ("/site-packages/", "/components/", "/offline_preview/"):
        if marker in filename:
            return marker.strip("/") + "/" + filename.split(marker, 1)[1]
    return filename


def _top_own_time(stats: pstats.Stats) -> str:
    buffer = io.StringIO()
    stats.stream = buffer  # type: ignore[attr-defined]
    stats.sort_stats("tottime").print_stats(TOP_FUNCTIONS)
    body = buffer.getvalue()
    table = body[body.find("   ncalls") :] if "   ncalls" in body else body
    return "  top functions by own time:\n" + table.rstrip()
