"""The actions of a CodePipeline pipeline as the engine sends them, with what stayed unknown.

`stages[].actions[]` in wire form: each action has `category`, `owner`, `provider`, `version`,
`name` and `configuration` (a map of strings). Policies that judge one kind of action ask for the
actions of that kind; an action whose kind is not known yet, or a stage or action list that is not
known yet, may be of that kind, so its path is returned as undecided instead of being passed over.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from cicd_guardrails.support.wire import as_list, block, is_unknown

PIPELINE = "aws:codepipeline/pipeline:Pipeline"
AWS_OWNER = "AWS"


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
