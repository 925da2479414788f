"""Generated projects for one benchmark size: our program with N services, nothing checked in per N.

Each size gets a temporary project directory that links the program (`Pulumi.yaml`, the top-level
Python files, `components/`), plus a generated `Pulumi.<stack>.yaml`: the stack's own settings with its services replaced by N
services spread over the three compute platforms. The stack keeps its name, so physical names, tags and
the policy pack config are the ones a user of that stack gets.
"""

from pathlib import Path
from typing import Any

import yaml

from components.config import MAX_SERVICES
from offline_preview.program_runner import FIXTURE_ACCOUNT_ID, FIXTURE_REGION

NAMESPACE = "guarded-delivery"
SERVICES_KEY = f"{NAMESPACE}:services"
DEFAULT_SERVICE_KEY = f"{NAMESPACE}:defaultService"
# The program: what `pulumi preview` runs. Other top-level Python files are linked too (program modules).
PROGRAM_ENTRIES = ("Pulumi.yaml", "components")
# Spread over every platform so each kind of deployment group is in the mix, as in a real stack.
PLATFORMS = ("Server", "ECS", "Lambda")
LISTENER_ARN = (
    f"arn:aws:elasticloadbalancing:{FIXTURE_REGION}:{FIXTURE_ACCOUNT_ID}:listener/app/bench-alb/"
    "50dc6c495c0c9188/{listener}"
)
PROD_LISTENER_ID = "f2f7dc8efc522ab2"
TEST_LISTENER_ID = "9683b2d02a6cabee"
CONTAINER_PORT = 8080
# The program caps the services of one stack (MAX_SERVICES); the benchmark measures beyond it. Above the
# cap, the generated project's `__main__.py` is a shim that lifts the cap where the rules read it, then
# runs the real one (reported by the bench).
CAP_SHIM = """\
\"\"\"Benchmark shim: lifts the program's MAX_SERVICES cap to {services}, then runs the real program.\"\"\"
import runpy

import components.config.allowed

components.config.allowed.MAX_SERVICES = {services}
runpy.run_path({real_main!r}, run_name="__main__")
"""


def stack_file(project_dir: Path, stack: str) -> Path:
    return project_dir / f"Pulumi.{stack}.yaml"


def make_project(repo: Path, work_dir: Path, stack: str, services: int) -> Path:
    """A project dir under `work_dir` running our program on `stack` with `services` services."""
    project_dir = work_dir / f"ours-{stack}-{services}"
    project_dir.mkdir(parents=True)
    for entry in repo.iterdir():
        if entry.name == "__main__.py" and services > MAX_SERVICES:
            shim = CAP_SHIM.format(services=services, real_main=str(entry))
            (project_dir / entry.name).write_text(shim)
        elif entry.name in PROGRAM_ENTRIES or entry.suffix == ".py":
            (project_dir / entry.name).symlink_to(entry)
    write_stack_config(
        stack_file(project_dir, stack), base=stack_file(repo, stack), services=services
    )
    return project_dir


def write_stack_config(path: Path, *, base: Path, services: int) -> None:
    """`base` with its service list replaced by `services` generated services."""
    document = yaml.safe_load(base.read_text())
    config: dict[str, Any] = document["config"]
    generated = [service(index) for index in range(services)]
    config[SERVICES_KEY] = generated
    config[DEFAULT_SERVICE_KEY] = generated[0]["name"]
    path.write_text(yaml.safe_dump(document, sort_keys=False))


def service(index: int) -> dict[str, Any]:
    """The `index`-th generated service, its platform chosen round-robin."""
    name = f"svc{index + 1:03d}"
    platform = PLATFORMS[index % len(PLATFORMS)]
    entry: dict[str, Any] = {
        "name": name,
        "repositoryName": f"Bench{name.capitalize()}",
        "branch": "main",
        "computePlatform": platform,
    }
    if platform == "Server":
        entry["deploymentConfig"] = "CodeDeployDefault.AllAtOnce"
        entry["ec2TagFilters"] = [{"key": "Name", "value": f"{name}-instance"}]
    elif platform == "ECS":
        entry["deploymentConfig"] = "CodeDeployDefault.ECSAllAtOnce"
        entry["ecs"] = {
            "clusterName": "bench-cluster",
            "serviceName": name,
            "containerName": name,
            "containerPort": CONTAINER_PORT,
            "prodListenerArn": LISTENER_ARN.format(listener=PROD_LISTENER_ID),
            "testListenerArn": LISTENER_ARN.format(listener=TEST_LISTENER_ID),
            "targetGroups": [f"{name}-blue", f"{name}-green"],
        }
    else:
        entry["deploymentConfig"] = "CodeDeployDefault.LambdaAllAtOnce"
        entry["lambda"] = {"functionName": f"bench-{name}", "aliasName": "live"}
    return entry
