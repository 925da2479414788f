"""Regenerate the pack's table of AWS-managed policies that can grant starting a pipeline.

An attachment names an AWS-managed policy only by ARN, so the pack cannot read its document at
preview; it reads this table instead. The table comes from a complete dataset of AWS-managed policy
documents (a checkout of github.com/z0ph/MAMIP), each judged by the pack's own IAM model, and
records the dataset's commit and date. Run from the repository root:

    git clone https://github.com/z0ph/MAMIP /tmp/mamip
    venv/bin/python tools/refresh_managed_policies.py /tmp/mamip

The pack itself never needs the dataset; review the diff of the table and commit it.
"""

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "policies"))
sys.path.insert(0, str(REPO))

from cicd_guardrails.rules.iam.execution_role import START_PIPELINE  # noqa: E402
from cicd_guardrails.support.iam.managed_policies import TABLE_PATH  # noqa: E402
from cicd_guardrails.support.iam.policy_model import (  # noqa: E402
    PolicyDocumentError,
    Statement,
    parse_policy_document,
)
from offline_preview.arguments import OneLineArgumentParser  # noqa: E402
from tools.mamip_dataset import (  # noqa: E402
    DatasetError,
    DatasetRevision,
    git_revision,
    read_policies,
)
from tools.managed_policy_grants import granting_statements  # noqa: E402

DATASET_SOURCE = "https://github.com/z0ph/MAMIP"
ANY_RESOURCE = "*"


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    dataset = Path(args.dataset)
    if not dataset.is_dir():
        parser.error(f"{dataset} is not a directory; pass a checkout of github.com/z0ph/MAMIP")
    revision = git_revision(dataset)
    if args.commit or args.date:
        if not (args.commit and args.date):
            parser.error("--commit and --date go together; give both or neither")
        revision = DatasetRevision(args.commit, args.date)
    if revision is None:
        parser.error(f"{dataset} is not a git checkout; give --commit and --date of the dataset")
    try:
        table = build_table(dataset, revision, START_PIPELINE)
    except DatasetError as error:
        parser.exit(1, f"{parser.prog}: error: {error}\n")
    output = Path(args.output)
    output.write_text(json.dumps(table, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    granting, read = len(table["policies"]), table["dataset"]["policyDocuments"]
    print(f"{granting} of {read} AWS-managed policies can grant {START_PIPELINE}; wrote {output}")
    return 0


def build_table(dataset: Path, revision: DatasetRevision, action: str) -> dict[str, Any]:
    """The table's JSON: the dataset's revision, and each granting policy's relevant statements."""
    policies: dict[str, Any] = {}
    read = 0
    for policy in read_policies(dataset):
        read += 1
        try:
            document = parse_policy_document(policy.document)
        except PolicyDocumentError as error:
            raise DatasetError(
                f"policies/{policy.name} {error}; the pack's IAM model must read every AWS-managed "
                "policy, so fix the model before refreshing"
            ) from None
        statements = granting_statements(document, action)
        if statements is None:
            continue
        row: dict[str, Any] = {
            "path": policy.path,
            "version": policy.version,
            "deprecated": policy.deprecated,
            "statements": [statement_json(s) for s in statements],
        }
        if policy.recovered_from is not None:
            row["documentFromCommit"] = policy.recovered_from
        policies[policy.name] = row
    return {
        "generatedBy": "tools/refresh_managed_policies.py",
        "dataset": {
            "source": DATASET_SOURCE,
            "commit": revision.commit,
            "date": revision.date,
            "policyDocuments": read,
        },
        "action": action,
        "resourceArnFormats": action_arn_formats(action),
        "policies": policies,
    }


def action_arn_formats(action: str) -> list[str]:
    """The ARN formats `action` is authorized against, from policy_sentry, recorded in the table."""
    from policy_sentry.querying.actions import get_action_data

    service, _, name = action.partition(":")
    entries = get_action_data(service, name).get(service, [])
    return sorted({entry["resource_arn_format"] for entry in entries} - {ANY_RESOURCE})


def statement_json(statement: Statement) -> dict[str, Any]:
    """A statement as IAM JSON again, as the model read it (element names, values as lists)."""
    out: dict[str, Any] = {"Effect": statement.effect}
    if statement.sid:
        out["Sid"] = statement.sid
    out["NotAction" if statement.not_action else "Action"] = list(statement.action_patterns)
    out["NotResource" if statement.not_resource else "Resource"] = list(statement.resource_patterns)
    conditions: dict[str, dict[str, list[object]]] = {}
    for condition in statement.conditions:
        conditions.setdefault(condition.operator, {})[condition.key] = list(condition.values)
    if conditions:
        out["Condition"] = conditions
    return out


def _parser() -> OneLineArgumentParser:
    parser = OneLineArgumentParser(
        prog="tools/refresh_managed_policies.py", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("dataset", help="a checkout of github.com/z0ph/MAMIP (with its history)")
    parser.add_argument(
        "--output", default=str(TABLE_PATH), help="where to write the table (default: the pack's)"
    )
    parser.add_argument("--commit", help="the dataset's commit, when it is not a git checkout")
    parser.add_argument("--date", help="the dataset's commit date, when it is not a git checkout")
    return parser


if __name__ == "__main__":
    sys.exit(main())
