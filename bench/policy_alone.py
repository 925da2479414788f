"""Child-process entry: one policy pack alone over recorded registrations, timed phase by phase.

`python -m bench.policy_alone REGISTRATIONS.json PACK_DIR [--config FILE]` prints one JSON object:
the pack's start-up, then `Analyze` for every resource and one `AnalyzeStack`, as the engine calls them.
"""

import argparse
import json
import sys
import time
from pathlib import Path

from bench.registrations import load
from bench.sdk_analyzer import PackProcess, load_config


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.policy_alone", description=__doc__)
    parser.add_argument("registrations", type=Path)
    parser.add_argument("pack_dir", type=Path)
    parser.add_argument("--config", type=Path)
    args = parser.parse_args(argv)
    registrations = load(args.registrations)

    started = time.perf_counter()
    pack = PackProcess(args.pack_dir.resolve())
    try:
        pack.configure(load_config(args.config))
        ready = time.perf_counter()
        diagnostics = pack.analyze(registrations)
        analyzed = time.perf_counter()
        diagnostics += pack.analyze_stack(registrations)
        done = time.perf_counter()
    finally:
        pack.close()
    json.dump(
        {
            "resources": len(registrations),
            "start_s": ready - started,
            "analyze_s": analyzed - ready,
            "analyze_stack_s": done - analyzed,
            "diagnostics": len(diagnostics),
        },
        sys.stdout,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
