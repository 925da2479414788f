"""Child-process entry: run a program once under preview mocks and write its registrations as JSON.

`python -m bench.capture PROJECT_DIR STACK OUT.json` — a separate process so the benchmark's own
process never carries the Pulumi runtime's global state (or its memory) from one program to the next.
"""

import argparse
import sys
from pathlib import Path
from typing import Any

from bench.registrations import save
from offline_preview.errors import PreviewError
from offline_preview.program_runner import FIXTURE_ACCOUNT_ID, FIXTURE_REGION, run_program


def capture(project_dir: Path, stack: str) -> list[dict[str, Any]]:
    """Every registration (the root stack included) of one preview run, by the offline preview's runner."""
    run = run_program(project_dir, stack, account_id=FIXTURE_ACCOUNT_ID, region=FIXTURE_REGION)
    return [resource.to_json() for resource in run.resources]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.capture", description=__doc__)
    parser.add_argument("project_dir", type=Path)
    parser.add_argument("stack")
    parser.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    out = args.out.resolve()
    try:
        save(capture(args.project_dir.resolve(), args.stack), out)
    except PreviewError as exc:
        print(f"bench.capture: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
