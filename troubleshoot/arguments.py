"""The command line: which stack, which service, which execution, and how to print."""

import argparse
import re
import sys
from pathlib import Path

from offline_preview.arguments import OneLineArgumentParser
from offline_preview.aws_regions import region_problem

PROG = "bin/troubleshoot"
# CodePipeline execution ids are UUIDs (PipelineExecutionId pattern in the CodePipeline API reference).
EXECUTION_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def build_parser() -> OneLineArgumentParser:
    parser = OneLineArgumentParser(
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
    add_json_option(parser)
    return parser


def add_json_option(parser: OneLineArgumentParser) -> None:
    """`--json`, as every operator command has it."""
    parser.add_argument(
        "--json", action="store_true", help="print one JSON document instead of text"
    )


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    """Parsed arguments; a bad value exits 2 with one line naming the option."""
    parser = build_parser()
    args = parse_with_region(parser, argv)
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
