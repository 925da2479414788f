"""Generated benchmark projects: above the program's service cap, the shim lifts it where it is read."""

import subprocess
import sys
from pathlib import Path

import pytest

from bench.stack_config import make_project, stack_file
from components.config import MAX_SERVICES, ConfigError
from tools.policy_config_values import stack_settings

REPO = Path(__file__).resolve().parents[2]
COUNT_SERVICES = """
from pathlib import Path
from tools.policy_config_values import stack_settings
print(len(stack_settings(Path({stack!r}), "dev").services))
"""


def test_at_the_cap_the_project_runs_the_real_program(tmp_path):
    project = make_project(REPO, tmp_path, "dev", MAX_SERVICES)
    assert (project / "__main__.py").resolve() == REPO / "__main__.py"
    assert len(stack_settings(stack_file(project, "dev"), "dev").services) == MAX_SERVICES


def test_above_the_cap_the_shim_lets_the_rules_accept_every_generated_service(tmp_path):
    services = MAX_SERVICES + 1
    project = make_project(REPO, tmp_path, "dev", services)
    generated = stack_file(project, "dev")
    with pytest.raises(ConfigError, match=f"is more than {MAX_SERVICES} services"):
        stack_settings(generated, "dev")

    shim = (project / "__main__.py").read_text()
    lift, run = shim.split("runpy.run_path(")
    assert repr(str(REPO / "__main__.py")) in run
    done = subprocess.run(
        [sys.executable, "-c", lift + COUNT_SERVICES.format(stack=str(generated))],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(services)
