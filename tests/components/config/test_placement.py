"""Stack config that would deploy and then fail: ARNs of another partition or account, bad repo ids.

`check_placement` needs the stack's partition, region and account; the program calls it right after
learning them and before declaring any resource, so these tests run both the function and the program.
"""

import copy
import json
from typing import Any

import pulumi
import pytest

from components.config import ConfigError, PlatformSettings, parse_settings
from components.config.placement import Placement, check_placement
from tests.support.program_runs import (
    recorded_options,
    run_main,
    stack_config_env,
    stack_settings_raw,
)

NS = "guarded-delivery"
HERE = Placement("aws", "us-east-1", "123456789012")
CONNECTION = (
    "arn:aws:codeconnections:us-east-1:123456789012:connection/8d1f7c5e-3b2a-4f6e-9a1d-0c2b4e6f8a10"
)
UUID = "8d1f7c5e-3b2a-4f6e-9a1d-0c2b4e6f8a10"
API = 1  # dev's api service is the one with a CodeConnections source


def dev_with(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    raw = copy.deepcopy(stack_settings_raw("dev"))
    target = raw
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return raw


def settings_with(path: tuple[Any, ...], value: Any) -> PlatformSettings:
    return parse_settings(dev_with(path, value), "dev")


def connection(arn: str) -> PlatformSettings:
    return settings_with(("services", API, "connectionArn"), arn)


def placement_error(settings: PlatformSettings) -> str:
    with pytest.raises(ConfigError) as caught:
        check_placement(settings, HERE, NS)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_the_seeded_connection_is_in_the_stacks_account_and_passes_silently():
    assert check_placement(connection(CONNECTION), HERE, NS) == []


def test_a_connection_of_another_partition_is_refused_naming_the_key():
    other = f"arn:aws-cn:codeconnections:cn-north-1:123456789012:connection/{UUID}"
    assert placement_error(connection(other)) == (
        f"{NS}:services[1].connectionArn: {repr(other)[:77]}... is in partition aws-cn, but this stack "
        "deploys to partition aws, region us-east-1, account 123456789012; use an ARN of "
        "partition aws"
    )


def test_a_connection_of_another_region_is_accepted_since_connections_are_global():
    other = f"arn:aws:codeconnections:eu-west-1:123456789012:connection/{UUID}"
    assert check_placement(connection(other), HERE, NS) == []


def test_a_foreign_codestar_connection_cannot_be_shared_and_is_refused():
    foreign = f"arn:aws:codestar-connections:us-east-1:999988887777:connection/{UUID}"
    message = placement_error(connection(foreign))
    assert message.startswith(f"{NS}:services[1].connectionArn: ")
    assert (
        "is a connection of account 999988887777, not this stack's (123456789012), and "
        "codestar-connections connections cannot be shared across accounts; create the "
        "connection in account 123456789012" in message
    )


def test_a_foreign_codeconnections_connection_is_warned_about():
    foreign = f"arn:aws:codeconnections:us-east-1:999988887777:connection/{UUID}"
    [warning] = check_placement(connection(foreign), HERE, NS)
    assert warning.startswith(
        f"{NS}:services[1].connectionArn: '{foreign}' is a connection of account 999988887777, "
        "not this stack's (123456789012): the source action fails unless account 999988887777 "
        "shared it with this account through AWS RAM"
    )


def test_principals_of_another_partition_are_refused_and_of_another_account_warned():
    key = ("executionRolePrincipals",)
    own = "arn:aws:iam::123456789012:role/ci"
    assert check_placement(settings_with(key, [own]), HERE, NS) == []
    other_partition = "arn:aws-us-gov:iam::123456789012:role/ci"
    assert placement_error(settings_with(key, [own, other_partition])).startswith(
        f"{NS}:executionRolePrincipals[1]: '{other_partition}' is in partition aws-us-gov, but "
        "this stack deploys to partition aws"
    )
    foreign = "arn:aws:iam::999988887777:role/central-ci"
    [warning] = check_placement(settings_with(key, [own, foreign]), HERE, NS)
    assert warning.startswith(
        f"{NS}:executionRolePrincipals[1]: '{foreign}' is of account 999988887777, not this "
        "stack's (123456789012): it may assume the execution role"
    )


def test_a_listener_or_signing_key_of_another_partition_is_refused():
    staging = copy.deepcopy(stack_settings_raw("staging"))
    staging["promoteFromSigningKeyArn"] = (
        "arn:aws-cn:kms:cn-north-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    )
    staging["promoteFromAccountId"] = "111122223333"
    message = placement_error(parse_settings(staging, "staging"))
    assert message.startswith(f"{NS}:promoteFromSigningKeyArn: ")
    assert "is in partition aws-cn" in message


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("my-org/../api", "has a '.' or '..' path segment; name the repository as owner/name"),
        ("../my-org/api", "has a '.' or '..' path segment"),
        ("my-org/./api", "has a '.' or '..' path segment"),
        ("my-org/api.git", "ends in .git; drop it: 'my-org/api'"),
    ],
)
def test_a_repository_id_that_names_no_repository_is_refused(value, problem):
    with pytest.raises(ConfigError) as caught:
        parse_settings(dev_with(("services", API, "fullRepositoryId"), value), "dev")
    assert str(caught.value).startswith(f"{NS}:services[1].fullRepositoryId: {value!r} {problem}")
    # Its twin: dots inside a name are fine, only whole '.'/'..' segments and a .git tail are not.
    twin = parse_settings(dev_with(("services", API, "fullRepositoryId"), "my.org/api.web"), "dev")
    assert twin.services[API].connection.full_repository_id == "my.org/api.web"


def test_the_program_stops_before_declaring_anything_on_a_foreign_codestar_connection():
    config = stack_config_env("dev")
    services = json.loads(config[f"{NS}:services"])
    services[API]["connectionArn"] = (
        f"arn:aws:codestar-connections:us-east-1:999988887777:connection/{UUID}"
    )
    config[f"{NS}:services"] = json.dumps(services)
    with recorded_options() as registered, pytest.raises(pulumi.RunError) as caught:
        run_main("dev", config)
    assert str(caught.value).startswith(f"{NS}:services[1].connectionArn: ")
    assert [o for o in registered if o.typ != "pulumi:pulumi:Stack"] == []


def test_the_program_warns_about_a_foreign_principal(monkeypatch):
    warned: list[str] = []
    monkeypatch.setattr(pulumi.log, "warn", lambda message, *_, **__: warned.append(message))
    config = stack_config_env("dev")
    foreign = "arn:aws:iam::999988887777:role/central-ci"
    config[f"{NS}:executionRolePrincipals"] = json.dumps([foreign])
    run_main("dev", config)
    assert any(w.startswith(f"{NS}:executionRolePrincipals[0]: '{foreign}'") for w in warned)
