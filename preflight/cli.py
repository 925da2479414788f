"""`bin/preflight STACK`: read the stack, derive its names, run every check, print, exit.

Exit codes: 0 every check OK or skipped; 1 a check failed; 2 usage, stack config, credential,
permission or AWS error (one line on stderr, never a traceback); 130 interrupted (Ctrl-C).
"""

import argparse
from collections.abc import Sequence
from pathlib import Path

from botocore.exceptions import BotoCoreError

from components.release.release_names import StackReleaseNames
from components.shared.naming import PlatformNames
from preflight.arguments import parse_arguments
from preflight.aws_clients import ClientsForRegion, PreflightClients
from preflight.checks_account import (
    account_checks,
    codecommit_checks,
    config_checks,
    connection_checks,
    promotion_checks,
    region_checks,
)
from preflight.checks_names import collision_checks, quota_checks
from preflight.checks_targets import target_checks
from preflight.context import Context
from preflight.model import PreflightReport
from preflight.plan import stack_plan
from preflight.report_json import json_document
from preflight.report_text import print_report
from troubleshoot.aws_calls import AwsReader
from troubleshoot.cli import interruptible, read_or_fail, terminal_console
from troubleshoot.errors import TroubleshootError
from troubleshoot.report_json import dumps
from troubleshoot.targets import load_stack_config, select_service, stack_region

EXIT_OK, EXIT_FAILED, EXIT_ERROR = 0, 1, 2
PROJECT_DIR = Path(__file__).resolve().parent.parent
"""The Pulumi project whose stack files the checks read (this repository)."""
CHECKS = (
    account_checks,
    region_checks,
    codecommit_checks,
    connection_checks,
    target_checks,
    config_checks,
    collision_checks,
    quota_checks,
    promotion_checks,
)
"""In the order printed: who and where, sources, targets, account-wide, then the upstream."""


def main(
    argv: Sequence[str] | None = None,
    clients_for_region: ClientsForRegion = PreflightClients.for_region,
    project_dir: Path = PROJECT_DIR,
) -> int:
    return interruptible(lambda: _main(argv, clients_for_region, project_dir))


def _main(
    argv: Sequence[str] | None, clients_for_region: ClientsForRegion, project_dir: Path
) -> int:
    args = parse_arguments(list(argv) if argv is not None else None)
    report = read_or_fail(args.json, lambda: _run(args, clients_for_region, project_dir))
    if isinstance(report, int):
        return report
    exit_code = EXIT_FAILED if report.failed else EXIT_OK
    if args.json:
        print(dumps(json_document(report, exit_code)))
    else:
        print_report(terminal_console(), report)
    return exit_code


def _run(
    args: argparse.Namespace, clients_for_region: ClientsForRegion, project_dir: Path
) -> PreflightReport:
    """The stack file is read and validated, and the service chosen, before the first AWS call."""
    config = load_stack_config(project_dir, args.stack)
    services = (select_service(config, args.service),) if args.service else config.settings.services
    region = stack_region(config, args.region)
    try:
        reader = AwsReader(clients_for_region(region))
        identity = reader.call(
            "sts", "get_caller_identity", "find the account the resource names contain"
        )
    except BotoCoreError as error:  # e.g. a profile that does not exist, before any call
        raise TroubleshootError(f"AWS configuration: {error}") from None
    account, partition = identity["Account"], identity["Arn"].split(":")[1]
    names = PlatformNames(config.project, config.stack, account, region, partition)
    plan = stack_plan(config.settings, names, services)
    context = Context(config, names, services, plan, reader, identity["Arn"], args.account)
    release = StackReleaseNames(names)
    report = PreflightReport(
        stack=config.stack,
        project=config.project,
        region=region,
        account=account,
        names={
            "prefix": names.prefix,
            "artifactBucket": names.artifact_bucket_name,
            "artifactKeyAlias": names.key_alias_name,
            "signingKeyAlias": release.signing_key_alias_name,
            "pipelines": ", ".join(plan.pipelines),
        },
        steps=reader.steps,
    )
    for check in CHECKS:
        report.checks += check(context)
    return report
