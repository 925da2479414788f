"""Stand-in for `offline_preview.program_runner` while it is not there: run a program under preview
mocks and record every `RegisterResource` request the mock monitor receives.

Only the benchmark's needs: config from the stack file as the CLI passes it (strings, JSON for the
rest), the fixture account/region for the AWS invokes, no computed outputs.
"""

import json
import os
import runpy
import sys
from pathlib import Path
from typing import Any

import pulumi
import yaml
from google.protobuf import json_format
from pulumi.runtime.mocks import MockMonitor

from bench.registrations import Registration

STACK_TYPE = "pulumi:pulumi:Stack"
CALLER_IDENTITY = "aws:index/getCallerIdentity:getCallerIdentity"
REGION = "aws:index/getRegion:getRegion"
PARTITION = "aws:index/getPartition:getPartition"


class _PreviewMocks(pulumi.runtime.Mocks):
    """No computed outputs (unknown, as on a first preview); invokes answer from the fixture account."""

    def __init__(self, account_id: str, region: str) -> None:
        self.account_id = account_id
        self.region = region

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
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


class _RecordingMonitor(MockMonitor):
    def __init__(self, mocks: pulumi.runtime.Mocks) -> None:
        super().__init__(mocks)
        self.registrations: list[Registration] = []

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)
        if request.type != STACK_TYPE:
            self.registrations.append(_record(request, response.urn))
        return response


def _record(request: Any, urn: str) -> Registration:
    return Registration(
        type=request.type,
        name=request.name,
        urn=urn,
        parent=request.parent,
        custom=request.custom,
        inputs=json_format.MessageToDict(request.object),
        dependencies=list(request.dependencies),
        property_dependencies={k: list(v.urns) for k, v in request.propertyDependencies.items()},
        provider=request.provider,
        protect=request.protect,
    )


def capture(project_dir: Path, stack: str, account_id: str, region: str) -> list[Registration]:
    """Run `project_dir`'s `__main__.py` on `stack` and return its registrations."""
    project = yaml.safe_load((project_dir / "Pulumi.yaml").read_text())["name"]
    stack_doc = yaml.safe_load((project_dir / f"Pulumi.{stack}.yaml").read_text()) or {}
    config = {
        key: value if isinstance(value, str) else json.dumps(value)
        for key, value in (stack_doc.get("config") or {}).items()
    }
    monitor = _RecordingMonitor(_PreviewMocks(account_id, region))
    pulumi.runtime.set_mocks(
        monitor.mocks, project=project, stack=stack, preview=True, monitor=monitor
    )
    pulumi.runtime.set_all_config(config)
    os.chdir(project_dir)
    sys.path.insert(0, str(project_dir))

    @pulumi.runtime.test
    def program() -> None:
        runpy.run_path(str(project_dir / "__main__.py"), run_name="__main__")

    program()
    return monitor.registrations
