"""The command line: which stack, which service, which execution, and how to print."""

import argparse
import re
import sys
from pathlib import Path
from typing import NoReturn

from components.release.steps.step_io import safe
from offline_preview.arguments import OneLineArgumentParser
from offline_preview.aws_regions import region_problem
from troubleshoot.waiting import DEFAULT_TIMEOUT_SECONDS

PROG = "bin/troubleshoot"
# CodePipeline execution ids are UUIDs (PipelineExecutionId pattern in the CodePipeline API reference).
EXECUTION_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


EMPTY_FIXES = {
    "stack": "name a stack such as dev",
    "service": "name a service of the stack, or leave --service out for its defaultService",
    "execution": "pass an execution id, or leave --execution out for the latest failed one",
    "region": "name a region such as us-east-1, or leave --region out",
}
"""An empty value (`--service ''`, an unset shell variable) is a mistake, not "the default"."""


class SafeArgumentParser(OneLineArgumentParser):
    """One-line usage errors that echo the user's arguments with terminal controls neutralised."""

    def error(self, message: str) -> NoReturn:
        super().error(safe(message))


def build_parser() -> OneLineArgumentParser:
    parser = SafeArgumentParser(
        prog=PROG,
        description="Explain the latest failed execution of a service's pipeline: the failed stage "
        "and action, the build's ERROR lines, the deployment's error, rollback and alarms, or the "
        "approval that is waiting, with the AWS CLI command behind each step. Exit 0: nothing "
        "failed; 1: a failure was explained; 2: usage, credential or permission error.",
    )
    parser.add_argument("stack", metavar="STACK", help="stack name (reads Pulumi.<STACK>.yaml)")
    parser.add_argument(
        "--service",
        metavar="NAME",
        help="service of the stack (default: the stack's defaultService)",
    )
    parser.add_argument(
        "--execution",
        metavar="ID",
        help="pipeline execution id to explain (default: the latest failed one)",
    )
    parser.add_argument(
        "--outputs",
        metavar="FILE",
        type=Path,
        help="names from `pulumi stack output --json` saved in FILE instead of the stack config",
    )
    parser.add_argument(
        "--region",
        help="AWS region (default: the outputs' pipeline ARN, else the stack's aws:region, "
        "else your AWS configuration)",
    )
    parser.add_argument(
        "--timeout",
        metavar="SECONDS",
        type=positive_seconds,
        default=DEFAULT_TIMEOUT_SECONDS,
        help=f"give up when AWS has not answered everything within SECONDS (default "
        f"{DEFAULT_TIMEOUT_SECONDS:g}); a call unanswered for a few seconds is reported on stderr",
    )
    add_json_option(parser)
    return parser


MAX_TIMEOUT_SECONDS = 86_400
"""A day: longer is no deadline, and the interval timer overflows time_t far beyond it."""


def positive_seconds(text: str) -> float:
    """`--timeout`: a number of seconds above zero and at most MAX_TIMEOUT_SECONDS."""
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0 < value <= MAX_TIMEOUT_SECONDS:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number of seconds above 0 and at most {MAX_TIMEOUT_SECONDS}"
        )
    return value


def add_json_option(parser: OneLineArgumentParser) -> None:
    """`--json`, as every operator command has it."""
    parser.add_argument(
        "--json", action="store_true", help="print one JSON document instead of text"
    )


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    """Parsed arguments; a bad value exits 2 with one line naming the option."""
    parser = build_parser()
    args = parse_with_region(parser, argv)
    for name, fix in EMPTY_FIXES.items():
        if getattr(args, name) is not None and not getattr(args, name).strip():
            option = "STACK" if name == "stack" else f"--{name}"
            parser.error(f"{option} is empty: {fix}")
    if args.execution and not EXECUTION_ID.match(args.execution):
        parser.error(
            f"--execution {args.execution!r} is not a pipeline execution id "
            "(a UUID, as `aws codepipeline list-pipeline-executions` shows)"
        )
    return args


def parse_with_region(parser: OneLineArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """`argv` (default: this process's) parsed by `parser`, whose `--region` must name an AWS region.

    With `--json` among the arguments, a usage error is also the JSON error document on stdout.
    """
    parser.json_errors = "--json" in (sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    if args.region and region_problem(args.region):
        parser.error(f"--region {region_problem(args.region)}")
    return args
