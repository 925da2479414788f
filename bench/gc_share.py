"""Child-process entry: how much of a program run is Python's cyclic garbage collector.

`python -m bench.gc_share PROJECT_DIR STACK on|off` runs the program once in the offline preview's host
(in-process, as `bench.profile_host` does, without a profiler) with the collector on or off and prints
`{"cpu_s": ..., "collections": [gen0, gen1, gen2]}`. A full collection walks every live object, and a
preview keeps every resource, output and task alive to the end, so its cost grows faster than N.
"""

import gc
import json
import sys
import time
from pathlib import Path

from bench.profile_host import host_request
from offline_preview import program_host


def main(project_dir: Path, stack: str, collector: str) -> None:
    request = host_request(project_dir, stack)
    if collector == "off":
        gc.disable()
    started = time.process_time()
    result = program_host.run(request)
    cpu_s = time.process_time() - started
    if result["failure"]:
        sys.exit(f"bench.gc_share: the program failed: {result['failure']}")
    collections = [generation["collections"] for generation in gc.get_stats()]
    json.dump({"cpu_s": cpu_s, "collections": collections}, sys.stdout)


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve(), sys.argv[2], sys.argv[3])
