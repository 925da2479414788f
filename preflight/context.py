"""What every check reads from: the stack, the names it will use, the services chosen, the reader."""

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from components.config import PlatformSettings, ServiceSettings
from components.shared.naming import PlatformNames
from components.shared.tagging import MANAGED_BY
from preflight.plan import StackPlan
from troubleshoot.aws_calls import AwsReader
from troubleshoot.targets import StackConfig


@dataclass(frozen=True)
class Context:
    config: StackConfig
    names: PlatformNames
    services: tuple[ServiceSettings, ...]
    plan: StackPlan
    reader: AwsReader
    caller_arn: str
    expected_account: str | None = None
    """`--account`: the account the stack must be deployed to."""

    @property
    def settings(self) -> PlatformSettings:
        return self.config.settings

    def call(
        self, service: str, operation: str, purpose: str, handled: Collection[str] = (), **params
    ) -> dict[str, Any]:
        return self.reader.call(service, operation, purpose, handled_errors=handled, **params)

    def owned(self, tags: dict[str, str]) -> bool:
        """Tagged by this stack (`components/shared/tagging.py`): managed-by, project, environment."""
        return (
            tags.get("managed-by") == MANAGED_BY
            and tags.get("project") == self.config.project
            and tags.get("environment") == self.config.stack
        )


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def error_message(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Message", ""))


def tag_dict(tags: Any, key: str = "Key", value: str = "Value") -> dict[str, str]:
    """AWS's `[{Key, Value}]` (or `{key: value}`) tags as a dict."""
    if isinstance(tags, dict):
        return {str(k): str(v) for k, v in tags.items()}
    return {str(tag.get(key)): str(tag.get(value)) for tag in tags or []}
