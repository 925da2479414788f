"""The resource table of `pulumi preview`, drawn as the CLI draws it once the preview is done.

Compared with pulumi/pulumi pkg/backend/display:
- columns (rows.go, `headerRowData.ColorizedColumns`): op, `Type`, `Name`, `Plan`, `Info`; the `Info`
  header is dropped when no row has info (progress.go, `removeInfoColumnIfUnneeded`);
- layout (tableutil.go, `renderRow` / `columnPadding`): one space, the op column, then every further
  column padded to the widest cell of the column before it plus two spaces;
- tree (progress.go, `getOrCreateTreeNode` / `addIndentations`): a resource whose parent is not shown
  hangs under the stack; the stack has no prefix, a child `├─ ` or `└─ ` (last), and its own children
  are indented by `│  ` or three spaces;
- op (pkg/resource/deploy/step.go, `RawPrefix`, coloured by `Color`): `+ ` green for a create, `> `
  bright cyan for a read (shown only with `--show-reads`); Plan (progress.go, `getPreviewDoneText`):
  `create`, `read`;
- type (sdk/go/common/tokens/tokens.go, `Type.DisplayName`): the module's last path segment is dropped
  when it is the type name with its first letter lower-cased (`aws:s3/bucket:Bucket` -> `aws:s3:Bucket`);
- info (rows.go, `getInfoColumn`, once done): the resource's diagnostics counted, `N error(s)`,
  `N warning(s)`, `N message(s)`, joined by `; ` (policy violations are not diagnostics: they are
  listed under `Policies:`).
Trailing blanks, which the CLI pads rows with, are dropped.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text

from components.release.steps.step_io import safe
from offline_preview.registration import STACK_TYPE, RegisteredResource
from offline_preview.report_diagnostics import Diagnostic

CREATE_OP, CREATE_PLAN = "+ ", "create"
READ_OP, READ_PLAN = "> ", "read"
HEADER_STYLE = "underline bright_blue"
INFO_KINDS = (("error", "red"), ("warning", "yellow"), ("info", "magenta"))
INFO_WORDS = {"error": "error", "warning": "warning", "info": "message"}


@dataclass(frozen=True)
class Cell:
    text: str
    style: str = ""


def display_type(type_token: str) -> str:
    """`tokens.Type.DisplayName`: `pkg:mod/file:Name` -> `pkg:mod:Name` when file == camelCase(Name)."""
    parts = type_token.split(":")
    if len(parts) != 3 or not parts[2]:
        return type_token
    package, module, name = parts
    head, slash, last = module.rpartition("/")
    if not slash or last != name[0].lower() + name[1:]:
        return type_token
    return f"{package}:{head}:{name}"


def urn_type(urn: str) -> str:
    """The resource's own type from a URN (the last of the parent-qualified chain)."""
    return urn.rsplit("::", 2)[-2].split("$")[-1]


def tree_lines(
    resources: Sequence[RegisteredResource], diagnostics: Sequence[Diagnostic], stack_urn: str
) -> list[Text]:
    rows = [[Cell(""), *(Cell(h, HEADER_STYLE) for h in ("Type", "Name", "Plan", "Info"))]]
    for prefix, resource in _walk(resources):
        op, plan, style = (
            (READ_OP, READ_PLAN, "bright_cyan")
            if resource.read
            else (CREATE_OP, CREATE_PLAN, "green")
        )
        rows.append(
            [
                Cell(op, style),
                Cell(prefix + display_type(resource.type)),
                Cell(safe(resource.name)),
                Cell(plan, style),
                *_info(resource.urn, diagnostics, stack_urn),
            ]
        )
    if all(len(row) == 5 and not row[4].text for row in rows[1:]):
        rows[0][4] = Cell("")
    widths = [max(len(row[i].text) for row in rows) for i in range(5)]
    lines = []
    for row in rows:
        line = Text(" ")
        for index, cell in enumerate(row):
            if index:
                line.append(" " * (widths[index - 1] - len(row[index - 1].text) + 2))
            line.append(cell.text, style=cell.style)
        line.rstrip()
        lines.append(line)
    return lines


def _walk(resources: Sequence[RegisteredResource]) -> list[tuple[str, RegisteredResource]]:
    """Every resource with its tree prefix, depth first in registration order."""
    shown = {r.urn for r in resources}
    stack = next((r for r in resources if r.type == STACK_TYPE), None)
    children: dict[str, list[RegisteredResource]] = {}
    roots: list[RegisteredResource] = []
    for resource in resources:
        if resource is stack:
            roots.append(resource)
        elif resource.parent in shown:
            children.setdefault(resource.parent, []).append(resource)
        elif stack is not None:  # the CLI hangs a resource of an unknown parent under the stack
            children.setdefault(stack.urn, []).append(resource)
        else:
            roots.append(resource)
    walked: list[tuple[str, RegisteredResource]] = []

    def visit(resource: RegisteredResource, prefix: str, indentation: str) -> None:
        walked.append((prefix, resource))
        kids = children.get(resource.urn, [])
        for index, child in enumerate(kids):
            last = index == len(kids) - 1
            visit(
                child,
                indentation + ("└─ " if last else "├─ "),
                indentation + ("   " if last else "│  "),
            )

    for root in roots:
        visit(root, "", "")
    return walked


def _info(urn: str, diagnostics: Sequence[Diagnostic], stack_urn: str) -> list[Cell]:
    counts = {kind: 0 for kind, _ in INFO_KINDS}
    for diagnostic in diagnostics:
        if diagnostic.shown_under(stack_urn) == urn:
            kind = "info" if diagnostic.severity.startswith("info") else diagnostic.severity
            counts[kind] = counts.get(kind, 0) + 1
    parts = [
        f"{counts[kind]} {INFO_WORDS[kind]}{'s' * (counts[kind] != 1)}"
        for kind, _ in INFO_KINDS
        if counts[kind]
    ]
    return [Cell("; ".join(parts), "red" if counts["error"] else "yellow" if parts else "")]
