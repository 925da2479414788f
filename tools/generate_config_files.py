"""Write (or, with --check, verify) every file derived from the config key table and the stack files.

`Pulumi.yaml`'s config schema and the README's config reference come from
`components/config/keys.py`; the shared values of `policies/config/<stack>.json` come from
`Pulumi.<stack>.yaml`. Run from the repository root after editing either:

    venv/bin/python -m tools.generate_config_files          # rewrite what drifted
    venv/bin/python -m tools.generate_config_files --check  # exit 1 naming each file that drifted
"""

import argparse
import json
import sys
from pathlib import Path

from components.config import ConfigError
from tools.config_reference import TABLE_END, TABLE_START, with_readme_table, with_schema
from tools.policy_config_values import stack_settings, with_shared_values

REPO = Path(__file__).resolve().parent.parent
COMMAND = "venv/bin/python -m tools.generate_config_files"
EXAMPLE_POLICY_CONFIG = "policy-config"
"""The folder of an example project that holds its `<stack>.json` policy configs."""


class GenerationError(Exception):
    """A source the files cannot be generated from; the message is one line naming it and the fix."""


def generated_files(repo: Path) -> dict[Path, str]:
    """Every derived file of `repo` with the text it should have."""
    readme = (repo / "README.md").read_text()
    if TABLE_START not in readme or TABLE_END not in readme:
        raise GenerationError(
            f"README.md: no {TABLE_START} ... {TABLE_END} markers; put them around the config "
            "reference table"
        )
    files = {
        repo / "Pulumi.yaml": with_schema((repo / "Pulumi.yaml").read_text()),
        repo / "README.md": with_readme_table(readme),
    }
    for policy_file in sorted((repo / "policies" / "config").glob("*.json")):
        files[policy_file] = _policy_config_text(repo, policy_file, repo)
    # An example project (its own stack files, e.g. three accounts) keeps its policy configs
    # beside them, since the shared values (CIDRs, the promotion chain's accounts) are its own.
    for policy_file in sorted((repo / "examples").glob(f"*/{EXAMPLE_POLICY_CONFIG}/*.json")):
        files[policy_file] = _policy_config_text(repo, policy_file, policy_file.parent.parent)
    return files


def _policy_config_text(repo: Path, policy_file: Path, project: Path) -> str:
    stack = policy_file.stem
    stack_file = project / f"Pulumi.{stack}.yaml"
    if not stack_file.is_file():
        raise GenerationError(
            f"{policy_file.relative_to(repo)}: no {stack_file.name} to take its shared values "
            "from; name the policy config after its stack"
        )
    try:
        settings = stack_settings(stack_file, stack)
        current = json.loads(policy_file.read_text())
    except ConfigError as error:
        raise GenerationError(f"{stack_file.name}: {error}") from None
    except json.JSONDecodeError as error:
        raise GenerationError(f"{policy_file.relative_to(repo)}: not JSON ({error})") from None
    return json.dumps(with_shared_values(current, settings), indent=2) + "\n"


def drifted(repo: Path) -> dict[Path, str]:
    """The derived files whose text differs from what they should be, with that text."""
    return {
        path: text
        for path, text in generated_files(repo).items()
        if not path.is_file() or path.read_text() != text
    }


def main(argv: list[str] | None = None, repo: Path = REPO) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 on drift")
    args = parser.parse_args(argv)
    try:
        stale = drifted(repo)
    except GenerationError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for path, text in stale.items():
        shown = path.relative_to(repo)
        if args.check:
            print(f"{shown} is out of date; run: {COMMAND}", file=sys.stderr)
        else:
            path.write_text(text)
            print(f"wrote {shown}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
