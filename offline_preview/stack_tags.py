"""The stack tags the CLI hands a policy pack (ConfigureStack), computed as the CLI computes them.

From pulumi's backend (GetEnvironmentTagsForCurrentStack, pkg/backend/stack.go): `pulumi:project`,
`pulumi:runtime`, `pulumi:description` when Pulumi.yaml has a description, every entry of the stack's
`pulumi:tags` config object (strings only), then, when the project is in a git checkout whose `origin`
remote names a hosted repository, `vcs:owner`, `vcs:repo` and `vcs:kind` (gitutil.TryGetVCSInfo:
`git@host:owner/repo.git` or `http(s)://host/owner/repo[.git]`; Azure DevOps and the legacy
`*.visualstudio.com` hosts normalised). Errors finding git metadata are ignored, as the CLI does.
"""

import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

from offline_preview.errors import PreviewError
from offline_preview.project import Project

TAGS_CONFIG_KEY = "pulumi:tags"
GIT_TIMEOUT_SECONDS = 5.0
AZURE_DEVOPS = "dev.azure.com"
GIT_SUFFIX = ".git"
CLOUD_SSH = re.compile(r"git@(?P<host>[a-zA-Z.-]*\.[a-zA-Z]+):(?P<project>[^/]+/[^/]+\.git).?$")
AZURE_SSH = re.compile(
    r"git@([a-zA-Z]+\.)?(?P<host>([a-zA-Z]+\.)*[a-zA-Z]*\.[a-zA-Z]+):(v[0-9]{1}/)?(?P<project>.*)"
)
LEGACY_AZURE = re.compile(r"(?P<owner>[a-zA-Z0-9-]*).visualstudio.com$")
SCP_LIKE = re.compile(r"^(?:[^@/]+@)?[^:/]+:(?!//)")


def stack_tags(project: Project) -> dict[str, str]:
    tags = {"pulumi:project": project.name, "pulumi:runtime": "python"}
    if project.has_description:
        tags["pulumi:description"] = project.description
    tags.update(_config_tags(project))
    remote = _origin_url(project.directory)
    if remote:
        vcs = vcs_info(remote)
        if vcs:
            tags["vcs:owner"], tags["vcs:repo"], tags["vcs:kind"] = vcs
    return tags


def vcs_info(remote_url: str) -> tuple[str, str, str] | None:
    """(owner, repo, kind) of a remote URL as the CLI reads it, or None when it cannot tell."""
    if remote_url.startswith("ssh://") or SCP_LIKE.match(remote_url):
        match = CLOUD_SSH.search(remote_url) or AZURE_SSH.search(remote_url)
        if match is None:
            return None
        kind = match["host"]
        project = match["project"].removesuffix(GIT_SUFFIX)
    elif remote_url.startswith(("http://", "https://")):
        parts = urlsplit(remote_url)
        kind = parts.hostname or ""
        project = parts.path.removesuffix(GIT_SUFFIX).removeprefix("/")
    else:
        return None
    if not project:
        return None
    if kind == AZURE_DEVOPS:
        owner, _, rest = project.partition("/")
        if "_git" not in rest:
            first, _, last = rest.partition("/")
            rest = f"{first}/_git/{last}"
        return owner, rest, kind
    legacy = LEGACY_AZURE.search(kind)
    if legacy:
        return legacy["owner"], project, AZURE_DEVOPS
    owner, slash, repo = project.partition("/")
    return (owner, repo, kind) if slash else None


def _config_tags(project: Project) -> dict[str, str]:
    if TAGS_CONFIG_KEY not in project.config:
        return {}
    value = project.config[TAGS_CONFIG_KEY]
    if not isinstance(value, dict):
        raise PreviewError(
            f"{project.stack_file.name}: {TAGS_CONFIG_KEY} must be an object of strings"
        )
    for name, tag in value.items():
        if not isinstance(tag, str):
            raise PreviewError(
                f"{project.stack_file.name}: {TAGS_CONFIG_KEY}[{name}] must be a string"
            )
    return dict(value)


def _origin_url(directory: Path) -> str:
    git = shutil.which("git")
    if git is None:
        return ""
    try:
        completed = subprocess.run(
            [git, "-C", str(directory), "config", "--get", "remote.origin.url"],
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return completed.stdout.strip() if completed.returncode == 0 else ""
