"""One benchmark run: for each size, ours and the floor end to end, then the pack alone, interleaved.

Every measurement is a child process started the same way, so ours and the floor pay the same
interpreter start and imports. Repeats alternate which of the pair runs first, so a burst of noise on a
shared machine does not always land on the same side; the report takes medians.
"""

import json
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from statistics import median
from typing import Any

from bench.floor import make_floor_project
from bench.process_probe import ChildRun, run_measured
from bench.registrations import load, shape
from bench.stack_config import make_project

EMPTY_PACK = Path(__file__).with_name("empty_pack")
# The preview exits 1 when the pack reports a mandatory violation: still a complete, comparable run.
PREVIEW_OK_CODES = (0, 1)


class BenchError(Exception):
    """A step of the benchmark failed; the message says which and why, on one line."""


@dataclass(frozen=True)
class Settings:
    repo: Path
    stack: str
    pack_dir: Path
    pack_config: Path
    sizes: list[int]
    repeats: int


@dataclass
class Sample:
    wall_s: float
    cpu_s: float
    peak_rss_mib: float


@dataclass
class PackSample:
    start_s: float  # start, handshake, configure, stop
    eval_s: float  # Remediate/Analyze for every resource + AnalyzeStack
    violations: int


@dataclass
class SizeResult:
    """Every sample of one size; the report reduces them to medians."""

    services: int
    resources: int
    ours: list[Sample] = field(default_factory=list)
    floor: list[Sample] = field(default_factory=list)
    pack: list[PackSample] = field(default_factory=list)
    empty_pack: list[PackSample] = field(default_factory=list)

    def median_of(self, samples: str, attribute: str) -> float:
        return median(getattr(sample, attribute) for sample in getattr(self, samples))


def run_suite(settings: Settings, progress: Callable[[str], None]) -> list[SizeResult]:
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        return [_run_size(settings, n, Path(tmp), progress) for n in settings.sizes]


def _run_size(
    settings: Settings, services: int, work_dir: Path, progress: Callable[[str], None]
) -> SizeResult:
    ours_dir = make_project(settings.repo, work_dir, settings.stack, services)
    progress(f"N={services}: recording our registrations")
    ours_file = work_dir / f"ours-{services}.json"
    _capture(settings, ours_dir, ours_file)
    floor_dir = make_floor_project(ours_dir, ours_file, work_dir, settings.stack)
    floor_file = work_dir / f"floor-{services}.json"
    _capture(settings, floor_dir, floor_file)
    _check_floor_replays_ours(ours_file, floor_file, services)
    result = SizeResult(services, len(load(ours_file)))

    count = result.resources
    ours = partial(_preview, settings, ours_dir, settings.pack_dir, settings.pack_config, count)
    floor = partial(_preview, settings, floor_dir, EMPTY_PACK, None, count)
    pack = partial(
        _pack_alone, settings, ours_dir, ours_file, settings.pack_dir, settings.pack_config
    )
    empty_pack = partial(_pack_alone, settings, ours_dir, ours_file, EMPTY_PACK, None)
    for repeat in range(settings.repeats):
        progress(f"N={services}: end-to-end preview, repeat {repeat + 1}/{settings.repeats}")
        _interleaved(repeat, (result.ours, ours), (result.floor, floor))
        progress(f"N={services}: policy pack alone, repeat {repeat + 1}/{settings.repeats}")
        _interleaved(repeat, (result.pack, pack), (result.empty_pack, empty_pack))
    return result


def _interleaved(repeat: int, *pairs: tuple[list[Any], Callable[[], Any]]) -> None:
    """Run each measurement once, the order flipped on odd repeats so noise hits both sides alike."""
    for samples, measure in pairs if repeat % 2 == 0 else reversed(pairs):
        samples.append(measure())


def _capture(settings: Settings, project_dir: Path, out: Path) -> None:
    command = [sys.executable, "-m", "bench.capture", str(project_dir), settings.stack, str(out)]
    _checked(run_measured(command, cwd=settings.repo), f"recording {project_dir.name}", (0,))


def _check_floor_replays_ours(ours_file: Path, floor_file: Path, services: int) -> None:
    ours, floor = shape(load(ours_file)), shape(load(floor_file))
    if ours == floor:
        return
    diff = next(
        (f"ours {a[2]} vs floor {b[2]}" for a, b in zip(ours, floor, strict=False) if a != b), ""
    )
    raise BenchError(
        f"N={services}: the floor does not replay our registrations "
        f"({len(ours)} vs {len(floor)} resources; first difference: {diff or 'count'})"
    )


def _preview(
    settings: Settings, project_dir: Path, pack: Path, config: Path | None, expected: int
) -> Sample:
    command = [
        sys.executable, "-m", "offline_preview", "--cwd", str(project_dir),
        "--stack", settings.stack, "--policy-pack", str(pack), "--json",
    ]  # fmt: skip
    if config is not None:
        command += ["--policy-pack-config", str(config)]
    run = _checked(run_measured(command, cwd=settings.repo), f"preview of {project_dir.name}")
    # Every timed run must have done the whole work: the root stack plus every recorded resource.
    shown = shown_resources(json.loads(run.stdout))
    if shown != expected + 1:
        raise BenchError(
            f"preview of {project_dir.name} showed {shown} resources, not {expected + 1}"
        )
    return Sample(run.wall_s, run.cpu_s, run.peak_rss_mib)


def shown_resources(document: dict[str, Any]) -> int:
    """How many resources a `--json` document shows: one `steps` entry each (the CLI's shape; the
    mock runtime registers no default provider, the one step kind the CLI leaves out)."""
    return len(document["steps"])


def _pack_alone(
    settings: Settings, project: Path, records: Path, pack: Path, config: Path | None
) -> PackSample:
    command = [sys.executable, "-m", "bench.policy_alone", str(project), settings.stack,
               str(records), str(pack)]  # fmt: skip
    if config is not None:
        command += ["--config", str(config)]
    run = _checked(run_measured(command, cwd=settings.repo), f"pack {pack.name} alone", (0,))
    timing: dict[str, Any] = json.loads(run.stdout)
    return PackSample(timing["start_s"], timing["eval_s"], timing["violations"])


def _checked(run: ChildRun, what: str, ok: tuple[int, ...] = PREVIEW_OK_CODES) -> ChildRun:
    if run.returncode not in ok:
        lines = [line for line in run.stderr.splitlines() if line.strip()] or ["(no stderr)"]
        raise BenchError(f"{what} failed with exit code {run.returncode}: {lines[-1].strip()}")
    return run
