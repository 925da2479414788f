"""The values `policies/config/<stack>.json` shares with `Pulumi.<stack>.yaml`, taken from the stack file.

The pack must judge a stack by what that stack declares for its allowed networks, for alarm
rollback and for promotion (a stack with `promoteFrom` must not build from source), so those values
are copies; they are copied from the checked settings (defaults applied), so
a key a stack leaves out gets the value the program uses. The other policy settings are limits the
pack enforces whatever the stack says (minimum retention, minimum deletion window, whether privileged
builds are accepted): copying the stack's value would make each limit follow what it should limit,
so they stay hand-written (`tests/policies/test_config_files.py` checks that the stacks meet the
minimums).
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from components.config import PlatformSettings, parse_settings
from components.config.loading import NAMESPACE


@dataclass(frozen=True)
class SharedValue:
    """One policy property whose value is a stack setting."""

    policy: str
    property: str
    value: Callable[[PlatformSettings], Any]
    stack_key: str
    """The stack-config key it copies (for messages and docs)."""


SHARED_VALUES = (
    SharedValue(
        "execution-role-ip-restricted",
        "allowedCidrs",
        lambda settings: list(settings.allowed_cidrs),
        "allowedCidrs",
    ),
    SharedValue(
        "execution-role-ip-restricted",
        "allowedVpcEndpoints",
        lambda settings: list(settings.allowed_vpc_endpoints),
        "allowedVpcEndpoints",
    ),
    SharedValue(
        "codedeploy-auto-rollback",
        "requireAlarmRollback",
        lambda settings: settings.alarm_rollback,
        "alarmRollback",
    ),
    SharedValue(
        "codepipeline-promoted-no-source-build",
        "promotedStack",
        lambda settings: settings.promotes,
        "promoteFrom",
    ),
    SharedValue(
        "kms-key-cross-account-limited",
        "promotionAccounts",
        lambda settings: promotion_accounts(settings),
        "promoteTo",  # and promoteFromAccountId: the chain's accounts on both sides
    ),
)


def promotion_accounts(settings: PlatformSettings) -> list[str]:
    """The other accounts of the stack's promotion chain: its upstream's and its downstreams'."""
    accounts = [settings.promote_from_account_id, *(t.account_id for t in settings.promote_to)]
    return sorted({account for account in accounts if account})


def stack_settings(stack_file: Path, stack: str) -> PlatformSettings:
    """The checked settings of one stack file (raises ConfigError naming the bad key)."""
    config: Mapping[str, Any] = yaml.safe_load(stack_file.read_text()).get("config") or {}
    prefix = f"{NAMESPACE}:"
    raw = {key[len(prefix) :]: value for key, value in config.items() if key.startswith(prefix)}
    return parse_settings(raw, stack)


def with_shared_values(
    policy_config: Mapping[str, Any], settings: PlatformSettings
) -> dict[str, Any]:
    """`policy_config` with every shared value set from `settings`; all other keys kept in place."""
    updated = {policy: dict(entry) for policy, entry in policy_config.items()}
    for shared in SHARED_VALUES:
        updated.setdefault(shared.policy, {})[shared.property] = shared.value(settings)
    return updated
