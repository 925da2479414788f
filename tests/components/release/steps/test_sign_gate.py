"""The vulnerability gate in the sign step: above the threshold nothing is signed; report-only signs."""

import json

import pytest

from tests.support.release_account import COMMIT

CRITICAL_AND_HIGH = [
    {
        "bom-ref": "vuln-1",
        "id": "CVE-2024-37891",
        "ratings": [
            {"source": {"name": "NVD"}, "score": 4.4, "severity": "medium", "method": "CVSSv31"},
            {"source": {"name": "GHSA"}, "score": 9.8, "severity": "critical", "method": "CVSSv31"},
        ],
        "affects": [{"ref": "comp-1"}],
    },
    {
        "bom-ref": "vuln-2",
        "id": "CVE-2023-45803",
        "ratings": [{"severity": "high"}, {"source": {"name": "EPSS"}, "score": 0.02}],
        "affects": [{"ref": "comp-1"}],
    },
    {"bom-ref": "vuln-3", "id": "CVE-2020-0001", "ratings": [{"severity": "none"}]},
]


def test_a_scan_above_the_threshold_fails_the_gate_and_signs_nothing(release, run_sign, output):
    release.record_build()
    release.record_image()
    release.queue_action_executions()
    release.queue_scan(CRITICAL_AND_HIGH)
    release.aws.stub("kms")  # any kms call would fail the step with exit 2: none may happen

    code, out, err = run_sign(VULNERABILITY_GATE="HIGH")

    assert (code, out) == (1, "")
    assert err.splitlines() == [
        "sign: release refused (5 problem(s)):",
        "  - vulnerability gate failed: 3 finding(s) at or above threshold HIGH "
        "(CRITICAL 1, HIGH 2, MEDIUM 0, LOW 0, OTHER 1)",
        "  -   CRITICAL CVE-2024-37891 in pkg:pypi/urllib3@2.2.2 (sbom)",
        "  -   HIGH CVE-2023-45803 in pkg:pypi/urllib3@2.2.2 (sbom)",
        "  -   HIGH CVE-9999-9999 in moto_fake@9.9.9 (image)",
        "  - nothing was signed",
    ]
    assert sorted(path.name for path in output.iterdir()) == ["sbom.cdx.json", "scan-report.json"]
    report = json.loads((output / "scan-report.json").read_bytes())
    assert (report["verdict"], report["threshold"]) == ("fail", "HIGH")
    assert report["counts"] == {"CRITICAL": 1, "HIGH": 2, "MEDIUM": 0, "LOW": 0, "OTHER": 1}
    release.aws.assert_all_stubs_used()


def test_the_image_scan_alone_fails_a_high_gate(release, run_sign, output):
    release.record_build()
    release.record_image()
    release.queue_action_executions()
    release.queue_scan()

    code, _, err = run_sign(VULNERABILITY_GATE="HIGH")

    assert code == 1
    assert "  -   HIGH CVE-9999-9999 in moto_fake@9.9.9 (image)" in err.splitlines()
    assert not (output / "manifest.json").exists()


def test_the_same_scan_under_report_only_is_signed_with_its_verdict(
    release, run_sign, run_verify, output
):
    release.record_build()
    release.record_image()
    release.queue_action_executions()
    release.queue_scan(CRITICAL_AND_HIGH)

    code, out, err = run_sign(VULNERABILITY_GATE="report-only")

    assert (code, err) == (0, ""), err
    manifest = json.loads((output / "manifest.json").read_bytes())
    assert manifest["scan"]["verdict"] == "report-only"
    assert manifest["scan"]["threshold"] == "report-only"
    assert manifest["scan"]["counts"] == {
        "CRITICAL": 1,
        "HIGH": 2,
        "MEDIUM": 0,
        "LOW": 0,
        "OTHER": 1,
    }
    assert "SCAN_VERDICT=report-only\n" in (output / "variables.env").read_text()
    assert f"commit {COMMIT}" in out
    assert "vulnerability scan report-only (threshold report-only;" in out
    release.record_release(output)
    release.queue_action_executions()
    assert run_verify()[0] == 0


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        ({"status": "IN_PROGRESS"}, "not complete after 0 s (IN_PROGRESS)"),
        (
            {"status": "UNSUPPORTED_IMAGE", "description": "UnsupportedImageError"},
            "ended UNSUPPORTED_IMAGE: UnsupportedImageError",
        ),
    ],
)
def test_an_image_without_a_scan_result_is_refused(release, run_sign, output, status, reason):
    release.record_build()
    release.record_image()
    release.queue_action_executions()
    ecr = release.aws.stub("ecr")
    ecr.add_response(
        "describe_images",
        {"imageDetails": [{"imageDigest": release.image_digest, "imageTags": [COMMIT]}]},
    )
    ecr.add_response("describe_image_scan_findings", {"imageScanStatus": status})

    code, _, err = run_sign()

    assert code == 1
    assert err.splitlines()[1:] == [f"  - image scan of {release.image_digest} {reason}"]
    assert not output.exists()
