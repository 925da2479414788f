"""Dump what the program registers for each stack, to prove a refactoring changes nothing unintended.

`python -m tools.dump_registrations OUT_DIR` writes one canonical JSON file per stack (dev, staging,
prod and a generated stack with many services): every registration as the engine receives it (type,
name, URN, parent, inputs, dependencies, property dependencies, protect/retain), sorted by URN, with
dependency lists sorted. `--compare BEFORE_DIR` then prints what differs and exits 1 if anything does.
"""

import argparse
import difflib
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.stack_config import make_project
from offline_preview.program_runner import run_program
from offline_preview.registration import RegisteredResource

PROJECT_DIR = Path(__file__).resolve().parent.parent
STACKS = ("dev", "staging", "prod")
GENERATED_SERVICES = 12
"""Four services of each compute platform, on prod's settings."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.dump_registrations")
    parser.add_argument("out_dir", type=Path, help="where to write <stack>.json")
    parser.add_argument("--compare", type=Path, metavar="BEFORE_DIR", help="an earlier dump")
    args = parser.parse_args(argv)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    for name, dump in dumps().items():
        (args.out_dir / f"{name}.json").write_text(json.dumps(dump, indent=1, sort_keys=True))
    if args.compare is None:
        return 0
    return 1 if compare(args.compare, args.out_dir) else 0


def dumps() -> dict[str, list[dict[str, Any]]]:
    """Canonical registrations of every stack, keyed by stack name."""
    result = {stack: canonical(run_program(PROJECT_DIR, stack).resources) for stack in STACKS}
    with tempfile.TemporaryDirectory() as work:
        project = make_project(PROJECT_DIR, Path(work), "prod", GENERATED_SERVICES)
        result[f"prod-{GENERATED_SERVICES}"] = canonical(run_program(project, "prod").resources)
    return result


def canonical(resources: list[RegisteredResource]) -> list[dict[str, Any]]:
    """Registration order varies with scheduling; what the engine builds from them does not."""
    return [
        {
            "type": r.type,
            "name": r.name,
            "urn": r.urn,
            "parent": r.parent,
            "inputs": r.inputs,
            "dependencies": sorted(r.dependencies),
            "property_dependencies": {k: sorted(v) for k, v in r.property_dependencies.items()},
            "protect": r.protect,
            "retain_on_delete": r.retain_on_delete,
        }
        for r in sorted(resources, key=lambda r: r.urn)
    ]


def compare(before_dir: Path, after_dir: Path) -> bool:
    """Print a unified diff per stack; True when anything differs."""
    differs = False
    for after in sorted(after_dir.glob("*.json")):
        before = before_dir / after.name
        old = before.read_text().splitlines() if before.exists() else []
        diff = list(
            difflib.unified_diff(old, after.read_text().splitlines(), str(before), str(after), n=2)
        )
        if diff:
            differs = True
            sys.stdout.write("\n".join(diff) + "\n")
    return differs


if __name__ == "__main__":
    sys.exit(main())
