"""The command line: which stack, which service, which account and region, and how to print."""

import argparse
import re

from offline_preview.arguments import OneLineArgumentParser
from troubleshoot.arguments import add_json_option, parse_with_region

PROG = "bin/preflight"
ACCOUNT_ID = re.compile(r"^\d{12}$")


def build_parser() -> OneLineArgumentParser:
    parser = OneLineArgumentParser(
        prog=PROG,
        description="Read-only checks of the AWS account before a stack's first `pulumi up`: the "
        "account, the region's services, CodeCommit (closed to new customers), CodeConnections "
        "connections, ECS services and load balancers, Lambda aliases, EC2 instances and their "
        "CodeDeploy agent, AWS Config recording, physical names already taken, quotas and the "
        "promotion upstream; one OK/FAIL/SKIP line each, with the fix, and the AWS CLI command "
        "behind each read. Exit 0: every check OK or skipped; 1: a check failed; 2: usage, stack "
        "config, credential, permission or AWS error; 130: interrupted.",
    )
    parser.add_argument("stack", metavar="STACK", help="stack name (reads Pulumi.<STACK>.yaml)")
    parser.add_argument(
        "--service", metavar="NAME", help="only this service's checks (default: every service)"
    )
    parser.add_argument(
        "--region",
        help="AWS region (default: the stack's aws:region, else your AWS configuration)",
    )
    parser.add_argument(
        "--account",
        metavar="ID",
        help="the 12-digit account the stack must be deployed to (default: any)",
    )
    add_json_option(parser)
    return parser


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    """Parsed arguments; a bad value exits 2 with one line naming the option."""
    parser = build_parser()
    args = parse_with_region(parser, argv)
    if args.account is not None and not ACCOUNT_ID.match(args.account):
        parser.error(f"--account {args.account!r} is not a 12-digit AWS account id")
    return args
