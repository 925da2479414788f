"""The README is the newcomer's entry point: its commands must run and its reference must match the code."""

import os
import re
from pathlib import Path

import yaml

from tools.readme_policies import END, START, policy_table

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text()


def test_first_code_block_holds_the_two_commands_and_they_are_executable():
    first_block = re.search(r"```[a-z]*\n(.*?)```", README, re.S).group(1)
    commands = [line for line in first_block.splitlines() if line.strip()]
    assert commands == ["bin/preview dev", "bin/test"]
    for command in commands:
        script = REPO / command.split()[0]
        assert script.is_file() and os.access(script, os.X_OK), f"{script} is not executable"


def test_policy_table_is_generated_from_the_pack():
    documented = README[README.index(START) + len(START) : README.index(END)].strip()
    assert documented == policy_table(), "run: venv/bin/python tools/readme_policies.py"


def test_every_config_key_is_documented():
    schema = yaml.safe_load((REPO / "Pulumi.yaml").read_text())["config"]
    missing = [key for key in schema if f"`{key}`" not in README]
    assert not missing, f"README config reference lacks {missing}"
