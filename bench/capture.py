"""Child-process entry: run a program once under preview mocks and write its registrations as JSON.

`python -m bench.capture PROJECT_DIR STACK OUT.json` — a separate process so the benchmark's own
process never carries the Pulumi runtime's global state (or its memory) from one program to the next.
"""

import argparse
import sys
from pathlib import Path

from bench.registrations import Registration, save

FIXTURE_ACCOUNT = "123456789012"
FIXTURE_REGION = "us-east-1"


def capture(project_dir: Path, stack: str) -> list[Registration]:
    """Registrations of one preview run of `project_dir` on `stack`."""
    from bench.sdk_capture import capture as capture_with_sdk

    return capture_with_sdk(project_dir, stack, FIXTURE_ACCOUNT, FIXTURE_REGION)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.capture", description=__doc__)
    parser.add_argument("project_dir", type=Path)
    parser.add_argument("stack")
    parser.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    out = args.out.resolve()
    save(capture(args.project_dir.resolve(), args.stack), out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
