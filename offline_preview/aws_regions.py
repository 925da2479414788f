"""AWS regions and partitions from botocore's endpoint data (botocore/data/partitions.json).

botocore ships the list the AWS SDKs resolve endpoints from: every partition (aws, aws-cn, aws-us-gov,
the ISO partitions) with its regions and DNS suffix. The `<partition>-global` entries are endpoint
aliases, not regions a stack can be deployed to.
"""

import functools
from dataclasses import dataclass

GLOBAL_SUFFIX = "-global"


@dataclass(frozen=True)
class Partition:
    name: str
    dns_suffix: str
    regions: frozenset[str]
    region_descriptions: dict[str, str]  # "us-east-1": "US East (N. Virginia)"


@functools.cache
def partitions() -> tuple[Partition, ...]:
    """Every partition botocore knows; none when botocore is missing (a project's own virtualenv)."""
    try:
        import botocore.loaders
    except ImportError:
        return ()
    data = botocore.loaders.create_loader().load_data("partitions")
    return tuple(
        Partition(
            name=entry["id"],
            dns_suffix=entry["outputs"]["dnsSuffix"],
            regions=frozenset(r for r in entry["regions"] if not r.endswith(GLOBAL_SUFFIX)),
            region_descriptions={
                region: str(details.get("description") or region)
                for region, details in entry["regions"].items()
            },
        )
        for entry in data["partitions"]
    )


def partition_of(region: str) -> Partition | None:
    return next((p for p in partitions() if region in p.regions), None)


def region_problem(value: object) -> str:
    """Why `value` is not an AWS region name, or "" when it is one botocore knows."""
    if not isinstance(value, str):
        return f"{value!r} is not a region name (a single string such as us-east-1)"
    if partition_of(value) is None:
        return f"{value!r} is not an AWS region (botocore knows e.g. us-east-1, eu-west-1)"
    return ""
