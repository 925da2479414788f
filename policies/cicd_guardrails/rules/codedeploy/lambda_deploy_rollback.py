"""Rollback of CodePipeline's Lambda deploy action, judged like a CodeDeploy deployment group's.

AWS's "AWS Lambda deploy action reference" (CodePipeline User Guide): category Deploy, owner AWS,
provider Lambda, version 1, V2 pipelines only. `FunctionAlias` is the alias traffic shifts on and
"will be the rollback target version"; without it the action "deploys the source artifact to
$LATEST and creates a new version", and no deploy strategy applies, so there is nothing to roll
back to. `Alarms` is "a comma-separated list of alarm names", at most 10; the action fails (and
shifts traffic back to the alias's version) when one of them goes to ALARM.

So every Lambda deploy action needs a `FunctionAlias`, and where alarm rollback is required its
`Alarms` must name at least one alarm (a blank value such as `" "` or `","` names none).
"""

from typing import Any

from pulumi_policy import ReportViolation

from cicd_guardrails.support.pipeline_actions import ActionKind, PipelineAction, actions_of_kind
from cicd_guardrails.support.wire import is_unknown, shown

LAMBDA_DEPLOY = ActionKind(category="Deploy", provider="Lambda")
FUNCTION_ALIAS = "FunctionAlias"
ALARMS = "Alarms"
ALARM_SEPARATOR = ","
MAX_ALARMS = 10


def judge_lambda_deploy_actions(
    name: str,
    props: dict[str, Any],
    require_alarm: bool,
    report: ReportViolation,
    undecided: list[str],
) -> None:
    """Report every Lambda deploy action of pipeline `name` that cannot roll itself back."""
    for action in actions_of_kind(props, LAMBDA_DEPLOY, undecided):
        label = f"pipeline '{name}': {action.label} (a Lambda deploy action)"
        if is_unknown(action.configuration):
            undecided.append(f"{action.path}.configuration")
            continue
        _judge_alias(label, action, report, undecided)
        if require_alarm:
            _judge_alarms(label, action, report, undecided)


def _judge_alias(
    label: str, action: PipelineAction, report: ReportViolation, undecided: list[str]
) -> None:
    alias = action.setting(FUNCTION_ALIAS)
    if is_unknown(alias):
        undecided.append(f"{action.path}.configuration.{FUNCTION_ALIAS}")
    elif not isinstance(alias, str) or not alias.strip():
        report(
            f"{label} has no configuration.{FUNCTION_ALIAS}, so it deploys to $LATEST with no "
            "deploy strategy and no version to roll back to; set configuration.FunctionAlias to "
            "the alias that serves traffic (e.g. live)"
        )


def _judge_alarms(
    label: str, action: PipelineAction, report: ReportViolation, undecided: list[str]
) -> None:
    alarms = action.setting(ALARMS)
    if is_unknown(alarms):
        undecided.append(f"{action.path}.configuration.{ALARMS}")
        return
    names = alarms.split(ALARM_SEPARATOR) if isinstance(alarms, str) else []
    named = [n for n in names if n.strip()]
    if not named:
        report(
            f"{label}: configuration.{ALARMS} is {shown(alarms)}, which names no alarm, but alarm "
            f"rollback is required; set configuration.{ALARMS} to the comma-separated names of "
            f"CloudWatch alarms on the function's health (at most {MAX_ALARMS})"
        )
    elif len(named) > MAX_ALARMS:
        report(
            f"{label}: configuration.{ALARMS} names {len(named)} alarms, more than the "
            f"{MAX_ALARMS} the action accepts; keep at most {MAX_ALARMS}"
        )
