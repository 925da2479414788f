"""What the command found about each stack's services, independent of how it is printed."""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from components.release.steps.deployment_record import DeploymentRecord
from components.release.steps.manifest import ReleaseManifest
from troubleshoot.model import AwsStep, Target


class Verdict(StrEnum):
    """The answer for one service, which also decides the exit code."""

    VERIFIED = "verified"
    """A release is deployed and its signature verifies with the key the stack trusts (exit 0)."""
    NOT_VERIFIED = "not-verified"
    """A release is deployed but its signature, or what it was signed for, does not hold (exit 1)."""
    NO_MANIFEST = "no-manifest"
    """The deployed execution has no release artifact or no manifest in it (exit 1)."""
    NOTHING_DEPLOYED = "nothing-deployed"
    """No Succeeded execution among those looked at, or no pipeline (exit 1)."""


@dataclass(frozen=True)
class DeployedExecution:
    """The latest Succeeded execution: what is deployed."""

    execution_id: str
    status: str
    started: datetime | None = None
    finished: datetime | None = None
    """`lastUpdateTime` of the execution: when it succeeded."""
    trigger: str = ""
    source_revision: str = ""
    """The Source action's revision (a commit id), as CodePipeline recorded it."""
    rollback_of: str = ""
    """For a pipeline rollback: the execution whose release it redeployed (read instead)."""


@dataclass(frozen=True)
class OtherExecution:
    execution_id: str
    status: str


@dataclass(frozen=True)
class ExecutionSearch:
    """How far back the latest Succeeded execution was looked for."""

    looked_at: int
    """Executions read, newest first."""
    complete: bool
    """Whether those were all the pipeline has (else older ones were not read)."""
    limit: int
    newer: tuple[OtherExecution, ...] = ()
    """Executions newer than the deployed one that did not succeed (running, failed, stopped...)."""


@dataclass(frozen=True)
class Approval:
    """The manual approval of the deployed execution: who let the release in, and when."""

    stage: str
    action: str
    status: str
    approved_by: str = ""
    """`updatedBy` of the action execution: the identity that answered the approval."""
    at: datetime | None = None
    summary: str = ""
    """What the approver wrote (`externalExecutionSummary`)."""


@dataclass(frozen=True)
class ReleaseObject:
    """The release artifact's S3 object as read now."""

    artifact: str
    bucket: str
    key: str
    version_id: str | None
    sha256: str


@dataclass(frozen=True)
class SignatureCheck:
    """Which file was verified, with which key, and KMS's answer."""

    signed_file: str
    """`manifest.json` (built here) or `deployment.json` (promoted: the upstream's record)."""
    trusted_key: str
    """The key id `kms:Verify` was called with: this stack's alias, or the upstream's key."""
    trusted_because: str
    signed_by: str = ""
    """The key the envelope names (reported, never used to verify)."""
    verified: bool = False


@dataclass
class DeployedRelease:
    """One service of one stack: what runs, where it came from, and whether its signature holds."""

    target: Target
    verdict: Verdict
    search: ExecutionSearch | None = None
    execution: DeployedExecution | None = None
    build_id: str = ""
    """The execution's Build action's build id (empty for a promoted release, which builds nothing)."""
    approval: Approval | None = None
    release_object: ReleaseObject | None = None
    manifest_sha256: str = ""
    manifest: ReleaseManifest | None = None
    promoted_from: str = ""
    """The upstream stack the config names (`promoteFrom`); empty when releases are built here."""
    deployment_record: DeploymentRecord | None = None
    earlier_records: tuple[str, ...] = ()
    """Stacks whose deployment records travel along under `upstream/` (shown, not verified here)."""
    signature: SignatureCheck | None = None
    problems: list[str] = field(default_factory=list)
    """Why the release is not verified, or why nothing is shown (each a sentence)."""
    notes: list[str] = field(default_factory=list)


@dataclass
class ReleasesReport:
    releases: list[DeployedRelease]
    steps: list[AwsStep] = field(default_factory=list)

    @property
    def all_verified(self) -> bool:
        return all(release.verdict is Verdict.VERIFIED for release in self.releases)
