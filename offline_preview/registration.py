"""What the program registered, as the engine would have received it (wire form, JSON-able)."""

from dataclasses import asdict, dataclass, field
from typing import Any

STACK_TYPE = "pulumi:pulumi:Stack"
PROVIDER_TYPE_PREFIX = "pulumi:providers:"

# Wire-form markers, identical to the engine's (pulumi.runtime.rpc / pulumi_policy.deserialize).
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
RESOURCE_REF_SIG = "5cf8f73096256a8f31e491e813e4eb8e"


@dataclass
class RegisteredResource:
    """One RegisterResourceRequest (or ReadResourceRequest), with the URN the engine would give it."""

    type: str
    name: str
    urn: str
    custom: bool
    parent: str = ""
    inputs: dict[str, Any] = field(default_factory=dict)
    dependencies: list[str] = field(default_factory=list)
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    provider: str = ""  # "<provider urn>::<provider id>" as sent by the SDK; "" = default provider
    protect: bool = False
    retain_on_delete: bool = False
    delete_before_replace: bool | None = None
    ignore_changes: list[str] = field(default_factory=list)
    additional_secret_outputs: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    custom_timeouts: dict[str, str] = field(default_factory=dict)
    version: str = ""
    import_id: str = ""
    # What the resource registered as its outputs (components and the stack: register_outputs).
    outputs: dict[str, Any] | None = None
    # Where the user's code declared it (the request's sourcePosition): absolute path and line,
    # "" and 0 when no frame of the project made it (the root stack, a default provider).
    source_file: str = ""
    source_line: int = 0
    # A multi-language component (`remote=True`): its provider plugin would construct its children.
    remote: bool = False
    # A ReadResourceRequest (`Resource.get`, a StackReference): the engine's `read` step of an
    # existing resource, with the ID it was read by. Not analyzed (see ProgramRun.resources).
    read: bool = False
    id: str = ""

    @property
    def is_provider(self) -> bool:
        return self.type.startswith(PROVIDER_TYPE_PREFIX)

    @property
    def package(self) -> str:
        return self.type.split(":", 1)[0]

    def provider_urn(self) -> str:
        """The URN part of the provider reference (the id after the last '::' may be unknown)."""
        return self.provider.rsplit("::", 1)[0] if self.provider else ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "RegisteredResource":
        return cls(**data)


def make_urn(stack: str, project: str, parent_urn: str, type_token: str, name: str) -> str:
    """The engine's URN: a child's type is qualified by its parent's type chain."""
    qualified = type_token
    if parent_urn:
        parent_type = parent_urn.split("::")[2]
        # The root stack does not qualify its children's types.
        if parent_type != STACK_TYPE:
            qualified = f"{parent_type}${type_token}"
    return f"urn:pulumi:{stack}::{project}::{qualified}::{name}"


def default_provider_urn(stack: str, project: str, package: str, version: str) -> str:
    """The URN of the provider the engine creates for resources that name none."""
    name = "default_" + version.replace(".", "_").replace("-", "_") if version else "default"
    return f"urn:pulumi:{stack}::{project}::{PROVIDER_TYPE_PREFIX}{package}::{name}"
