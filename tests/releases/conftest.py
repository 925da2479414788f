"""The moto server and test account (`tests/support/moto_server.py`), the project's stacks in a
directory the test controls, and `bin/releases` run in-process against them."""

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from tests.support.aws_test_account import AwsTestAccount
from tests.support.moto_server import aws, moto_endpoint
from tests.support.release_scenarios import ReleaseHistory

__all__ = ["aws", "history", "moto_endpoint", "project", "run_releases"]

REPO = Path(__file__).resolve().parents[2]
PROMOTION_KEYS = (
    "promoteFrom",
    "promoteFromAccountId",
    "promoteFromSigningKeyArn",
    "promoteTo",
    "promotionBakeMinutes",
)


UPSTREAM = {"dev": None, "staging": "dev", "prod": "staging"}
"""The promotion chain the tests read: dev builds, staging deploys dev's releases, prod staging's."""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """This project's Pulumi.yaml and stack files (services and settings as they are), with the
    promotion chain of UPSTREAM whatever the files say today."""
    directory = tmp_path / "project"
    directory.mkdir()
    shutil.copy(REPO / "Pulumi.yaml", directory)
    (directory / "__main__.py").write_text(
        "# the program is not run: only its stack files are read\n"
    )
    for stack_file in REPO.glob("Pulumi.*.yaml"):
        document = yaml.safe_load(stack_file.read_text())
        config = document["config"]
        for key in PROMOTION_KEYS:
            config.pop(f"guarded-delivery:{key}", None)
        upstream = UPSTREAM.get(stack_file.name.split(".")[1])
        if upstream:
            config["guarded-delivery:promoteFrom"] = upstream
        (directory / stack_file.name).write_text(yaml.safe_dump(document, sort_keys=False))
    return directory


@pytest.fixture
def history(aws: AwsTestAccount) -> ReleaseHistory:
    return ReleaseHistory(aws)


@pytest.fixture
def run_releases(aws: AwsTestAccount, project: Path, capsys) -> Callable[..., tuple[int, str, str]]:
    """Run `bin/releases ARGS` in-process against the test account: (exit code, stdout, stderr)."""
    from releases.cli import main

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(
            list(argv), clients_for_region=aws.release_clients_for_region, project_dir=project
        )
        out, err = capsys.readouterr()
        return code, out, err

    return run
