"""The manual approval between Build and Deploy: what the request says and who is told."""

import pulumi
import pulumi_aws as aws

from components.config import ServiceSettings
from components.iam.documents import statement
from components.iam.grants import Statement
from components.shared.naming import ServiceNames
from components.stages.origins import Origin
from components.stages.stage_args import stage
from components.targets import DeployTarget

APPROVAL_TEXT_LIMIT = 500
"""Our bound for the request: one readable mail paragraph, well under the 1000 characters an action
configuration value may hold (ActionDeclaration `configuration`, CodePipeline API Reference)."""


def approval_stage(
    service: ServiceSettings,
    request: str,
    topic_arn: pulumi.Input[str],
    console_url: str,
) -> aws.codepipeline.PipelineStageArgs:
    """The request names what is released where, and links the pipeline, whose waiting approval has
    the Review button. SNS receives customData and externalEntityLink with CodePipeline's own
    approvalReviewLink ("JSON data format for manual approval notifications in CodePipeline")."""
    return stage(
        "Approval",
        category="Approval",
        provider="Manual",
        configuration={
            "NotificationArn": topic_arn,
            "CustomData": request,
            "ExternalEntityLink": console_url,
        },
    )


def approval_request(
    service: ServiceSettings,
    stack: str,
    origin: Origin,
    target: DeployTarget,
    release_summary: str = "",
) -> str:
    """`Approve releasing web (prod): <source> built and tested, to <target> by <config>. ...`

    `release_summary` names the commit and digests being approved with pipeline variables, which
    CodePipeline resolves in an action's configuration when the action runs (CodePipeline User
    Guide, "Variables reference"); the verification after the approval refuses any other manifest.
    """
    head = (
        f"Approve releasing {service.name} ({stack}): {origin.provenance}, to "
        f"{target.description} by {service.deployment_config}."
    )
    tail = (
        f"{' ' + release_summary if release_summary else ''} Check the execution's source "
        "revision and build in the linked pipeline, then approve or reject."
    )
    if len(head) + len(tail) > APPROVAL_TEXT_LIMIT:
        # Shorten the description, never the variables: a cut `#{...}` would not resolve.
        head = head[: APPROVAL_TEXT_LIMIT - len(tail) - 1] + "…"
    return head + tail


def approval_statements(names: ServiceNames) -> list[Statement]:
    """The pipeline role announces the request on the topic."""
    return [statement("Allow", ["sns:Publish"], [names.platform.topic_arn], sid="NotifyApprovers")]
