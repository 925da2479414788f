"""The stack config: typed settings (`model`), the one table of keys (`keys`), the rules (`rules`).

Import from here: `from components.config import PlatformSettings, parse_settings`.
"""

from components.config.allowed import MAX_SERVICES
from components.config.fields import ConfigError
from components.config.loading import load_settings, parse_settings
from components.config.model import (
    BuildCache,
    ComputePlatform,
    ConnectionSource,
    Ec2TagFilter,
    EcsSettings,
    LambdaSettings,
    PlatformSettings,
    PromotionTarget,
    ServiceSettings,
)

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
    "PromotionTarget",
    "ServiceSettings",
    "load_settings",
    "parse_settings",
]
