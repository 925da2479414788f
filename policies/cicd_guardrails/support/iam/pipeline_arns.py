"""Which pipeline ARNs a grant of `codepipeline:StartPipelineExecution` can reach.

IAM authorizes StartPipelineExecution against the pipeline,
`arn:${Partition}:codepipeline:${Region}:${Account}:${PipelineName}` (Service Authorization Reference
for CodePipeline, via `arn_formats`). Two facts narrow the globs `arn_formats` gives:

- A pipeline name matches `[A-Za-z0-9.@\\-_]+` (CodePipeline API Reference, PipelineDeclaration
  `name`: https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_PipelineDeclaration.html).
  So a pattern whose name part holds a `/` or another character outside that set (an action ARN,
  `arn:aws:codepipeline:r:a:pipeline/Stage/Action`) can match no pipeline and grants no start.
- A pipeline has no resource-based policy, so an identity policy reaches only pipelines of its own
  principal's account. When the stack's accounts are known (`accounts.stack_accounts`) and the grant
  goes through the stack's default provider, the account field is narrowed to them; otherwise (an
  explicit provider may be another account, a permission set applies to every assigned account)
  the account stays open.
"""

import string

from cicd_guardrails.support.iam.arn_formats import resource_globs
from cicd_guardrails.support.iam.policy_model import SEGMENT, WILDCARD

START_PIPELINE = "codepipeline:StartPipelineExecution"
PIPELINE_NAME_CHARACTERS = frozenset(string.ascii_letters + string.digits + ".@-_")
# Characters of a reached glob that stand for "some character(s)", not a literal one.
OPEN_CHARACTERS = frozenset({SEGMENT, WILDCARD, "?"})
ARN_FIELDS = 6
ACCOUNT_FIELD = 4


def start_targets(accounts: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """The pipeline ARN globs a start is authorized against, in `accounts` when any are given."""
    globs = resource_globs(START_PIPELINE)
    if not accounts:
        return globs
    return tuple(_in_account(glob, account) for glob in globs for account in sorted(accounts))


def can_name_a_pipeline(glob: str) -> bool:
    """Whether some string this reached glob matches is a valid pipeline ARN (by its name part)."""
    name = glob.rsplit(":", 1)[-1]
    return bool(name) and all(
        ch in PIPELINE_NAME_CHARACTERS or ch in OPEN_CHARACTERS for ch in name
    )


def _in_account(glob: str, account: str) -> str:
    fields = glob.split(":")
    if len(fields) != ARN_FIELDS or fields[ACCOUNT_FIELD] != SEGMENT:
        return glob
    fields[ACCOUNT_FIELD] = account
    return ":".join(fields)
