"""What one policy pack said about a preview: its policies, effective levels and violations."""

from dataclasses import dataclass, field
from pathlib import Path

from offline_preview.policy_config import PolicySchema


@dataclass
class PolicyPackRequest:
    """One `--policy-pack DIR [--policy-pack-config FILE]` pair."""

    directory: Path
    config_file: Path | None = None


@dataclass
class PolicyViolation:
    pack: str
    pack_version: str
    policy: str
    level: str  # "mandatory" | "advisory"
    description: str
    message: str
    urn: str = ""


@dataclass
class PackReport:
    name: str
    version: str
    directory: Path
    policies: list[PolicySchema] = field(default_factory=list)
    violations: list[PolicyViolation] = field(default_factory=list)
    levels: dict[str, str] = field(default_factory=dict)  # effective, after the config

    def relaxed(self) -> list[tuple[PolicySchema, str]]:
        """Mandatory policies the config disabled or downgraded, with their effective level."""
        return [
            (policy, self.levels[policy.name])
            for policy in self.policies
            if policy.enforcement_level == "mandatory"
            and self.levels.get(policy.name, "mandatory") in ("advisory", "disabled")
        ]

    @property
    def label(self) -> str:
        return f"{self.name}@v{self.version}"
