"""Which pipeline to explain: named by the program's own naming code, or by the stack's outputs.

From the stack config, the names are what `__main__.py` declares: `PlatformNames` (project, stack,
account from STS, region, partition) and `ServiceNames` of the service's settings. From a file written
by `pulumi stack output --json`, they are what a deployed stack exported (`services.<name>.pipelineName`
and `pipelineArn`), so the command also works where the stack config is not at hand.
"""

from dataclasses import dataclass
from pathlib import Path

from components.config import ConfigError, PlatformSettings, ServiceSettings, parse_settings
from components.shared.naming import PlatformNames
from offline_preview.errors import PreviewError
from offline_preview.project import load_project
from troubleshoot.aws_calls import AwsReader, default_region
from troubleshoot.errors import TroubleshootError
from troubleshoot.model import Target
from troubleshoot.outputs_file import read_outputs

REGION_KEY = "aws:region"
STACK_FILE_PREFIX, STACK_FILE_SUFFIX = "Pulumi.", ".yaml"


@dataclass(frozen=True)
class StackConfig:
    """A stack's validated settings and the region its config deploys to."""

    project: str
    stack: str
    settings: PlatformSettings
    region: str | None


def project_stacks(project_dir: Path) -> list[str]:
    """The stacks that have a `Pulumi.<stack>.yaml` in the project, sorted."""
    return sorted(
        path.name[len(STACK_FILE_PREFIX) : -len(STACK_FILE_SUFFIX)]
        for path in project_dir.glob(f"{STACK_FILE_PREFIX}*{STACK_FILE_SUFFIX}")
        if path.is_file()
    )


def load_stack_config(project_dir: Path, stack: str) -> StackConfig:
    """Pulumi.yaml + Pulumi.<stack>.yaml, read and validated as `pulumi preview` would; an unknown
    stack's error lists the stacks the project has."""
    try:
        project = load_project(project_dir, stack)
    except PreviewError as error:
        known = project_stacks(project_dir)
        unknown = known and stack.rsplit("/", 1)[-1] not in known
        stacks = f"; stacks of this project: {', '.join(known)}" if unknown else ""
        raise TroubleshootError(f"{error}{stacks}") from None
    prefix = f"{project.name}:"
    raw = {
        key[len(prefix) :]: value for key, value in project.config.items() if key.startswith(prefix)
    }
    try:
        settings = parse_settings(raw, stack, namespace=project.name)
    except ConfigError as error:
        raise TroubleshootError(f"Pulumi.{stack}.yaml: {error}") from None
    region = project.config.get(REGION_KEY)
    return StackConfig(project.name, stack, settings, str(region) if region else None)


def stack_region(config: StackConfig, given: str | None) -> str:
    """`--region`, else the stack's aws:region, else the user's AWS configuration."""
    region = given or config.region or default_region()
    if not region:
        raise TroubleshootError(
            f"no AWS region: Pulumi.{config.stack}.yaml sets no aws:region; pass --region R"
        )
    return region


def caller_account(reader: AwsReader) -> tuple[str, str]:
    """The account id and partition of the credentials, which every resource name contains."""
    identity = reader.call(
        "sts", "get_caller_identity", "find the account the resource names contain"
    )
    return identity["Account"], identity["Arn"].split(":")[1]


def select_service(config: StackConfig, service: str | None) -> ServiceSettings:
    """The named service, or the stack's default one; an unknown name lists the known ones."""
    name = service or config.settings.default_service
    known = [candidate.name for candidate in config.settings.services]
    if name not in known:
        raise TroubleshootError(
            f"--service {name!r} is not a service of stack {config.stack}; "
            f"its services: {', '.join(known)}"
        )
    return config.settings.service(name)


def target_from_stack_config(
    config: StackConfig, service: str | None, account_id: str, partition: str, region: str
) -> Target:
    """The service's pipeline as the program names it in this account and region."""
    settings = select_service(config, service)
    name = settings.name
    platform = PlatformNames(config.project, config.stack, account_id, region, partition)
    names = platform.service(settings.name, settings.repository_name)
    return Target(
        stack=config.stack,
        service=name,
        pipeline_name=names.pipeline_name,
        pipeline_arn=names.pipeline_arn,
        region=region,
        names_from=f"Pulumi.{config.stack}.yaml and account {account_id}",
    )


def target_from_outputs(path: Path, stack: str, service: str | None, region: str | None) -> Target:
    """The service's pipeline from `pulumi stack output --json` saved in `path`."""
    outputs = read_outputs(path)  # UTF-16/UTF-8 BOMs, bounded size and depth
    services = outputs.get("services")
    if not isinstance(services, dict) or not services:
        services = {str(outputs.get("defaultService", "default")): outputs}
    name = service or str(outputs.get("defaultService") or next(iter(services)))
    if name not in services or not isinstance(services[name], dict):
        raise TroubleshootError(
            f"{path}: no outputs for service {name!r}; it has {', '.join(sorted(services))}"
        )
    pipeline_name = services[name].get("pipelineName")
    pipeline_arn = services[name].get("pipelineArn")
    if not isinstance(pipeline_name, str) or not isinstance(pipeline_arn, str):
        raise TroubleshootError(
            f"{path}: services.{name} lacks pipelineName or pipelineArn; write the file with "
            f"`pulumi stack output --json --stack {stack} > {path}` after `pulumi up`"
        )
    arn_region = _arn_region(pipeline_arn, path, name)
    return Target(
        stack=stack,
        service=name,
        pipeline_name=pipeline_name,
        pipeline_arn=pipeline_arn,
        region=region or arn_region,
        names_from=str(path),
    )


def _arn_region(arn: str, path: Path, service: str) -> str:
    """`arn:<partition>:codepipeline:<region>:<account>:<name>` -> region."""
    parts = arn.split(":")
    if len(parts) < 6 or parts[0] != "arn" or parts[2] != "codepipeline" or not parts[3]:
        raise TroubleshootError(
            f"{path}: services.{service}.pipelineArn {arn!r} is not a CodePipeline ARN"
        )
    return parts[3]
