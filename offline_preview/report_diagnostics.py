"""The diagnostics of one preview, as the engine emits them, for the text and the JSON report alike.

In order: what the program logged or printed, then ours (one warning per multi-language component, `remote_components.py`), then the engine's own
closing error. The deployment executor reports `preview failed` on the root stack whenever the
preview fails, mandatory policy violations included (pulumi/pulumi
pkg/resource/deploy/deployment_executor.go, `reportExecResult("failed")`, and step_generator.go,
where a mandatory violation sets `sawError`), with no URN; the text display shows a diagnostic without
a URN under the stack (pkg/backend/display/progress.go, `processNormalEvent`), the JSON leaves `urn` out.
"""

from dataclasses import dataclass

from offline_preview.preview import PreviewResult
from offline_preview.registration import STACK_TYPE
from offline_preview.remote_components import remote_component_warning, remote_components

PREVIEW_FAILED = "preview failed"
UNPREFIXED = ("info", "info#err")  # sdk/go/common/diag/sink.go, Stringify: no "info: " prefix


@dataclass(frozen=True)
class Diagnostic:
    urn: str  # "" when the engine attributes it to no resource
    severity: str  # "error" | "warning" | "info"
    message: str  # as logged: no severity prefix, no trailing newline

    @property
    def prefix(self) -> str:
        """What the CLI puts before the message (`error: `, `warning: `; nothing for info)."""
        return "" if self.severity in UNPREFIXED else f"{self.severity}: "

    def shown_under(self, stack_urn: str) -> str:
        """The row the text display puts it under: its resource, else the stack."""
        return self.urn or stack_urn


def preview_diagnostics(result: PreviewResult) -> list[Diagnostic]:
    run = result.run
    diagnostics = [
        Diagnostic(m.urn, m.severity, m.message.removesuffix("\n")) for m in run.diagnostics
    ]
    diagnostics += [
        Diagnostic(c.urn, "warning", remote_component_warning(c))
        for c in remote_components(result.shown_resources)
    ]
    if result.mandatory or run.errors:
        diagnostics.append(Diagnostic("", "error", PREVIEW_FAILED))
    return diagnostics


def stack_urn_of(result: PreviewResult) -> str:
    return next((r.urn for r in result.run.resources if r.type == STACK_TYPE), "")
