"""The stack config: typed settings, the rules they meet, and the one table of keys they come from."""

from components.config.model import (
    BuildCache,
    ComputePlatform,
    ConfigError,
    ConnectionSource,
    Ec2TagFilter,
    EcsSettings,
    LambdaSettings,
    PlatformSettings,
    ServiceSettings,
    load_settings,
    parse_settings,
)
from components.config.rules import MAX_SERVICES

__all__ = [
    "MAX_SERVICES",
    "BuildCache",
    "ComputePlatform",
    "ConfigError",
    "ConnectionSource",
    "Ec2TagFilter",
    "EcsSettings",
    "LambdaSettings",
    "PlatformSettings",
    "ServiceSettings",
    "load_settings",
    "parse_settings",
]
