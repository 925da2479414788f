"""Pure builders for IAM JSON documents.

Every document in the stack is a plain string built here from known names, never an `Output`, so the
policy pack can judge it on a first `pulumi preview` (see `naming.py`). JSON is emitted with sorted keys
and sorted, de-duplicated action/resource lists so that a document is byte-stable between runs and a
diff only ever shows a real change.
"""

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

POLICY_VERSION = "2012-10-17"

Effect = Literal["Allow", "Deny"]
Conditions = Mapping[str, Mapping[str, str | Sequence[str]]]
Principal = str | Mapping[str, str | Sequence[str]]


def policy_document(statements: Iterable[Mapping[str, Any]]) -> str:
    """A complete policy document; statement order is kept (it is how a reader reads the intent)."""
    return json.dumps({"Version": POLICY_VERSION, "Statement": list(statements)}, sort_keys=True)


def statement(
    effect: Effect,
    actions: Iterable[str],
    resources: Iterable[str] | None,
    conditions: Conditions | None = None,
    sid: str | None = None,
    principal: Principal | None = None,
    not_resources: Iterable[str] | None = None,
) -> dict[str, Any]:
    """One statement; `resources=None` is for trust policies, which have no Resource element.

    `not_resources` instead of `resources`: a Deny of everything but those ARNs (a bucket policy
    exempting one prefix of its own bucket).
    """
    built: dict[str, Any] = {"Effect": effect, "Action": _sorted_unique(actions)}
    if resources is not None and not_resources is not None:
        raise ValueError("a statement has Resource or NotResource, not both")
    if resources is not None:
        built["Resource"] = _sorted_unique(resources)
    if not_resources is not None:
        built["NotResource"] = _sorted_unique(not_resources)
    if principal is not None:
        built["Principal"] = _normalised_principal(principal)
    if conditions:
        built["Condition"] = {
            operator: {key: _condition_value(value) for key, value in sorted(pairs.items())}
            for operator, pairs in sorted(conditions.items())
        }
    if sid is not None:
        built["Sid"] = sid
    return built


def service_assume_role_policy(
    service_principal: str,
    account_id: str | None,
    source_arn: str | Sequence[str] | None = None,
) -> str:
    """Trust policy for an AWS service, bound to our account (and resources) against confused deputies.

    `account_id=None` (and no `source_arn`) only for a service that documents neither key for the
    role it assumes (CodePipeline, `stages/pipeline.py`): a condition on a key the service does not
    send makes AssumeRole fail.
    """
    conditions: dict[str, dict[str, str | Sequence[str]]] = {}
    if account_id is not None:
        conditions["StringEquals"] = {"aws:SourceAccount": account_id}
    if source_arn is not None:
        conditions["ArnLike"] = {"aws:SourceArn": source_arn}
    return policy_document(
        [
            statement(
                "Allow",
                ["sts:AssumeRole"],
                None,
                conditions=conditions or None,
                sid="AssumedOnlyByOurService",
                principal={"Service": service_principal},
            )
        ]
    )


def _sorted_unique(values: Iterable[str]) -> list[str]:
    unique = sorted(set(values))
    if not unique:
        raise ValueError("an IAM statement needs at least one action and one resource")
    return unique


def _condition_value(value: str | Sequence[str]) -> str | list[str]:
    if isinstance(value, str):
        return value
    return _sorted_unique(value)


def _normalised_principal(principal: Principal) -> str | dict[str, str | list[str]]:
    if isinstance(principal, str):
        return principal
    return {
        kind: value if isinstance(value, str) else _sorted_unique(value)
        for kind, value in sorted(principal.items())
    }
