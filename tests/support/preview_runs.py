"""Shared by the preview tests: run the command as a user would, and write throwaway projects."""

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
NONCOMPLIANT = FIXTURES / "noncompliant"
TINY_PACK = FIXTURES / "tiny_pack"
OUR_PACK = REPO / "policies"
NO_COLOR_ENV = {"NO_COLOR": "1"}


@dataclass
class Completed:
    code: int
    stdout: str
    stderr: str

    def json(self) -> dict[str, Any]:
        return json.loads(self.stdout)


def preview(
    *args: str | Path, env: dict[str, str] | None = None, timeout: float | None = None
) -> Completed:
    """`python -m offline_preview ARGS` from the repo root, as bin/preview runs it."""
    completed = subprocess.run(
        [sys.executable, "-m", "offline_preview", *map(str, args)],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ, **NO_COLOR_ENV, **(env or {})},
        check=False,
        timeout=timeout,
    )
    return Completed(completed.returncode, completed.stdout, completed.stderr)


def preview_noncompliant(
    *args: str | Path, env: dict[str, str] | None = None, timeout: float | None = None
) -> Completed:
    """`preview` of the non-compliant fixture project's `ci` stack with `args` (packs, options)."""
    return preview("--stack", "ci", "--cwd", NONCOMPLIANT, *args, env=env, timeout=timeout)


def write_project(
    directory: Path, program: str, stack_config: str = "config: {}\n", **files: str
) -> Path:
    """A minimal Pulumi Python project named `scratch` with stack `test`."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "Pulumi.yaml").write_text("name: scratch\nruntime: python\n")
    (directory / "Pulumi.test.yaml").write_text(stack_config)
    (directory / "__main__.py").write_text(program)
    for name, text in files.items():
        (directory / name).write_text(text)
    return directory


def assert_one_line_error(result: Completed, *fragments: str, code: int = 2) -> None:
    """Exit `code`, exactly one line on stderr holding every fragment, and never a traceback."""
    assert result.code == code, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr
