"""`--sarif FILE`: the policy violations as SARIF 2.1.0 that GitHub code scanning can show and track.

What code scanning needs, from GitHub's "SARIF support for code scanning"
(https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning):
- a `physicalLocation` with `artifactLocation.uri` relative to the repository root (or absolute) and a
  `region` with `startLine`: each result points at the user's line that declared the resource (the
  request's sourcePosition, `declaration_sites.py`); a resource no project frame made (the stack, a
  default provider) takes its nearest declared ancestor, else line 1 of the program's main file;
- `partialFingerprints.primaryLocationLineHash` to follow an alert across runs: the upload action
  computes `<hash>:<occurrence>` from the line's text when absent and keeps a value it finds
  (codeql-action src/fingerprints.ts). Ours hashes rule id + resource URN, so alerts of one rule in
  one file stay distinct and survive edits that move the line; the occurrence counts repeats of the
  same hash in one file (a policy reporting one resource twice);
- `level` one of `error`/`warning`/`note` (mandatory/remediate, advisory, anything else); a disabled
  policy reports nothing, and its rule is `enabled: false` at level `note`;
- `automationDetails.id` `<project>/<stack>/`: a category per stack, so dev and prod uploads stand
  side by side (each run is also unique by its driver, one run per pack).
URIs are relative to the repository root (`git rev-parse --show-toplevel` in the project directory,
else the project directory), named by `originalUriBaseIds` %SRCROOT%, whatever the working directory.
"""

import hashlib
import json
import os
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from offline_preview.pack_report import PackReport, PolicyViolation
from offline_preview.preview import PreviewResult
from offline_preview.registration import RegisteredResource

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"mandatory": "error", "remediate": "error", "advisory": "warning"}
OTHER_LEVEL = "note"
FINGERPRINT_KEY = "pulumiUrnPolicy/v1"
LINE_HASH_KEY = "primaryLocationLineHash"
LINE_HASH_LENGTH = 16  # hex digits, as long as the upload action's own line hashes
SOURCE_ROOT = "%SRCROOT%"
SUCCESSFUL_EXITS = (0, 5)  # no violation, or mandatory violations: the analysis itself completed
GIT_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class Site:
    """Where a result points: a URI (relative to the source root, or absolute) and a line."""

    uri: str
    line: int
    relative: bool


def sarif_document(
    result: PreviewResult,
    exit_code: int,
    command_line: str = "",
    source_root: Path | None = None,
) -> dict[str, Any]:
    """The SARIF log; artifact URIs are relative to `source_root` (default: the repository root)."""
    project = result.run.project
    root = (source_root or repository_root(project.directory)).resolve()
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [_run(result, pack, root, exit_code, command_line) for pack in result.packs],
    }


def write_sarif(path: Path, result: PreviewResult, exit_code: int, command_line: str = "") -> None:
    document = sarif_document(result, exit_code, command_line)
    path.write_text(json.dumps(document, indent=2) + "\n")


def repository_root(project_dir: Path) -> Path:
    """The git work tree holding the project (as code scanning's checkout), else the project."""
    try:
        completed = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"],
            cwd=project_dir,
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return project_dir
    top = completed.stdout.strip()
    return Path(top) if completed.returncode == 0 and top else project_dir


def _run(
    result: PreviewResult, pack: PackReport, root: Path, exit_code: int, command_line: str
) -> dict[str, Any]:
    rule_index = {policy.name: index for index, policy in enumerate(pack.policies)}
    sites = _SiteFinder(result, root)
    occurrences: Counter[tuple[str, str]] = Counter()
    results = [
        _result(result, violation, rule_index, sites, occurrences)
        for violation in pack.violations
        if violation.level != "disabled"
    ]
    invocation: dict[str, Any] = {
        "executionSuccessful": exit_code in SUCCESSFUL_EXITS,
        "exitCode": exit_code,
    }
    if command_line:
        invocation["commandLine"] = command_line
    project = result.run.project
    return {
        "tool": {
            "driver": {
                "name": pack.name,
                "version": pack.version,
                "informationUri": "https://www.pulumi.com/docs/iac/using-pulumi/crossguard/",
                "rules": [_rule(pack, policy) for policy in pack.policies],
            }
        },
        "automationDetails": {"id": f"{project.name}/{project.stack}/"},
        "invocations": [invocation],
        "originalUriBaseIds": {SOURCE_ROOT: {"uri": root.as_uri() + "/"}},
        "results": results,
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
            "level": LEVELS.get(level, OTHER_LEVEL),
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
    result: PreviewResult,
    violation: PolicyViolation,
    rule_index: dict[str, int],
    sites: "_SiteFinder",
    occurrences: Counter[tuple[str, str]],
) -> dict[str, Any]:
    urn = violation.urn or result.run.stack_resource.urn
    name = urn.rsplit("::", 1)[-1]
    site = sites.of(urn)
    artifact: dict[str, Any] = {"uri": site.uri}
    if site.relative:
        artifact["uriBaseId"] = SOURCE_ROOT
    line_hash = hashlib.sha256(f"{violation.policy}\n{urn}".encode()).hexdigest()
    line_hash = line_hash[:LINE_HASH_LENGTH]
    occurrences[(site.uri, line_hash)] += 1
    entry: dict[str, Any] = {
        "ruleId": violation.policy,
        "level": LEVELS.get(violation.level, OTHER_LEVEL),
        "message": {"text": violation.message or violation.description},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": artifact,
                    "region": {"startLine": site.line},
                },
                "logicalLocations": [{"fullyQualifiedName": urn, "name": name, "kind": "resource"}],
            }
        ],
        "partialFingerprints": {
            LINE_HASH_KEY: f"{line_hash}:{occurrences[(site.uri, line_hash)]}",
            FINGERPRINT_KEY: hashlib.sha256(f"{urn}\n{violation.policy}".encode()).hexdigest(),
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


class _SiteFinder:
    """The declaring `file:line` of a URN: its own, its nearest declared ancestor's, or main:1."""

    def __init__(self, result: PreviewResult, root: Path) -> None:
        self.root = root
        self.by_urn: dict[str, RegisteredResource] = {r.urn: r for r in result.run.resources}
        self.fallback = self._site(str(result.run.project.main), 1)

    def of(self, urn: str) -> Site:
        seen: set[str] = set()
        resource = self.by_urn.get(urn)
        while resource is not None and resource.urn not in seen:
            if resource.source_file and resource.source_line > 0:
                return self._site(resource.source_file, resource.source_line)
            seen.add(resource.urn)
            resource = self.by_urn.get(resource.parent)
        return self.fallback

    def _site(self, file: str, line: int) -> Site:
        path = Path(file).resolve()
        if path.is_relative_to(self.root):
            return Site(Path(os.path.relpath(path, self.root)).as_posix(), line, True)
        return Site(path.as_uri(), line, False)
