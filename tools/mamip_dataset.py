"""Read every AWS-managed policy document from a checkout of MAMIP (github.com/z0ph/MAMIP).

MAMIP keeps the default version of every AWS-managed policy as `policies/<PolicyName>` (the IAM
GetPolicyVersion response: `{"PolicyVersion": {"VersionId", "Document", ...}}`), their paths in
`policies-list.json` (the ListPolicies response) and the names of deprecated policies in
`DEPRECATED.json`. When AWS deprecates a policy MAMIP may empty its file (it did for
AWSCodePipelineFullAccess); a deprecated policy keeps working where it is already attached (AWS
Managed Policy Reference Guide, about-managed-policy-reference.html#deprecated-managed-policies), so
its last non-empty version is read from the git history.
"""

import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

POLICIES_DIR = "policies"
POLICY_LIST = "policies-list.json"
DEPRECATED_LIST = "DEPRECATED.json"
CLONE_HINT = "clone it with its history: git clone https://github.com/z0ph/MAMIP"


class DatasetError(ValueError):
    """The dataset is not what the refresh can read; the message is one line naming the fix."""


@dataclass(frozen=True)
class DatasetRevision:
    """Which state of the dataset a table was generated from."""

    commit: str
    date: str


@dataclass(frozen=True)
class ManagedPolicyVersion:
    """One AWS-managed policy's default version as the dataset records it."""

    name: str
    path: str | None  # e.g. "/service-role/"; None when policies-list.json does not list the policy
    version: str
    deprecated: bool
    document: Any
    recovered_from: str | None = None  # the commit read because the current file is empty


def git_revision(root: Path) -> DatasetRevision | None:
    """The checked-out commit and its commit date, or None when `root` is not a git checkout."""
    output = _git(root, "log", "-1", "--format=%H %cI")
    if output is None or not output.strip():
        return None
    commit, date = output.split()
    return DatasetRevision(commit, date)


def read_policies(root: Path) -> Iterator[ManagedPolicyVersion]:
    """Every policy file of the dataset, in name order."""
    directory = root / POLICIES_DIR
    if not directory.is_dir():
        raise DatasetError(f"{root} has no {POLICIES_DIR}/ directory; pass a checkout of MAMIP")
    paths = _listed_paths(root)
    deprecated = frozenset(_read_json(root / DEPRECATED_LIST, default=[]))
    for file in sorted(directory.iterdir()):
        if not file.is_file():
            continue
        text = file.read_text(encoding="utf-8")
        recovered_from = None
        if not text.strip():
            recovered_from, text = _last_non_empty_version(root, file.name)
        version = _policy_version(text, f"{POLICIES_DIR}/{file.name}")
        yield ManagedPolicyVersion(
            name=file.name,
            path=paths.get(file.name),
            version=str(version.get("VersionId", "")),
            deprecated=file.name in deprecated,
            document=version["Document"],
            recovered_from=recovered_from,
        )


def _listed_paths(root: Path) -> dict[str, str]:
    listing = _read_json(root / POLICY_LIST, default={"Policies": []})
    try:
        return {entry["PolicyName"]: entry["Path"] for entry in listing["Policies"]}
    except (KeyError, TypeError):
        raise DatasetError(
            f"{POLICY_LIST} is not a ListPolicies response (Policies[].PolicyName, Path); "
            "pass a checkout of MAMIP"
        ) from None


def _policy_version(text: str, where: str) -> dict[str, Any]:
    try:
        version = json.loads(text)["PolicyVersion"]
    except (json.JSONDecodeError, KeyError, TypeError):
        raise DatasetError(
            f"{where} is not a GetPolicyVersion response (PolicyVersion.Document); "
            "pass a checkout of MAMIP"
        ) from None
    if not isinstance(version, dict) or "Document" not in version:
        raise DatasetError(f"{where} has no PolicyVersion.Document; pass a checkout of MAMIP")
    return version


def _last_non_empty_version(root: Path, name: str) -> tuple[str, str]:
    where = f"{POLICIES_DIR}/{name}"
    commits = _git(root, "log", "--format=%H", "--", where)
    if commits is None:
        raise DatasetError(f"{where} is empty and {root} is not a git checkout; {CLONE_HINT}")
    for commit in commits.split():
        text = _git(root, "show", f"{commit}:{where}")
        if text is not None and text.strip():
            return commit, text
    raise DatasetError(
        f"{where} is empty and no earlier version is in the history (a shallow clone has none); "
        f"{CLONE_HINT}"
    )


def _read_json(file: Path, *, default: Any) -> Any:
    if not file.exists():
        return default
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise DatasetError(
            f"{file.name} is not valid JSON ({error}); pass a checkout of MAMIP"
        ) from None


def _git(root: Path, *args: str) -> str | None:
    """A git command's output in `root`, or None when git fails (not a checkout, unknown object).

    `root` itself must be the checkout: a dataset copied into another repository (a test fixture)
    must not be read with that repository's history.
    """
    if not (root / ".git").exists():
        return None
    try:
        result = subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, text=True, check=False
        )
    except FileNotFoundError:
        return None
    return result.stdout if result.returncode == 0 else None
