"""A policy's metadata as data: what it checks, its default level, its fix, and the same check elsewhere.

Auditors map our policies to the rule IDs of other tools, so the IDs are fields, not prose: the pack
renders them into each policy's description (what the engine shows) and `tools/readme_policies.py`
into the README's table, from the same object.
"""

from dataclasses import dataclass, field
from typing import Any

from pulumi_policy import EnforcementLevel

# The four tools auditors ask about, in the order they are shown.
TOOLS = ("Checkov", "cdk-nag", "Security Hub", "AWS Config")


@dataclass(frozen=True)
class Equivalents:
    """The rule IDs of other tools that check the same thing; an empty tuple means none was found."""

    checkov: tuple[str, ...] = ()
    cdk_nag: tuple[str, ...] = ()
    security_hub: tuple[str, ...] = ()
    aws_config: tuple[str, ...] = ()
    # Further tools (IAM Access Analyzer, Parliament), by tool name.
    other_tools: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Rules of the four tools that check something near it (narrower or wider), not the same.
    nearest: "Equivalents | None" = None

    def by_tool(self) -> dict[str, tuple[str, ...]]:
        """Tool name -> IDs, the four tools first, only the tools that have an equivalent."""
        four = (self.checkov, self.cdk_nag, self.security_hub, self.aws_config)
        ids = dict(zip(TOOLS, four, strict=True))
        ids.update(self.other_tools)
        return {tool: rule_ids for tool, rule_ids in ids.items() if rule_ids}

    def rendered(self, separator: str = "; ") -> str:
        """`Checkov A and B; cdk-nag C; ...`, naming the four tools when none of them has one."""
        parts = [f"{tool} {_joined(rule_ids)}" for tool, rule_ids in self.by_tool().items()]
        if not any((self.checkov, self.cdk_nag, self.security_hub, self.aws_config)):
            parts.append(f"no {', '.join(TOOLS[:-1])} or {TOOLS[-1]} equivalent found")
        if self.nearest is not None:
            parts.append(f"nearest: {self.nearest.rendered(separator=', ')}")
        return separator.join(parts)


@dataclass(frozen=True)
class PolicyMetadata:
    """Everything about a policy but its check: the pack builds the SDK policy from it."""

    name: str
    checks: str  # one sentence without its final period: what a compliant resource looks like
    level: EnforcementLevel  # the pack's default; `policies/config/<env>.json` may override it
    remediation: str
    equivalents: Equivalents

    @property
    def description(self) -> str:
        """The one sentence the engine shows: what it checks, then the equivalent rule IDs."""
        return f"{self.checks} ({self.equivalents.rendered()})."

    def policy_fields(self) -> dict[str, Any]:
        """The keyword arguments of `ResourceValidationPolicy`/`StackValidationPolicy` it supplies."""
        return {
            "name": self.name,
            "description": self.description,
            "enforcement_level": self.level,
            "remediation_steps": self.remediation,
        }


def _joined(rule_ids: tuple[str, ...]) -> str:
    if len(rule_ids) == 1:
        return rule_ids[0]
    return f"{', '.join(rule_ids[:-1])} and {rule_ids[-1]}"
