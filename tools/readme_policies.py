"""Regenerate the policy table of README.md from the pack itself, so the docs cannot drift from the code.

Run from the repository root: `venv/bin/python tools/readme_policies.py`.
"""

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "policies"))

from cicd_guardrails import all_policies  # noqa: E402
from cicd_guardrails.pack import all_metadata  # noqa: E402

START, END = "<!-- policies:start -->", "<!-- policies:end -->"
HEADER = (
    "| policy | level | what it checks | equivalent rules (Checkov; cdk-nag; Security Hub; AWS Config) "
    "| how to fix | config |\n"
    "|---|---|---|---|---|---|"
)


def policy_table() -> str:
    """One Markdown row per policy, in the pack's order, from the policy and its metadata."""
    metadata = all_metadata()
    rows = [HEADER]
    for policy in all_policies():
        meta = metadata[policy.name]
        props = policy.config_schema.properties if policy.config_schema else {}
        config = "; ".join(_config_cell(key, schema) for key, schema in props.items()) or "none"
        kind = "stack" if type(policy).__name__.startswith("Stack") else "resource"
        rows.append(
            f"| `{policy.name}` ({kind}) | {meta.level.value} | {meta.checks}. "
            f"| {meta.equivalents.rendered()} | {meta.remediation} | {config.replace('|', '/')} |"
        )
    return "\n".join(rows)


def _config_cell(key: str, schema: dict) -> str:
    default = f", default `{schema['default']}`" if "default" in schema else ""
    return f"`{key}` ({schema.get('type')}{default}): {schema.get('description', '')}"


def main() -> None:
    readme_path = REPO / "README.md"
    readme = readme_path.read_text()
    start, end = readme.index(START), readme.index(END) + len(END)
    readme_path.write_text(
        readme[:start] + START + "\n" + policy_table() + "\n" + END + readme[end:]
    )


if __name__ == "__main__":
    main()
