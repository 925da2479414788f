"""`codedeploy-action-server-platform`: CodePipeline's CodeDeploy action only deploys to EC2/on-premises.

AWS's CodePipeline action reference: the `CodeDeploy` deploy action deploys to EC2/on-premises
instances; Amazon ECS blue/green deployments use `CodeDeployToECS`, and Lambda functions the
`Lambda` deploy action (V2 pipelines). There is no CodeDeploy action for a Lambda deployment group,
so a pipeline whose CodeDeploy action names a Lambda (or ECS) application fails its first run.

A stack policy: the action names its application by `ApplicationName`, and the application's
`computePlatform` (pulumi-aws default `Server`) lives on the `aws:codedeploy/application:Application`
resource. The link is the name CodeDeploy resolves, through the same provider (application names are
unique per account and region). An application whose name or platform is not known yet could be
the one named: then the action is reported as undecided, never passed.
"""

from dataclasses import dataclass
from typing import Any

from pulumi_policy import (
    PolicyResource,
    ReportViolation,
    StackValidationArgs,
    StackValidationPolicy,
)

from cicd_guardrails.support.metadata import policy_fields
from cicd_guardrails.support.pipeline_actions import PIPELINE, ActionKind, actions_of_kind
from cicd_guardrails.support.wire import fail_undecided, is_unknown, plain

NAME = "codedeploy-action-server-platform"
APPLICATION = "aws:codedeploy/application:Application"
CODEDEPLOY_ACTION = ActionKind(category="Deploy", provider="CodeDeploy")
APPLICATION_NAME = "ApplicationName"
SERVER_PLATFORM = "Server"  # pulumi-aws: computePlatform defaults to Server
RIGHT_ACTION = {
    "Lambda": "the Lambda deploy action (provider Lambda, V2 pipelines)",
    "ECS": "the CodeDeployToECS action",
}


@dataclass(frozen=True)
class Application:
    resource: PolicyResource
    name: Any  # a string, or the unknown sentinel
    platform: Any

    @property
    def provider(self) -> str | None:
        return _provider_urn(self.resource)


def validate_action_platform(args: StackValidationArgs, report: ReportViolation) -> None:
    applications = [
        Application(r, props.get("name"), props.get("computePlatform", SERVER_PLATFORM))
        for r in args.resources
        if r.resource_type == APPLICATION
        for props in [plain(r.props)]
    ]
    undecided: list[str] = []
    for pipeline in (r for r in args.resources if r.resource_type == PIPELINE):
        props = plain(pipeline.props)
        for action in actions_of_kind(props, CODEDEPLOY_ACTION, undecided):
            named = action.configuration
            if not is_unknown(named):
                named = action.setting(APPLICATION_NAME)
            candidates = _candidates(named, applications, _provider_urn(pipeline))
            proven = [
                a
                for a in candidates
                if a.name == named and not is_unknown(a.platform) and a.platform != SERVER_PLATFORM
            ]
            if proven and not is_unknown(named):
                _report(pipeline, action.label, proven[0], report)
            elif any(is_unknown(a.platform) or a.platform != SERVER_PLATFORM for a in candidates):
                undecided.append(f"{pipeline.name}.{action.path}.configuration.{APPLICATION_NAME}")
    if undecided:
        fail_undecided(NAME, undecided)


def _candidates(
    named: Any, applications: list[Application], provider: str | None
) -> list[Application]:
    """The applications the action may name: the one with its name, else any not named yet."""
    same_account = [a for a in applications if a.provider == provider]
    if is_unknown(named):
        return same_account
    exact = [a for a in same_account if a.name == named]
    return exact or [a for a in same_account if is_unknown(a.name)]


def _report(
    pipeline: PolicyResource, label: str, app: Application, report: ReportViolation
) -> None:
    right = RIGHT_ACTION.get(app.platform, "an action for that compute platform")
    report(
        f"pipeline '{pipeline.name}': {label} is a CodeDeploy action on application "
        f"'{app.name}' (Application '{app.resource.name}', computePlatform {app.platform}), which "
        "CodePipeline's CodeDeploy action cannot deploy: it deploys to EC2/on-premises only; "
        f"deploy with {right} instead",
        pipeline.urn,
    )


def _provider_urn(resource: PolicyResource) -> str | None:
    return resource.provider.urn if resource.provider is not None else None


CODEDEPLOY_ACTION_SERVER_PLATFORM = StackValidationPolicy(
    **policy_fields(NAME),
    validate=validate_action_platform,
)

POLICIES = [CODEDEPLOY_ACTION_SERVER_PLATFORM]
