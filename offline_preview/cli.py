"""`python -m offline_preview`: argument parsing, progress, report and exit code.

Exit codes follow the Pulumi CLI's global mapping (since CLI v3.226.1), documented at
https://www.pulumi.com/docs/iac/cli/exit-codes/ : 0 success (no mandatory violation); 1 generic error
(the program raised or logged an error: the CLI's `ExitCodeFor` has no category for a failing program,
so it falls back to 1; an internal error of ours); 2 configuration and validation error (usage, project,
stack or policy config, a lookup missing from `--lookups`, a pack that cannot start, a deadline);
5 policy failure (mandatory violations). 3 (authentication) and 4 (resource operation) cannot happen
offline: no cloud, no provider. Each error is one line on stderr, never a traceback. Beyond the
mapping: 130 interrupted (Ctrl-C), 143 SIGTERM, 129 SIGHUP, 141 when the reader of stdout goes away
(`| head`).
"""

import argparse
import os
import re
import shlex
import signal
import stat
import sys
import time
import traceback
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from pathlib import Path

from rich.console import Console

from components.release.steps.step_io import safe
from offline_preview import terminal_text
from offline_preview.analyzer_client import (
    DEFAULT_CALL_TIMEOUT_SECONDS,
    DEFAULT_START_TIMEOUT_SECONDS,
)
from offline_preview.arguments import OneLineArgumentParser
from offline_preview.aws_regions import region_problem
from offline_preview.errors import EXIT_CONFIG, EXIT_GENERIC, PreviewError
from offline_preview.lookups.recorded import read_lookups
from offline_preview.policy_run import PolicyPackRequest, run_policy_packs
from offline_preview.preview import PreviewResult
from offline_preview.program_runner import (
    DEFAULT_PROGRAM_TIMEOUT_SECONDS,
    FIXTURE_ACCOUNT_ID,
    run_program,
)
from offline_preview.project import PROJECT_FILES
from offline_preview.report_json import dumps, json_document
from offline_preview.report_sarif import write_sarif
from offline_preview.report_text import print_report

# https://www.pulumi.com/docs/iac/cli/exit-codes/ (Success 0, Policy failure 5); 1 and 2 in errors.py
EXIT_OK, EXIT_POLICY = 0, 5
EXIT_SIGNAL_BASE = 128  # a shell reports death by signal N as 128 + N
EXIT_INTERRUPTED = EXIT_SIGNAL_BASE + signal.SIGINT  # 130
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
UNWRAPPED_WIDTH = 1000
ACCOUNT_ID = re.compile(r"[0-9]{12}")  # ASCII digits only: \d also matches other scripts' digits


def build_parser() -> OneLineArgumentParser:
    """Every option, with its help: long because it is one declaration per flag, read top-down."""
    parser = OneLineArgumentParser(
        prog="python -m offline_preview",
        description="Offline `pulumi preview --policy-pack`: run a Pulumi Python program under the "
        "SDK's mock runtime and the policy packs over the analyzer protocol. No CLI, cloud or "
        "credentials needed.",
    )
    parser.add_argument(
        "--stack", "-s", required=True, help="stack name (reads Pulumi.<stack>.yaml)"
    )
    parser.add_argument("--cwd", "-C", type=Path, default=Path("."), help="project directory")
    parser.add_argument(
        "--policy-pack",
        action="append",
        default=[],
        type=Path,
        metavar="DIR",
        help="a Python policy pack directory; repeatable",
    )
    parser.add_argument(
        "--policy-pack-config",
        action="append",
        default=[],
        type=Path,
        metavar="FILE",
        help="JSON config for the policy pack at the same position; repeatable",
    )
    parser.add_argument(
        "--account",
        default=FIXTURE_ACCOUNT_ID,
        help=f"account id that getCallerIdentity answers (default {FIXTURE_ACCOUNT_ID})",
    )
    parser.add_argument(
        "--region",
        help="region that getRegion answers (default: the stack's aws:region, else us-east-1)",
    )
    parser.add_argument(
        "--json", action="store_true", help="print one JSON document instead of text"
    )
    parser.add_argument(
        "--show-reads",
        action="store_true",
        help="show resources that are being read in (Resource.get, StackReference) in the table, "
        "as `pulumi preview --show-reads` does",
    )
    parser.add_argument(
        "--sarif",
        type=Path,
        metavar="FILE",
        help="also write the policy violations as SARIF 2.1.0 (for code-scanning UIs)",
    )
    parser.add_argument(
        "--lookups",
        type=Path,
        metavar="FILE",
        help="YAML/JSON answers for lookups that read the cloud: a list of {token, args?, result}",
    )
    parser.add_argument(
        "--timeout",
        type=_positive_seconds,
        metavar="SECONDS",
        help=f"deadline for the program run (default {DEFAULT_PROGRAM_TIMEOUT_SECONDS:g}s), for "
        f"each policy pack to start (default {DEFAULT_START_TIMEOUT_SECONDS:g}s) and for each "
        f"analyzer call (default {DEFAULT_CALL_TIMEOUT_SECONDS:g}s)",
    )
    parser.add_argument(
        "--color",
        choices=("always", "never", "auto"),
        default="auto",
        help="colour the text report (auto: on a terminal, unless NO_COLOR is set)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    terminal_text.degrade_unencodable_symbols(sys.stdout, sys.stderr)
    parser = build_parser()
    as_json = "--json" in arguments
    parser.json_errors = as_json
    with _signals_as_exceptions():
        try:
            return _preview(parser, arguments)
        except BrokenPipeError:  # the reader (`| head`) went away: nothing left to tell it
            _discard_stdout()
            return EXIT_SIGNAL_BASE + signal.SIGPIPE
        except PreviewError as exc:
            return _fail(str(exc), as_json, exc.exit_code)
        except KeyboardInterrupt:
            return _fail(
                "interrupted; the program and the policy packs were stopped",
                as_json,
                EXIT_INTERRUPTED,
            )
        except Terminated as exc:
            return _fail(
                f"stopped by {exc.name}; the program and the policy packs were stopped",
                as_json,
                EXIT_SIGNAL_BASE + exc.signum,
            )
        except Exception as exc:  # a bug of ours: still one line, with where it happened
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            return _fail(
                f"internal error of the offline preview at {Path(frame.filename).name}:"
                f"{frame.lineno}: {type(exc).__name__}: {exc}",
                as_json,
                EXIT_GENERIC,
            )


def _preview(parser: OneLineArgumentParser, arguments: list[str]) -> int:
    args = parser.parse_args(arguments)
    if args.policy_pack_config and len(args.policy_pack_config) != len(args.policy_pack):
        parser.error(
            f"{len(args.policy_pack_config)} --policy-pack-config for {len(args.policy_pack)} "
            "--policy-pack: give one config per pack, in the same order"
        )
    if not ACCOUNT_ID.fullmatch(args.account):
        parser.error(f"--account {args.account!r} is not a 12-digit AWS account id")
    if args.region and region_problem(args.region):
        parser.error(f"--region {region_problem(args.region)}")

    _refuse_outputs_over_inputs(parser, args)

    lookups = read_lookups(args.lookups) if args.lookups else None
    console = _console(args.color)
    program_timeout = args.timeout or DEFAULT_PROGRAM_TIMEOUT_SECONDS
    started = time.monotonic_ns()  # `duration` of the JSON document, as the CLI's: nanoseconds
    with _progress("Running the program…") as status:
        run = run_program(
            args.cwd,
            args.stack,
            account_id=args.account,
            region=args.region,
            timeout=program_timeout,
            lookups=lookups,
        )
        if status is not None:
            status.update("Running the policy packs…")
        requests = [
            PolicyPackRequest(pack, args.policy_pack_config[i] if args.policy_pack_config else None)
            for i, pack in enumerate(args.policy_pack)
        ]
        result = PreviewResult(
            run, run_policy_packs(run, requests, timeout=args.timeout), args.show_reads
        )

    exit_code = EXIT_POLICY if result.mandatory else EXIT_OK
    if run.errors:  # the CLI fails the preview of a program that logged an error: generic, 1
        exit_code = EXIT_GENERIC
    if args.sarif:
        try:
            # What was run, for the SARIF invocation: bin/preview runs `python -m offline_preview`.
            command = shlex.join([sys.executable, "-m", "offline_preview", *arguments])
            write_sarif(args.sarif, result, exit_code, command)
        except OSError as exc:
            raise PreviewError(
                f"--sarif {args.sarif}: cannot write ({exc.strerror or exc})"
            ) from None
    logged_error = ""
    if run.errors:
        first = run.errors[0].message.splitlines()[0]
        logged_error = f"the program logged {len(run.errors)} error(s), first: {first}"
    if args.json:
        document = json_document(result, exit_code, time.monotonic_ns() - started)
        if logged_error:  # every error exit carries "error", as the error document does
            document["error"] = logged_error
        print(dumps(document))
    else:
        print_report(console, result)
    if logged_error:
        print(f"error: {safe(logged_error)}", file=sys.stderr)
    return exit_code


def _refuse_outputs_over_inputs(parser: OneLineArgumentParser, args: argparse.Namespace) -> None:
    """An output path (`--sarif`) that names a file the run reads would destroy that input: refuse
    it before anything runs. Paths are compared resolved (symlinks, `..`) and by inode (links)."""
    project = args.cwd
    stack = args.stack.rsplit("/", 1)[-1]
    inputs: list[tuple[str, Path]] = [
        *((f"the project file {name}", project / name) for name in PROJECT_FILES),
        (f"the stack file Pulumi.{stack}.yaml", project / f"Pulumi.{stack}.yaml"),
        ("the program __main__.py", project / "__main__.py"),
        *(("a --policy-pack-config file", path) for path in args.policy_pack_config),
        *((("the --lookups file", args.lookups),) if args.lookups else ()),
    ]
    for option, output in (("--sarif", args.sarif),):
        if output is None:
            continue
        if str(output) == "-" or _is_stdout(output):
            parser.error(f"{option} {output}: the report goes to stdout; write {option} to a file")
        for what, path in inputs:
            if _same_file(output, path):
                parser.error(
                    f"{option} {output}: is {what} this run reads; write the report elsewhere"
                )


def _is_stdout(path: Path) -> bool:
    """`path` is the file or pipe stdout writes to (`/dev/stdout`, or the file stdout is redirected
    to), where a second document would corrupt the report."""
    try:
        out = os.fstat(sys.stdout.fileno())
        if not (stat.S_ISREG(out.st_mode) or stat.S_ISFIFO(out.st_mode)):
            return False
        target = path.stat()
    except (OSError, ValueError, AttributeError):
        return False
    return (target.st_dev, target.st_ino) == (out.st_dev, out.st_ino)


def _same_file(first: Path, second: Path) -> bool:
    try:
        if first.resolve() == second.resolve():
            return True
        return first.exists() and second.exists() and first.samefile(second)
    except (OSError, RuntimeError):  # a symlink loop or unreadable path: not provably the same
        return False


class Terminated(BaseException):
    """SIGTERM or SIGHUP: unwinds like Ctrl-C, so every child is stopped on the way out."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum
        self.name = signal.Signals(signum).name


@contextmanager
def _signals_as_exceptions() -> Iterator[None]:
    """The first SIGINT/SIGTERM/SIGHUP raises; later ones are ignored so the cleanup can finish."""

    def stop(signum: int, _frame: object) -> None:
        for handled in STOP_SIGNALS:
            signal.signal(handled, signal.SIG_IGN)
        if signum == signal.SIGINT:
            raise KeyboardInterrupt
        raise Terminated(signum)

    previous = {signum: signal.signal(signum, stop) for signum in STOP_SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number of seconds")
    return value


class ReportConsole(Console):
    """rich exits 1 when stdout's reader goes away; 1 means "the program failed" here, so hand
    the broken pipe to `main`, which exits 141 like any tool killed by SIGPIPE."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise BrokenPipeError


def _console(color: str) -> ReportConsole:
    # Piped output is never wrapped or truncated: other tools and logs read it whole.
    width = None if sys.stdout.isatty() else UNWRAPPED_WIDTH
    if color == "always":
        return ReportConsole(
            force_terminal=True, no_color=False, highlight=False, soft_wrap=True, width=width
        )
    if color == "never" or os.environ.get("NO_COLOR"):
        return ReportConsole(
            no_color=True, color_system=None, highlight=False, soft_wrap=True, width=width
        )
    return ReportConsole(highlight=False, soft_wrap=True, width=width)


@contextmanager
def _progress(message: str) -> Iterator[object | None]:
    """A spinner on stderr, only when stderr is a terminal."""
    err = Console(stderr=True)
    if not err.is_terminal:
        with nullcontext():
            yield None
        return
    with err.status(message) as status:
        yield status


def _fail(message: str, as_json: bool, exit_code: int = EXIT_CONFIG) -> int:
    # Messages quote file names, config keys and values, lookup entries: text from outside.
    line = safe(" ".join(message.split()))
    if as_json:
        try:
            print(dumps({"error": line, "exitCode": exit_code}), flush=True)
        except BrokenPipeError:
            _discard_stdout()
    print(f"error: {line}", file=sys.stderr)
    return exit_code


def _discard_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush does not fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
