"""Evaluate a resource policy (key, repository, bucket) for one caller, as IAM's logic describes it.

moto neither grants nor refuses by resource policies, so who may Sign, pull or decrypt is proven by
evaluating the documents the program declares: an explicit Deny wins, else an Allow whose principal,
action, resource and conditions all match, else nothing (IAM's "Policy evaluation logic"). A principal
that is an account root (`arn:aws:iam::<acct>:root`) matches every caller of that account, but only
through that account's IAM policies: reported as `ACCOUNT_DELEGATES`, never as a direct allow.
Only the condition operators our documents use are understood (and `NotResource`); any other fails
the test loudly.
"""

import fnmatch
import json
from dataclasses import dataclass, field
from typing import Any

ALLOW, DENY, NOT_ALLOWED, ACCOUNT_DELEGATES = "allow", "deny", "not allowed", "account delegates"


@dataclass(frozen=True)
class Caller:
    """Who asks: the principal's ARN (a role's ARN for its sessions), and the request's context."""

    principal_arn: str
    context: dict[str, str | list[str]] = field(default_factory=dict)

    @property
    def account(self) -> str:
        """The caller's account; empty for an AWS service principal (`events.amazonaws.com`)."""
        parts = self.principal_arn.split(":")
        return parts[4] if len(parts) > 4 else ""

    @property
    def request_context(self) -> dict[str, str | list[str]]:
        """The context plus the keys IAM sets on every request (global condition keys)."""
        return {
            "aws:PrincipalArn": self.principal_arn,
            "aws:PrincipalAccount": self.account,
            "aws:SecureTransport": "true",
            **self.context,
        }


def evaluate(document: str, caller: Caller, action: str, resource: str = "*") -> str:
    """The resource policy's answer for `caller` doing `action` on `resource`."""
    statements = json.loads(document)["Statement"]
    matching = [s for s in statements if _applies(s, caller, action, resource)]
    if any(s["Effect"] == "Deny" for s in matching):
        return DENY
    allows = [s for s in matching if s["Effect"] == "Allow"]
    if any(_names_exactly(s, caller) for s in allows):
        return ALLOW
    return ACCOUNT_DELEGATES if allows else NOT_ALLOWED


def _applies(statement: dict[str, Any], caller: Caller, action: str, resource: str) -> bool:
    actions = _listed(statement.get("Action", []))
    if not any(fnmatch.fnmatchcase(action.lower(), a.lower()) for a in actions):
        return False
    if "NotResource" in statement:
        if any(fnmatch.fnmatchcase(resource, r) for r in _listed(statement["NotResource"])):
            return False
    elif not any(fnmatch.fnmatchcase(resource, r) for r in _listed(statement.get("Resource", "*"))):
        return False
    if not _principal_matches(statement.get("Principal"), caller):
        return False
    return all(
        _condition_holds(operator, key, expected, caller)
        for operator, pairs in statement.get("Condition", {}).items()
        for key, expected in pairs.items()
    )


def _principal_matches(principal: Any, caller: Caller) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    if caller.principal_arn in _listed(principal.get("Service", [])):
        return True
    for value in _listed(principal.get("AWS", [])):
        if value in ("*", caller.principal_arn, f"arn:aws:iam::{caller.account}:root"):
            return True
    return False


def _names_exactly(statement: dict[str, Any], caller: Caller) -> bool:
    principal = statement.get("Principal")
    if principal == "*":
        return True
    named = [*_listed(principal.get("AWS", [])), *_listed(principal.get("Service", []))]
    return caller.principal_arn in named


def _condition_holds(operator: str, key: str, expected: Any, caller: Caller) -> bool:
    qualifier, _, base = operator.rpartition(":")
    wanted = _listed(expected)
    context = caller.request_context
    present = key in context
    values = _listed(context.get(key, []))
    if operator == "Null":
        # "true": the key is absent from the request; "false": it is present (IAM, Null operator).
        return all((w.lower() == "true") != present for w in wanted)
    if base.endswith("IfExists"):
        base = base.removesuffix("IfExists")
        if not present:
            return True
    match = {
        "Bool": lambda v: v.lower() in (w.lower() for w in wanted),
        "StringEquals": lambda v: v in wanted,
        "ArnEquals": lambda v: v in wanted,
        "StringLike": lambda v: any(fnmatch.fnmatchcase(v, w) for w in wanted),
        "ArnLike": lambda v: any(fnmatch.fnmatchcase(v, w) for w in wanted),
    }
    negated = {
        "StringNotEquals": "StringEquals",
        "ArnNotEquals": "ArnEquals",
        "StringNotLike": "StringLike",
        "ArnNotLike": "ArnLike",
    }
    if base in negated:
        test = match[negated[base]]
        return not any(test(v) for v in values)
    if base not in match:
        raise AssertionError(f"condition operator {operator} is not understood by this evaluator")
    if not present:
        return False
    test = match[base]
    if qualifier == "ForAllValues":
        return all(test(v) for v in values)
    return any(test(v) for v in values)


def _listed(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)
