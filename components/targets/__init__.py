"""Compute platforms as types: where and how a service deploys, its rollback alarms and its grants.

`target_for` is the one place that reads `computePlatform`; everything platform-specific (the CodeDeploy
group or the pipeline's own deploy action, the alarms that roll a deployment back, the deploy statements
of the roles, the build's packaging steps) is a method of `ServerTarget`, `EcsTarget` or `LambdaTarget`.
"""

from components.config import ServiceSettings
from components.targets.base import Deployment, DeployTarget
from components.targets.ecs import EcsTarget
from components.targets.lambda_function import LambdaTarget
from components.targets.server import ServerTarget

__all__ = ["DeployTarget", "Deployment", "EcsTarget", "LambdaTarget", "ServerTarget", "target_for"]

TARGETS: dict[str, type[DeployTarget]] = {
    "Server": ServerTarget,
    "ECS": EcsTarget,
    "Lambda": LambdaTarget,
}


def target_for(service: ServiceSettings) -> DeployTarget:
    """The deploy target of `service` (config validation guarantees its platform block)."""
    return TARGETS[service.compute_platform](service)
