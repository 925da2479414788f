"""Pulumi mocks for program tests: declare resources as on a first `pulumi preview`, record each one."""

from collections.abc import Callable, Mapping
from typing import Any

import pulumi

from components.shared.monitoring import ServiceMonitoring, ServiceMonitoringArgs
from components.shared.naming import ServiceNames
from offline_preview.capture import FixtureMocks
from offline_preview.program_runner import FIXTURE_ACCOUNT_ID, FIXTURE_REGION

PROJECT = "guarded-delivery"


class RecordingMocks(FixtureMocks):
    """The offline preview's invoke answers; no computed outputs (unknown, as on a first preview)."""

    def __init__(self, account_id: str = FIXTURE_ACCOUNT_ID, region: str = FIXTURE_REGION) -> None:
        super().__init__(account_id, region)
        self.account_id = account_id
        self.region = region
        self.resources: list[pulumi.runtime.MockResourceArgs] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
        self.resources.append(args)
        return f"{args.name}-id", {}

    def of_type(self, type_token: str) -> list[pulumi.runtime.MockResourceArgs]:
        return [r for r in self.resources if r.typ == type_token]

    def named(self, name: str) -> pulumi.runtime.MockResourceArgs:
        matches = [r for r in self.resources if r.name == name]
        assert len(matches) == 1, f"expected one resource named {name!r}, got {len(matches)}"
        return matches[0]


def declare(
    build: Callable[[], Any],
    *,
    stack: str = "dev",
    config: Mapping[str, str] | None = None,
    account_id: str = FIXTURE_ACCOUNT_ID,
    region: str = FIXTURE_REGION,
) -> RecordingMocks:
    """Run `build` under fresh preview-mode mocks and return every resource it registered."""
    mocks = RecordingMocks(account_id, region)
    pulumi.runtime.set_mocks(mocks, project=PROJECT, stack=stack, preview=True)
    pulumi.runtime.set_all_config(dict(config or {}))

    @pulumi.runtime.test
    def run() -> Any:
        return build()

    run()
    return mocks


def keep(into: dict[str, Any], **values: pulumi.Input[Any]) -> pulumi.Output[None]:
    """Resolve `values` into `into` once known; return it from a `declare` build so the run awaits it.

    A value unknown at preview never arrives, so reading it fails the test (a knowability check too).
    """
    return pulumi.Output.all(**values).apply(into.update)


def declare_monitoring(
    resource_name: str, names: ServiceNames, tags: Mapping[str, str]
) -> RecordingMocks:
    """One service's `ServiceMonitoring` on its own, naming its pipeline, project and log group."""
    return declare(
        lambda: ServiceMonitoring(
            resource_name,
            ServiceMonitoringArgs(
                names=names,
                topic_arn=names.platform.topic_arn,
                pipeline_name=names.pipeline_name,
                build_project_name=names.build_project_name,
                log_group_name=names.log_group_name,
                tags=dict(tags),
            ),
        )
    )
