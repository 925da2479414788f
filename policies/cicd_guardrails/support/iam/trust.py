"""Can only a pipeline-starting AWS service assume a role? Read from its trust policy.

Why this exists: an EventBridge rule that starts a pipeline on a push needs a role allowing
`codepipeline:StartPipelineExecution`, and EventBridge's call never carries the pusher's address in
`aws:SourceIp`, so that role cannot be IP-restricted; CodePipeline's invoke action likewise starts
another pipeline as the invoking pipeline's role. Neither is a path for a person: they run no user
code and only act as configured. Services that run user code with the role's credentials
(CodeBuild, Lambda, EC2, ...) are not exempt: a pushed buildspec would otherwise start pipelines
from anywhere.

The exemption is granted only when every Allow of the role's trust policy names only `Service`
principals from the configured list, with no `NotPrincipal`. Which role a grant belongs to (by name,
ARN or property dependency, same provider, no ambiguous unnamed role) is `principals.py`'s question.
"""

from collections.abc import Mapping
from typing import Any

from cicd_guardrails.support.iam.policy_model import (
    ALLOW,
    PolicyDocumentError,
    parse_policy_document,
)

SERVICE_PRINCIPAL_KIND = "Service"
ASSUME_ROLE_POLICY = "assumeRolePolicy"


def trusts_only(
    props: Mapping[str, Any], exempt_services: frozenset[str], key: str = ASSUME_ROLE_POLICY
) -> bool:
    """Whether every Allow of the trust policy under `key` names only exempt service principals.

    May raise UnknownValueError when the trust policy is not known yet.
    """
    raw = props.get(key)
    if raw is None:
        return False
    try:
        document = parse_policy_document(raw)
    except PolicyDocumentError:
        return False
    allows = [s for s in document.statements if s.effect == ALLOW]
    return bool(allows) and all(
        not s.not_principal
        and s.principals
        and all(
            kind == SERVICE_PRINCIPAL_KIND and name.lower() in exempt_services
            for kind, name in s.principals
        )
        for s in allows
    )
