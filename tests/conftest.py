"""Shared Pulumi mocks: declare resources as on a first `pulumi preview` and record every registration."""

from collections.abc import Callable, Mapping
from typing import Any

import pulumi
import pytest

PROJECT = "guarded-delivery"
FIXTURE_ACCOUNT_ID = "123456789012"
FIXTURE_REGION = "us-east-1"

CALLER_IDENTITY = "aws:index/getCallerIdentity:getCallerIdentity"
REGION = "aws:index/getRegion:getRegion"
PARTITION = "aws:index/getPartition:getPartition"


class RecordingMocks(pulumi.runtime.Mocks):
    """Returns no computed outputs (so they stay unknown, as on a first preview) and records inputs."""

    def __init__(self, account_id: str = FIXTURE_ACCOUNT_ID, region: str = FIXTURE_REGION) -> None:
        self.account_id = account_id
        self.region = region
        self.resources: list[pulumi.runtime.MockResourceArgs] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
        self.resources.append(args)
        return f"{args.name}-id", {}

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict:
        if args.token == CALLER_IDENTITY:
            arn = f"arn:aws:iam::{self.account_id}:user/preview"
            return {"accountId": self.account_id, "arn": arn, "userId": "AIDPREVIEW"}
        if args.token == REGION:
            return {"name": self.region, "region": self.region, "id": self.region}
        if args.token == PARTITION:
            return {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"}
        raise NotImplementedError(f"no mock for invoke {args.token}")

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


@pytest.fixture
def declared() -> Callable[..., RecordingMocks]:
    """The `declare` helper as a fixture, for tests that prefer injection."""
    return declare
