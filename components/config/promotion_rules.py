"""The rules of promotion between stacks: who a stack takes releases from, and whom it publishes to.

A stack cannot promote from itself or publish to itself (the release would loop), a downstream is named
once, and a release from another account needs the upstream's key ARN: KMS refuses an alias ARN of
another account ("Using aliases", KMS developer guide), so verification cannot name the key by alias.
"""

from collections.abc import Mapping
from typing import Any

from components.config.allowed import ACCOUNT_ID, PROMOTION_TARGET_KEYS, STACK_NAME
from components.config.fields import FieldReader
from components.config.model import PromotionTarget


def check_promote_from(root: FieldReader, stack: str, settings: Mapping[str, Any]) -> None:
    """`promoteFrom` names another stack; a foreign account comes with the key that signs there."""
    upstream = settings["promote_from"]
    account = settings["promote_from_account_id"]
    key_arn = settings["promote_from_signing_key_arn"]
    if not upstream:
        for name, value in (
            ("promoteFromAccountId", account),
            ("promoteFromSigningKeyArn", key_arn),
        ):
            if value:
                raise root.key(name).error(value, "only applies with promoteFrom; set promoteFrom")
        return
    if upstream == stack:
        raise root.key("promoteFrom").error(
            upstream, "is this stack; name the upstream stack it promotes from"
        )
    if account and not key_arn:
        raise root.key("promoteFromSigningKeyArn").missing(
            "a release from another account is verified with the upstream's key ARN (KMS refuses "
            "aliases of other accounts): set it to the upstream stack's releaseSigningKeyArn output"
        )
    if account and key_arn and key_arn.split(":")[4] != account:
        raise root.key("promoteFromSigningKeyArn").error(
            key_arn, f"is a key of account {key_arn.split(':')[4]}, not of promoteFromAccountId"
        )


SOURCE_KEYS = ("repositoryName", "connectionArn", "fullRepositoryId", "branch", "buildspec")
"""What a service builds from: meaningless in a stack that promotes (it never builds)."""


def check_no_sources_when_promoted(reader: FieldReader, raw_services: Any, upstream: Any) -> None:
    """A promoted stack's services name no repository: their releases come from the upstream.

    Checked before the services' own rules, so a source key is refused for being there at all.
    """
    if not upstream or not isinstance(upstream, str) or not isinstance(raw_services, list):
        return
    for index, item in enumerate(raw_services):
        if not isinstance(item, Mapping):
            continue
        for key in SOURCE_KEYS:
            if key in item:
                raise (
                    reader.item(index)
                    .key(key)
                    .error(
                        item[key],
                        f"only applies to a stack that builds; this stack promotes from {upstream} "
                        "(its releases come from there): remove it",
                    )
                )


def read_promote_to(
    reader: FieldReader, value: Any, stack: str, settings: Mapping[str, Any]
) -> tuple[PromotionTarget, ...]:
    """The downstream stacks, each named once, none of them this stack or its upstream."""
    targets: list[PromotionTarget] = []
    for index, item in enumerate(reader.sequence(value)):
        at = reader.item(index)
        raw = at.mapping(item, PROMOTION_TARGET_KEYS)
        if "stack" not in raw:
            raise at.key("stack").missing("name the downstream stack, e.g. staging")
        name = at.key("stack").string(raw["stack"], STACK_NAME, "name a stack, e.g. staging")
        if name == stack:
            raise at.key("stack").error(name, "is this stack; a stack cannot publish to itself")
        if name == settings["promote_from"]:
            raise at.key("stack").error(name, "is this stack's upstream; releases flow one way")
        if any(target.stack == name for target in targets):
            raise at.key("stack").error(name, "is listed twice")
        account = raw.get("accountId", "")
        if account != "":
            account = at.key("accountId").string(account, ACCOUNT_ID, "use a 12-digit account id")
        targets.append(PromotionTarget(name, account))
    if targets and not settings["alarm_rollback"]:
        raise reader.error(
            [target.stack for target in targets],
            "publishes after a bake that watches the rollback alarms; set alarmRollback: true",
        )
    return tuple(targets)
