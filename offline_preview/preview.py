"""One offline preview: the program's registrations and what every policy pack said about them."""

from dataclasses import dataclass, field

from offline_preview.policy_run import PackReport, PolicyViolation
from offline_preview.program_runner import ProgramRun
from offline_preview.registration import RegisteredResource

CREATE = "create"
READ = "read"  # pkg/resource/deploy/step.go, OpRead


@dataclass
class PreviewResult:
    run: ProgramRun
    packs: list[PackReport] = field(default_factory=list)
    # `--show-reads`: the CLI's tree leaves reads out by default (progress.go turns a read into an
    # ephemeral message unless `opts.ShowReads`; preview.go's flag defaults to false).
    show_reads: bool = False

    @property
    def shown_resources(self) -> list[RegisteredResource]:
        """What the CLI's tree shows: everything the program registered (default providers are
        hidden), and its reads with `--show-reads`."""
        return self.run.all_steps() if self.show_reads else self.run.resources

    @property
    def created(self) -> list[RegisteredResource]:
        """What `Resources:` counts: the creates. A read is never counted on a first preview
        (pkg/engine/update.go `shouldRecordReadStep` needs an old state; diff.go
        `renderSummaryEvent` skips OpRead in any case)."""
        return self.run.resources

    @property
    def violations(self) -> list[PolicyViolation]:
        return [v for pack in self.packs for v in pack.violations]

    @property
    def mandatory(self) -> list[PolicyViolation]:
        return [v for v in self.violations if v.level == "mandatory"]

    @property
    def advisory(self) -> list[PolicyViolation]:
        return [v for v in self.violations if v.level != "mandatory"]

    def violations_of(self, urn: str) -> list[PolicyViolation]:
        return [v for v in self.violations if v.urn == urn]

    def resource_label(self, urn: str) -> str:
        """`type: name` of a URN, as the CLI prints it next to a violation."""
        if not urn:
            return ""
        _, _, qualified_type, name = urn.rsplit("::", 3)
        return f"{qualified_type.split('$')[-1]}: {name}"
