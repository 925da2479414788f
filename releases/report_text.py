"""The releases as text for a person: one aligned block per service, then the CLI behind each read.

Everything that comes from AWS or from a release artifact is printed through `safe()`: a manifest,
an approval comment or an error message cannot move the cursor, recolour or retitle the terminal.
"""

from datetime import UTC, datetime

from rich.console import Console

from components.release.steps.manifest import SEVERITY_KEYS, ReleaseManifest
from components.release.steps.step_io import safe
from releases.model import DeployedRelease, ReleasesReport, Verdict

INDENT = "  "
LABEL_WIDTH = 10
MAX_NEWER_SHOWN = 5
VERDICT_LINES = {
    Verdict.VERIFIED: ("verified", "bold green"),
    Verdict.NOT_VERIFIED: ("DOES NOT VERIFY", "bold red"),
    Verdict.NO_MANIFEST: ("NO MANIFEST", "bold red"),
    Verdict.NOTHING_DEPLOYED: ("NOTHING DEPLOYED", "bold red"),
}


def print_report(console: Console, report: ReleasesReport) -> None:
    for release in report.releases:
        _release(console, release)
        console.print()
    _summary(console, report)
    console.print()
    console.print("AWS CLI behind each read:", style="bold")
    for number, step in enumerate(report.steps, start=1):
        console.print(f"{INDENT}{number}. {safe(step.purpose)}")
        console.print(f"{INDENT}   {safe(step.command)}", style="cyan")


def _release(console: Console, release: DeployedRelease) -> None:
    target = release.target
    verdict, style = VERDICT_LINES[release.verdict]
    console.print(f"{safe(target.stack)}/{safe(target.service)}: {verdict}", style=style)

    def line(label: str, value: str, style: str | None = None) -> None:
        _line(console, label, value, style)

    line(
        "pipeline",
        f"{safe(target.pipeline_name)} ({target.region}; names from {safe(target.names_from)})",
    )
    execution = release.execution
    if execution:
        finished = f", finished {_time(execution.finished)}" if execution.finished else ""
        trigger = f", started by {safe(execution.trigger)}" if execution.trigger else ""
        line(
            "execution",
            f"{safe(execution.execution_id)} {safe(execution.status)}{finished}{trigger}",
        )
    manifest = release.manifest
    if manifest:
        _manifest(console, manifest)
    if release.build_id and (manifest is None or manifest.build_id != release.build_id):
        line("build run", safe(release.build_id))
    if release.manifest_sha256:
        created = f", created {safe(manifest.created_at)}" if manifest else ""
        line("manifest", f"sha256 {release.manifest_sha256}{created}")
    if release.promoted_from:
        _promotion(console, release)
    approval = release.approval
    if approval:
        by = safe(approval.approved_by) or "an unknown identity"
        at = f" at {_time(approval.at)}" if approval.at else ""
        said = f': "{safe(approval.summary)}"' if approval.summary else ""
        line("approved", f"by {by}{at} ({safe(approval.status)}){said}")
    elif release.execution:
        line("approved", "no approval in this execution")
    signature = release.signature
    if signature:
        answer = "verified" if signature.verified else "DOES NOT VERIFY"
        line(
            "signature",
            f"{answer}: {signature.signed_file} with {safe(signature.trusted_because)}",
            None if signature.verified else "red",
        )
        signed_by = f" (signed by {safe(signature.signed_by)})" if signature.signed_by else ""
        line("key", f"{safe(signature.trusted_key)}{signed_by}")
    for problem in release.problems:
        line("problem", safe(problem), "red")
    if release.search and release.search.newer:
        newer = release.search.newer
        shown = ", ".join(
            f"{safe(other.execution_id)} {safe(other.status)}" for other in newer[:MAX_NEWER_SHOWN]
        )
        more = f" and {len(newer) - MAX_NEWER_SHOWN} more" if len(newer) > MAX_NEWER_SHOWN else ""
        line("newer", f"{len(newer)} execution(s) since, not succeeded: {shown}{more}")
    for note in release.notes:
        line("note", safe(note))


def _promotion(console: Console, release: DeployedRelease) -> None:
    """Where a promoted release comes from: the upstream's record, and where it was built."""
    record, manifest = release.deployment_record, release.manifest
    if record:
        _line(
            console,
            "promoted",
            f"from {safe(record.stack)}: execution {safe(record.pipeline_execution_id)} of "
            f"{safe(record.pipeline)}, deployed {safe(record.deployed_at)}",
        )
    else:
        _line(console, "promoted", f"from {safe(release.promoted_from)} (no deployment record)")
    if manifest:
        _line(
            console,
            "built",
            f"in {safe(manifest.stack)}: execution {safe(manifest.pipeline_execution_id)} of "
            f"{safe(manifest.pipeline)}",
        )
    if release.earlier_records:
        earlier = ", ".join(safe(stack) for stack in release.earlier_records)
        _line(
            console,
            "earlier",
            f"deployment record(s) of {earlier} carried along (not verified here)",
        )


def _line(console: Console, label: str, value: str, style: str | None = None) -> None:
    console.print(f"{INDENT}{label:<{LABEL_WIDTH}} {value}", style=style)


def _manifest(console: Console, manifest: ReleaseManifest) -> None:
    """What the signed manifest says was built: revision, build, digests, image, scan, SBOM."""

    def line(label: str, value: str) -> None:
        _line(console, label, value)

    source = manifest.source
    line(
        "commit",
        f"{safe(manifest.commit_id)} ({safe(source['repository'])}@{safe(source['branch'])})",
    )
    line("build", safe(manifest.build_id))
    for name, artifact in sorted(manifest.artifacts.items()):
        line("artifact", f"{safe(name)} sha256 {safe(artifact['sha256'])}")
    image = manifest.image
    line("image", f"{safe(image['digest'])} ({safe(image['repository'])})" if image else "none")
    counts = manifest.scan.get("counts", {})
    severities = ", ".join(f"{key} {safe(counts.get(key, 0))}" for key in SEVERITY_KEYS)
    line("scan", f"{safe(manifest.scan_verdict)} ({severities})")
    line("sbom", f"sha256 {safe(manifest.sbom['sha256'])}")


def _summary(console: Console, report: ReleasesReport) -> None:
    verified = [r for r in report.releases if r.verdict is Verdict.VERIFIED]
    others = [r for r in report.releases if r.verdict is not Verdict.VERIFIED]
    text = f"{len(report.releases)} release(s): {len(verified)} verified"
    if others:
        listed = ", ".join(
            f"{safe(r.target.stack)}/{safe(r.target.service)} ({r.verdict.value})" for r in others
        )
        text += f", {len(others)} not: {listed}"
    console.print(text, style="bold" if not others else "bold red")


def _time(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
