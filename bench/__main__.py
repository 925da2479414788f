"""`python -m bench` (or `bin/bench`): offline preview cost vs stack size, against the SDK floor.

Writes bench/out/bench.csv and bench/out/bench.png; `--profile` adds cProfile summaries of our program
and the floor at the largest size.
"""

import argparse
import sys
from pathlib import Path

from rich.console import Console

from bench.report import print_table, print_targets, rows_of, write_csv, write_plot
from bench.suite import BenchError, Settings, run_suite
from offline_preview.arguments import OneLineArgumentParser

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SIZES = (1, 10, 50, 100)
DEFAULT_REPEATS = 3
DEFAULT_STACK = "dev"
DEFAULT_OUT = REPO / "bench" / "out"
USAGE_ERROR = 2
# The table has a dozen columns: do not squeeze it to 80 when piped into a log.
PIPED_WIDTH = 240


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = OneLineArgumentParser(prog="bin/bench", description=__doc__)
    parser.add_argument("--sizes", nargs="+", type=_positive, default=list(DEFAULT_SIZES),
                        metavar="N", help="services per stack (default: 1 10 50 100)")  # fmt: skip
    parser.add_argument("--repeats", type=_positive, default=DEFAULT_REPEATS,
                        help=f"runs per measurement, median kept (default: {DEFAULT_REPEATS})")  # fmt: skip
    parser.add_argument("--stack", default=DEFAULT_STACK,
                        help="stack whose settings seed the generated stacks (default: dev)")  # fmt: skip
    parser.add_argument("--policy-pack", type=Path, default=REPO / "policies")
    parser.add_argument("--policy-pack-config", type=Path,
                        help="default: policies/config/<stack>.json")  # fmt: skip
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="default: bench/out")
    parser.add_argument("--profile", action="store_true",
                        help="also cProfile our program and the floor at the largest size")  # fmt: skip
    return parser.parse_args(argv)


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a positive whole number; use e.g. 1 or 10"
        )
    return int(text)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    console = Console(stderr=True)
    config = args.policy_pack_config or REPO / "policies" / "config" / f"{args.stack}.json"
    error = _bad_path(REPO / f"Pulumi.{args.stack}.yaml", "--stack", "use dev, staging or prod")
    error = error or _bad_path(args.policy_pack / "__main__.py", "--policy-pack", "give a pack dir")
    error = error or _bad_path(config, "--policy-pack-config", "give an existing JSON file")
    if error:
        console.print(f"bench: {error}", markup=False, highlight=False, soft_wrap=True)
        return USAGE_ERROR
    settings = Settings(
        repo=REPO,
        stack=args.stack,
        pack_dir=args.policy_pack.resolve(),
        pack_config=config.resolve(),
        sizes=sorted(set(args.sizes)),
        repeats=args.repeats,
    )
    try:
        with console.status("benchmark") as status:
            results = run_suite(settings, lambda text: status.update(text))
            if args.profile:
                from bench.profiling import profile_largest

                status.update("profiling the largest size")
                profile_summary = profile_largest(settings, args.out)
    except BenchError as exc:
        console.print(f"bench: {exc}", markup=False, highlight=False, soft_wrap=True)
        return 1
    rows = rows_of(results)
    out = Console(width=None if sys.stdout.isatty() else PIPED_WIDTH)
    print_table(rows, out)
    print_targets(rows, out)
    args.out.mkdir(parents=True, exist_ok=True)
    out.print(f"wrote {write_csv(rows, args.out)} and {write_plot(rows, args.out)}")
    if args.profile:
        out.print(profile_summary)
    return 0


def _bad_path(path: Path, option: str, fix: str) -> str | None:
    return None if path.is_file() else f"{option}: {path} does not exist; {fix}"


if __name__ == "__main__":
    sys.exit(main())
