"""`codepipeline-artifact-verification`: nothing is deployed that a stack-owned verification did not read.

The release is signed right after the build, and a verification step (`release_steps.verify`) checks
the signature and digests of exactly the artifacts the deploy reads, after any approval and right
before the deploy. That only protects the deploy if three things hold, judged for every action of
category `Deploy` (any provider):

- a *verification action* runs before it (an earlier stage, or the same stage with a lower
  `runOrder`): an AWS/CodeBuild action whose `configuration.ProjectName` names a CodeBuild project of
  the stack (by its `name`, through the same provider) whose buildspec is inline, so declared by the
  stack and not read from what was pushed, and runs `python -m release_steps.verify`
  (`support/buildspecs.py` says how that is recognised);
- its `inputArtifacts` include every input artifact of the deploy action, so nothing is deployed
  unverified;
- every one of those artifacts is written (`outputArtifacts`) by an action that runs before the
  verification action, so no action running alongside or after it can replace what was verified.

A stack policy, because the project's buildspec lives on another resource. A value not known at
preview (a stage, an action, its artifacts, a project's name or buildspec) that could provide the
verification is reported as undecided, never passed, and never refused either. With
`requireArtifactVerification` false (dev), nothing is judged.
"""

from dataclasses import dataclass, field
from enum import Enum

from pulumi_policy import (
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    StackValidationArgs,
    StackValidationPolicy,
)

from cicd_guardrails.support.buildspecs import (
    VERIFY_MODULE,
    BuildProject,
    build_projects,
    provider_urn,
)
from cicd_guardrails.support.metadata import policy_fields
from cicd_guardrails.support.pipeline_actions import (
    AWS_OWNER,
    PIPELINE,
    StagedAction,
    staged_actions,
)
from cicd_guardrails.support.policy_config import PolicyConfigError, config_bool
from cicd_guardrails.support.wire import fail_undecided, is_unknown, plain

NAME = "codepipeline-artifact-verification"
REQUIRE = "requireArtifactVerification"
DEPLOY_CATEGORY = "Deploy"
CODEBUILD_PROVIDER = "CodeBuild"
PROJECT_NAME = "ProjectName"
INPUTS = "inputArtifacts"
OUTPUTS = "outputArtifacts"
FIX = (
    "a CodeBuild action whose project has an inline (stack-owned) buildspec running "
    f"`python3 -m {VERIFY_MODULE}`, after any approval and right before the deploy"
)


class Verdict(Enum):
    REFUSED = 0
    POSSIBLE = 1
    PROVEN = 2


@dataclass
class Candidate:
    """A CodeBuild action that runs (or may run) before a deploy, and why it does not verify it."""

    action: StagedAction
    possible: bool = False  # something not known yet may make it a verification of the deploy
    project_problem: str = ""  # why its project is not a verification step
    uncovered: list[str] = field(default_factory=list)  # deployed artifacts it does not read
    late: list[tuple[str, StagedAction | None]] = field(default_factory=list)  # written after it

    @property
    def verdict(self) -> Verdict:
        if self.project_problem or self.uncovered or self.late:
            return Verdict.REFUSED
        return Verdict.POSSIBLE if self.possible else Verdict.PROVEN


def validate_artifact_verification(args: StackValidationArgs, report: ReportViolation) -> None:
    try:
        required = config_bool(NAME, args.get_config(), REQUIRE, True)
    except PolicyConfigError as error:
        report(str(error), None)
        return
    if not required:
        return
    projects = build_projects(args.resources)
    undecided: list[str] = []
    for pipeline in (r for r in args.resources if r.resource_type == PIPELINE):
        _judge_pipeline(pipeline, projects, report, undecided)
    if undecided:
        fail_undecided(NAME, undecided)


def _judge_pipeline(
    pipeline: PolicyResource,
    projects: list[BuildProject],
    report: ReportViolation,
    undecided: list[str],
) -> None:
    props = plain(pipeline.props)
    unknown_paths: list[str] = []
    actions = staged_actions(props, unknown_paths)
    undecided.extend(f"{pipeline.name}.{path}" for path in unknown_paths)
    same_account = [p for p in projects if p.provider == provider_urn(pipeline)]
    for deploy in actions:
        category = deploy.get("category")
        if is_unknown(category):
            undecided.append(f"{pipeline.name}.{deploy.path} (which may be a deploy action)")
            continue
        if category != DEPLOY_CATEGORY:
            continue
        inputs = deploy.artifacts(INPUTS)
        if is_unknown(inputs) or any(is_unknown(i) for i in inputs):
            undecided.append(f"{pipeline.name}.{deploy.path}.{INPUTS}")
            continue
        candidates = [
            candidate
            for action in actions
            if action is not deploy and action.runs_before(deploy) is not False
            for candidate in [_candidate(action, deploy, inputs, actions, same_account)]
            if candidate is not None
        ]
        verdicts = {c.verdict for c in candidates}
        if Verdict.PROVEN in verdicts:
            continue
        if Verdict.POSSIBLE in verdicts:
            undecided.append(f"{pipeline.name}.{deploy.path} (its verification)")
            continue
        report(_message(pipeline.name, deploy, inputs, candidates), pipeline.urn)


def _candidate(
    action: StagedAction,
    deploy: StagedAction,
    inputs: list[str],
    actions: list[StagedAction],
    projects: list[BuildProject],
) -> Candidate | None:
    """The action judged as the deploy's verification; None when it is provably not CodeBuild."""
    if not action.known:
        return Candidate(action, possible=True)
    owner, provider = action.get("owner"), action.get("provider")
    if (owner != AWS_OWNER and not is_unknown(owner)) or (
        provider != CODEBUILD_PROVIDER and not is_unknown(provider)
    ):
        return None
    candidate = Candidate(
        action,
        possible=is_unknown(owner) or is_unknown(provider) or action.runs_before(deploy) is None,
    )
    _judge_project(candidate, projects)
    _judge_coverage(candidate, inputs)
    _judge_freshness(candidate, inputs, actions)
    return candidate


def _judge_project(candidate: Candidate, projects: list[BuildProject]) -> None:
    named = candidate.action.setting(PROJECT_NAME)
    if is_unknown(named):
        candidate.possible = True
        return
    matched = [p for p in projects if p.name == named]
    if not matched:
        if any(is_unknown(p.name) for p in projects):
            candidate.possible = True
        else:
            candidate.project_problem = (
                f"its configuration.{PROJECT_NAME} {named!r} names no CodeBuild project of this "
                "stack"
            )
        return
    for project in matched:
        runs = project.runs(VERIFY_MODULE)
        if runs is None:
            candidate.possible = True
        elif not project.buildspec.stack_owned:
            candidate.project_problem = (
                f"its project {named!r} (Project '{project.resource.name}') does not run a "
                f"stack-owned buildspec: {project.buildspec.described()}"
            )
        elif not runs:
            candidate.project_problem = (
                f"its project {named!r} (Project '{project.resource.name}') runs a stack-owned "
                f"buildspec with no `python3 -m {VERIFY_MODULE}` command"
            )


def _judge_coverage(candidate: Candidate, inputs: list[str]) -> None:
    read = candidate.action.artifacts(INPUTS)
    if is_unknown(read):
        candidate.possible = True
        return
    uncovered = [a for a in inputs if a not in read]
    if uncovered and any(is_unknown(r) for r in read):
        candidate.possible = True  # an input not known yet may be the missing one
    else:
        candidate.uncovered = uncovered


def _judge_freshness(candidate: Candidate, inputs: list[str], actions: list[StagedAction]) -> None:
    """Every deployed artifact is written before the verification runs, and only then.

    CodePipeline refuses a pipeline in which two actions write artifacts of one name, so once a
    known action writes an artifact, an action whose outputs are not known yet cannot write it too.
    """
    verifier = candidate.action
    for artifact in inputs:
        producers: list[StagedAction] = []
        uncertain = False  # an action not provably before the verification may write it
        for action in actions:
            written = action.artifacts(OUTPUTS)
            if is_unknown(written) or any(is_unknown(w) for w in written):
                uncertain = uncertain or action.runs_before(verifier) is not True
            elif artifact in written:
                producers.append(action)
        late = [p for p in producers if p.runs_before(verifier) is False]
        if late:
            candidate.late.extend((artifact, p) for p in late)
        elif any(p.runs_before(verifier) is None for p in producers) or (
            uncertain and not producers
        ):
            candidate.possible = True
        elif not producers:
            candidate.late.append((artifact, None))


def _message(
    pipeline: str, deploy: StagedAction, inputs: list[str], candidates: list[Candidate]
) -> str:
    provider = deploy.get("provider")
    known = isinstance(provider, str) and not is_unknown(provider)
    kind = f"a {provider} deploy action" if known else "a deploy action"
    reading = f" reading {', '.join(inputs)}" if inputs else ""
    head = f"pipeline '{pipeline}': {deploy.label} ({kind}{reading})"
    verifiers = [c for c in candidates if not c.project_problem]
    if verifiers:
        nearest = max(verifiers, key=lambda c: (c.action.stage, _order(c.action)))
        return f"{head} {_shortfall(nearest)}"
    hints = [
        f"{c.action.label} reads what it deploys, but {c.project_problem}"
        for c in candidates
        if c.project_problem and not c.uncovered
    ]
    detail = f" ({'; '.join(hints)})" if hints else ""
    return (
        f"{head} has no verification action before it{detail}; add {FIX}, with input artifacts "
        f"{', '.join(inputs) or 'none'}, each written by an action that runs before it"
    )


def _shortfall(candidate: Candidate) -> str:
    verifier = candidate.action
    parts = []
    if candidate.uncovered:
        missing = ", ".join(candidate.uncovered)
        parts.append(
            f"deploys {missing}, which the verification action {verifier.label} does not read; "
            f"add {missing} to {verifier.path}.{INPUTS}"
        )
    for artifact, producer in candidate.late:
        if producer is None:
            parts.append(
                f"deploys {artifact}, which no action writes before the verification action "
                f"{verifier.label}; produce {artifact} in an action that runs before it"
            )
        else:
            parts.append(
                f"deploys {artifact}, which {producer.label} writes after the verification action "
                f"{verifier.label} starts, so it reaches the deploy unverified; move the "
                f"verification after {producer.label}, right before the deploy"
            )
    return "; and it ".join(parts)


def _order(action: StagedAction) -> float:
    return action.run_order if isinstance(action.run_order, int | float) else 0


CODEPIPELINE_ARTIFACT_VERIFICATION = StackValidationPolicy(
    **policy_fields(NAME),
    validate=validate_artifact_verification,
    config_schema=PolicyConfigSchema(
        properties={
            REQUIRE: {
                "type": "boolean",
                "default": True,
                "description": (
                    "Require a stack-owned verification action that reads every artifact of each "
                    "deploy action, after whatever wrote them (false: judge nothing)."
                ),
            }
        }
    ),
)

POLICIES = [CODEPIPELINE_ARTIFACT_VERIFICATION]
