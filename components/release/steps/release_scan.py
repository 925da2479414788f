"""The release's SBOM and vulnerability scan: what the signer writes next to the manifest.

Kept apart from signing so the gate's inputs (SBOM components, Inspector's answers, ECR's image
findings) and outputs (`sbom.cdx.json`, `scan-report.json`, the manifest's `sbom` and `scan`
entries) are produced in one place, whether or not the release is then signed.
"""

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .sbom import FORMAT, SPEC_VERSION, build_sbom, collect_components, sbom_bytes
from .vulnerability_gate import (
    SCANNER,
    GateResult,
    add_counts,
    count_findings,
    ecr_counts,
    ecr_findings,
    evaluate,
    inspector_findings,
    report_bytes,
    scan_sbom,
)


@dataclass(frozen=True)
class ReleaseScan:
    """The SBOM and report bytes, the gate's result, and the manifest entries describing them."""

    sbom: bytes
    report: bytes
    result: GateResult
    components: int
    warnings: list[str]

    def sbom_entry(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "specVersion": SPEC_VERSION,
            "sha256": hashlib.sha256(self.sbom).hexdigest(),
            "components": self.components,
        }

    def scan_entry(self) -> dict[str, Any]:
        return {
            "scanner": SCANNER,
            "threshold": self.result.threshold,
            "verdict": self.result.verdict,
            "counts": self.result.counts,
            "reportSha256": hashlib.sha256(self.report).hexdigest(),
        }


def scan_release(
    inspector_scan: Any,
    directory: Path,
    exclude: list[Path],
    name: str,
    threshold: str,
    image: Mapping[str, Any] | None,
    image_findings: Mapping[str, Any],
) -> ReleaseScan:
    """SBOM of `directory` scanned by Inspector, plus ECR's image findings, judged by the gate."""
    components, warnings = collect_components(directory, exclude=exclude)
    document = build_sbom(components, name=name)
    # An empty SBOM has nothing for Inspector to look up: no call, no findings.
    answers = scan_sbom(inspector_scan, document) if components else []
    sbom_findings = [finding for answer in answers for finding in inspector_findings(answer)]
    counts = add_counts(count_findings(sbom_findings), ecr_counts(image_findings))
    result = evaluate(threshold, counts, sbom_findings + ecr_findings(image_findings))
    image_report = None if image is None else {**image, "ecrScanFindings": image_findings}
    report = report_bytes(result, {"inspectorAnswers": answers, "image": image_report})
    return ReleaseScan(sbom_bytes(document), report, result, len(components), warnings)
