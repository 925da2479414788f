"""The CLI-shaped text report: resource tree, diagnostics, policies, outputs, resource summary."""

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from offline_preview.policy_run import PackReport, PolicyViolation
from offline_preview.preview import CREATE, PreviewResult, display_value
from offline_preview.registration import RegisteredResource

INDENT = "    "
PASS_MARK, FAIL_MARK, WARN_MARK = "✅", "❌", "⚠️"  # as pulumi's display prints them


def print_report(console: Console, result: PreviewResult) -> None:
    run = result.run
    console.print(f"Previewing update ({escape(run.project.stack)}):", style="bold")
    console.print()
    console.print(_tree(result))
    _diagnostics(console, result)
    if result.packs:
        console.print()
        console.print("Policies:", style="bold")
        # The CLI lists packs by "name@vversion" and each pack's violations by level, policy, URN.
        for pack in sorted(result.packs, key=lambda p: p.label):
            _pack(console, result, pack)
    if run.outputs:
        console.print()
        console.print("Outputs:", style="bold")
        width = max(len(name) for name in run.outputs)
        for name, value in sorted(run.outputs.items()):
            console.print(f"{INDENT}{escape(name.ljust(width))}: {escape(display_value(value))}")
    console.print()
    console.print("Resources:", style="bold")
    console.print(f"{INDENT}[green]+ {len(result.shown_resources)} to {CREATE}[/green]")
    if result.packs:
        console.print()
        mandatory, advisory = len(result.mandatory), len(result.advisory)
        style = "red" if mandatory else "yellow" if advisory else "green"
        console.print(
            f"Policy violations: [{style}]{mandatory} mandatory, {advisory} advisory[/{style}]"
        )


def _tree(result: PreviewResult) -> Table:
    table = Table(box=None, show_edge=False, pad_edge=False, header_style="bold")
    for column in ("", "Type", "Name", "Plan", "Info"):
        table.add_column(column, no_wrap=True)
    resources = result.shown_resources
    children: dict[str, list[RegisteredResource]] = {}
    for resource in resources:
        children.setdefault(resource.parent, []).append(resource)
    shown = {r.urn for r in resources}
    roots = [r for r in resources if not r.parent or r.parent not in shown]

    def add(resource: RegisteredResource, prefix: str, branch: str) -> None:
        table.add_row(
            Text("+", style="green"),
            Text(prefix + branch + _short_type(resource.type)),
            Text(resource.name),
            Text(CREATE, style="green"),
            _info(result.violations_of(resource.urn)),
        )
        kids = children.get(resource.urn, [])
        deeper = prefix + ("" if not branch else "   " if branch == "└─ " else "│  ")
        for index, child in enumerate(kids):
            add(child, deeper, "└─ " if index == len(kids) - 1 else "├─ ")

    for root in roots:
        add(root, "", "")
    return table


def _info(violations: list[PolicyViolation]) -> Text:
    errors = sum(v.level == "mandatory" for v in violations)
    warnings = len(violations) - errors
    parts = []
    if errors:
        parts.append((f"{errors} error{'s' * (errors > 1)}", "red"))
    if warnings:
        parts.append((f"{warnings} warning{'s' * (warnings > 1)}", "yellow"))
    text = Text()
    for index, (label, style) in enumerate(parts):
        text.append(("; " if index else "") + label, style=style)
    return text


def _diagnostics(console: Console, result: PreviewResult) -> None:
    messages = result.run.diagnostics
    if not messages:
        return
    console.print()
    console.print("Diagnostics:", style="bold")
    by_urn: dict[str, list] = {}
    for message in messages:
        by_urn.setdefault(message.urn or result.run.stack_resource.urn, []).append(message)
    for urn, group in by_urn.items():
        console.print(f"  {escape(_urn_heading(urn))}:")
        # One Text per resource: a program that prints 100k lines must not mean 100k prints.
        block = Text()
        for message in group:
            style = {"error": "red", "warning": "yellow"}.get(message.severity, "")
            prefix = f"{message.severity}: " if message.severity != "info" else ""
            for line in message.message.splitlines() or [""]:
                block.append(f"{INDENT}{prefix}{line}\n", style=style)
                prefix = ""
        block.rstrip()
        console.print(block)


def _pack(console: Console, result: PreviewResult, pack: PackReport) -> None:
    mandatory = any(v.level == "mandatory" for v in pack.violations)
    mark = FAIL_MARK if mandatory else WARN_MARK if pack.violations else PASS_MARK
    console.print(f"{INDENT}{mark} {escape(pack.label)} (local: {escape(str(pack.directory))})")
    for policy, level in pack.relaxed():
        console.print(
            f"{INDENT * 2}- [yellow]\\[{level}][/yellow]  [bold]{escape(policy.name)}[/bold]  "
            f"(mandatory in the pack, {level} by the policy config)"
        )
    ordered = sorted(pack.violations, key=lambda v: (v.level, v.policy, v.urn))
    for violation in ordered:
        style = "red" if violation.level == "mandatory" else "yellow"
        label = result.resource_label(violation.urn)
        where = f"  ({escape(label)})" if label else ""
        console.print(
            f"{INDENT * 2}- [{style}]\\[{violation.level}][/{style}]  "
            f"[bold]{escape(violation.policy)}[/bold]{where}"
        )
        for line in violation.message.removesuffix("\n").split("\n"):
            console.print(f"{INDENT * 2}  {escape(line)}")


def _short_type(type_token: str) -> str:
    """The CLI drops a module's last path segment when it merely repeats the type name."""
    parts = type_token.split(":")
    if len(parts) != 3:
        return type_token
    package, module, name = parts
    head, _, last = module.rpartition("/")
    if head and last.lower() == name.lower():
        module = head
    return f"{package}:{module}:{name}"


def _urn_heading(urn: str) -> str:
    _, _, qualified_type, name = urn.rsplit("::", 3)
    return f"{_short_type(qualified_type.split('$')[-1])} ({name})"
