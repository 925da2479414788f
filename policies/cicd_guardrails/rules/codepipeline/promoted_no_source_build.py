"""`codepipeline-promoted-no-source-build`: a stack that promotes deploys its upstream's release, never a build.

A promoted stack (stack config `promoteFrom`) deploys the bytes its upstream built, signed, deployed and
baked: its pipelines start from S3 source actions reading the objects the upstream published, admit
and verify them, and deploy them. A build from source there would deploy something no upstream ever
ran, so with `promotedStack` true (copied from the stack file by `tools/generate_config_files.py`)
this policy refuses:

- every CodePipeline action of category `Source` other than owner `AWS`, provider `S3` (CodeCommit,
  CodeStarSourceConnection, GitHub, Bitbucket, ECR, a custom source...);
- every CodeBuild project whose buildspec is read from the source (`source.buildspec` a path, or not
  set so `buildspec.yml`: `support/buildspecs.py`), which is what a build of source looks like;
- every CodeBuild project whose primary or secondary source is a repository (`source.type`
  CODECOMMIT, GITHUB, GITHUB_ENTERPRISE, BITBUCKET, GITLAB, GITLAB_SELF_MANAGED), whatever buildspec
  it runs.

A project with an inline (stack-owned) buildspec reading the pipeline's artifacts (the release steps
verify, confirm and publish) passes. A resource policy; a value not known at preview that could hide a
build is reported as undecided after everything known has been judged. With `promotedStack` false
(a stack that builds), nothing is judged.
"""

from typing import Any

from pulumi_policy import (
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)

from cicd_guardrails.support.buildspecs import BUILD_PROJECT, BuildspecKind, project_buildspec
from cicd_guardrails.support.metadata import policy_fields
from cicd_guardrails.support.pipeline_actions import AWS_OWNER, PIPELINE, staged_actions
from cicd_guardrails.support.policy_config import PolicyConfigError, config_bool
from cicd_guardrails.support.wire import as_list, block, fail_undecided, is_unknown, plain

NAME = "codepipeline-promoted-no-source-build"
PROMOTED = "promotedStack"
SOURCE_CATEGORY = "Source"
S3_PROVIDER = "S3"
REPOSITORY_SOURCE_TYPES = frozenset(
    {"CODECOMMIT", "GITHUB", "GITHUB_ENTERPRISE", "BITBUCKET", "GITLAB", "GITLAB_SELF_MANAGED"}
)
FIX = (
    "take the upstream's verified release instead (stack config promoteFrom): start the pipeline "
    "from S3 source actions reading what the upstream published, and run only stack-owned inline "
    "buildspecs (release_steps.verify, confirm, publish)"
)


def validate_promoted_no_source_build(
    args: ResourceValidationArgs, report: ReportViolation
) -> None:
    try:
        promoted = config_bool(NAME, args.get_config(), PROMOTED, False)
    except PolicyConfigError as error:
        report(str(error))
        return
    if not promoted:
        return
    undecided: list[str] = []
    props = plain(args.props)
    if args.resource_type == PIPELINE:
        _judge_pipeline(args.name, props, report, undecided)
    elif args.resource_type == BUILD_PROJECT:
        _judge_project(args.name, props, report, undecided)
    if undecided:
        fail_undecided(args.name, undecided)


def _judge_pipeline(
    name: str, props: dict[str, Any], report: ReportViolation, undecided: list[str]
) -> None:
    for action in staged_actions(props, undecided):
        category = action.get("category")
        if is_unknown(category):
            undecided.append(f"{action.path} (which may be a source action)")
            continue
        if category != SOURCE_CATEGORY:
            continue
        owner, provider = action.get("owner"), action.get("provider")
        if is_unknown(owner) or is_unknown(provider):
            undecided.append(f"{action.path}.owner or provider")
            continue
        if owner == AWS_OWNER and provider == S3_PROVIDER:
            continue
        report(
            f"pipeline '{name}': {action.label} is a source action with provider {provider!r} "
            f"(owner {owner!r}), which builds from source in a stack that promotes; {FIX}"
        )


def _judge_project(
    name: str, props: dict[str, Any], report: ReportViolation, undecided: list[str]
) -> None:
    label = f"CodeBuild project '{name}'"
    buildspec = project_buildspec(props)
    if buildspec.kind is BuildspecKind.NOT_YET_KNOWN:
        undecided.append("source.buildspec")
    elif buildspec.kind is BuildspecKind.SOURCE_PATH:
        report(
            f"{label}: {buildspec.described()}: a build of source in a stack that promotes; {FIX}"
        )
    sources = [("source", props.get("source"))]
    secondary = props.get("secondarySources")
    if is_unknown(secondary):
        undecided.append("secondarySources")
    else:
        sources += [(f"secondarySources[{i}]", s) for i, s in enumerate(as_list(secondary))]
    for path, source in sources:
        source_type = source if is_unknown(source) else block(source).get("type")
        if is_unknown(source_type):
            undecided.append(f"{path}.type")
        elif isinstance(source_type, str) and source_type.upper() in REPOSITORY_SOURCE_TYPES:
            report(
                f"{label}: {path}.type is {source_type!r}, a repository, so the project builds "
                f"from source in a stack that promotes; {FIX}"
            )


CODEPIPELINE_PROMOTED_NO_SOURCE_BUILD = ResourceValidationPolicy(
    **policy_fields(NAME),
    validate=validate_promoted_no_source_build,
    config_schema=PolicyConfigSchema(
        properties={
            PROMOTED: {
                "type": "boolean",
                "default": False,
                "description": (
                    "The stack promotes releases from another stack (its stack config sets "
                    "promoteFrom; copied from the stack file by tools/generate_config_files.py): "
                    "refuse every non-S3 source action and every CodeBuild project that builds "
                    "from source (false: judge nothing)."
                ),
            }
        }
    ),
)

POLICIES = [CODEPIPELINE_PROMOTED_NO_SOURCE_BUILD]
