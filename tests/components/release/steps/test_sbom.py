"""The SBOM of a directory tree: what it finds, and that the same tree gives the same bytes."""

import json
import shutil

from components.release.steps.sbom import build_sbom, collect_components, sbom_bytes
from tests.support.release_account import write_tree

LOCK_V3 = {
    "name": "web",
    "version": "1.0.0",
    "lockfileVersion": 3,
    "packages": {
        "": {"name": "web", "version": "1.0.0"},
        "node_modules/express": {"version": "4.19.2"},
        "node_modules/@types/node": {"version": "20.14.2"},
        "node_modules/express/node_modules/debug": {"version": "2.6.9"},
        "node_modules/left-pad-alias": {"name": "left-pad", "version": "1.3.0"},
        "node_modules/local-lib": {"resolved": "../lib", "link": True},
        "packages/app": {"name": "app", "version": "0.1.0"},
    },
}
TREE = {
    "python/Requests_OAuthlib-2.0.0.dist-info/METADATA": (
        "Metadata-Version: 2.1\nName: Requests_OAuthlib\nVersion: 2.0.0\nSummary: x\n\nBody text\n"
    ),
    "requirements.txt": (
        "# pinned\nurllib3==2.2.2\nidna>=3.7\ncertifi == 2024.7.4 ; python_version >= '3.8'\n"
        "PyYAML[extra]==6.0.1 --hash=sha256:abc\n-r other.txt\nflask===2.0\nlocal==1.*\n"
    ),
    "requirements-dev.txt": "pytest==8.2.2\n",
    "web/package-lock.json": json.dumps(LOCK_V3),
    "old/package-lock.json": json.dumps({"lockfileVersion": 1, "dependencies": {}}),
    ".git/requirements.txt": "ignored==1.0\n",
    "release/requirements.txt": "own-output==1.0\n",
}


def purls(tmp_path, exclude=()):
    components, warnings = collect_components(write_tree(tmp_path, TREE), exclude=exclude)
    return [component.purl for component in components], warnings


def test_it_lists_distributions_pinned_requirements_and_npm_packages(tmp_path):
    found, warnings = purls(tmp_path / "tree", exclude=[tmp_path / "tree" / "release"])

    assert found == [
        "pkg:npm/%40types/node@20.14.2",
        "pkg:npm/debug@2.6.9",
        "pkg:npm/express@4.19.2",
        "pkg:npm/left-pad@1.3.0",
        "pkg:pypi/certifi@2024.7.4",
        "pkg:pypi/pytest@8.2.2",
        "pkg:pypi/pyyaml@6.0.1",
        "pkg:pypi/requests-oauthlib@2.0.0",
        "pkg:pypi/urllib3@2.2.2",
    ]
    assert warnings == ["old/package-lock.json: lockfileVersion 1 not read (2 or 3 only)"]


def test_components_carry_purl_as_bom_ref(tmp_path):
    components, _ = collect_components(write_tree(tmp_path, TREE))
    document = build_sbom(components, name="api")

    assert document["bomFormat"] == "CycloneDX" and document["specVersion"] == "1.5"
    scoped = next(c for c in document["components"] if c["name"] == "node")
    assert scoped == {
        "type": "library",
        "name": "node",
        "group": "@types",
        "version": "20.14.2",
        "purl": "pkg:npm/%40types/node@20.14.2",
        "bom-ref": "pkg:npm/%40types/node@20.14.2",
    }
    assert "own-output" in json.dumps(document)  # not excluded here
    assert "timestamp" not in json.dumps(document)


def test_the_same_tree_gives_the_same_bytes_and_another_tree_another_serial(tmp_path):
    first = write_tree(tmp_path / "a", TREE)
    second = tmp_path / "b"
    shutil.copytree(first, second)
    one = sbom_bytes(build_sbom(collect_components(first)[0]))
    two = sbom_bytes(build_sbom(collect_components(second)[0]))
    assert one == two
    assert json.loads(one)["serialNumber"].startswith("urn:uuid:")

    (second / "requirements-dev.txt").write_text("pytest==8.2.3\n")
    three = json.loads(sbom_bytes(build_sbom(collect_components(second)[0])))
    assert three["serialNumber"] != json.loads(one)["serialNumber"]


def test_an_unreadable_lockfile_is_a_warning_not_a_crash(tmp_path):
    tree = write_tree(
        tmp_path, {"package-lock.json": "{not json", "a.dist-info/METADATA": "Name: a\n"}
    )

    components, warnings = collect_components(tree)

    assert components == []
    assert warnings[0].startswith("package-lock.json: not valid JSON")
    assert warnings[1] == "a.dist-info/METADATA: no Name or Version"
