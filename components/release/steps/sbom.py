"""A CycloneDX 1.5 SBOM of a directory tree (the extracted build artifact), with the stdlib only.

What it lists is what the tree pins: installed Python distributions (`*.dist-info/METADATA`),
`name==version` lines of `requirements*.txt`, and npm lockfile v2/v3 `packages`. The output is
deterministic (sorted components, a serial number derived from the content, no timestamp), so the
same tree always has the same SBOM digest in the manifest.
"""

import email.parser
import hashlib
import json
import os
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

SPEC_VERSION = "1.5"
FORMAT = "CycloneDX"
_SERIAL_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:guarded-delivery:release-steps:sbom")
_SKIPPED_DIRECTORIES = frozenset({".git"})
_NPM_LOCKFILES = frozenset({"package-lock.json", "npm-shrinkwrap.json"})
_REQUIREMENTS = re.compile(r"^requirements.*\.txt$")
_PINNED = re.compile(
    r"^\s*(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[[^\]]*\])?"
    r"\s*==\s*(?P<version>[A-Za-z0-9][A-Za-z0-9.!+_-]*)"
    r"(?:\s+--hash[= ]\S+)*\s*(?:[;#\\].*)?$"
)


@dataclass(frozen=True, order=True)
class Component:
    """One package of the tree; its purl is its identity and its CycloneDX `bom-ref`."""

    purl: str
    name: str
    version: str
    group: str = ""

    def to_dict(self) -> dict[str, str]:
        component = {"type": "library", "name": self.name, "version": self.version}
        if self.group:
            component["group"] = self.group
        component.update({"purl": self.purl, "bom-ref": self.purl})
        return component


def normalise_python_name(name: str) -> str:
    """PEP 503 normal form, which the pypi purl type requires."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pypi_component(name: str, version: str) -> Component:
    normal = normalise_python_name(name.strip())
    version = version.strip()
    return Component(f"pkg:pypi/{quote(normal)}@{_purl_version(version)}", normal, version)


def npm_component(name: str, version: str) -> Component:
    scope, _, bare = name.rpartition("/")
    namespace = f"{quote(scope, safe='')}/" if scope else ""
    purl = f"pkg:npm/{namespace}{quote(bare, safe='')}@{_purl_version(version)}"
    return Component(purl, bare, version, scope)


def _purl_version(version: str) -> str:
    return quote(version, safe=".-_~")


def collect_components(
    directory: Path, exclude: Iterable[Path] = ()
) -> tuple[list[Component], list[str]]:
    """The tree's components (sorted, one per purl) and warnings about files it could not read."""
    excluded = {os.path.realpath(path) for path in exclude}
    found: set[Component] = set()
    warnings: list[str] = []
    for root, dirnames, filenames in os.walk(directory):
        dirnames[:] = sorted(
            name
            for name in dirnames
            if name not in _SKIPPED_DIRECTORIES
            and os.path.realpath(os.path.join(root, name)) not in excluded
        )
        here = Path(root)
        relative = here.relative_to(directory)
        if here.name.endswith(".dist-info") and "METADATA" in filenames:
            _add(found, warnings, relative / "METADATA", _dist_info(here / "METADATA"))
        for name in sorted(filenames):
            if _REQUIREMENTS.match(name):
                _add(found, warnings, relative / name, _requirements(here / name))
            elif name in _NPM_LOCKFILES:
                _add(found, warnings, relative / name, _npm_lockfile(here / name))
    return sorted(found), warnings


def _add(found: set[Component], warnings: list[str], path: Path, parsed: Any) -> None:
    if isinstance(parsed, str):
        warnings.append(f"{path.as_posix()}: {parsed}")
    else:
        found.update(parsed)


def _read_text(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


def _dist_info(path: Path) -> list[Component] | str:
    headers = email.parser.Parser().parsestr(_read_text(path), headersonly=True)
    name, version = headers.get("Name"), headers.get("Version")
    if not name or not version:
        return "no Name or Version"
    return [pypi_component(str(name), str(version))]


def _requirements(path: Path) -> list[Component]:
    components = []
    for line in _read_text(path).splitlines():
        match = _PINNED.match(line)
        if match:
            components.append(pypi_component(match["name"], match["version"]))
    return components


def _npm_lockfile(path: Path) -> list[Component] | str:
    try:
        lock = json.loads(_read_text(path))
    except json.JSONDecodeError as error:
        return f"not valid JSON ({error})"
    if not isinstance(lock, dict) or lock.get("lockfileVersion") not in (2, 3):
        version = lock.get("lockfileVersion") if isinstance(lock, dict) else None
        return f"lockfileVersion {version} not read (2 or 3 only)"
    components = []
    packages = lock.get("packages")
    for key, entry in sorted(packages.items() if isinstance(packages, dict) else []):
        # "" is the project itself, workspace folders have no node_modules/; links are local.
        if "node_modules/" not in key or not isinstance(entry, dict) or entry.get("link"):
            continue
        name = entry.get("name") or key.rpartition("node_modules/")[2]
        version = entry.get("version")
        if isinstance(name, str) and isinstance(version, str) and name and version:
            components.append(npm_component(name, version))
    return components


def build_sbom(components: Iterable[Component], name: str = "release") -> dict[str, Any]:
    """The CycloneDX 1.5 document; its serial number is a uuid5 of the content's digest."""
    listed = [component.to_dict() for component in sorted(set(components))]
    metadata = {"component": {"type": "application", "name": name, "bom-ref": f"app:{name}"}}
    content = json.dumps([metadata, listed], sort_keys=True, separators=(",", ":")).encode()
    serial = uuid.uuid5(_SERIAL_NAMESPACE, hashlib.sha256(content).hexdigest())
    return {
        "bomFormat": FORMAT,
        "specVersion": SPEC_VERSION,
        "serialNumber": f"urn:uuid:{serial}",
        "version": 1,
        "metadata": metadata,
        "components": listed,
    }


def sbom_bytes(document: dict[str, Any]) -> bytes:
    """The bytes written to `sbom.cdx.json` (and hashed into the manifest)."""
    return json.dumps(document, sort_keys=True, indent=2, ensure_ascii=True).encode() + b"\n"
