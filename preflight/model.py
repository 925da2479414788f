"""What the checks found, independent of how it is printed."""

from dataclasses import dataclass, field
from enum import StrEnum

from troubleshoot.model import AwsStep


class Status(StrEnum):
    OK = "OK"
    FAIL = "FAIL"
    """The first `pulumi up`, or the first pipeline execution, would fail: `fix` says what to do."""
    SKIP = "SKIP"
    """Could not be told from here (or not yet): `fix` says how to find out or what comes first."""


@dataclass(frozen=True)
class Check:
    """One line of the report."""

    check: str
    """What was checked, e.g. `ecs-service` (the README lists them)."""
    status: Status
    detail: str
    fix: str = ""
    service: str = ""
    """The service it concerns; empty for the stack's shared checks."""


@dataclass
class PreflightReport:
    stack: str
    project: str
    region: str
    account: str
    names: dict[str, str]
    """The derived names the stack will use (prefix, bucket, key aliases)."""
    checks: list[Check] = field(default_factory=list)
    steps: list[AwsStep] = field(default_factory=list)

    def count(self, status: Status) -> int:
        return sum(1 for check in self.checks if check.status is status)

    @property
    def failed(self) -> bool:
        return self.count(Status.FAIL) > 0
