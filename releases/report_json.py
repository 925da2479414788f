"""The releases as one JSON document for tools; the keys are listed in the README.

Each release: where (`stack`, `service`, `region`, `pipeline`, `pipelineArn`, `namesFrom`), the
answer (`verdict`, `problems`, `notes`), what was looked at (`search`, `execution`), what runs
(`buildId`, `releaseObject`, `manifestSha256`, `manifest`: the signed manifest as read), where it
came from (`promotedFrom`, `deploymentRecord`, `earlierRecords`), who let it in (`approval`) and the
signature check (`signature`). Times are ISO 8601 in UTC; absent things are null or empty.
"""

from typing import Any

from releases.model import DeployedRelease, ReleasesReport, Verdict
from troubleshoot.report_json import plain


def json_document(report: ReleasesReport, exit_code: int) -> dict[str, Any]:
    counts = {verdict.value: 0 for verdict in Verdict}
    for release in report.releases:
        counts[release.verdict.value] += 1
    return {
        "releases": [_release(release) for release in report.releases],
        "counts": counts,
        "steps": plain(report.steps),
        "exitCode": exit_code,
    }


def _release(release: DeployedRelease) -> dict[str, Any]:
    target = release.target
    return {
        "stack": target.stack,
        "service": target.service,
        "region": target.region,
        "pipeline": target.pipeline_name,
        "pipelineArn": target.pipeline_arn,
        "namesFrom": target.names_from,
        "verdict": release.verdict.value,
        "problems": list(release.problems),
        "notes": list(release.notes),
        "search": plain(release.search),
        "execution": plain(release.execution),
        "buildId": release.build_id,
        "approval": plain(release.approval),
        "releaseObject": plain(release.release_object),
        "manifestSha256": release.manifest_sha256,
        "manifest": release.manifest.to_dict() if release.manifest else None,
        "promotedFrom": release.promoted_from,
        "deploymentRecord": (
            release.deployment_record.to_dict() if release.deployment_record else None
        ),
        "earlierRecords": list(release.earlier_records),
        "signature": plain(release.signature),
    }
