"""The moto server and test account, the project's stacks in a directory the test controls, and
`bin/preflight` run in-process against them."""

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.aws_test_account import AwsTestAccount
from tests.support.moto_server import aws, moto_endpoint
from tests.support.preflight_account import PreflightAccount, preflight_clients

__all__ = ["account", "aws", "moto_endpoint", "project", "run_preflight"]

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """This project's Pulumi.yaml and stack files, as they are."""
    directory = tmp_path / "project"
    directory.mkdir()
    shutil.copy(REPO / "Pulumi.yaml", directory)
    (directory / "__main__.py").write_text(
        "# the program is not run: only its stack files are read\n"
    )
    for stack_file in REPO.glob("Pulumi.*.yaml"):
        shutil.copy(stack_file, directory)
    return directory


@pytest.fixture
def account(aws: AwsTestAccount, project: Path) -> PreflightAccount:
    return PreflightAccount(aws, project)


@pytest.fixture
def run_preflight(
    aws: AwsTestAccount, project: Path, capsys
) -> Callable[..., tuple[int, str, str]]:
    """Run `bin/preflight ARGS` in-process against the test account: (exit code, stdout, stderr)."""
    from preflight.cli import main

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(
            list(argv),
            clients_for_region=lambda region: preflight_clients(aws, region),
            project_dir=project,
        )
        out, err = capsys.readouterr()
        return code, out, err

    return run
