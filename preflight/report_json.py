"""The checks as one JSON document for tools; the keys are listed in the README.

`{stack, project, region, account, names: {prefix, artifactBucket, artifactKeyAlias, ...},
checks: [{check, service, status, detail, fix}], counts: {OK, FAIL, SKIP}, steps: [{purpose,
command}], exitCode}`.
"""

from typing import Any

from preflight.model import PreflightReport, Status
from troubleshoot.report_json import plain


def json_document(report: PreflightReport, exit_code: int) -> dict[str, Any]:
    return {
        "stack": report.stack,
        "project": report.project,
        "region": report.region,
        "account": report.account,
        "names": dict(report.names),
        "checks": [
            {
                "check": check.check,
                "service": check.service,
                "status": check.status.value,
                "detail": check.detail,
                "fix": check.fix,
            }
            for check in report.checks
        ],
        "counts": {status.value: report.count(status) for status in Status},
        "steps": plain(report.steps),
        "exitCode": exit_code,
    }
