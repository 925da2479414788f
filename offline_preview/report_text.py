"""The text report, in the order and words of `pulumi preview` (pulumi/pulumi pkg/backend/display).

- `Previewing update (<stack>):` — the DIY backend's banner (pkg/backend/diy/backend.go, `ActionLabel`
  in pkg/backend/apply.go);
- `Loading policy packs...: starting` / `: done` — the policy-load progress as the CLI writes it when
  its output is not a terminal (progress.go `processNormalEvent`, jsonmessage.go `progress`);
- the resource table (`report_tree.py`), then a blank line;
- `processEndSteps` (progress.go): `Policies:` (`printPolicies`), `Diagnostics:` (`printDiagnostics`),
  `Outputs:`, and `Resources:` (`printSummary`, diff.go `renderSummaryEvent`) — the summary is left
  out when a mandatory policy was violated, "so as not to confuse".
What the CLI cannot tell (violation counts, policies a config relaxed) comes last, under its own
heading that says it is ours. Text from the program or a pack goes through `safe` line by line.
"""

from collections.abc import Sequence

from rich.console import Console
from rich.text import Text

from components.release.steps.step_io import safe
from offline_preview.policy_run import PackReport, PolicyViolation
from offline_preview.preview import CREATE, PreviewResult
from offline_preview.report_diagnostics import Diagnostic, preview_diagnostics, stack_urn_of
from offline_preview.report_outputs import outputs_text
from offline_preview.report_tree import display_type, tree_lines, urn_type

INDENT = "    "
PASS_MARK, FAIL_MARK, WARN_MARK = "✅", "❌", "⚠️"  # progress.go, printPolicies
HEADLINE = "bold magenta"  # colors.SpecHeadline
LOADING_POLICY_PACKS = "Loading policy packs..."
OURS_HEADING = "Offline preview (not printed by the Pulumi CLI):"
# progress.go, enforcementRank: remediate, mandatory, advisory, disabled.
ENFORCEMENT_RANK = {"remediate": 0, "mandatory": 1, "advisory": 2, "disabled": 3}
LEVEL_STYLE = {"mandatory": "red", "remediate": "red"}


def print_report(console: Console, result: PreviewResult) -> None:
    run = result.run
    diagnostics = preview_diagnostics(result)
    console.print(Text(f"Previewing update ({safe(run.project.stack)}):", style=HEADLINE))
    console.print()
    if result.packs:
        console.print(Text(f"{LOADING_POLICY_PACKS}: starting"))
        console.print(Text(f"{LOADING_POLICY_PACKS}: done"))
        console.print()
    for line in tree_lines(result.shown_resources, diagnostics, stack_urn_of(result)):
        console.print(line)
    console.print()
    if result.packs:
        _policies(console, result.packs)
    _diagnostics(console, result, diagnostics)
    _outputs(console, result)
    if not result.mandatory:
        console.print(Text("Resources:", style=HEADLINE))
        count = len(result.created)
        console.print(Text(f"{INDENT}+ {count} to {CREATE}", style="green"))
        console.print()
    if result.packs:
        _ours(console, result.packs, len(result.mandatory), len(result.advisory))


def _policies(console: Console, packs: Sequence[PackReport]) -> None:
    console.print(Text("Policies:", style=HEADLINE))
    for pack in sorted(packs, key=lambda p: p.label):
        mandatory = any(v.level == "mandatory" for v in pack.violations)
        mark = FAIL_MARK if mandatory else WARN_MARK if pack.violations else PASS_MARK
        header = Text(f"{INDENT}{mark} ")
        header.append(safe(pack.label), style="magenta")
        header.append(f" (local: {safe(pack.directory)})")
        console.print(header)
        for violation in sorted(pack.violations, key=_violation_order):
            _violation(console, violation)
    console.print()


def _violation_order(violation: PolicyViolation) -> tuple[int, str, str]:
    return (ENFORCEMENT_RANK.get(violation.level, 99), violation.policy, violation.urn)


def _violation(console: Console, violation: PolicyViolation) -> None:
    """diff.go, renderDiffPolicyViolationEvent: `- [level]  policy  (type: name)` then the message."""
    line = Text(f"{INDENT * 2}- ")
    style = LEVEL_STYLE.get(violation.level, "yellow")
    line.append(f"[{violation.level}]  {safe(violation.policy)}", style=style)
    if violation.urn:
        name = violation.urn.rsplit("::", 1)[-1]
        line.append(f"  ({display_type(urn_type(violation.urn))}: {safe(name)})")
    console.print(line)
    for text in violation.message.removesuffix("\n").split("\n"):
        console.print(Text(f"{INDENT * 2}  {safe(text)}"))


def _diagnostics(
    console: Console, result: PreviewResult, diagnostics: Sequence[Diagnostic]
) -> None:
    """progress.go, printDiagnostics: grouped by resource in table order, `  type (name):`."""
    if not diagnostics:
        return
    order = {r.urn: index for index, r in enumerate(result.shown_resources)}
    by_urn: dict[str, list[Diagnostic]] = {}
    stack_urn = stack_urn_of(result)
    for diagnostic in diagnostics:
        by_urn.setdefault(diagnostic.shown_under(stack_urn), []).append(diagnostic)
    console.print(Text("Diagnostics:", style=HEADLINE))
    for urn in sorted(by_urn, key=lambda u: order.get(u, len(order))):
        name = urn.rsplit("::", 1)[-1] if urn else ""
        heading = f"{display_type(urn_type(urn))} ({name})" if urn else "(no resource)"
        console.print(Text(f"  {safe(heading)}:", style="bright_blue"))
        # One Text per resource: a program that prints 100k lines must not mean 100k prints.
        block = Text()
        for diagnostic in by_urn[urn]:
            style = {"error": "red", "warning": "yellow"}.get(diagnostic.severity, "")
            prefix = diagnostic.prefix
            for text in diagnostic.message.split("\n"):
                block.append(f"{INDENT}{prefix}", style=style)
                block.append(f"{safe(text)}\n")
                prefix = ""
        console.print(block)


def _outputs(console: Console, result: PreviewResult) -> None:
    """progress.go, printOutputs: the heading only when a property prints, then the block and the
    blank line of `println(props)`; in the stack step's colour (a create: green)."""
    text = outputs_text(result.run.outputs)
    if not text:
        return
    console.print(Text("Outputs:", style=HEADLINE))
    lines = text.removesuffix("\n").split("\n")  # keys are the program's: each line made safe
    console.print(Text("\n".join(safe(line) for line in lines), style="green"))
    console.print()


def _ours(console: Console, packs: Sequence[PackReport], mandatory: int, advisory: int) -> None:
    """Counts and relaxed policies: the CLI shows neither, so they are marked as ours."""
    console.print(Text(OURS_HEADING, style=HEADLINE))
    style = "red" if mandatory else "yellow" if advisory else "green"
    line = Text(f"{INDENT}Policy violations: ")
    line.append(f"{mandatory} mandatory, {advisory} advisory", style=style)
    console.print(line)
    for pack in sorted(packs, key=lambda p: p.label):
        relaxed = pack.relaxed()
        if relaxed:
            console.print(Text(f"{INDENT}{safe(pack.label)}, relaxed by its policy config:"))
        for policy, level in relaxed:
            console.print(
                Text(
                    f"{INDENT * 2}- [{level}]  {safe(policy.name)}  (mandatory in the pack, "
                    f"{level} by the policy config)",
                    style="yellow",
                )
            )
