"""`--sarif FILE`: the policy violations as SARIF 2.1.0, for code-scanning UIs and CI annotations.

One run per policy pack, its driver the pack (name, version) and its rules the pack's policies: id and
name from the policy's name, short description from its description, help from its remediation steps
(else the description), `helpUri` from its URL, default level from its effective enforcement level.
One result per violation: level `error` for mandatory, `warning` for advisory; the resource URN is the
logical location (kind `resource`), and the program's main file the physical one (code-scanning UIs
show only results with a file; the preview does not know the line that declared a resource).
`partialFingerprints` (URN + policy) let a UI follow one violation across runs.
"""

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from offline_preview.policy_run import PackReport, PolicyViolation
from offline_preview.preview import PreviewResult

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"mandatory": "error", "remediate": "error", "advisory": "warning", "disabled": "none"}
FINGERPRINT_KEY = "pulumiUrnPolicy/v1"
SOURCE_ROOT = "%SRCROOT%"


def sarif_document(
    result: PreviewResult, exit_code: int, base: Path | None = None
) -> dict[str, Any]:
    """The SARIF log; artifact URIs are relative to `base` (default: the current directory)."""
    program = _relative_uri(result.run.project.main, base or Path.cwd())
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [_run(result, pack, program, exit_code) for pack in result.packs],
    }


def write_sarif(path: Path, result: PreviewResult, exit_code: int) -> None:
    path.write_text(json.dumps(sarif_document(result, exit_code), indent=2) + "\n")


def _run(result: PreviewResult, pack: PackReport, program: str, exit_code: int) -> dict[str, Any]:
    rule_index = {policy.name: index for index, policy in enumerate(pack.policies)}
    return {
        "tool": {
            "driver": {
                "name": pack.name,
                "version": pack.version,
                "informationUri": "https://www.pulumi.com/docs/iac/using-pulumi/crossguard/",
                "rules": [_rule(pack, policy) for policy in pack.policies],
            }
        },
        "invocations": [
            {
                "executionSuccessful": True,
                "exitCode": exit_code,
                "commandLine": f"pulumi preview --stack {result.run.project.stack} --policy-pack "
                f"{pack.directory}",
            }
        ],
        "originalUriBaseIds": {SOURCE_ROOT: {"uri": Path.cwd().resolve().as_uri() + "/"}},
        "results": [
            _result(result, violation, rule_index, program) for violation in pack.violations
        ],
    }


def _rule(pack: PackReport, policy: Any) -> dict[str, Any]:
    level = pack.levels.get(policy.name, policy.enforcement_level)
    rule: dict[str, Any] = {
        "id": policy.name,
        "name": policy.name,
        "shortDescription": {"text": policy.description or policy.name},
        "fullDescription": {"text": policy.description or policy.name},
        "help": {"text": policy.remediation or policy.description or policy.name},
        "defaultConfiguration": {
            "level": LEVELS.get(level, "warning"),
            "enabled": level != "disabled",
        },
        "properties": {
            "enforcementLevel": level,
            "declaredEnforcementLevel": policy.enforcement_level,
        },
    }
    if policy.url:
        rule["helpUri"] = policy.url
    return rule


def _result(
    result: PreviewResult, violation: PolicyViolation, rule_index: dict[str, int], program: str
) -> dict[str, Any]:
    urn = violation.urn or result.run.stack_resource.urn
    name = urn.rsplit("::", 1)[-1]
    entry: dict[str, Any] = {
        "ruleId": violation.policy,
        "level": LEVELS.get(violation.level, "warning"),
        "message": {"text": violation.message or violation.description},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": program, "uriBaseId": SOURCE_ROOT},
                    "region": {"startLine": 1},
                },
                "logicalLocations": [{"fullyQualifiedName": urn, "name": name, "kind": "resource"}],
            }
        ],
        "partialFingerprints": {
            FINGERPRINT_KEY: hashlib.sha256(f"{urn}\n{violation.policy}".encode()).hexdigest()
        },
        "properties": {
            "enforcementLevel": violation.level,
            "resource": result.resource_label(urn),
            "policyPack": f"{violation.pack}@v{violation.pack_version}",
        },
    }
    if violation.policy in rule_index:
        entry["ruleIndex"] = rule_index[violation.policy]
    return entry


def _relative_uri(path: Path, base: Path) -> str:
    return Path(os.path.relpath(path.resolve(), base.resolve())).as_posix()
