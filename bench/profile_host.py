"""Child-process entry: one program run by the offline preview's host, under cProfile.

`python -m bench.profile_host PROJECT_DIR STACK OUT.prof`. `run_program` runs the program in a
grandchild we cannot attach a profiler to, so this builds the same request it builds and calls the
host's `run` in this process, with the request `program_runner.host_request` builds for it.
"""

import cProfile
import json
import os
import sys
from pathlib import Path
from typing import Any

from offline_preview import program_host, program_runner
from offline_preview.program_runner import FIXTURE_ACCOUNT_ID, FIXTURE_REGION
from offline_preview.project import load_project


def main(project_dir: Path, stack: str, out: Path) -> None:
    request = host_request(project_dir, stack)
    profiler = cProfile.Profile()
    result = profiler.runcall(program_host.run, request)
    profiler.dump_stats(out)
    if result["failure"]:
        sys.exit(f"bench.profile_host: the program failed: {result['failure']}")


def host_request(project_dir: Path, stack: str) -> dict[str, Any]:
    """The request `run_program` hands its host; also sets the variables the host's child gets."""
    project = load_project(project_dir, stack)
    request = program_runner.host_request(project, stack, FIXTURE_ACCOUNT_ID, FIXTURE_REGION)
    os.environ.update(
        {
            "PULUMI_PROJECT": project.name,
            "PULUMI_STACK": stack,
            "PULUMI_DRY_RUN": "true",
            "PULUMI_CONFIG": json.dumps(request["config"]),
        }
    )
    return request


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve(), sys.argv[2], Path(sys.argv[3]).resolve())
