"""Which stacks and services to report on, named as the program names them in the caller's account.

Every stack file is read and validated before the first AWS call, so a usage or config error costs
nothing. Each region gets one reader (all readers share one list of CLI steps) and one
`sts get-caller-identity`; the names then come from `components/shared/naming.py` and the key each
stack trusts from `components/release` (`release_names.py`, `promotion.py`).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from botocore.exceptions import BotoCoreError

from components.release.promotion import Upstream, upstream_of
from components.release.release_names import StackReleaseNames
from components.shared.naming import PlatformNames
from releases.aws_clients import ReleaseClients
from troubleshoot.aws_calls import AwsReader
from troubleshoot.errors import TroubleshootError
from troubleshoot.model import AwsStep, Target
from troubleshoot.targets import (
    StackConfig,
    caller_account,
    load_stack_config,
    project_stacks,
    select_service,
    stack_region,
    target_from_stack_config,
)

ClientsForRegion = Callable[[str], ReleaseClients]


@dataclass(frozen=True)
class TrustedKey:
    """The key a stack's deployed releases must verify with, and why that one."""

    key_id: str
    because: str


@dataclass(frozen=True)
class StackToRead:
    """One stack: its config, its names in the caller's account, its services, the key it trusts."""

    config: StackConfig
    names: PlatformNames
    upstream: Upstream | None
    reader: AwsReader
    services: tuple[str, ...]

    @property
    def stack(self) -> str:
        return self.config.stack

    def target(self, service: str) -> Target:
        names = self.names
        return target_from_stack_config(
            self.config, service, names.account_id, names.partition, names.region
        )

    @property
    def trusted_key(self) -> TrustedKey:
        """Built here: this stack's release key; promoted: the upstream's (its deployment record)."""
        if self.upstream is None:
            return TrustedKey(
                StackReleaseNames(self.names).signing_key_alias_arn, "this stack's release key"
            )
        upstream = self.upstream
        where = "same account, by alias" if upstream.same_account else "promoteFromSigningKeyArn"
        return TrustedKey(
            upstream.trusted_key_id, f"{upstream.stack}'s release key (promoteFrom; {where})"
        )


def stacks_to_read(
    project_dir: Path,
    stacks: Sequence[str],
    service: str | None,
    region: str | None,
    clients_for_region: ClientsForRegion,
    steps: list[AwsStep],
) -> list[StackToRead]:
    """The stacks named (default: every `Pulumi.<stack>.yaml`) with the services to report on."""
    named = list(dict.fromkeys(stacks))
    configs = [load_stack_config(project_dir, stack) for stack in named or _all_stacks(project_dir)]
    chosen = [(config, _services(config, service, explicit=bool(named))) for config in configs]
    chosen = [(config, services) for config, services in chosen if services]
    if not chosen:
        raise TroubleshootError(
            f"--service {service!r} is not a service of any stack; "
            + "; ".join(
                f"{config.stack}: {', '.join(s.name for s in config.settings.services)}"
                for config in configs
            )
        )
    readers: dict[str, tuple[AwsReader, str, str]] = {}
    result = []
    try:
        for config, services in chosen:
            where = stack_region(config, region)
            if where not in readers:
                reader = AwsReader(clients_for_region(where), steps)
                readers[where] = (reader, *caller_account(reader))
            reader, account, partition = readers[where]
            names = PlatformNames(config.project, config.stack, account, where, partition)
            upstream = upstream_of(config.settings, names)
            result.append(StackToRead(config, names, upstream, reader, services))
    except BotoCoreError as error:  # e.g. a profile that does not exist, before any call
        raise TroubleshootError(f"AWS configuration: {error}") from None
    return result


def _all_stacks(project_dir: Path) -> list[str]:
    stacks = project_stacks(project_dir)
    if not stacks:
        raise TroubleshootError(
            f"no stack files (Pulumi.<stack>.yaml) in {project_dir}: name a stack or create one "
            "with `pulumi stack init`"
        )
    return stacks


def _services(config: StackConfig, service: str | None, explicit: bool) -> tuple[str, ...]:
    """Every service of the stack, or the one named: required in a stack named on the command
    line, skipped in a stack that lacks it when every stack is read."""
    if service is None:
        return tuple(settings.name for settings in config.settings.services)
    if explicit:
        return (select_service(config, service).name,)
    known = {settings.name for settings in config.settings.services}
    return (service,) if service in known else ()
