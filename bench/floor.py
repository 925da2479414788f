"""The floor project for one size: our recorded registrations replayed by `floor_program.py`.

Same `Pulumi.yaml` and stack file as ours (so the preview reads the same config and builds the same
URNs), a generated `registrations.json`, and the replay program as `__main__.py`.
"""

import shutil
from pathlib import Path

from bench.stack_config import stack_file

FLOOR_PROGRAM = Path(__file__).with_name("floor_program.py")
REGISTRATIONS_FILE = "registrations.json"


def make_floor_project(ours: Path, registrations: Path, work_dir: Path, stack: str) -> Path:
    """A project dir under `work_dir` whose program replays `registrations` (a JSON file)."""
    floor_dir = work_dir / f"floor-{ours.name.removeprefix('ours-')}"
    floor_dir.mkdir(parents=True)
    shutil.copyfile(ours / "Pulumi.yaml", floor_dir / "Pulumi.yaml")
    shutil.copyfile(stack_file(ours, stack), stack_file(floor_dir, stack))
    shutil.copyfile(registrations, floor_dir / REGISTRATIONS_FILE)
    shutil.copyfile(FLOOR_PROGRAM, floor_dir / "__main__.py")
    return floor_dir
