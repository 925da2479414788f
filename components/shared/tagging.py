"""The tags every resource carries, so cost, ownership and blast radius can be read from any resource."""

MANAGED_BY = "pulumi"
SHARED_SERVICE = "shared"
"""`service` tag value of resources shared by every service of a stack (key, bucket, topic)."""


def resource_tags(project: str, environment: str, service: str | None = None) -> dict[str, str]:
    """Tags for one resource; `service=None` marks a resource shared by all services of the stack."""
    return {
        "project": project,
        "environment": environment,
        "service": service or SHARED_SERVICE,
        "managed-by": MANAGED_BY,
    }
