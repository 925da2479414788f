"""The actions of a CodePipeline pipeline as the engine sends them, with what stayed unknown.

`stages[].actions[]` in wire form: each action has `category`, `owner`, `provider`, `version`,
`name` and `configuration` (a map of strings). Policies that judge one kind of action ask for the
actions of that kind; an action whose kind is not known yet, or a stage or action list that is not
known yet, may be of that kind, so its path is returned as undecided instead of being passed over.

Policies that judge the order of actions (what runs before what, which artifacts each one reads and
writes) take every action with `staged_actions`: CodePipeline runs stages in order and, inside a
stage, actions by ascending `runOrder` (default 1); actions of one stage with the same `runOrder` run
in parallel, so neither runs before the other.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from cicd_guardrails.support.wire import as_list, block, is_unknown

PIPELINE = "aws:codepipeline/pipeline:Pipeline"
AWS_OWNER = "AWS"
DEFAULT_RUN_ORDER = 1


@dataclass(frozen=True)
class ActionKind:
    """What an action is: CodePipeline's (category, owner, provider) triple."""

    category: str
    provider: str
    owner: str = AWS_OWNER


@dataclass(frozen=True)
class PipelineAction:
    """One action of the kind asked for, with its property path (`stages[3].actions[0]`)."""

    path: str
    name: Any
    configuration: Any  # a dict, or the unknown sentinel

    @property
    def label(self) -> str:
        return f"{self.path} ({self.name!r})" if isinstance(self.name, str) else self.path

    def setting(self, key: str) -> Any:
        return block(self.configuration).get(key)


def actions_of_kind(
    props: dict[str, Any], kind: ActionKind, undecided: list[str]
) -> Iterator[PipelineAction]:
    """The pipeline's actions of `kind`; paths that might hold one but are unknown go to `undecided`."""
    stages = props.get("stages")
    if is_unknown(stages):
        undecided.append("stages")
        return
    for s, stage in enumerate(as_list(stages)):
        actions = block(stage).get("actions") if not is_unknown(stage) else stage
        if is_unknown(actions):
            undecided.append(f"stages[{s}].actions")
            continue
        for a, action in enumerate(as_list(actions)):
            path = f"stages[{s}].actions[{a}]"
            if is_unknown(action):
                undecided.append(path)
                continue
            fields = block(action)
            verdict = _matches(fields, kind)
            if verdict is None:
                undecided.append(f"{path} (category, owner or provider)")
            elif verdict:
                yield PipelineAction(path, fields.get("name"), fields.get("configuration"))


def _matches(fields: dict[str, Any], kind: ActionKind) -> bool | None:
    wanted = {"category": kind.category, "owner": kind.owner, "provider": kind.provider}
    values = {key: fields.get(key) for key in wanted}
    if any(values[key] != wanted[key] and not is_unknown(values[key]) for key in wanted):
        return False
    return None if any(is_unknown(v) for v in values.values()) else True


@dataclass(frozen=True)
class StagedAction:
    """One action with where it runs: its stage's index and its `runOrder`.

    `fields` is the action's wire object, or the unknown sentinel when the whole action is not known;
    `stage` and `run_order` are what the action's place in the pipeline says (run_order may be the
    unknown sentinel).
    """

    path: str
    stage: int
    run_order: Any
    fields: Any

    @property
    def known(self) -> bool:
        return not is_unknown(self.fields)

    def get(self, key: str) -> Any:
        """A field of the action; the unknown sentinel when the whole action is not known."""
        return self.fields if is_unknown(self.fields) else block(self.fields).get(key)

    @property
    def label(self) -> str:
        name = self.get("name")
        return (
            f"{self.path} ({name!r})"
            if isinstance(name, str) and not is_unknown(name)
            else self.path
        )

    def setting(self, key: str) -> Any:
        configuration = self.get("configuration")
        return configuration if is_unknown(configuration) else block(configuration).get(key)

    def is_kind(self, kind: ActionKind) -> bool | None:
        """Whether it is an action of `kind`; None when the deciding fields are not known."""
        if not self.known:
            return None
        return _matches(block(self.fields), kind)

    def artifacts(self, key: str) -> list[Any] | Any:
        """`inputArtifacts` or `outputArtifacts` as a list (names or unknowns), or the unknown sentinel."""
        value = self.get(key)
        return value if is_unknown(value) else as_list(value)

    def runs_before(self, other: "StagedAction") -> bool | None:
        """Whether this action provably finishes before `other` starts; None when it may or may not."""
        if self.stage != other.stage:
            return self.stage < other.stage
        if is_unknown(self.run_order) or is_unknown(other.run_order):
            return None
        if not isinstance(self.run_order, int | float) or not isinstance(
            other.run_order, int | float
        ):
            return None
        return self.run_order < other.run_order


def staged_actions(props: dict[str, Any], undecided: list[str]) -> list[StagedAction]:
    """Every action of the pipeline in stage order; `stages` not known goes to `undecided`.

    An action that is not known is returned with the unknown sentinel as its fields, so callers treat
    it as possibly anything (a deploy, a producer of any artifact); so is a stage whose action list is
    not known, as one such action at `stages[<i>].actions`.
    """
    stages = props.get("stages")
    if is_unknown(stages):
        undecided.append("stages")
        return []
    found: list[StagedAction] = []
    for s, stage in enumerate(as_list(stages)):
        actions = block(stage).get("actions") if not is_unknown(stage) else stage
        if is_unknown(actions):
            found.append(StagedAction(f"stages[{s}].actions", s, actions, actions))
            continue
        for a, action in enumerate(as_list(actions)):
            run_order = action if is_unknown(action) else block(action).get("runOrder")
            found.append(
                StagedAction(
                    path=f"stages[{s}].actions[{a}]",
                    stage=s,
                    run_order=DEFAULT_RUN_ORDER if run_order is None else run_order,
                    fields=action,
                )
            )
    return found
