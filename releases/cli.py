"""`bin/releases [STACK...]`: find each service's deployed release, judge it, print, exit.

Exit codes: 0 every release found verifies; 1 a release does not verify, has no manifest, or nothing
is deployed; 2 usage, stack config, credential, permission or AWS error (one line on stderr, never a
traceback); 130 interrupted (Ctrl-C).
"""

import argparse
from collections.abc import Sequence
from pathlib import Path

from releases.arguments import parse_arguments
from releases.aws_clients import ReleaseClients
from releases.model import ReleasesReport
from releases.release_reader import read_deployed
from releases.report_json import json_document
from releases.report_text import print_report
from releases.stacks import ClientsForRegion, stacks_to_read
from troubleshoot.cli import interruptible, read_or_fail, terminal_console
from troubleshoot.errors import TroubleshootError
from troubleshoot.model import AwsStep
from troubleshoot.report_json import dumps

EXIT_OK, EXIT_NOT_VERIFIED, EXIT_ERROR = 0, 1, 2
PROJECT_DIR = Path(__file__).resolve().parent.parent
"""The Pulumi project whose stack files name the pipelines (this repository)."""


def main(
    argv: Sequence[str] | None = None,
    clients_for_region: ClientsForRegion = ReleaseClients.for_region,
    project_dir: Path = PROJECT_DIR,
) -> int:
    return interruptible(lambda: _main(argv, clients_for_region, project_dir))


def _main(
    argv: Sequence[str] | None, clients_for_region: ClientsForRegion, project_dir: Path
) -> int:
    args = parse_arguments(list(argv) if argv is not None else None)
    report = read_or_fail(args.json, lambda: _read(args, clients_for_region, project_dir))
    if isinstance(report, int):
        return report
    exit_code = EXIT_OK if report.all_verified else EXIT_NOT_VERIFIED
    if args.json:
        print(dumps(json_document(report, exit_code)))
    else:
        print_report(terminal_console(), report)
    return exit_code


def _read(
    args: argparse.Namespace, clients_for_region: ClientsForRegion, project_dir: Path
) -> ReleasesReport:
    """Every chosen service's deployed release; an error names the stack and service it hit."""
    steps: list[AwsStep] = []
    report = ReleasesReport([], steps)
    for stack in stacks_to_read(
        project_dir, args.stacks, args.service, args.region, clients_for_region, steps
    ):
        for service in stack.services:
            try:
                report.releases.append(read_deployed(stack, service, args.max_executions))
            except TroubleshootError as error:
                raise TroubleshootError(f"{stack.stack}/{service}: {error}") from None
    return report
