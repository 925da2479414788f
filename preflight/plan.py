"""The physical names the stack will create in the account, derived as the program derives them.

The names come from `components/shared/naming.py` and `components/release/release_names.py`; which of
them a stack creates follows the program: the release steps are `release_steps_of` (image and sign
where it builds, admit where it promotes, verify, confirm, publish where it has `promoteTo`); a stack
that builds has a build project and, for an image-building target (ECS), an image repository. The
EventBridge rules counted are those on the account's default bus.
"""

from dataclasses import dataclass

from components.config import PlatformSettings, ServiceSettings
from components.release.promotion import release_plan
from components.release.release_names import (
    IMAGE_PURPOSE,
    SIGNER_PURPOSE,
    VERIFIER_PURPOSE,
    ReleaseNames,
    StackReleaseNames,
)
from components.release.release_stages import release_steps_of
from components.shared.naming import PlatformNames
from components.targets import target_for

SERVICE_ROLE_PURPOSES = ("build", "deploy", "pipeline", "events", "execution")


@dataclass(frozen=True)
class StackPlan:
    """Every name the stack (or the chosen services of it) will create."""

    bucket: str
    roles: tuple[str, ...]
    build_projects: tuple[str, ...]
    pipelines: tuple[str, ...]
    kms_aliases: tuple[str, ...]
    ecr_repositories: tuple[str, ...]
    default_bus_rules: tuple[str, ...]


def stack_plan(
    settings: PlatformSettings, names: PlatformNames, services: tuple[ServiceSettings, ...]
) -> StackPlan:
    plan = release_plan(settings, names)
    builds, publishes = plan.builds, plan.publishes
    stack_release = StackReleaseNames(names)
    roles: list[str] = []
    projects: list[str] = []
    pipelines: list[str] = []
    repositories: list[str] = []
    rules: list[str] = []
    for service in services:
        service_names = names.service(service.name, service.repository_name)
        release = ReleaseNames(service_names)
        target = target_for(service)
        image = builds and target.builds_image
        purposes = [p for p in SERVICE_ROLE_PURPOSES if builds or p != "build"]
        purposes.append(VERIFIER_PURPOSE)
        if builds or publishes:
            purposes.append(SIGNER_PURPOSE)
        if image:
            purposes.append(IMAGE_PURPOSE)
        roles += [service_names.role(purpose).name for purpose in purposes]
        if builds:
            projects.append(service_names.build_project_name)
        projects += [release.project_name(step) for step in release_steps_of(target, plan)]
        pipelines.append(service_names.pipeline_name)
        if image:
            repositories.append(release.image_repository_name)
        if builds and service.connection is None:
            rules.append(service_names.source_rule_name)
        rules += [service_names.failure_rule_name, service_names.action_failure_rule_name]
        rules += [release.forward_rule_name(target.stack) for target in settings.promote_to]
    if publishes:
        roles.append(stack_release.forwarder_role_name)
    if settings.compliance_rules:
        rules.append(names.compliance_findings_rule_name)
    signs = builds or publishes
    aliases = (names.key_alias_name, *([stack_release.signing_key_alias_name] if signs else []))
    return StackPlan(
        bucket=names.artifact_bucket_name,
        roles=tuple(roles),
        build_projects=tuple(projects),
        pipelines=tuple(pipelines),
        kms_aliases=aliases,
        ecr_repositories=tuple(repositories),
        default_bus_rules=tuple(rules),
    )
