"""One offline preview: the program's registrations and what every policy pack said about them."""

from dataclasses import dataclass, field

from offline_preview.policy_run import PackReport, PolicyViolation
from offline_preview.program_runner import ProgramRun
from offline_preview.registration import SECRET_SIG, SIG_KEY, UNKNOWN, RegisteredResource

CREATE = "create"


@dataclass
class PreviewResult:
    run: ProgramRun
    packs: list[PackReport] = field(default_factory=list)

    @property
    def shown_resources(self) -> list[RegisteredResource]:
        """What the CLI's tree shows: everything the program registered (default providers are hidden)."""
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


def display_value(value: object) -> str:
    """A wire-form value as the CLI prints outputs: unknowns as output<T>, secrets hidden."""
    if value == UNKNOWN:
        return "output<string>"
    if isinstance(value, dict) and value.get(SIG_KEY) == SECRET_SIG:
        return "[secret]"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(display_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {display_value(v)}" for k, v in value.items()) + "}"
    return str(value)
