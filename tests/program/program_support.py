"""Helpers for program tests (not a conftest: `from conftest import declare` must stay the shared one)."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pulumi.runtime.mocks import MockMonitor

PROJECT_DIR = Path(__file__).resolve().parents[2]
NAMESPACE = "guarded-delivery"


@dataclass(frozen=True)
class RegisteredOptions:
    """The resource options `Mocks.new_resource` cannot see (they travel in the request)."""

    typ: str
    name: str
    protect: bool
    retain_on_delete: bool


@contextmanager
def recorded_options() -> Iterator[list[RegisteredOptions]]:
    """Records protect/retainOnDelete of every RegisterResourceRequest made inside the block."""
    recorded: list[RegisteredOptions] = []
    original: Callable[..., Any] = MockMonitor.RegisterResource

    def register(self: MockMonitor, request: Any) -> Any:
        recorded.append(
            RegisteredOptions(
                request.type, request.name, bool(request.protect), bool(request.retainOnDelete)
            )
        )
        return original(self, request)

    MockMonitor.RegisterResource = register  # type: ignore[method-assign]
    try:
        yield recorded
    finally:
        MockMonitor.RegisterResource = original  # type: ignore[method-assign]


def stack_settings_raw(stack: str) -> dict[str, Any]:
    """The `guarded-delivery:` keys of Pulumi.<stack>.yaml, without namespace, as typed YAML."""
    config = yaml.safe_load((PROJECT_DIR / f"Pulumi.{stack}.yaml").read_text())["config"]
    prefix = f"{NAMESPACE}:"
    return {k.removeprefix(prefix): v for k, v in config.items() if k.startswith(prefix)}
