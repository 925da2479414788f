"""Child-process entry: one policy pack alone over recorded registrations, as the offline preview runs it.

`python -m bench.policy_alone PROJECT_DIR STACK RECORDS.json PACK_DIR [--config FILE]` prints one JSON
object. The pack runs through `offline_preview.policy_run.run_policy_packs` (start, handshake,
configure, `Remediate`/`Analyze` per resource, one `AnalyzeStack`); the calls that judge resources are
timed one by one, so start-up and evaluation are reported apart.
"""

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from offline_preview.analyzer_client import PolicyPackProcess
from offline_preview.policy_run import PolicyPackRequest, run_policy_packs
from offline_preview.program_runner import FIXTURE_ACCOUNT_ID, FIXTURE_REGION, ProgramRun
from offline_preview.project import load_project
from offline_preview.registration import RegisteredResource

# The analyzer calls that judge resources; the others (handshake, info, configure) are start-up.
EVALUATION_CALLS = frozenset({"Analyze", "AnalyzeStack", "Remediate"})


class _EvaluationClock:
    """Wraps `PolicyPackProcess.call` to add up the time spent in evaluation calls."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._call = PolicyPackProcess.call

    def install(self) -> None:
        clock, call = self, self._call

        def timed_call(process: PolicyPackProcess, method: str, request: Any) -> Any:
            if method not in EVALUATION_CALLS:
                return call(process, method, request)
            started = time.perf_counter()
            try:
                return call(process, method, request)
            finally:
                clock.seconds += time.perf_counter() - started

        PolicyPackProcess.call = timed_call  # type: ignore[method-assign]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.policy_alone", description=__doc__)
    parser.add_argument("project_dir", type=Path)
    parser.add_argument("stack")
    parser.add_argument("records", type=Path)
    parser.add_argument("pack_dir", type=Path)
    parser.add_argument("--config", type=Path)
    args = parser.parse_args(argv)
    resources = [RegisteredResource.from_json(r) for r in json.loads(args.records.read_text())]
    run = ProgramRun(
        load_project(args.project_dir, args.stack), FIXTURE_ACCOUNT_ID, FIXTURE_REGION, resources
    )
    clock = _EvaluationClock()
    clock.install()
    started = time.perf_counter()
    reports = run_policy_packs(run, [PolicyPackRequest(args.pack_dir.resolve(), args.config)])
    total = time.perf_counter() - started
    json.dump(
        {
            "resources": len(resources),
            "total_s": total,
            "start_s": total - clock.seconds,
            "eval_s": clock.seconds,
            "violations": sum(len(report.violations) for report in reports),
        },
        sys.stdout,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
