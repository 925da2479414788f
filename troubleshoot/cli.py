"""`bin/troubleshoot STACK`: resolve the pipeline, explain its latest failure, print, exit.

Exit codes: 0 nothing failed (also: running, waiting for approval, never ran); 1 a failure was
explained; 2 usage, config, credential, permission or lookup error (one line on stderr, never a
traceback); 130 interrupted (Ctrl-C, one line); 141 the reader of stdout went away. A closed or
full stdout is an exit-2 line too, and `--timeout` bounds the whole run (troubleshoot/waiting.py).
Every line for the terminal passes `troubleshoot.terminal`: text from AWS cannot steer it.

`interruptible`, `fail` and `terminal_console` are shared by `bin/releases` and `bin/preflight`.
"""

import argparse
import contextlib
import errno
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from botocore.exceptions import BotoCoreError

from components.release.steps.step_io import safe
from offline_preview.aws_regions import region_problem
from troubleshoot.arguments import parse_arguments
from troubleshoot.aws_calls import AwsClients, AwsReader
from troubleshoot.aws_environment import environment_problem
from troubleshoot.errors import TroubleshootError
from troubleshoot.explain import explain
from troubleshoot.model import Explanation, Target, Verdict
from troubleshoot.report_json import dumps, json_document
from troubleshoot.report_text import print_report
from troubleshoot.targets import (
    caller_account,
    load_stack_config,
    select_service,
    stack_region,
    target_from_outputs,
    target_from_stack_config,
)
from troubleshoot.terminal import SafeConsole
from troubleshoot.waiting import Deadline, DeadlineExceeded

EXIT_OK, EXIT_FAILED, EXIT_ERROR, EXIT_INTERRUPTED, EXIT_PIPE_CLOSED = 0, 1, 2, 130, 141
PROJECT_DIR = Path(__file__).resolve().parent.parent
"""The Pulumi project whose stack files name the pipelines (this repository)."""
UNWRAPPED_WIDTH = 1000

ClientsForRegion = Callable[[str], AwsClients]


def main(
    argv: Sequence[str] | None = None,
    clients_for_region: ClientsForRegion = AwsClients.for_region,
    project_dir: Path = PROJECT_DIR,
) -> int:
    return interruptible(lambda: _main(argv, clients_for_region, project_dir))


def interruptible(run: Callable[[], int]) -> int:
    """`run()`'s exit code; Ctrl-C at any moment, `--json` or not, is the one line `interrupted` on
    stderr and exit 130 (nothing on stdout), and a reader of stdout that went away (`| head`) 141.

    A stdout that was closed (`>&-`: Python then has no sys.stdout) or cannot take the report
    (`>/dev/full`, ENOSPC) is one line and exit 2, as the offline preview ends a report it cannot
    write; the report is flushed here so that the interpreter's exit-time flush cannot fail later.
    """
    if sys.stdout is None:
        print(
            "error: stdout is closed: redirect it to a file or /dev/null instead of closing it",
            file=sys.stderr,
        )
        return EXIT_ERROR
    try:
        code = run()
        sys.stdout.flush()
        return code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # nothing more to say to the reader; keep the exit-time flush quiet too
        _discard_stdout()
        return EXIT_PIPE_CLOSED
    except OSError as error:  # only the report's writing is outside each command's own handling
        _discard_stdout()
        reason = error.strerror or errno.errorcode.get(error.errno or 0, str(error))
        print(
            f"error: cannot write the report to stdout ({reason}): redirect it to a file on a "
            "disk with room, or to a pipe",
            file=sys.stderr,
        )
        return EXIT_ERROR


def _discard_stdout() -> None:
    """Point stdout at /dev/null so that the interpreter's final flush does not fail again."""
    with contextlib.suppress(OSError, ValueError):  # an in-process capture has no descriptor
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _main(
    argv: Sequence[str] | None, clients_for_region: ClientsForRegion, project_dir: Path
) -> int:
    args = parse_arguments(list(argv) if argv is not None else None)
    explanation = read_or_fail(args.json, lambda: _explain(args, clients_for_region, project_dir))
    if isinstance(explanation, int):
        return explanation
    exit_code = EXIT_FAILED if explanation.verdict is Verdict.FAILED else EXIT_OK
    if explanation.stopped_by:  # an error half-way: what was read is printed, then the one line
        exit_code = EXIT_ERROR
    if args.json:
        print(dumps(json_document(explanation, exit_code)))
    else:
        print_report(terminal_console(), explanation)
    if explanation.stopped_by:
        print(f"error: {safe(' '.join(explanation.stopped_by.split()))}", file=sys.stderr)
    return exit_code


T = TypeVar("T")


def _explain(
    args: argparse.Namespace, clients_for_region: ClientsForRegion, project_dir: Path
) -> Explanation:
    with Deadline(args.timeout):
        target, reader = _resolve(args, clients_for_region, project_dir)
        return explain(reader, target, args.execution)


def read_or_fail(as_json: bool, read: Callable[[], T]) -> T | int:
    """`read()`, or the exit code of the one-line error every expected failure becomes: a
    malformed AWS_* variable (before botocore reads it), a deadline, our own errors, botocore's,
    and a bug (never a traceback). Shared by troubleshoot, releases and preflight."""
    problem = environment_problem(os.environ)
    if problem:
        return fail(problem, as_json)
    try:
        return read()
    except DeadlineExceeded as error:
        return fail(error.message(), as_json)
    except TroubleshootError as error:
        return fail(str(error), as_json)
    except BotoCoreError as error:  # e.g. a body that stops half-way through
        return fail(f"AWS: {error}", as_json)
    except Exception as error:  # a bug must still end in one line, not a traceback
        return fail(f"unexpected {type(error).__name__}: {error}", as_json)


def _resolve(
    args: argparse.Namespace, clients_for_region: ClientsForRegion, project_dir: Path
) -> tuple[Target, AwsReader]:
    """The pipeline's names (from the outputs file, or the stack config + STS) and a reader."""
    try:
        if args.outputs:
            target = target_from_outputs(args.outputs, args.stack, args.service, args.region)
            _check_arn_region(args.outputs, target)
            return target, AwsReader(clients_for_region(target.region))
        config = load_stack_config(project_dir, args.stack)
        service = select_service(config, args.service)
        reader = AwsReader(clients_for_region(stack_region(config, args.region)))
        account, partition = caller_account(reader)
        target = target_from_stack_config(
            config, service.name, account, partition, reader.clients.region
        )
        return target, reader
    except BotoCoreError as error:  # e.g. a profile that does not exist, before any call
        raise TroubleshootError(f"AWS configuration: {error}") from None
    except ValueError as error:  # botocore converting a profile setting, e.g. max_attempts = abc
        raise TroubleshootError(
            f"AWS configuration: {error}: check the AWS_* environment variables and your profile "
            "in ~/.aws/config"
        ) from None


def _check_arn_region(path: Path, target: Target) -> None:
    """The outputs' pipelineArn must name a region botocore knows (its endpoint data)."""
    arn_region = target.pipeline_arn.split(":")[3]
    problem = region_problem(arn_region)
    if problem:
        raise TroubleshootError(
            f"--outputs {path}: services.{target.service}.pipelineArn {target.pipeline_arn!r}: "
            f"{problem}; "
            f"write the file again with `pulumi stack output --json --stack {target.stack}`"
        )


def terminal_console() -> SafeConsole:
    """Rich console for reports: never wrapped when piped, no markup, emoji or highlighting, and
    every string sanitised (`troubleshoot.terminal.SafeConsole`)."""
    # Piped output is never wrapped: other tools and logs read it whole.
    width = None if sys.stdout.isatty() else UNWRAPPED_WIDTH
    # Log lines and AWS messages are data: "[Container]" is no markup and ":x:" no emoji.
    plain = {"markup": False, "emoji": False, "highlight": False, "soft_wrap": True, "width": width}
    if os.environ.get("NO_COLOR"):
        return SafeConsole(no_color=True, **plain)
    return SafeConsole(**plain)


def fail(message: str, as_json: bool) -> int:
    """An exit-2 error as one line on stderr (and, with --json, the JSON error document)."""
    line = safe(" ".join(message.split()))
    if as_json:
        print(dumps({"error": line, "exitCode": EXIT_ERROR}))
    print(f"error: {line}", file=sys.stderr)
    return EXIT_ERROR
