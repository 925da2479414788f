"""From the Pulumi config to checked settings, stopping at the first bad key with one line.

A stack file is written by hand; a typo or an unsafe value must stop `pulumi preview` with one line that
names the key, the bad value and what is allowed, never a traceback or a half-made stack. `parse_settings`
is pure (a mapping in, settings out) so every rule is unit-testable; `load_settings` only gathers the raw
values from the Pulumi config. Both the typed YAML values of a stack file and the plain strings the CLI
hands a program (`"14"`, `"true"`, JSON for lists/objects) are accepted.
"""

import json
import os
from collections.abc import Mapping
from typing import Any

import pulumi

from components.config.fields import ConfigError, FieldReader
from components.config.model import PlatformSettings
from components.config.rules import read_platform

NAMESPACE = "guarded-delivery"
"""The project name, which prefixes every key in a stack file."""


def load_settings(namespace: str | None = None) -> PlatformSettings:
    """Read this project's keys from the Pulumi config and validate them (raises ConfigError)."""
    namespace = namespace or pulumi.get_project()
    return parse_settings(_raw_config(namespace), pulumi.get_stack(), namespace=namespace)


def parse_settings(
    raw: Mapping[str, Any], stack: str, namespace: str = NAMESPACE
) -> PlatformSettings:
    """Validate raw config values (keys without namespace) into settings; raises ConfigError."""
    return read_platform(FieldReader(namespace), raw, stack)


def _raw_config(namespace: str) -> dict[str, Any]:
    """Every `<namespace>:<key>` value, whether the engine passed it in-process or via environment."""
    prefix = f"{namespace}:"
    merged: dict[str, Any] = {}
    env = os.environ.get("PULUMI_CONFIG")
    if env:
        merged.update(json.loads(env))
    merged.update(pulumi.runtime.config.CONFIG.get())
    raw = {key[len(prefix) :]: value for key, value in merged.items() if key.startswith(prefix)}
    for key in raw:
        # `k` (no namespace) and `<namespace>:config:k` (the SDK's legacy form) name the same
        # key as `<namespace>:k`: two spellings are refused, never "the last one wins".
        for other in (key, f"{namespace}:config:{key}"):
            if other in merged and ":" not in key:
                raise ConfigError(
                    f"{prefix}{key}",
                    merged[other],
                    f"is also set as {other!r}: two spellings of one key; keep one",
                )
    return raw
