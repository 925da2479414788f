"""The steps' buildspecs are the stack's: they carry the tested step programs byte for byte."""

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from components.release import step_buildspecs
from components.release.step_buildspecs import (
    STEPS_DIRECTORY,
    STEPS_HOME,
    STEPS_PACKAGE,
    confirm_buildspec,
    image_buildspec,
    publish_buildspec,
    sign_buildspec,
    verify_buildspec,
)

PROGRAM_STEPS = {
    "sign": sign_buildspec,
    "verify": verify_buildspec,
    "confirm": confirm_buildspec,
    "publish": publish_buildspec,
}


def write_steps_as_codebuild_would(buildspec: str, home: Path) -> None:
    """Run the buildspec's file-writing commands (not pip) in bash, with the package home moved."""
    commands = yaml.safe_load(buildspec)["phases"]["install"]["commands"]
    writes = [c for c in commands if not c.startswith("pip ")]
    script = "\n".join(writes).replace(STEPS_HOME, str(home))
    subprocess.run(["bash", "-euc", script], check=True)


@pytest.mark.parametrize("step", sorted(PROGRAM_STEPS))
def test_each_step_buildspec_writes_the_step_package_unchanged(step, tmp_path):
    buildspec = PROGRAM_STEPS[step]()
    write_steps_as_codebuild_would(buildspec, tmp_path)
    written = sorted(p.name for p in (tmp_path / STEPS_PACKAGE).iterdir())
    sources = sorted(p.name for p in STEPS_DIRECTORY.glob("*.py"))
    assert written == sources and "sign.py" in sources and "verify.py" in sources
    for name in sources:
        assert (tmp_path / STEPS_PACKAGE / name).read_bytes() == (
            STEPS_DIRECTORY / name
        ).read_bytes()
    assert f"python3 -m {STEPS_PACKAGE}.{step}" in buildspec


def test_the_step_package_runs_alone_with_boto3_only(tmp_path):
    """Nothing of this repository is in CodeBuild: the copied package must import on its own."""
    write_steps_as_codebuild_would(verify_buildspec(), tmp_path)
    probe = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        f"import {STEPS_PACKAGE}.sign, {STEPS_PACKAGE}.verify, {STEPS_PACKAGE}.confirm, "
        f"{STEPS_PACKAGE}.publish;"
        "assert not any(m == 'components' or m.startswith('components.') for m in sys.modules)"
    )
    # -I: no PYTHONPATH, no current directory on the path, so the repository is out of reach.
    subprocess.run([sys.executable, "-I", "-c", probe, str(tmp_path)], check=True, cwd=tmp_path)


def test_the_signing_step_exports_the_release_variables_and_ships_only_its_output():
    document = yaml.safe_load(sign_buildspec())
    assert document["env"]["exported-variables"] == list(step_buildspecs.RELEASE_VARIABLES)
    assert document["artifacts"]["base-directory"] == step_buildspecs.OUTPUT_DIRECTORY
    assert "artifacts" not in yaml.safe_load(verify_buildspec()), "the verifier writes nothing"


def test_the_image_step_builds_once_per_commit_and_writes_the_digest_uri():
    document = yaml.safe_load(image_buildspec())
    commands = "\n".join(c for phase in document["phases"].values() for c in phase["commands"])
    assert 'docker push "$IMAGE_REPOSITORY_URI:$COMMIT_ID"' in commands
    assert "already pushed: reusing it" in commands  # immutable tags: a retry reuses the image
    assert '"ImageURI":"%s@%s"' in commands and "sha256:*" in commands
    assert document["artifacts"] == {"files": ["imageDetail.json"]}
    assert "buildspec.yml" not in image_buildspec()


def test_a_source_holding_the_heredoc_delimiter_is_refused(monkeypatch, tmp_path):
    (tmp_path / "evil.py").write_text(f"x = 1\n{step_buildspecs.SOURCE_DELIMITER}\nrm -rf /\n")
    monkeypatch.setattr(step_buildspecs, "STEPS_DIRECTORY", tmp_path)
    with pytest.raises(ValueError, match=r"evil\.py contains the heredoc delimiter"):
        step_buildspecs.step_sources()
