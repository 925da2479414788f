"""Promotion config: a stack promotes from another and publishes to others, or says why not, in a line."""

import copy
from typing import Any

import pytest

from components.config import ConfigError, PromotionTarget, parse_settings
from tests.support.program_runs import stack_settings_raw

KEY_ARN = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def staging(**changes: Any) -> dict[str, Any]:
    raw = copy.deepcopy(stack_settings_raw("staging"))
    for key, value in changes.items():
        if value is None:
            raw.pop(key, None)
        else:
            raw[key] = value
    return raw


def error_for(raw: dict[str, Any], stack: str = "staging") -> str:
    with pytest.raises(ConfigError) as caught:
        parse_settings(raw, stack)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_the_shipped_chain_is_dev_to_staging_to_prod():
    chain = {s: parse_settings(stack_settings_raw(s), s) for s in ("dev", "staging", "prod")}
    assert chain["dev"].promotes is False and chain["dev"].promote_to == (
        PromotionTarget("staging"),
    )
    assert chain["staging"].promote_from == "dev"
    assert chain["staging"].promote_to == (PromotionTarget("prod"),)
    assert chain["prod"].promote_from == "staging" and chain["prod"].promote_to == ()


def test_a_release_from_another_account_needs_the_upstream_key_arn():
    settings = parse_settings(
        staging(promoteFromAccountId="111122223333", promoteFromSigningKeyArn=KEY_ARN), "staging"
    )
    assert settings.promote_from_signing_key_arn == KEY_ARN
    assert error_for(staging(promoteFromAccountId="111122223333")) == (
        "guarded-delivery:promoteFromSigningKeyArn: missing; a release from another account is "
        "verified with the upstream's key ARN (KMS refuses aliases of other accounts): set it to "
        "the upstream stack's releaseSigningKeyArn output"
    )


@pytest.mark.parametrize(
    ("changes", "stack", "expected"),
    [
        ({"promoteFrom": "staging"}, "staging", "'staging' is this stack"),
        ({"promoteTo": [{"stack": "staging"}]}, "staging", "a stack cannot publish to itself"),
        ({"promoteTo": [{"stack": "dev"}]}, "staging", "is this stack's upstream"),
        ({"promoteTo": [{"stack": "prod"}, {"stack": "prod"}]}, "staging", "is listed twice"),
        ({"promoteTo": [{"account": "1"}]}, "staging", "promoteTo[0]"),
        (
            {"promoteTo": [{"stack": "prod", "accountId": "12345"}]},
            "staging",
            "promoteTo[0].accountId: '12345'",
        ),
        ({"alarmRollback": False}, "staging", "set alarmRollback: true"),
        (
            {
                "promoteFromAccountId": "111122223333",
                "promoteFromSigningKeyArn": KEY_ARN.replace("111122223333", "444455556666"),
            },
            "staging",
            "is a key of account 444455556666, not of promoteFromAccountId",
        ),
        (
            {"promoteFrom": None, "promoteTo": None, "promoteFromAccountId": "111122223333"},
            "staging",
            "only applies with promoteFrom",
        ),
        ({"promotionBakeMinutes": 5000}, "staging", "promotionBakeMinutes"),
    ],
)
def test_bad_promotion_settings_are_refused_naming_the_key(changes, stack, expected):
    assert expected in error_for(staging(**changes), stack)


@pytest.mark.parametrize("key", ["repositoryName", "connectionArn", "branch", "buildspec"])
def test_a_promoted_stack_names_no_source_for_its_services(key):
    raw = staging()
    raw["services"][0][key] = "main" if key == "branch" else "x"
    assert error_for(raw).startswith(f"guarded-delivery:services[0].{key}: ")
    assert error_for(raw).endswith(
        "only applies to a stack that builds; this stack promotes from dev (its releases come "
        "from there): remove it"
    )
