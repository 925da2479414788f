"""Names and ARNs of the release machinery, derived from the stack's names like every other name.

The signing key's alias, the image repositories, the stack-owned step projects and their log streams
are all known before anything exists, so the key policy, the repository policies and the step roles'
documents are judged by the policy pack on a first preview (`components/shared/naming.py` explains why).
"""

from dataclasses import dataclass
from functools import cached_property

from components.shared.naming import (
    CODEBUILD_NAME_LIMIT,
    EVENT_RULE_NAME_LIMIT,
    IAM_ROLE_NAME_LIMIT,
    KMS_ALIAS_NAME_LIMIT,
    PlatformNames,
    ServiceNames,
    bounded,
    name_part,
)

ECR_REPOSITORY_NAME_LIMIT = 256
EVENT_BUS_NAME_LIMIT = 256
RELEASE_STEPS = ("image", "sign", "admit", "verify", "confirm", "publish")
"""The stack-owned steps: build the image, sign the release, verify it before deploy, confirm after."""
RELEASES_PREFIX = "releases"
"""Published releases live under `releases/<service>/<downstream stack>/` in the artifact bucket."""
SIGNER_PURPOSE = "signer"
VERIFIER_PURPOSE = "verifier"
IMAGE_PURPOSE = "image"
"""Role purposes of the step roles (`ServiceNames.role(purpose)`)."""


@dataclass(frozen=True)
class StackReleaseNames:
    """What every service's release shares: the signing key and the steps' log group."""

    platform: PlatformNames

    @property
    def signing_key_alias_name(self) -> str:
        return bounded(f"alias/{self.platform.prefix}-release-signing", KMS_ALIAS_NAME_LIMIT)

    @property
    def signing_key_alias_arn(self) -> str:
        return self.platform.arn("kms", self.signing_key_alias_name)

    @property
    def steps_log_group_name(self) -> str:
        """One log group for every service's release steps (one stream prefix per service and step),
        so the artifact key policy names one more log group per stack, not four per service."""
        return f"/aws/codebuild/{self.platform.prefix}-release-steps"

    @property
    def steps_log_group_arn(self) -> str:
        return self.platform.arn("logs", f"log-group:{self.steps_log_group_name}")

    @property
    def promotions_bus_name(self) -> str:
        """The event bus an upstream forwards "release published" events to (one per stack)."""
        return bounded(f"{self.platform.prefix}-promotions", EVENT_BUS_NAME_LIMIT)

    @property
    def promotions_bus_arn(self) -> str:
        return self.platform.arn("events", f"event-bus/{self.promotions_bus_name}")

    @property
    def forwarder_role_name(self) -> str:
        """The role EventBridge assumes to forward publication events to downstream buses."""
        return bounded(f"{self.platform.prefix}-promotion-forwarder", IAM_ROLE_NAME_LIMIT)

    @property
    def forwarder_role_arn(self) -> str:
        return self.platform.role_arn(self.forwarder_role_name)

    @property
    def registry(self) -> str:
        """The account's ECR registry host (`<account>.dkr.ecr.<region>.amazonaws.com`)."""
        platform = self.platform
        return f"{platform.account_id}.dkr.ecr.{platform.region}.amazonaws.com"


@dataclass(frozen=True)
class ReleaseNames:
    """One service's release names: its image repository, step projects, step log streams, roles."""

    service: ServiceNames

    @cached_property
    def stack(self) -> StackReleaseNames:
        return StackReleaseNames(self.service.platform)

    # Image repository (ECS services)
    @property
    def image_repository_name(self) -> str:
        return bounded(self.service.prefix, ECR_REPOSITORY_NAME_LIMIT)

    @property
    def image_repository_arn(self) -> str:
        return self.service.platform.arn("ecr", f"repository/{self.image_repository_name}")

    @property
    def image_repository_uri(self) -> str:
        return f"{self.stack.registry}/{self.image_repository_name}"

    # Step projects
    def project_name(self, step: str) -> str:
        """`<project>-<stack>-<service>-<step>`, e.g. `...-web-verify`."""
        return bounded(f"{self.service.prefix}-{step}", CODEBUILD_NAME_LIMIT)

    def project_arn(self, step: str) -> str:
        return self.service.platform.arn("codebuild", f"project/{self.project_name(step)}")

    def log_stream_prefix(self, step: str) -> str:
        """The stream prefix of `step`'s builds in the shared log group: `<service>/<step>`."""
        return f"{self.service.service_name}/{step}"

    def log_streams_arn(self, step: str) -> str:
        """The streams `step`'s builds write (CodeBuild names them `<prefix>/<build id>`)."""
        group = self.stack.steps_log_group_arn
        return f"{group}:log-stream:{self.log_stream_prefix(step)}/*"

    # Publication
    def published_prefix(self, target_stack: str) -> str:
        """Where this service's releases for `target_stack` are published in the artifact bucket."""
        return f"{RELEASES_PREFIX}/{self.service.service_name}/{target_stack}"

    def published_key(self, target_stack: str, artifact: str) -> str:
        return f"{self.published_prefix(target_stack)}/{artifact}.zip"

    def published_objects_arn(self, target_stack: str) -> str:
        return (
            f"{self.service.platform.artifact_bucket_arn}/{self.published_prefix(target_stack)}/*"
        )

    def forward_rule_name(self, target_stack: str) -> str:
        return bounded(
            f"{self.service.prefix}-publish-to-{name_part(target_stack)}", EVENT_RULE_NAME_LIMIT
        )

    @property
    def intake_rule_name(self) -> str:
        """The rule on this stack's promotions bus that starts this service's pipeline."""
        return bounded(f"{self.service.prefix}-on-promotion", EVENT_RULE_NAME_LIMIT)

    # Roles
    @property
    def signer_role_arn(self) -> str:
        return self.service.role(SIGNER_PURPOSE).arn

    @property
    def verifier_role_arn(self) -> str:
        return self.service.role(VERIFIER_PURPOSE).arn

    @property
    def image_role_arn(self) -> str:
        return self.service.role(IMAGE_PURPOSE).arn
