"""The checks as text: one line per check, each FAIL and SKIP with its fix; then the CLI commands.

Everything that comes from AWS (names, statuses, messages) is printed through `safe()`: nothing a
resource's name or an error message holds can move the cursor or recolour the terminal.
"""

from rich.console import Console

from components.release.steps.step_io import safe
from preflight.model import PreflightReport, Status

INDENT = "  "
CHECK_WIDTH = 22
STYLES = {Status.OK: "green", Status.FAIL: "bold red", Status.SKIP: "yellow"}


def check_line(status: Status, check: str, service: str, detail: str, fix: str) -> str:
    name = f"{service}/{check}" if service else check
    line = f"{status.value:<4}  {safe(name):<{CHECK_WIDTH}} {safe(detail)}"
    return f"{line}; fix: {safe(fix)}" if fix and status is not Status.OK else line


def print_report(console: Console, report: PreflightReport) -> None:
    console.print(
        f"preflight {safe(report.stack)} (project {safe(report.project)}, account "
        f"{safe(report.account)}, region {safe(report.region)})",
        style="bold",
    )
    for check in report.checks:
        console.print(
            check_line(check.status, check.check, check.service, check.detail, check.fix),
            style=STYLES[check.status],
        )
    console.print()
    counts = {status: report.count(status) for status in Status}
    summary = ", ".join(f"{counts[status]} {status.value}" for status in Status)
    verdict = "ready for `pulumi up`" if not report.failed else "fix the FAIL lines first"
    console.print(
        f"{len(report.checks)} check(s): {summary}: {verdict}",
        style="bold red" if report.failed else "bold",
    )
    console.print()
    console.print("AWS CLI behind each read:", style="bold")
    for number, step in enumerate(report.steps, start=1):
        console.print(f"{INDENT}{number}. {safe(step.purpose)}")
        console.print(f"{INDENT}   {safe(step.command)}", style="cyan")
