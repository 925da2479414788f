"""The command line: which stacks, which service, how far back, and how to print."""

import argparse

from offline_preview.arguments import OneLineArgumentParser
from releases.executions import DEFAULT_LIMIT
from troubleshoot.arguments import add_json_option, parse_with_region

PROG = "bin/releases"
MAX_EXECUTIONS_BOUND = 10_000
"""At 100 a page, 100 ListPipelineExecutions calls: far enough for any pipeline's history."""


def build_parser() -> OneLineArgumentParser:
    parser = OneLineArgumentParser(
        prog=PROG,
        description="Show what each stack's services run now (the latest Succeeded pipeline "
        "execution), where it came from (commit, build, digests, image, scan, SBOM, upstream), "
        "who approved it, and whether its signature verifies with the key the stack trusts, with "
        "the AWS CLI command behind each read. Exit 0: every release verifies; 1: a release does "
        "not verify, has no manifest, or nothing is deployed; 2: usage, config, credential, "
        "permission or AWS error.",
    )
    parser.add_argument(
        "stacks",
        metavar="STACK",
        nargs="*",
        help="stack names (read Pulumi.<STACK>.yaml; default: every stack file of the project)",
    )
    parser.add_argument(
        "--service", metavar="NAME", help="only this service (default: every service)"
    )
    parser.add_argument(
        "--region",
        help="AWS region (default: each stack's aws:region, else your AWS configuration)",
    )
    parser.add_argument(
        "--max-executions",
        metavar="N",
        type=int,
        default=DEFAULT_LIMIT,
        help=f"look for the latest Succeeded execution among the newest N (default {DEFAULT_LIMIT})",
    )
    add_json_option(parser)
    return parser


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    """Parsed arguments; a bad value exits 2 with one line naming the option."""
    parser = build_parser()
    args = parse_with_region(parser, argv)
    if not 1 <= args.max_executions <= MAX_EXECUTIONS_BOUND:
        parser.error(f"--max-executions must be between 1 and {MAX_EXECUTIONS_BOUND}")
    return args
