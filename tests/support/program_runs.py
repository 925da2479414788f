"""Running the program for its tests: stack settings, `__main__` under the mocks, recorded options."""

import json
import runpy
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


def stack_config_env(stack: str) -> dict[str, str]:
    """Pulumi.<stack>.yaml as the CLI hands it to a program: strings, JSON for lists and objects."""
    config = yaml.safe_load((PROJECT_DIR / f"Pulumi.{stack}.yaml").read_text())["config"]
    return {key: _cli_value(value) for key, value in config.items()}


def _cli_value(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value)


def run_main(stack: str, config: dict[str, str] | None = None) -> Any:
    """Run `__main__.py` under the shared preview mocks (no computed outputs); returns the mocks."""
    from tests.support.mocked_program import declare

    main = str(PROJECT_DIR / "__main__.py")
    return declare(
        lambda: runpy.run_path(main),
        stack=stack,
        config=stack_config_env(stack) if config is None else config,
    )
